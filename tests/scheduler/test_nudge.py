"""With Redis configured only workers deliver: serve leaves its replies in the outbox and enqueues arq's
`deliver` job; a worker sends them; a burst of nudges makes few jobs, and none is swallowed by a job that has
already read the outbox."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from arq.connections import ArqRedis
from arq.constants import default_queue_name, health_check_key_suffix
from arq.worker import Worker

import scheduler.embedded
import scheduler.worker
from bot.types import Inbound
from core.config import load_settings
from core.models import OutboxMessage
from integrations.registry import Platforms
from maotiao.runtime import Runtime, build_runtime
from scheduler.nudge import NUDGE_PREFIX, WORKER_HEALTH_KEY, Nudger, request_delivery
from scheduler.worker import WorkerSettings
from tests.bot.harness import Harness
from tests.conftest import REDIS_URL

pytestmark = pytest.mark.redis


async def until(check: Callable[[], Awaitable[bool]], what: str, seconds: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, f"still not true after {seconds} s: {what}"
        await asyncio.sleep(0.02)


async def say(h: Harness, name: str, text: str) -> None:
    """What a platform's inbound does: record and handle the message (its replies go to the outbox)."""
    p, uid = await h.ident(name)
    await h.bot.receive(Inbound(platform=p, event_id=uuid.uuid4().hex, sender=uid,
                                received_at=h.domain.clock.now(), text=text))


async def deliver_jobs(redis: ArqRedis) -> list[str]:
    return [j.decode() for j in await redis.zrange(default_queue_name, 0, -1)]


def burst_worker(redis: ArqRedis, h: Harness, **ctx: Any) -> Worker:
    return Worker(functions=WorkerSettings.functions, redis_pool=redis, burst=True, poll_delay=0.05,
                  ctx={"domain": h.domain, "registry": h.registry, **ctx}, handle_signals=False,
                  on_startup=WorkerSettings.on_startup, on_shutdown=WorkerSettings.on_shutdown)


def serve_runtime(h: Harness) -> Runtime:
    settings = load_settings().model_copy(update={"redis_url": REDIS_URL})
    return build_runtime(settings, h.domain, Platforms(registry=h.registry))


async def serve_replies_once(h: Harness, redis: ArqRedis, monkeypatch: pytest.MonkeyPatch) -> Runtime:
    """serve with MAOTIAO_REDIS_URL handles a message; returns once its nudge is in the queue."""
    delivered: list[object] = []

    async def must_not_deliver(*args: object) -> int:
        delivered.append(args)
        return 0

    monkeypatch.setattr(scheduler.embedded, "deliver_due", must_not_deliver)
    rt = serve_runtime(h)
    rt.scheduler.start()
    try:
        await say(h, "周小梅", "邻居家漏水到楼下")
        rt.scheduler.kick_delivery()  # what the platform's inbound does once a message is handled
        await until(lambda: _has(redis, f"{NUDGE_PREFIX}0"), "serve enqueued a deliver job")
        await rt.scheduler.tick()  # a full round of serve's engine, jobs and delivery loop alike
    finally:
        await rt.scheduler.stop()
    assert delivered == []
    return rt


async def _has(redis: ArqRedis, job_id: str) -> bool:
    return job_id in await deliver_jobs(redis)


async def test_serve_with_redis_leaves_replies_pending_and_enqueues_a_deliver_job(
        org: None, domain: Any, redis: ArqRedis, monkeypatch: pytest.MonkeyPatch) -> None:
    h = Harness(domain)
    rt = await serve_replies_once(h, redis, monkeypatch)
    assert rt.scheduler.nudge is not None and not rt.scheduler.run_jobs
    assert await OutboxMessage.filter(status="pending").count() >= 1
    assert await OutboxMessage.filter(status__not="pending").count() == 0
    assert all(not ch.sent for ch in h.channels.values())
    assert await deliver_jobs(redis) == [f"{NUDGE_PREFIX}0"]


async def test_without_redis_serve_delivers_itself(org: None, domain: Any) -> None:
    h = Harness(domain)
    rt = build_runtime(load_settings().model_copy(update={"redis_url": None}), domain, Platforms(registry=h.registry))
    assert rt.scheduler.nudge is None and rt.scheduler.run_jobs
    await say(h, "周小梅", "邻居家漏水到楼下")
    await rt.scheduler.tick()
    assert await OutboxMessage.filter(status="pending").count() == 0 and await h.inbox("周小梅")


async def test_a_worker_delivers_what_serve_enqueued(org: None, domain: Any, redis: ArqRedis,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    h = Harness(domain)
    await serve_replies_once(h, redis, monkeypatch)
    worker = burst_worker(redis, h)
    await worker.main()
    await worker.close()
    assert await OutboxMessage.filter(status__not="sent").count() == 0
    assert await h.inbox("周小梅")


async def test_a_burst_of_replies_makes_one_deliver_job(org: None, domain: Any, redis: ArqRedis) -> None:
    h = Harness(domain)
    rt = serve_runtime(h)
    rt.scheduler.start()
    try:
        for n in range(12):
            await say(h, "周小梅", f"第{n}件事:邻居家漏水到楼下")
            rt.scheduler.kick_delivery()
        await until(lambda: _has(redis, f"{NUDGE_PREFIX}0"), "serve enqueued a deliver job")
        await rt.scheduler.deliver()  # one more nudge after the burst, as the loop may still make
    finally:
        await rt.scheduler.stop()
    assert await deliver_jobs(redis) == [f"{NUDGE_PREFIX}0"]
    # and many serve processes nudging at once agree on it
    assert [j for j in await asyncio.gather(*(request_delivery(redis) for _ in range(20))) if j] == []


async def test_a_nudge_after_a_running_job_last_read_the_outbox_is_not_lost(
        org: None, domain: Any, redis: ArqRedis, monkeypatch: pytest.MonkeyPatch) -> None:
    """The dangerous moment: a deliver job has read the outbox for the last time but has not finished, so arq
    would refuse its job id; a reply committed now must still go out without waiting for a sweep."""
    h = Harness(domain)
    last_read, release = asyncio.Event(), asyncio.Event()

    async def after_the_last_read(*args: object) -> int:  # fetch_media_due runs after the delivery loop
        if not last_read.is_set():
            last_read.set()
            await release.wait()
        return 0

    monkeypatch.setattr(scheduler.worker, "fetch_media_due", after_the_last_read)
    nudge = Nudger(REDIS_URL)
    await say(h, "周小梅", "邻居家漏水到楼下")
    assert await nudge() is not None
    worker = burst_worker(redis, h, media=object())
    running = asyncio.create_task(worker.main())
    try:
        await asyncio.wait_for(last_read.wait(), 10)
        first = len(await h.inbox("周小梅"))
        await say(h, "林晓", "楼上漏水,请帮忙处理")
        assert await OutboxMessage.filter(status="pending").exists()
        assert await nudge() is not None  # a fresh job id: the running job moved the generation on
        assert await nudge() is None  # ... and it coalesces again
        release.set()
        await asyncio.wait_for(running, 30)
    finally:
        release.set()
        await nudge.aclose()
        await worker.close()
    assert first >= 1 and len(await h.inbox("林晓")) >= 1
    assert await OutboxMessage.filter(status__not="sent").count() == 0


def test_serve_looks_for_live_workers_under_the_key_arq_workers_write() -> None:
    # scheduler/nudge.py spells the key out so that serve need not import arq until Redis is used
    assert WORKER_HEALTH_KEY == default_queue_name + health_check_key_suffix
