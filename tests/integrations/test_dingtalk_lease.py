"""Of several serve processes only one holds the DingTalk Stream connection of a client id; another takes
over when it stops or dies (integrations/lease.py). Real Redis (and PostgreSQL for the advisory lock)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from aiohttp.test_utils import TestServer

from bot.engine import Bot
from core.services.base import Domain
from integrations.dingtalk.config import load_dingtalk
from integrations.dingtalk.stream import StreamRunner, lease_name
from integrations.lease import Keeper, PostgresLease, RedisLease
from integrations.sandbox.dingtalk import FakeDingTalk
from tests import conftest
from tests.integrations.dingtalk_rig import CLIENT_ID, ROBOT, SECRET, TEMPLATE

TTL = 1.5  # seconds; production uses LEASE_SECONDS (15)
LIMIT = 20.0  # how long a condition may take on a loaded machine before the test fails


async def until(condition: Callable[[], bool], what: str, limit: float = LIMIT) -> float:
    loop = asyncio.get_running_loop()
    start = loop.time()
    while not condition():
        assert loop.time() - start < limit, f"not within {limit} s: {what}"
        await asyncio.sleep(0.02)
    return loop.time() - start


@asynccontextmanager
async def gateway() -> AsyncIterator[tuple[FakeDingTalk, Any]]:
    os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
    fake = FakeDingTalk(CLIENT_ID, SECRET, ROBOT)
    async with TestServer(fake.app(), host="127.0.0.1") as server:
        fake.base_url = str(server.make_url("")).rstrip("/")
        settings = load_dingtalk(client_id=CLIENT_ID, client_secret=SECRET, robot_code=ROBOT,
                                 card_template_id=TEMPLATE, api_base=fake.base_url, oapi_base=fake.base_url)
        yield fake, settings


def runner(settings: Any, domain: Domain) -> StreamRunner:
    r = StreamRunner(settings, Bot(domain), lease=RedisLease(conftest.REDIS_URL, lease_name(settings), ttl=TTL))
    r.keeper.retry = 0.1
    r.start()
    return r


@pytest.mark.redis
async def test_only_one_runner_connects_and_the_other_takes_over_when_it_dies(domain: Domain, redis: Any) -> None:
    async with gateway() as (fake, settings):
        a = runner(settings, domain)
        await until(lambda: a.connections == 1, "the first runner connects")
        b = runner(settings, domain)
        try:
            await until(lambda: b.keeper.tries >= 5, "the second runner keeps trying for the lease")
            assert (fake.connections, b.connections) == (1, 0)
            assert a.keeper.task is not None
            a.keeper.task.cancel()  # the holder dies: no renewal, no release
            taken = await until(lambda: b.connections == 1, "the second runner takes over")
            assert taken < LIMIT
            assert fake.connections == 2
            await a.stop()  # its release must not free the lease the second one holds now
            assert await redis.get(b.keeper.lease.key) == b.keeper.lease.token.encode()  # type: ignore[attr-defined]
        finally:
            await a.stop()
            await b.stop()


@pytest.mark.redis
async def test_a_stopped_holder_hands_the_connection_over_at_once(domain: Domain, redis: Any) -> None:
    async with gateway() as (fake, settings):
        a = runner(settings, domain)
        await until(lambda: a.connections == 1, "the first runner connects")
        b = runner(settings, domain)
        try:
            await until(lambda: b.keeper.tries >= 3, "the second runner tries for the lease")
            await a.stop()  # releases: no waiting for the expiry
            await until(lambda: b.connections == 1, "the second runner connects", limit=TTL * 10)
            assert fake.connections == 2 and len(fake._sockets) == 1
        finally:
            await b.stop()


@pytest.mark.redis
async def test_a_holder_whose_renewal_fails_closes_its_connection(domain: Domain, redis: Any) -> None:
    async with gateway() as (fake, settings):
        a = runner(settings, domain)
        try:
            await until(lambda: a.connections == 1 and len(fake._sockets) == 1, "the runner connects")
            await redis.set(f"maotiao:lease:{lease_name(settings)}", b"someone-else", px=60_000)  # lease gone
            await until(lambda: not fake._sockets, "the runner closes its connection")
            assert not a.keeper.held.is_set() and a.connections == 1
        finally:
            await a.stop()


async def test_a_postgres_advisory_lock_has_one_holder_and_frees_when_its_session_dies(db: str) -> None:
    if conftest.BACKEND != "postgres":
        pytest.skip("the advisory lock needs PostgreSQL (MAOTIAO_TEST_DB=postgres)")
    a, b = PostgresLease(conftest.PG_URL, "test-lease"), PostgresLease(conftest.PG_URL, "test-lease")
    lost: list[str] = []

    async def on_lost() -> None:
        lost.append("a")

    try:
        assert await a.acquire()
        assert await a.renew()
        assert not await b.acquire()
        keeper = Keeper(a, on_lost, retry=0.1)
        keeper.held.set()
        a._conn.terminate()  # the holder's session dies: the server frees the lock
        keeper.start()
        await until(lambda: lost == ["a"], "the holder notices it lost the lock")
        await keeper.stop()
        assert await b.acquire()
    finally:
        await a.release()
        await b.release()
