"""Deliveries are stored on a pool of their own before they are acknowledged (issue 20), and that pool always
stores in the database the bot uses now: a process (a tool, a fault test) that used another PostgreSQL
database before, and re-initialised the ORM without closing everything, must not acknowledge a delivery it
stored where nothing will handle it (nor refuse every one because that database is gone)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest
from tortoise import Tortoise

from bot.engine import Bot
from bot.types import Inbound
from core.db import create_schema_for_tests, init_db
from core.enums import Platform
from core.models import InboundEvent
from core.services.base import Domain
from tests import conftest


@pytest.fixture
async def other_database() -> AsyncIterator[str]:
    """A PostgreSQL database of its own, besides the test backend's (SQLite or PostgreSQL)."""
    async with conftest.scratch_pg_database("earlier") as url:
        yield url


def _text(event_id: str, domain: Domain) -> Inbound:
    return Inbound(platform=Platform.WECOM, event_id=event_id, sender="zhouxm", text="邻居吵架",
                   received_at=domain.clock.now())


async def _event_ids(url: str) -> list[str]:
    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1), timeout=10)
    try:
        return [r["event_id"] for r in await conn.fetch("SELECT event_id FROM inbound_event ORDER BY id")]
    finally:
        await conn.close()


async def test_a_delivery_is_stored_in_the_database_the_bot_uses_now(domain: Domain, other_database: str) -> None:
    bot = Bot(domain)
    await init_db(other_database)  # as `serve` starts: the recording pool is made for this database
    await create_schema_for_tests()
    assert await bot.record(_text("msg:earlier", domain)) is not None
    await Tortoise.close_connections()  # not close_db: the recording pool is left behind

    async with conftest.fresh_db():  # the test backend's database (SQLite, or another PostgreSQL one)
        row_id = await bot.record(_text("msg:now", domain))
        assert row_id is not None
        assert (await InboundEvent.get(id=row_id)).event_id == "msg:now"  # stored here, where it is handled
        await bot.handle(row_id, _text("msg:now", domain))
        assert (await InboundEvent.get(id=row_id)).status == "handled"

    assert await _event_ids(other_database) == ["msg:earlier"]  # nothing went to the earlier database


async def test_on_postgresql_deliveries_are_recorded_through_the_pool_of_their_own(db: str) -> None:
    from core.db import ingest_connection

    if conftest.BACKEND != "postgres":
        pytest.skip("SQLite has one writer and no second pool")
    first = ingest_connection()
    assert first is not None and ingest_connection() is first  # one pool per database and loop, not per call
