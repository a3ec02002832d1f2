"""/readyz: whether a load balancer should send this `serve` work now (/healthz only says the process lives).

Ready means the database answers, Redis answers when MAOTIAO_REDIS_URL is set (serve nudges the workers and
shares the rate limits there), and the process is not draining. From SIGTERM on it is draining
(maotiao/runtime.py): /readyz answers 503 so the proxy stops sending while callbacks already on their way are
still answered and acknowledged. A failed probe is a short JSON reason, never a traceback or a secret."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from aiohttp import web
from tortoise import Tortoise

if TYPE_CHECKING:
    from redis.asyncio import Redis

log = logging.getLogger(__name__)
PROBE_TIMEOUT = 2.0  # seconds: a database or Redis slower than this is not ready (proxies time out at ~5 s)


@dataclass
class Readiness:
    redis_url: str | None = None
    draining: bool = False
    _redis: Redis | None = field(default=None, repr=False)

    async def problem(self) -> str | None:
        """None when ready, else why not (a few words, shown to the load balancer)."""
        if self.draining:
            return "draining"
        try:
            await asyncio.wait_for(Tortoise.get_connection("default").execute_query("SELECT 1"), PROBE_TIMEOUT)
        except Exception as exc:  # any failure means: send this process nothing
            log.warning("not ready: database: %s", str(exc)[:200])
            return "database unavailable"
        if self.redis_url:
            try:
                await asyncio.wait_for(self._client().ping(), PROBE_TIMEOUT)
            except Exception as exc:
                log.warning("not ready: redis: %s", str(exc)[:200])
                return "redis unavailable"
        return None

    def _client(self) -> Redis:
        if self._redis is None:
            assert self.redis_url is not None
            from redis.asyncio import Redis  # only with Redis configured (~6 MiB otherwise unused)

            self._redis = Redis.from_url(self.redis_url, socket_connect_timeout=PROBE_TIMEOUT,
                                         socket_timeout=PROBE_TIMEOUT)
        return self._redis

    async def aclose(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()
            self._redis = None


READINESS = web.AppKey("readiness", Readiness)


async def readyz(request: web.Request) -> web.Response:
    reason = await request.app[READINESS].problem()
    if reason is not None:
        return web.json_response({"status": "unready", "reason": reason}, status=503,
                                 headers={"Retry-After": "5"})
    return web.json_response({"status": "ready"})


def setup(app: web.Application, redis_url: str | None) -> Readiness:
    state = Readiness(redis_url)
    app[READINESS] = state

    async def close(_: web.Application) -> None:
        await state.aclose()

    app.on_cleanup.append(close)
    app.router.add_get("/readyz", readyz)
    return state
