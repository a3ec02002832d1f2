"""Rate limits shared by every process of a deployment: Redis when MAOTIAO_REDIS_URL is set, memory otherwise.

Two shapes, one per platform rule:
- a token bucket (DingTalk: about 20 calls per second per app per API, standard edition);
- sliding windows (WeCom: 30 messages a minute and 1,000 an hour per member; past that WeCom drops the
  message silently, so we must never get there).

Every call reserves before it sends: two `serve` and two `worker` processes on one Redis never exceed a limit
together, because the check and the reservation are one Lua script on the Redis server (whose clock they
share). Without Redis there is only one process that sends, and the in-memory store is exact for it.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import deque
from collections.abc import Callable
from typing import Any, Protocol

Windows = tuple[tuple[float, int], ...]  # (seconds, most events in any such span)


class RateStore(Protocol):
    async def bucket(self, key: str, rate: float, burst: int) -> float:
        """Take one token; 0.0 when taken, else the seconds until one is there (nothing taken)."""
        ...

    async def windows(self, key: str, limits: Windows, n: int = 1) -> float:
        """Reserve n events under every window; 0.0 when reserved, else seconds to wait (nothing reserved)."""
        ...

    async def windows_many(self, keys: list[str], limits: Windows, n: int = 1) -> list[float]:
        """`windows` for each key (one message to many members), in one round trip where the store is remote."""
        ...

    async def aclose(self) -> None: ...


class MemoryRateStore:
    """One process's limits, exact for that process."""

    def __init__(self, now: Callable[[], float] = time.monotonic) -> None:
        self.now = now
        self._buckets: dict[str, tuple[float, float]] = {}  # key → (tokens, at)
        self._events: dict[str, deque[float]] = {}

    async def bucket(self, key: str, rate: float, burst: int) -> float:
        now = self.now()
        tokens, at = self._buckets.get(key, (float(burst), now))
        tokens = min(float(burst), tokens + (now - at) * rate)
        if tokens >= 1.0:
            self._buckets[key] = (tokens - 1.0, now)
            return 0.0
        self._buckets[key] = (tokens, now)
        return (1.0 - tokens) / rate

    async def windows(self, key: str, limits: Windows, n: int = 1) -> float:
        now = self.now()
        longest = max(w for w, _ in limits)
        stamps = self._events.setdefault(key, deque())
        while stamps and now - stamps[0] >= longest:
            stamps.popleft()
        wait = _wait(list(stamps), limits, n, now)
        if wait <= 0:
            stamps.extend([now] * n)
        return wait

    async def windows_many(self, keys: list[str], limits: Windows, n: int = 1) -> list[float]:
        return [await self.windows(key, limits, n) for key in keys]

    def count(self, key: str, seconds: float) -> int:
        now = self.now()
        return sum(1 for t in self._events.get(key, ()) if now - t < seconds)

    async def aclose(self) -> None:
        return None


def _wait(stamps: list[float], limits: Windows, n: int, now: float) -> float:
    """How long until n more events fit under every window (0 when they fit now)."""
    wait = 0.0
    for window, limit in limits:
        recent = [t for t in stamps if now - t < window]
        over = len(recent) + n - limit
        if n > limit:
            return float("inf")
        if over > 0:  # the over-th oldest event in the window must age out first
            wait = max(wait, recent[over - 1] + window - now)
    return wait


# KEYS[1] bucket key; ARGV rate, burst. Redis' own clock, so every process agrees.
_BUCKET = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1e6
local rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local s = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens, at = tonumber(s[1]) or burst, tonumber(s[2]) or now
tokens = math.min(burst, tokens + (now - at) * rate)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = (1 - tokens) / rate end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(burst / rate) + 60)
return tostring(wait)
"""

# KEYS[1] zset of events (score = time); ARGV n, id, then window, limit pairs.
_WINDOWS = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1e6
local n = tonumber(ARGV[1])
local longest = 0
for i = 3, #ARGV, 2 do longest = math.max(longest, tonumber(ARGV[i])) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - longest)
local wait = 0
for i = 3, #ARGV, 2 do
  local window, limit = tonumber(ARGV[i]), tonumber(ARGV[i + 1])
  if n > limit then return '-1' end
  local recent = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. (now - window), '+inf', 'WITHSCORES')
  local count = #recent / 2
  local over = count + n - limit
  if over > 0 then
    wait = math.max(wait, tonumber(recent[over * 2]) + window - now)
  end
end
if wait <= 0 then
  for j = 1, n do redis.call('ZADD', KEYS[1], now, ARGV[2] .. ':' .. j) end
  redis.call('EXPIRE', KEYS[1], math.ceil(longest) + 60)
end
return tostring(wait)
"""


class RedisRateStore:
    """Limits shared by every process on one Redis."""

    def __init__(self, url: str, prefix: str = "maotiao:rate:") -> None:
        from redis.asyncio import Redis

        self.redis: Any = Redis.from_url(url)
        self.prefix = prefix
        self._bucket = self.redis.register_script(_BUCKET)
        self._windows = self.redis.register_script(_WINDOWS)

    async def bucket(self, key: str, rate: float, burst: int) -> float:
        return float(await self._bucket(keys=[self.prefix + key], args=[rate, burst]))

    async def windows(self, key: str, limits: Windows, n: int = 1) -> float:
        return _waited(await self._windows(keys=[self.prefix + key], args=_window_args(limits, n)))

    async def windows_many(self, keys: list[str], limits: Windows, n: int = 1) -> list[float]:
        """One pipeline: each key's script runs on the server as `windows` would, in one round trip."""
        async with self.redis.pipeline(transaction=False) as pipe:
            for key in keys:
                await self._windows(keys=[self.prefix + key], args=_window_args(limits, n), client=pipe)
            return [_waited(w) for w in await pipe.execute()]

    async def aclose(self) -> None:
        await self.redis.aclose()


def _window_args(limits: Windows, n: int) -> list[Any]:
    args: list[Any] = [n, uuid.uuid4().hex]
    for window, limit in limits:
        args += [window, limit]
    return args


def _waited(answer: Any) -> float:
    """The script's answer (seconds to wait, as text; -1 when n can never fit)."""
    wait = float(answer)
    return float("inf") if wait < 0 else wait


def rate_store(redis_url: str | None) -> RateStore:
    return RedisRateStore(redis_url) if redis_url else MemoryRateStore()


async def take_bucket(store: RateStore, key: str, rate: float, burst: int, max_wait: float = 5.0) -> None:
    """Wait (briefly) for a token; past max_wait go ahead anyway: the platform's own 403 then says so."""
    waited = 0.0
    while waited < max_wait:
        wait = await store.bucket(key, rate, burst)
        if wait <= 0:
            return
        wait = min(wait, max_wait - waited)
        await asyncio.sleep(wait)
        waited += wait
