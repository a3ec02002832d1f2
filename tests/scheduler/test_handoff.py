"""With Redis configured serve only stores and acknowledges; workers handle (scheduler/handoff.py): a WeCom
callback is answered with nothing handled in serve, a worker's `handle_inbound` job handles it and its reply
goes out, a burst makes few jobs and loses nothing, and a DingTalk card click is still handled where its
callback is answered."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from arq.connections import ArqRedis
from arq.worker import Worker

from bot.types import CardAction, Inbound
from core.enums import Platform
from core.models import InboundEvent, OutboxMessage
from core.services.base import Domain
from core.transitions import TaskAction
from integrations.dingtalk.config import load_dingtalk
from integrations.dingtalk.stream import StreamRunner
from scheduler.handoff import Handoff, Kicker
from scheduler.nudge import HANDLE, Nudger
from scheduler.worker import WorkerSettings
from tests.conftest import REDIS_URL
from tests.integrations.wecom_rig import WeComRig, wecom_rig
from tests.scheduler.test_nudge import deliver_jobs

pytestmark = pytest.mark.redis
REPORT = "荷花村两户人家因为院墙滴水吵了好几天"


def burst_worker(redis: ArqRedis, domain: Domain, rig: WeComRig) -> Worker:
    return Worker(functions=WorkerSettings.functions, redis_pool=redis, burst=True, poll_delay=0.05,
                  ctx={"domain": domain, "registry": rig.registry}, handle_signals=False,
                  on_startup=WorkerSettings.on_startup, on_shutdown=WorkerSettings.on_shutdown)


async def run_worker(redis: ArqRedis, domain: Domain, rig: WeComRig) -> None:
    worker = burst_worker(redis, domain, rig)
    try:
        await asyncio.wait_for(worker.main(), 60)
    finally:
        await worker.close()


async def test_serve_acknowledges_without_handling_and_a_worker_handles_and_replies(
        org: None, domain: Domain, redis: ArqRedis) -> None:
    nudger = Nudger(REDIS_URL)
    try:
        async with wecom_rig(domain, handoff=Handoff(nudger)) as rig:
            resp = await rig.member.text("zhouxm", REPORT)
            assert resp is not None and resp.status_code == 200
            await rig.callback.drain()  # the nudge has been sent
            assert await InboundEvent.filter(status="received").count() == 1  # stored, not handled here
            assert await OutboxMessage.all().count() == 0 and rig.fake.card_messages("zhouxm") == []
            assert await deliver_jobs(redis) == [f"{HANDLE}:nudge:0"]

            await run_worker(redis, domain, rig)

            assert await InboundEvent.filter(status="handled").count() == 1
            assert await OutboxMessage.filter(status__not="sent").count() == 0
            assert len(rig.fake.card_messages("zhouxm")) == 1  # the draft card, sent by the worker
    finally:
        await nudger.aclose()


async def test_a_burst_of_callbacks_makes_few_jobs_and_every_event_is_handled_once(
        org: None, domain: Domain, redis: ArqRedis) -> None:
    nudger = Nudger(REDIS_URL)
    try:
        async with wecom_rig(domain, handoff=Handoff(nudger)) as rig:
            people = ["zhouxm", "wudw", "fengj", "zhouxm", "wudw", "fengj"]
            await asyncio.gather(*(rig.member.text(p, f"{REPORT}({n})") for n, p in enumerate(people)))
            await rig.callback.drain()
            jobs = await deliver_jobs(redis)
            assert 1 <= len(jobs) <= 2 and all(j.startswith(f"{HANDLE}:nudge:") for j in jobs), jobs
            await run_worker(redis, domain, rig)
            assert await InboundEvent.filter(status="handled").count() == len(people)
            assert await InboundEvent.exclude(status="handled").count() == 0
            assert await OutboxMessage.filter(status__not="sent").count() == 0
            assert all(rig.fake.card_messages(p) for p in people)
    finally:
        await nudger.aclose()


class _Recorded:
    def __init__(self) -> None:
        self.submitted: list[int] = []

    def submit(self, row_id: int, inbound: Inbound) -> None:
        self.submitted.append(row_id)

    async def drain(self) -> None:
        return None


async def test_a_dingtalk_message_goes_to_the_workers_and_a_card_click_is_handled_where_it_is_answered(
        db: str, domain: Domain) -> None:
    from bot.engine import Bot

    handoff = _Recorded()
    settings = load_dingtalk(client_id="ding-handoff", client_secret="secret", robot_code="ding-handoff",
                             card_template_id="tpl")
    runner = StreamRunner(settings, Bot(domain), handoff=handoff)
    local: list[int] = []
    runner.handling.submit = lambda row_id, inbound: local.append(row_id)  # type: ignore[method-assign]

    def inbound(**extra: Any) -> Inbound:
        return Inbound(platform=Platform.DINGTALK, event_id=uuid.uuid4().hex, sender="ding-user",
                       received_at=domain.clock.now(), text="你好", **extra)

    await runner.persist(inbound(), None)
    await runner.persist(inbound(action=CardAction(act=TaskAction.SIGN, link_id=1)), None)
    rows = [r.id for r in await InboundEvent.all().order_by("id")]
    assert handoff.submitted == rows[:1] and local == rows[1:]


async def test_kicks_while_a_nudge_runs_make_one_more_nudge_and_never_wait() -> None:
    calls: list[int] = []
    release = asyncio.Event()

    async def nudge() -> None:
        calls.append(len(calls))
        await release.wait()

    kick = Kicker(nudge)
    kick()
    await asyncio.sleep(0)
    for _ in range(50):
        kick()  # returns at once: never waits for Redis
    assert calls == [0]
    release.set()
    await kick.drain()
    assert calls == [0, 1]
    kick()
    await kick.drain()
    assert calls == [0, 1, 2]
