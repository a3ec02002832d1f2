"""The arq engine against a real Redis: burst workers, two workers on one queue, Redis flushed, outages."""

from __future__ import annotations

import asyncio
from datetime import UTC, timedelta

import pytest
from arq.connections import ArqRedis
from arq.worker import Worker

from core.models import OutboxMessage, Task
from scheduler.worker import WorkerSettings, sweep
from tests.bot.harness import Harness
from tests.conftest import cst
from tests.scheduler.test_rules import dispatched, texts

pytestmark = pytest.mark.redis


def worker(redis: ArqRedis, h: Harness) -> Worker:
    return Worker(
        functions=WorkerSettings.functions, redis_pool=redis, burst=True, poll_delay=0.05,
        ctx={"domain": h.domain, "registry": h.registry}, on_startup=WorkerSettings.on_startup,
        on_shutdown=WorkerSettings.on_shutdown, handle_signals=False, keep_result=3600,
    )


async def run(redis: ArqRedis, h: Harness, workers: int = 1) -> None:
    ws = [worker(redis, h) for _ in range(workers)]
    await asyncio.gather(*(w.main() for w in ws))
    for w in ws:
        await w.close()


async def test_burst_worker_runs_the_reminder_once(org, domain, clock, redis) -> None:
    h = Harness(domain)
    await dispatched(h)
    clock.set(cst(2026, 11, 29, 18, 1))
    await sweep({"domain": domain, "redis": redis})
    await sweep({"domain": domain, "redis": redis})  # a second sweep enqueues nothing new
    await run(redis, h)
    assert len([t for t in await texts(h, "赵敏") if "到期提醒" in t]) == 1


async def test_two_workers_on_one_queue_never_duplicate(org, domain, clock, redis) -> None:
    h = Harness(domain)
    await dispatched(h)
    clock.set(cst(2026, 11, 30, 18, 5))  # reminder and overdue both due
    for _ in range(3):
        await sweep({"domain": domain, "redis": redis})
    # and the same item forced in under other job ids, as two racing sweeps with skewed clocks would
    task = await Task.get(case__number="2026-0001")
    await redis.enqueue_job("remind_task", task.id, _job_id="remind_task:skew-a")
    await redis.enqueue_job("remind_task", task.id, _job_id="remind_task:skew-b")
    await run(redis, h, workers=2)
    assert len([t for t in await texts(h, "赵敏") if "到期提醒" in t]) == 1
    assert len([t for t in await texts(h, "赵敏") if "【逾期】" in t]) == 1


async def test_flushing_redis_loses_no_reminder(org, domain, clock, redis) -> None:
    h = Harness(domain)
    await dispatched(h)
    clock.set(cst(2026, 11, 29, 18, 1))
    await sweep({"domain": domain, "redis": redis})
    await redis.flushdb()  # Redis restarted empty, worker killed: the queue is gone
    await sweep({"domain": domain, "redis": redis})  # the next sweep reads the database again
    await run(redis, h)
    assert len([t for t in await texts(h, "赵敏") if "到期提醒" in t]) == 1


async def test_platform_down_for_a_while_then_everything_once(org, domain, clock, redis) -> None:
    h = Harness(domain)
    await dispatched(h)
    for ch in h.channels.values():
        ch.fail_next = 4
    clock.set(cst(2026, 11, 29, 18, 1))
    for _ in range(8):
        await sweep({"domain": domain, "redis": redis})
        await run(redis, h)
        clock.advance(timedelta(minutes=5))
    assert len([t for t in await texts(h, "赵敏") if "到期提醒" in t]) == 1
    assert await OutboxMessage.filter(status__not="sent").count() == 0
    assert clock.now().tzinfo is UTC or clock.now().utcoffset() == timedelta(0)


def test_worker_settings_are_complete() -> None:
    names = {f.name for f in WorkerSettings.functions}
    assert {"remind_task", "overdue_task", "supervise_task", "nudge_task", "escalate_case", "follow_up_case",
            "deliver", "sweep"} <= names
    assert WorkerSettings.cron_jobs[0].run_at_startup and WorkerSettings.cron_jobs[0].unique


async def test_a_job_that_failed_runs_again_at_the_next_sweep_not_an_hour_later(
        org, domain, clock, redis, monkeypatch: pytest.MonkeyPatch) -> None:
    from scheduler import jobs

    h = Harness(domain)
    await dispatched(h)
    real, failures = jobs.JOBS["remind_task"], []

    async def flaky(d, task_id: int) -> bool:  # type: ignore[no-untyped-def]
        if not failures:
            failures.append(task_id)
            raise ConnectionError("the database went away mid-job")
        return await real(d, task_id)

    monkeypatch.setitem(jobs.JOBS, "remind_task", flaky)
    clock.set(cst(2026, 11, 29, 18, 1))
    await sweep({"domain": domain, "redis": redis})
    await run(redis, h)
    assert failures and not [t for t in await texts(h, "赵敏") if "到期提醒" in t]
    clock.advance(timedelta(seconds=10))  # the next sweep enqueues the same occurrence again
    await sweep({"domain": domain, "redis": redis})
    await run(redis, h)
    assert len([t for t in await texts(h, "赵敏") if "到期提醒" in t]) == 1
