"""With Redis configured serve only stores and acknowledges; workers handle (scheduler/handoff.py): a WeCom
callback is answered with nothing handled in serve; a listening worker, woken through Redis, handles it and
sends its reply at once; two workers share a burst and handle each message once; a worker starting handles
what was stored while none ran; a slow reply holds up no later message; a DingTalk card click is still handled
where its callback is answered."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from arq.connections import ArqRedis

from bot.types import CardAction, Inbound
from core.enums import Platform
from core.models import InboundEvent, OutboxMessage
from core.services.base import Domain
from core.transitions import TaskAction
from integrations.dingtalk.config import load_dingtalk
from integrations.dingtalk.stream import StreamRunner
from scheduler.handoff import WAKE_KEY, WAKE_TOKENS, Handoff, Kicker, start_listening, stop_listening
from scheduler.nudge import Nudger
from tests.conftest import REDIS_URL
from tests.integrations.wecom_rig import WeComRig, wecom_rig

pytestmark = pytest.mark.redis
REPORT = "荷花村两户人家因为院墙滴水吵了好几天"
PEOPLE = ["zhouxm", "wudw", "fengj"]  # grid workers of the demo organisation on WeCom


async def until(check: Callable[[], Awaitable[bool]], what: str, seconds: float = 60.0) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, f"still not true after {seconds} s: {what}"
        await asyncio.sleep(0.02)


@asynccontextmanager
async def worker(redis: ArqRedis, domain: Domain, rig: WeComRig) -> AsyncIterator[dict[str, Any]]:
    """A worker's listener (what `maotiao worker` starts), with the rig's channels."""
    ctx: dict[str, Any] = {"domain": domain, "registry": rig.registry, "redis": redis}
    start_listening(ctx)
    try:
        yield ctx
    finally:
        await stop_listening(ctx, 30)


@asynccontextmanager
async def serving(domain: Domain, redis_url: str = REDIS_URL) -> AsyncIterator[WeComRig]:
    """Our WeCom callback as serve runs it with Redis: it stores, acknowledges and wakes the workers."""
    nudger = Nudger(redis_url)
    try:
        async with wecom_rig(domain, handoff=Handoff(nudger)) as rig:
            yield rig
    finally:
        await nudger.aclose()


async def all_handled(n: int) -> bool:
    return await InboundEvent.filter(status="handled").count() == n and \
        not await OutboxMessage.filter(status__not="sent").exists()


async def test_serve_acknowledges_without_handling_and_a_worker_handles_and_replies_at_once(
        org: None, domain: Domain, redis: ArqRedis) -> None:
    async with serving(domain) as rig:
        resp = await rig.member.text("zhouxm", REPORT)
        assert resp is not None and resp.status_code == 200
        await rig.callback.drain()  # the wake has been sent
        assert await InboundEvent.filter(status="received").count() == 1  # stored, not handled here
        assert await OutboxMessage.all().count() == 0 and rig.fake.card_messages("zhouxm") == []
        assert await redis.llen(WAKE_KEY) == 1
        async with worker(redis, domain, rig):
            await until(lambda: all_handled(1), "the worker handled the report and sent its reply")
        assert len(rig.fake.card_messages("zhouxm")) == 1  # the draft card, sent by the worker
        assert await redis.llen(WAKE_KEY) == 0


async def test_a_listening_worker_handles_each_new_message_without_a_sweep(
        org: None, domain: Domain, redis: ArqRedis) -> None:
    async with serving(domain) as rig, worker(redis, domain, rig):
        for n, person in enumerate(PEOPLE, 1):
            await rig.member.text(person, REPORT)
            await until(lambda n=n: all_handled(n), f"message {n} handled and answered")  # type: ignore[misc]
            assert len(rig.fake.card_messages(person)) == 1


async def test_two_workers_share_a_burst_and_every_message_is_handled_once(
        org: None, domain: Domain, redis: ArqRedis) -> None:
    people = PEOPLE * 3
    async with serving(domain) as rig, worker(redis, domain, rig), worker(redis, domain, rig):
        await asyncio.gather(*(rig.member.text(p, f"{REPORT}({n})") for n, p in enumerate(people)))
        await rig.callback.drain()
        assert await redis.llen(WAKE_KEY) <= WAKE_TOKENS
        await until(lambda: all_handled(len(people)), "every message handled and answered")
    assert await InboundEvent.exclude(status="handled").count() == 0
    for person in PEOPLE:  # one draft each, its card sent once and then updated as messages joined it
        assert len(rig.fake.card_messages(person)) == 1


async def test_a_worker_starting_handles_what_was_stored_while_none_ran(
        org: None, domain: Domain, redis: ArqRedis) -> None:
    async with serving(domain) as rig:
        for person in PEOPLE:
            await rig.member.text(person, REPORT)
        await rig.callback.drain()
        await redis.delete(WAKE_KEY)  # the wakes are gone (Redis flushed, restarted): the rows are not
        async with worker(redis, domain, rig):
            await until(lambda: all_handled(len(PEOPLE)), "the new worker's first pass handled them")


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

    kick = Kicker(nudge, "a test's nudge")
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


async def test_with_redis_away_serve_still_acknowledges_and_the_message_waits_in_the_database(
        org: None, domain: Domain, caplog: pytest.LogCaptureFixture) -> None:
    async with serving(domain, f"redis://127.0.0.1:{_closed_port()}/0") as rig:
        resp = await rig.member.text("zhouxm", REPORT)
        assert resp is not None and resp.status_code == 200  # acknowledged: WeCom will not retry it
        await rig.callback.drain()
        assert await InboundEvent.filter(status="received").count() == 1  # for the workers' sweep
        assert "could not wake the workers" in caplog.text


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_a_new_message_is_handled_while_an_earlier_reply_is_still_being_sent(
        org: None, domain: Domain, redis: ArqRedis) -> None:
    """A slow platform holding one reply must not hold the next person's message: the pass that handles it
    does not wait for the earlier replies' delivery (it once did, 34 ms a hop in a story, indefinitely here)."""
    async with serving(domain) as rig, worker(redis, domain, rig):
        channel = rig.registry.get(Platform.WECOM)
        assert channel is not None
        send, entered, release = channel.send, asyncio.Event(), asyncio.Event()

        async def held_first(delivery: Any) -> Any:
            if not entered.is_set():
                entered.set()
                await release.wait()  # the platform takes its time answering the first reply
            return await send(delivery)

        channel.send = held_first  # type: ignore[method-assign]
        await rig.member.text(PEOPLE[0], REPORT)
        await asyncio.wait_for(entered.wait(), 60)
        await rig.member.text(PEOPLE[1], REPORT)

        async def second_handled() -> bool:
            return await InboundEvent.filter(status="handled").count() == 2

        await until(second_handled, "the second message handled while the first reply is held")
        release.set()
        await until(lambda: all_handled(2), "both replies sent once the platform answers")
    assert len(rig.fake.card_messages(PEOPLE[0])) == 1 and len(rig.fake.card_messages(PEOPLE[1])) == 1

