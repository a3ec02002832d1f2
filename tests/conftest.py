"""Test database on SQLite (default) or PostgreSQL (MAOTIAO_TEST_DB=postgres), a movable clock, the demo org."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from tortoise import Tortoise

import integrations.registry  # noqa: F401  declares the chat platforms, in their registered order
from core import audit, org_version
from core.clock import DISPLAY_TZ, ManualClock
from core.db import close_ingest_pool, create_schema_for_tests, drop_side_connection, tortoise_config
from core.models import Staff
from core.org_import import import_org
from core.services.base import Actor, Domain, actor_for
from core.workdays import WorkCalendar

ROOT = Path(__file__).resolve().parent.parent
DEMO_ORG = ROOT / "core" / "data" / "demo-org.yaml"
BACKEND = os.environ.get("MAOTIAO_TEST_DB", "sqlite")
PG_URL = os.environ.get("MAOTIAO_TEST_PG_URL", "postgres://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() == "true"
_pg_schema_ready = False


def need_server(reason: str) -> None:
    """A missing server skips a test run by hand, but fails it under CI."""
    if IN_CI:
        pytest.fail(f"{reason} (required under CI)")
    pytest.skip(reason)


async def _pg_reset() -> None:
    global _pg_schema_ready
    conn = Tortoise.get_connection("default")
    if not _pg_schema_ready:
        await conn.execute_script("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        await create_schema_for_tests()
        _pg_schema_ready = True
        return
    tables = [m._meta.db_table for m in Tortoise.apps["models"].values()]
    await conn.execute_script("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE;")
    await org_version.reset(conn)  # a new epoch: what a process remembers of the last test's organisation is void


def db_url() -> str:
    return PG_URL if BACKEND == "postgres" else "sqlite://:memory:"


@asynccontextmanager
async def fresh_db() -> AsyncIterator[str]:
    """An empty test database for the length of the block (tests that compare two runs use it twice)."""
    url = db_url()
    audit.forget_caches()  # what the last test's database said about its regions
    try:
        await Tortoise.init(config=tortoise_config(url))
        if BACKEND == "postgres":
            await _pg_reset()
        else:
            await create_schema_for_tests()
    except OSError as exc:
        need_server(f"PostgreSQL not reachable at {url}: {exc}")
    try:
        yield url
    finally:
        drop_side_connection()
        await close_ingest_pool()
        await Tortoise.close_connections()


@pytest.fixture
async def db() -> AsyncIterator[str]:
    async with fresh_db() as url:
        yield url


def cst(*args: int) -> datetime:
    return datetime(*args, tzinfo=DISPLAY_TZ)  # type: ignore[misc]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(cst(2026, 11, 23, 9, 0))  # a Monday


@pytest.fixture
def domain(clock: ManualClock) -> Domain:
    return Domain(clock=clock, calendar=WorkCalendar())


@pytest.fixture
async def org(db: str) -> None:
    await import_org(DEMO_ORG.read_text(encoding="utf-8"))


async def who(name: str) -> Actor:
    return await actor_for(await Staff.get(name=name))


async def staff_id(name: str) -> int:
    return (await Staff.get(name=name)).id


async def _pg_admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(_PG_SERVER_URL.replace("postgres://", "postgresql://"), timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


_PG_SERVER_URL = PG_URL
_OWN_DB = f"maotiao_test_{os.getpid()}"


def pytest_sessionstart(session: pytest.Session) -> None:
    """Each run gets its own Redis database, and on PostgreSQL its own database, so two runs on one machine
    never collide. Claimed here, not at import: a process that merely imports this module claims nothing."""
    global PG_URL, REDIS_URL
    REDIS_URL = _claim_redis_db()
    if BACKEND != "postgres":
        return
    import asyncio

    try:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{_OWN_DB}"'))
        asyncio.run(_pg_admin(f'CREATE DATABASE "{_OWN_DB}"'))
    except OSError:
        return  # not reachable: the tests that need it skip, or fail under CI
    PG_URL = _PG_SERVER_URL.rsplit("/", 1)[0] + "/" + _OWN_DB


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    _release_redis_db()
    if BACKEND == "postgres" and PG_URL.endswith("/" + _OWN_DB):
        import asyncio

        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{_OWN_DB}" WITH (FORCE)'))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that touches the database is marked `db`, so ./test can repeat them on PostgreSQL."""
    for item in items:
        if "db" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.db)


REDIS_SERVER = os.environ.get("MAOTIAO_TEST_REDIS_SERVER", "redis://127.0.0.1:6379")
_REDIS_CLAIM = "maotiao:test-run-db:"  # in database 0: which run holds which numbered database


def _claim_redis_db() -> str:
    """Each run takes a Redis database of its own (1-14), claimed in database 0 for two hours, so runs on one
    machine never flush each other's queues. MAOTIAO_TEST_REDIS_URL names one outright."""
    if os.environ.get("MAOTIAO_TEST_REDIS_URL"):
        return os.environ["MAOTIAO_TEST_REDIS_URL"]
    from redis import Redis
    from redis.exceptions import RedisError

    try:
        with Redis.from_url(f"{REDIS_SERVER}/0", socket_connect_timeout=2) as r:
            for n in range(1, 15):  # 15 is the shared fallback when every other one is taken
                if r.set(f"{_REDIS_CLAIM}{n}", f"{os.getpid()}", nx=True, ex=7200):
                    return f"{REDIS_SERVER}/{n}"
    except RedisError:
        pass  # not reachable: the tests that need it skip (or fail under CI) naming this address
    return f"{REDIS_SERVER}/15"


def _release_redis_db() -> None:
    if os.environ.get("MAOTIAO_TEST_REDIS_URL") or REDIS_URL.endswith("/15"):
        return  # named outright, or the shared fallback (never claimed)
    from redis import Redis
    from redis.exceptions import RedisError

    n = REDIS_URL.rsplit("/", 1)[1]
    try:
        with Redis.from_url(f"{REDIS_SERVER}/0", socket_connect_timeout=2) as r:
            if r.get(f"{_REDIS_CLAIM}{n}") == str(os.getpid()).encode():
                r.delete(f"{_REDIS_CLAIM}{n}")
    except RedisError:
        pass


REDIS_URL = os.environ.get("MAOTIAO_TEST_REDIS_URL") or f"{REDIS_SERVER}/15"  # until the session claims one


@pytest.fixture
async def redis() -> AsyncIterator[Any]:
    """An empty arq pool on the test Redis database (flushed before and after)."""
    from arq import create_pool
    from arq.connections import RedisSettings

    try:
        pool = await create_pool(RedisSettings.from_dsn(REDIS_URL), retry=0)
        await pool.flushdb()
    except (OSError, ConnectionError) as exc:
        need_server(f"Redis not reachable at {REDIS_URL}: {exc}")
    yield pool
    await pool.flushdb()
    await pool.aclose()


@asynccontextmanager
async def scratch_pg_database(suffix: str) -> AsyncIterator[str]:
    """A PostgreSQL database of its own with no tables, dropped afterwards (its URL)."""
    name = f"maotiao_test_{os.getpid()}_{suffix}"
    try:
        await _pg_admin(f'DROP DATABASE IF EXISTS "{name}"')
        await _pg_admin(f'CREATE DATABASE "{name}"')
    except OSError as exc:
        need_server(f"PostgreSQL not reachable: {exc}")
    try:
        yield _PG_SERVER_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
