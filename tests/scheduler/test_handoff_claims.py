"""Two workers share the stored messages: each pass takes the events it hands to its own handling pool, and
another worker's pass leaves them alone until that claim runs out — then takes what a dead worker left."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from bot.engine import Bot
from bot.types import Inbound
from core.clock import ManualClock
from core.enums import Platform
from core.services.base import Domain
from scheduler.handoff import CLAIM_FOR, handle_stored
from tests import conftest


class _Pool:
    """A worker's handling pool that only records what its pass handed over (the worker is stuck or dead)."""

    def __init__(self) -> None:
        self.submitted: list[int] = []

    def submit(self, row_id: int, inbound: Inbound) -> None:
        self.submitted.append(row_id)

    def holds(self, row_id: int) -> bool:
        return row_id in self.submitted

    async def drain(self) -> None:
        return None


async def _stored(domain: Domain, n: int) -> list[int]:
    bot = Bot(domain)
    ids = []
    for i in range(n):
        row_id = await bot.record(Inbound(platform=Platform.WECOM, event_id=f"claims-{i}", sender="zhouxm",
                                          text=f"第{i}条", received_at=domain.clock.now()))
        assert row_id is not None
        ids.append(row_id)
    return ids


def _worker(domain: Domain) -> dict[str, Any]:
    return {"domain": domain, "registry": None, "handling": _Pool()}


async def test_two_workers_passing_over_the_same_messages_hand_each_to_one_pool(org: None, domain: Domain) -> None:
    ids = await _stored(domain, 30)
    one, other = _worker(domain), _worker(domain)
    await asyncio.gather(handle_stored(one), handle_stored(other), handle_stored(one), handle_stored(other))
    taken = one["handling"].submitted + other["handling"].submitted
    assert sorted(taken) == ids  # every message handed over, none to both


async def test_what_a_dead_worker_took_is_taken_by_another_once_its_claim_runs_out(
        org: None, domain: Domain, clock: ManualClock) -> None:
    ids = await _stored(domain, 3)
    dead, alive = _worker(domain), _worker(domain)
    await handle_stored(dead)
    assert dead["handling"].submitted == ids
    await handle_stored(alive)
    assert alive["handling"].submitted == []  # still claimed by the other worker
    clock.advance(CLAIM_FOR + timedelta(seconds=1))  # it never handled them
    await handle_stored(alive)
    assert alive["handling"].submitted == ids


async def test_a_worker_handles_what_it_took_and_the_event_is_handled_once(org: None, domain: Domain) -> None:
    from core.models import InboundEvent
    from tests.scheduler.test_outbox_claims import GatedChannel, registry

    ids = await _stored(domain, 2)
    channel = GatedChannel()
    ctx: dict[str, Any] = {"domain": domain, "registry": registry(channel)}
    await handle_stored(ctx)
    await ctx["handling"].drain()
    await ctx["answer_kick"].drain()
    assert await InboundEvent.filter(id__in=ids, status="handled").count() == 2
    assert channel.sent  # and the answers went out


@pytest.mark.skipif(conftest.BACKEND != "postgres", reason="row locks: PostgreSQL only (MAOTIAO_TEST_DB=postgres)")
async def test_a_pass_skips_the_events_another_worker_holds_locked_and_never_waits_for_them(
        org: None, domain: Domain) -> None:
    from tortoise.transactions import in_transaction

    from core.models import InboundEvent

    ids = await _stored(domain, 6)
    held, other = asyncio.Event(), _worker(domain)
    release = asyncio.Event()

    async def another_worker_taking_the_first_three() -> None:
        async with in_transaction():
            await InboundEvent.filter(id__in=ids[:3]).select_for_update()
            held.set()
            await release.wait()

    taking = asyncio.create_task(another_worker_taking_the_first_three())
    await held.wait()
    try:
        await asyncio.wait_for(handle_stored(other), 30)  # waiting for those locks would time out here
    finally:
        release.set()
        await taking
    assert other["handling"].submitted == ids[3:]
