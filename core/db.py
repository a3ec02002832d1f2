"""Database lifecycle: Tortoise configuration, schema migrations, connections."""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import asyncpg
from tortoise import Tortoise, connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.context import get_current_context
from tortoise.exceptions import DBConnectionError
from tortoise.migrations.api import migrate as run_migrations

from core import org_version

MODELS_MODULE = "core.models"
_PG_SCHEMES = ("postgres://", "postgresql://", "asyncpg://", "psycopg://")
MIGRATIONS_MODULE = "core.migrations"

# Deliveries are stored before they are acknowledged, on a small pool of their own: the handling of a backlog
# holds the main pool's connections for whole transactions, and an acknowledgement queued behind them for a
# connection took seconds (issue 20). Not one of the ORM's named connections (with two, every unnamed
# transaction would have to name one); SQLite has one writer anyway, and no second pool.
INGEST_POOL = 10  # as many INSERTs in flight as the decrypt+INSERT floor allows itself
INGEST_NAME = "maotiao-ingest"  # application_name of its connections (pg_stat_activity)


@dataclass
class _Ingest:
    client: BaseDBAsyncClient
    database: str  # the database the ORM used when it was made (its credentials): it stores there, nowhere else
    loop: asyncio.AbstractEventLoop


_ingest: list[_Ingest] = []  # at most one: this process's ingest pool


def _ingest_client(config: str | dict[str, Any]) -> BaseDBAsyncClient:
    info = expand_db_url(config) if isinstance(config, str) else {**config, "credentials": dict(config["credentials"])}
    creds = info["credentials"]
    creds.update(minsize=1, maxsize=INGEST_POOL, reset=_keep_session, application_name=INGEST_NAME)
    engine = importlib.import_module(info["engine"])
    cls = engine.get_client_class(info) if hasattr(engine, "get_client_class") else engine.client_class
    client: BaseDBAsyncClient = cls(connection_name="ingest", **creds)
    return client


def ingest_connection() -> BaseDBAsyncClient | None:
    """The pool deliveries are stored on before their acknowledgement (None: the ORM's default one, on
    SQLite). Made on first use for the database the ORM uses now, and made again when that changes (another
    init, another event loop): a pool left over from an earlier database would acknowledge a delivery
    stored where nothing handles it, or fail every one."""
    config = connections.db_config["default"]
    creds = _pg_credentials(config)
    database = repr(sorted((k, str(v)) for k, v in creds.items() if k != "reset")) if creds else ""
    loop = asyncio.get_running_loop()
    if _ingest and (_ingest[0].database != database or _ingest[0].loop is not loop):
        drop_ingest_pool()
    if creds is None:
        return None
    if not _ingest:
        _ingest.append(_Ingest(_ingest_client(config), database, loop))
    return _ingest[0].client


def drop_ingest_pool() -> None:
    """Forget the ingest pool, closing its connections at once (it may belong to a loop that is gone, or to
    a database the ORM no longer uses). Each of its statements commits by itself: nothing is left half-done."""
    while _ingest:
        held = _ingest.pop()
        pool: asyncpg.Pool | None = getattr(held.client, "_pool", None)
        if pool is not None and not held.loop.is_closed():  # a closed loop's sockets went with it
            pool.terminate()


async def close_ingest_pool() -> None:
    """Close the ingest pool: gracefully on its own loop, else at once."""
    if _ingest and _ingest[0].loop is asyncio.get_running_loop():
        held = _ingest.pop()
        await held.client.close()
    drop_ingest_pool()


