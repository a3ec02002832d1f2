"""应急续报 on the clock: each 续报 is claimed, so two arq workers (or sweeps seeing it twice) send it once; it is
urgent, so it goes out in quiet hours too; an engine down for hours sends one 续报 on return, not a backlog."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from arq.connections import ArqRedis

from core.enums import Platform
from core.models import Emergency, EmergencyReport, GroupChat
from core.services import emergencies
from scheduler.embedded import EmbeddedScheduler
from scheduler.emergency_jobs import emergency_report
from scheduler.sweep import due_items
from scheduler.worker import sweep
from tests.bot.harness import Harness
from tests.conftest import cst, who
from tests.core.flows import reported
from tests.scheduler.test_arq import run


async def _opened(domain) -> Emergency:
    case = await reported(domain)
    await emergencies.open_emergency(domain, await who("韩卫国"), case.id, source=Platform.WECOM)
    return await Emergency.get(case_id=case.id)


@pytest.mark.redis
async def test_a_timed_report_goes_once_on_two_workers_and_skewed_sweeps(org, domain, clock, redis: ArqRedis) -> None:
    h = Harness(domain)
    row = await _opened(domain)
    clock.advance(timedelta(hours=2, minutes=1))
    for _ in range(2):
        await sweep({"domain": domain, "redis": redis})
    await redis.enqueue_job("emergency_report", row.id, _job_id="emergency_report:skew-a")
    await redis.enqueue_job("emergency_report", row.id, _job_id="emergency_report:skew-b")
    await run(redis, h, workers=2)
    await h.flush()
    assert await EmergencyReport.filter(emergency_id=row.id, kind="timed").count() == 1
    group = [t for t in await _group_texts(h) if "应急续报" in t]
    assert len(group) == 1 and "第 1 次续报" in group[0]


async def _group_texts(h: Harness) -> list[str]:
    refs = set()
    for g in await GroupChat.filter(name="茶园乡领导群"):
        refs |= set((await g.refs()).values())
    return [s.text for ch in h.channels.values() for s in ch.sent if s.to in refs and s.text]


async def test_a_report_due_at_night_is_still_swept(org, domain, clock) -> None:
    clock.set(cst(2026, 11, 24, 21, 0))
    row = await _opened(domain)
    night = cst(2026, 11, 24, 23, 30)
    assert any(d.job == "emergency_report" and d.id == row.id for d in await due_items(night, urgent_only=True))


async def test_an_engine_back_after_hours_sends_one_report_and_keeps_the_cadence(org, domain, clock) -> None:
    h = Harness(domain)
    row = await _opened(domain)
    opened = clock.now()
    clock.advance(timedelta(hours=7, minutes=10))  # three 续报 missed while no engine ran
    await EmbeddedScheduler(h.bot, h.registry).tick()
    await EmbeddedScheduler(h.bot, h.registry).tick()
    assert await EmergencyReport.filter(emergency_id=row.id, kind="timed").count() == 1
    await row.refresh_from_db()
    assert row.next_report_at == clock.now() + timedelta(hours=2)  # the next one a full cadence on, not in the past
    assert row.next_report_at > opened + timedelta(hours=8)


async def test_two_engines_at_the_same_moment_send_the_report_once(org, domain, clock) -> None:
    row = await _opened(domain)
    clock.advance(timedelta(hours=2))
    sent = await asyncio.gather(*(emergency_report(domain, row.id) for _ in range(3)))
    assert sorted(sent) == [False, False, True]
    assert await EmergencyReport.filter(emergency_id=row.id, kind="timed").count() == 1
