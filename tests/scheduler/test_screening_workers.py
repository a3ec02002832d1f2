"""排查 on arq with two workers and skewed sweeps: the weekly prompt, each reminder and the close of a round
happen once however many sweeps and workers see them (each claims its row before it sends)."""

from __future__ import annotations

import pytest
from arq.connections import ArqRedis

from core.models import Screening, ScreeningRound
from scheduler.worker import sweep
from tests.bot.harness import Harness
from tests.conftest import cst
from tests.scheduler.test_arq import run

pytestmark = pytest.mark.redis
WORKERS = ("周小梅", "吴大伟", "郑丽", "冯建", "陈秀英")


async def count(h: Harness, name: str, marker: str) -> int:
    return len([s for s in await h.inbox(name) if s.text and marker in s.text])


async def test_prompt_reminders_and_close_each_once_on_two_workers(org, domain, clock, redis: ArqRedis) -> None:
    h = Harness(domain)
    for _ in range(2):
        await sweep({"domain": domain, "redis": redis})
    await run(redis, h, workers=2)
    assert await ScreeningRound.all().count() == 1
    assert [await count(h, n, "排查提醒") for n in WORKERS] == [1] * 5
    await h.say("周小梅", "零报告")

    clock.set(cst(2026, 11, 24, 18, 1))
    for _ in range(3):
        await sweep({"domain": domain, "redis": redis})
    row = await Screening.get(staff__name="郑丽")
    await redis.enqueue_job("remind_screening", row.id, _job_id="remind_screening:skew-a")
    await redis.enqueue_job("remind_screening", row.id, _job_id="remind_screening:skew-b")
    await run(redis, h, workers=2)
    assert [await count(h, n, "排查催报") for n in WORKERS] == [0, 1, 1, 1, 1]

    clock.set(cst(2026, 11, 25, 18, 1))
    for _ in range(3):
        await sweep({"domain": domain, "redis": redis})
    round_id = (await ScreeningRound.get()).id
    await redis.enqueue_job("close_screening_round", round_id, _job_id="close_screening_round:skew")
    await run(redis, h, workers=2)
    assert [await count(h, n, "排查逾期") for n in WORKERS] == [0, 1, 1, 1, 1]
    assert await count(h, "林晓", "排查未报") == 1
    assert await Screening.filter(status="missed").count() == 4
