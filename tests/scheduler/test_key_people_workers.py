"""重点人员 reminders on arq with two workers and skewed sweeps: a due follow-up is reminded once however many
sweeps and workers see it (the job claims the row by moving its due time before it sends)."""

from __future__ import annotations

import pytest
from arq.connections import ArqRedis

from core.models import KeyPerson
from scheduler.worker import sweep
from tests.bot.harness import Harness
from tests.conftest import cst
from tests.scheduler.test_arq import run

pytestmark = pytest.mark.redis


async def reminded(h: Harness, name: str) -> int:
    return len([s for s in await h.inbox(name) if s.text and "【重点人员随访" in s.text])


async def test_a_due_follow_up_is_reminded_once_on_two_workers(org, domain, clock, redis: ArqRedis) -> None:
    h = Harness(domain)
    await h.say("周小梅", "重点人员 登记 张某某 矛盾激化 每3天走访")
    clock.set(cst(2026, 11, 26, 9, 1))
    for _ in range(3):
        await sweep({"domain": domain, "redis": redis})
    person = await KeyPerson.get()
    await redis.enqueue_job("remind_key_person", person.id, _job_id="remind_key_person:skew-a")
    await redis.enqueue_job("remind_key_person", person.id, _job_id="remind_key_person:skew-b")
    await run(redis, h, workers=2)
    assert await reminded(h, "周小梅") == 1
    assert (await KeyPerson.get()).due_at == cst(2026, 11, 29, 9, 1)
