"""The reminder before a partner body's deadline, on arq with two workers and skewed sweeps: the case's people
are reminded once however many sweeps and workers see it (the job claims `remind_at` before it sends), and a
referral whose outcome came in first is not reminded at all."""

from __future__ import annotations

import pytest
from arq.connections import ArqRedis

from core.models import Referral
from scheduler.worker import sweep
from tests.bot.harness import Harness
from tests.conftest import cst
from tests.scheduler.test_arq import run

pytestmark = pytest.mark.redis


async def count(h: Harness, name: str, marker: str) -> int:
    return len([s for s in await h.inbox(name) if s.text and marker in s.text])


async def test_a_partners_deadline_is_reminded_once_on_two_workers(org, domain, clock, redis: ArqRedis) -> None:
    h = Harness(domain)
    await h.say("林晓", "登记 诉前委派 法院 10天 荷花村 张三与李四借款纠纷,法院委派调解")
    await h.click("林晓", "受理并交办")  # to 赵敏
    await h.say("赵敏", "移送 0001 派出所 警调 20天")
    await h.say("林晓", "登记 访调 信访局 10天 荷花村 王五反映邻居违建")
    clock.set(cst(2026, 11, 30, 9, 1))  # three days before the court's and the 信访局's deadlines
    for _ in range(3):
        await sweep({"domain": domain, "redis": redis})
    court = await Referral.get(case__number="2026-0001", direction="in")
    await redis.enqueue_job("remind_referral", court.id, _job_id="remind_referral:skew-a")
    await redis.enqueue_job("remind_referral", court.id, _job_id="remind_referral:skew-b")
    await run(redis, h, workers=2)
    assert await count(h, "林晓", "【委派期限提醒】案件 2026-0001 系西溪区人民法院诉调委派") == 1
    assert await count(h, "赵敏", "【委派期限提醒】案件 2026-0001") == 1  # who handles it now
    assert await count(h, "林晓", "【委派期限提醒】案件 2026-0002 系西溪区信访局访调委派") == 1
    assert await count(h, "赵敏", "【移送提醒】") == 0  # the police's deadline is further off
    assert await Referral.filter(remind_at__isnull=False).count() == 1

    await h.say("赵敏", "移送结果 0001 派出所已调解,双方和解")
    clock.set(cst(2026, 12, 10, 9, 1))
    for _ in range(2):
        await sweep({"domain": domain, "redis": redis})
    await run(redis, h, workers=2)
    assert await count(h, "赵敏", "【移送提醒】") == 0  # the outcome came first
