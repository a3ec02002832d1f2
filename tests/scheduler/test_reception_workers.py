"""领导接访 reminders on arq with two workers and skewed sweeps: the org file's weekly reception is laid out once
however many sweeps run, and the leader gets the eve and the morning reminder once each (each job claims its
reception's column before it sends), with the citizen booked."""

from __future__ import annotations

import pytest
from arq.connections import ArqRedis

from core.models import Reception
from scheduler.worker import sweep
from tests.bot.harness import Harness
from tests.conftest import cst
from tests.scheduler.test_arq import run

pytestmark = pytest.mark.redis


async def reminders(h: Harness, marker: str) -> list[str]:
    return [s.text for s in await h.inbox("韩卫国") if s.text and marker in s.text]


async def test_eve_and_morning_reminders_each_once_on_two_workers(org, domain, clock, redis: ArqRedis) -> None:
    h = Harness(domain)
    for _ in range(2):
        await sweep({"domain": domain, "redis": redis})
    assert await Reception.filter(leader__name="韩卫国", kind="reception").count() == 2  # two Wednesdays ahead
    await h.say("林晓", "预约接访 11月25日 韩卫国 张某某 土地补偿")

    clock.set(cst(2026, 11, 24, 16, 1))
    for _ in range(3):
        await sweep({"domain": domain, "redis": redis})
    first = await Reception.filter(leader__name="韩卫国").order_by("day").first()
    assert first is not None
    await redis.enqueue_job("remind_reception_eve", first.id, _job_id="remind_reception_eve:skew")
    await run(redis, h, workers=2)
    eve = await reminders(h, "【接访提醒】明天")
    assert len(eve) == 1 and "张某某:土地补偿" in eve[0]

    clock.set(cst(2026, 11, 25, 7, 31))
    for _ in range(3):
        await sweep({"domain": domain, "redis": redis})
    await redis.enqueue_job("remind_reception_day", first.id, _job_id="remind_reception_day:skew")
    await run(redis, h, workers=2)
    assert len(await reminders(h, "【接访提醒】今天")) == 1
    assert len(await reminders(h, "【接访提醒】明天")) == 1
