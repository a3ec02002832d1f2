"""One holder across processes for what a platform allows only once at a time (a DingTalk Stream connection
per client id: the platform splits frames between connections). A lease elects it:

- Redis when MAOTIAO_REDIS_URL is set: a key set NX with an expiry, renewed by its holder, deleted on release
  only if it still holds our token. A holder that dies stops renewing; the key expires after LEASE_SECONDS
  and another process takes over on its next try.
- else PostgreSQL: a session advisory lock, held on a connection of its own (asyncpg, outside the ORM's
  pool). A holder that dies closes its connection and the server frees the lock; for a machine that vanishes
  the session's TCP keepalives (set below) end it within about LEASE_SECONDS.
- else (SQLite: one process by definition) always held.

`Keeper` runs a lease in the background: renews it while held, tries to take it every RETRY_SECONDS while
not, and calls `on_lost` as soon as a renewal fails (an error counts: a holder that cannot tell whether it
still holds the lease must give way, or two could hold it once the key expires)."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
import socket
from collections.abc import Awaitable, Callable
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

log = logging.getLogger(__name__)
LEASE_SECONDS = 15.0  # a dead holder's lease is free after this
RETRY_SECONDS = 3.0  # how often a process not holding the lease tries to take it
CALL_TIMEOUT = 3.0  # a lease call taking longer counts as failed


class Lease(Protocol):
    name: str
    ttl: float

    async def acquire(self) -> bool: ...  # True: held now (taken, or still ours)

    async def renew(self) -> bool: ...  # False: no longer ours

    async def release(self) -> None: ...  # give it up and close its connection


class AlwaysHeld:
    """One process by definition (SQLite), or no one to share with (the sandbox's own fakes)."""

    def __init__(self, name: str, ttl: float = LEASE_SECONDS) -> None:
        self.name, self.ttl = name, ttl

    async def acquire(self) -> bool:
        return True

    async def renew(self) -> bool:
        return True

    async def release(self) -> None:
        return None


# Take the key, or extend it if it holds our token already (a holder retrying after a failed renewal).
_ACQUIRE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
return 0
"""
_RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


class RedisLease:
    def __init__(self, url: str, name: str, ttl: float = LEASE_SECONDS) -> None:
        from redis.asyncio import Redis

        self.name, self.ttl = name, ttl
        self.key = f"maotiao:lease:{name}"
        self.token = f"{socket.gethostname()}:{secrets.token_hex(8)}"  # who holds it, for an operator
        self._redis: Any = Redis.from_url(url, socket_connect_timeout=CALL_TIMEOUT, socket_timeout=CALL_TIMEOUT)
        self._closed = False

    async def _call(self, script: str) -> bool:
        return bool(await self._redis.eval(script, 1, self.key, self.token, int(self.ttl * 1000)))

    async def acquire(self) -> bool:
        return await self._call(_ACQUIRE)

    async def renew(self) -> bool:
        return await self._call(_RENEW)

    async def release(self) -> None:
        if self._closed:  # a runner stopped twice
            return
        self._closed = True
        try:
            await self._redis.eval(_RELEASE, 1, self.key, self.token)
        finally:
            await self._redis.aclose()


def advisory_key(name: str) -> int:
    """A stable signed 64-bit key for pg_advisory_lock, the same in every process."""
    return int.from_bytes(hashlib.sha256(f"maotiao:{name}".encode()).digest()[:8], "big", signed=True)


def asyncpg_dsn(db_url: str) -> str:
    """Tortoise's URL as asyncpg takes it: postgresql:// and without Tortoise's own query options."""
    parts = urlsplit(db_url)
    return urlunsplit(("postgresql", parts.netloc, parts.path, "", ""))


class PostgresLease:
    def __init__(self, db_url: str, name: str, ttl: float = LEASE_SECONDS) -> None:
        self.name, self.ttl = name, ttl
        self.dsn = asyncpg_dsn(db_url)
        self.key = advisory_key(name)
        self._conn: Any = None

    async def acquire(self) -> bool:
        import asyncpg

        if self._conn is None or self._conn.is_closed():
            idle = max(1, int(self.ttl / 3))
            self._conn = await asyncpg.connect(self.dsn, timeout=CALL_TIMEOUT, server_settings={
                "application_name": f"maotiao lease {self.name}"[:63],
                # the server notices a vanished holder (machine gone, cable cut) and frees its lock
                "tcp_keepalives_idle": str(idle), "tcp_keepalives_interval": str(idle),
                "tcp_keepalives_count": "2"})
        try:
            return bool(await self._conn.fetchval("SELECT pg_try_advisory_lock($1)", self.key,
                                                  timeout=CALL_TIMEOUT))
        except BaseException:
            await self._drop()
            raise

    async def renew(self) -> bool:
        """The lock lasts as long as its session: still ours while the connection answers."""
        if self._conn is None or self._conn.is_closed():
            return False
        try:
            return bool(await self._conn.fetchval(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = pg_backend_pid()"
                " AND objid = ($1::bigint & 4294967295) AND classid = (($1::bigint >> 32) & 4294967295)",
                self.key, timeout=CALL_TIMEOUT))
        except BaseException:
            await self._drop()
            raise

    async def release(self) -> None:
        if self._conn is not None and not self._conn.is_closed():
            try:
                await self._conn.fetchval("SELECT pg_advisory_unlock($1)", self.key, timeout=CALL_TIMEOUT)
            finally:
                await self._drop()

    async def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.terminate()  # never waits: closing a connection to a server that vanished could hang


LeaseFactory = Callable[[str], Lease]


def lease_factory(redis_url: str | None, db_url: str, ttl: float = LEASE_SECONDS) -> LeaseFactory:
    """Redis when configured, else PostgreSQL's advisory locks, else (SQLite) always held."""
    if redis_url:
        return lambda name: RedisLease(redis_url, name, ttl)
    if not db_url.startswith("sqlite"):
        return lambda name: PostgresLease(db_url, name, ttl)
    return lambda name: AlwaysHeld(name, ttl)


class Keeper:
    """Holds a lease in the background; `held` is set while this process holds it."""

    def __init__(self, lease: Lease, on_lost: Callable[[], Awaitable[None]], retry: float = RETRY_SECONDS) -> None:
        self.lease = lease
        self.on_lost = on_lost
        self.retry = retry
        self.held = asyncio.Event()
        self.tries = 0  # attempts to take the lease while not holding it (tests wait on this)
        self.task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.task = asyncio.create_task(self._run(), name=f"lease {self.lease.name}")

    async def _run(self) -> None:
        while True:
            holding = self.held.is_set()
            try:
                ok = await asyncio.wait_for(self.lease.renew() if holding else self.lease.acquire(),
                                            timeout=CALL_TIMEOUT)
            except Exception as exc:  # an outage: not knowing means not holding
                log.warning("lease %s: %s failed: %s", self.lease.name, "renewal" if holding else "try", exc)
                ok = False
            if not holding:
                self.tries += 1
            if ok and not holding:
                log.info("lease %s taken by this process", self.lease.name)
                self.held.set()
            elif holding and not ok:
                log.warning("lease %s lost: giving up what it guards", self.lease.name)
                self.held.clear()
                await self.on_lost()
            await asyncio.sleep(self.lease.ttl / 3 if self.held.is_set() else self.retry)

    async def stop(self) -> None:
        """Stop renewing and release, so another process takes over at once rather than after the expiry."""
        if self.task is not None:
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)
        self.held.clear()
        try:
            await asyncio.wait_for(self.lease.release(), timeout=CALL_TIMEOUT)
        except Exception as exc:  # it expires on its own
            log.warning("lease %s: release failed: %s", self.lease.name, exc)