def tortoise_config(db_url: str) -> dict[str, Any]:
    connection: str | dict[str, Any] = db_url
    if db_url.startswith(_PG_SCHEMES) and (expanded := expand_db_url(db_url))["engine"].endswith(".asyncpg"):
        expanded["credentials"]["reset"] = _keep_session
        connection = expanded
    return {
        "connections": {"default": connection},
        "apps": {
            "models": {
                "models": [MODELS_MODULE],
                "default_connection": "default",
                "migrations": MIGRATIONS_MODULE,
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


async def _keep_session(conn: asyncpg.Connection) -> None:
    """The pool's reset when a connection comes back: only what asyncpg always does first (roll back a
    transaction left open, drop listener callbacks). Its default also sends `SELECT pg_advisory_unlock_all();
    CLOSE ALL; UNLISTEN *; RESET ALL` — a round trip after every statement run outside a transaction (issue 20:
    8.8 of ~36 statements a handled message). No pooled connection is left with session state to undo: the
    session-level advisory locks, like the side connection, have connections of their own (upgrade_lock,
    integrations/lease.py), nothing LISTENs, SETs a session setting or declares a cursor on the pool."""


def _pg_credentials(config: str | dict[str, Any]) -> dict[str, Any] | None:
    """The credentials of a PostgreSQL connection's config (a URL, or the expanded form tortoise_config gives)."""
    if isinstance(config, str):
        config = expand_db_url(config)
    engine = str(config.get("engine", ""))
    return dict(config["credentials"]) if engine.endswith((".asyncpg", ".psycopg")) else None


def has_database() -> bool:
    """Whether this process (this task) has a database to use: tools and tests that only speak to a platform
    have none, and tortoise raises RuntimeError, not ConfigurationError, when no context was ever set up."""
    return get_current_context() is not None


async def init_db(db_url: str) -> None:
    from core import audit

    audit.forget_caches()  # they describe one database
    drop_side_connection()
    await close_ingest_pool()
    await Tortoise.init(config=tortoise_config(db_url))


UPGRADE_LOCK = 0x6D616F74  # PostgreSQL advisory lock key ("maot") every maotiao process upgrades under


@asynccontextmanager
async def upgrade_lock(db_url: str) -> AsyncIterator[None]:
    """On PostgreSQL, one upgrade at a time: two `serve`s started together (or `db upgrade` next to a starting
    serve) would otherwise both see a migration pending and both apply it, and the second fails half-way
    ("relation already exists"). The lock is held by its own session, so it is released when that session ends,
    even if this process dies mid-upgrade. SQLite has one writer anyway: no lock."""
    if not db_url.startswith(_PG_SCHEMES):
        yield
        return
    conn = await _connect(db_url)
    try:
        await conn.execute("SELECT pg_advisory_lock($1)", UPGRADE_LOCK)
        yield
    finally:
        await conn.close()  # ends the session, which releases the lock


SIDE_NAME = "maotiao-side"  # application_name of the side connection (pg_stat_activity)


async def _connect(db_url: str | dict[str, Any], name: str = "maotiao") -> asyncpg.Connection:
    creds = expand_db_url(db_url)["credentials"] if isinstance(db_url, str) else db_url
    return await asyncpg.connect(host=creds.get("host"), port=creds.get("port"), user=creds.get("user"),
                                 password=creds.get("password"), database=creds.get("database"), timeout=30,
                                 server_settings={"application_name": name})


@dataclass
class _Side:
    conn: asyncpg.Connection
    loop: asyncio.AbstractEventLoop
    lock: asyncio.Lock


_side: list[_Side] = []  # at most one: this process's side connection


@asynccontextmanager
async def side_connection() -> AsyncIterator[asyncpg.Connection | None]:
    """This process's one PostgreSQL connection outside every transaction, for a statement that must commit
    by itself while the caller's transaction goes on (core/numbering.py); one user at a time, so keep it to
    a statement. Not from the ORM's pool: N open transactions each waiting there for an N+1th connection
    would wait for ever. None on SQLite (one connection, one writer: there is no outside)."""
    creds = _pg_credentials(connections.db_config["default"])
    if creds is None:
        yield None
        return
    loop = asyncio.get_running_loop()
    if _side and (_side[0].loop is not loop or _side[0].conn.is_closed()):
        drop_side_connection()
    if not _side:
        _side.append(_Side(await _connect(creds, SIDE_NAME), loop, asyncio.Lock()))
        if len(_side) > 1:  # another caller connected while we did: keep theirs
            _side.pop().conn.terminate()
    side = _side[0]
    async with side.lock:
        try:
            yield side.conn
        except BaseException as exc:
            if unavailable(exc) and _side and _side[0] is side:
                drop_side_connection()  # reconnect next time
            raise


def drop_side_connection() -> None:
    """Close the side connection (terminate: it may belong to a loop that is gone)."""
    while _side:
        side = _side.pop()
        if not side.loop.is_closed():  # a closed loop's socket went with it
            side.conn.terminate()


async def upgrade(db_url: str) -> None:
    """Apply every pending migration; an existing database upgrades without loss. Concurrent upgrades of one
    PostgreSQL database wait for each other (upgrade_lock), and the later one finds nothing left to do."""
    async with upgrade_lock(db_url):
        try:
            await run_migrations(config=tortoise_config(db_url))
        finally:
            await Tortoise.close_connections()


async def create_schema_for_tests() -> None:
    """The schema made from the models, as tests and benches use it, with what migrations add beyond the
    models: the triggers that keep the organisation's version (core/org_version.py)."""
    await Tortoise.generate_schemas(safe=True)
    await org_version.install()


_OUTAGE = (OSError, TimeoutError, DBConnectionError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError,
           asyncpg.exceptions.OperatorInterventionError, asyncpg.exceptions.InternalClientError)


def unavailable(exc: BaseException) -> bool:
    """The database could not be reached (down, restarting, connection cut): worth retrying later, never a
    reason to give up on the work. Looks through the exceptions the ORM wraps around the driver's."""
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            return False
        if isinstance(seen, _OUTAGE):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


async def close_db() -> None:
    drop_side_connection()
    await close_ingest_pool()
    await Tortoise.close_connections()


# For `python -m tortoise -c core.db.TORTOISE_ORM makemigrations` when the models change.
TORTOISE_ORM = tortoise_config("sqlite://:memory:")
