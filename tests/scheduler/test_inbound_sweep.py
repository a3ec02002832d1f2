"""A report stored and acknowledged but cut off before it was handled (a crash, a database outage) is handled
again within seconds, even while the day's long jobs (digests with charts) keep the jobs loop busy."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.types import Inbound
from core.enums import Platform
from core.models import InboundEvent
from scheduler import embedded
from scheduler.embedded import EmbeddedScheduler
from tests.bot.harness import Harness


@pytest.fixture
async def h(org, domain) -> Harness:
    return Harness(domain)


async def test_a_cut_off_report_is_handled_while_the_jobs_loop_is_busy(h: Harness, clock, monkeypatch) -> None:
    busy = asyncio.Event()

    async def long_jobs(_: object) -> None:  # the morning's digests, say
        busy.set()
        await asyncio.Event().wait()

    monkeypatch.setattr(embedded, "run_due", long_jobs)
    monkeypatch.setattr(embedded, "UNHANDLED_AFTER", timedelta(seconds=30))
    scheduler = EmbeddedScheduler(h.bot, h.registry, interval=0.05)
    scheduler.start()
    try:
        await asyncio.wait_for(busy.wait(), 10)  # the jobs loop is busy from now on
        _, user = await h.ident("周小梅", Platform.WECOM)
        await h.bot.record(Inbound(platform=Platform.WECOM, event_id="cut-off-1", sender=user, text="邻居家漏水到楼下",
                                   received_at=clock.now()))
        clock.advance(timedelta(minutes=1))  # stored a minute ago, never handled
        for _ in range(200):
            if await InboundEvent.filter(event_id="cut-off-1", status="handled").exists():
                break
            await asyncio.sleep(0.05)
        assert await InboundEvent.filter(event_id="cut-off-1", status="handled").exists()
    finally:
        scheduler._stopping = True
        for task in scheduler._tasks:
            task.cancel()
        await asyncio.gather(*scheduler._tasks, return_exceptions=True)
