"""A person who just reported or clicked gets the answer at once, even while the outbox is busy sending a
broadcast to many people that was written before it (the Monday screening reminder to every grid worker)."""

from __future__ import annotations

import asyncio

import pytest

from bot.outbox import enqueue
from bot.types import Inbound, Outbound, Target
from core.clock import ManualClock
from core.enums import Platform
from core.models import CardLink, Identity, OutboxMessage, Staff
from scheduler import handoff, worker
from scheduler.delivery import DELIVERY_CONCURRENCY, deliver_answers, deliver_due
from scheduler.embedded import EmbeddedScheduler
from tests.bot.harness import Harness
from tests.conftest import staff_id
from tests.scheduler.test_outbox_claims import GatedChannel, registry

pytestmark = pytest.mark.usefixtures("org")


async def _broadcast(ch: GatedChannel, clock: ManualClock, held: bool = True) -> list[str]:
    """A reminder to every person on WeCom, each one's send held until the test lets it go (`held`)."""
    people = await Identity.filter(platform=Platform.WECOM.value).order_by("id").values_list("staff_id", flat=True)
    texts = [f"【排查提醒】本周排查开始({i})" for i in range(len(people))]
    for text in texts:
        if held:
            ch.gate(text)
    await enqueue([Outbound(target=Target(staff_id=int(p), platform=Platform.WECOM), text=t)
                   for p, t in zip(people, texts, strict=True)], clock.now())
    return texts


async def _pass_is_full(ch: GatedChannel) -> None:
    """Until the pass sends to as many people at once as it may, each of those sends held."""
    for _ in range(400):
        if sum(e.is_set() for e in ch.started.values()) == DELIVERY_CONCURRENCY:
            return
        await asyncio.sleep(0.025)
    raise AssertionError(f"the pass did not start {DELIVERY_CONCURRENCY} sends")


async def test_an_answer_goes_out_while_a_pass_is_still_sending_a_broadcast_written_before_it(
        clock: ManualClock) -> None:
    ch = GatedChannel()
    texts = await _broadcast(ch, clock)
    assert len(texts) > DELIVERY_CONCURRENCY  # more recipients than the pass sends to at once: some wait for a free lane
    general = asyncio.create_task(deliver_due(registry(ch), clock))
    await _pass_is_full(ch)
    person = await Staff.get(name="钱伟")
    await enqueue([Outbound(target=Target(staff_id=person.id, platform=Platform.WECOM), text="您的上报已收到")],
                  clock.now(), answer=True)
    before = list(ch.sent)
    assert await deliver_answers(registry(ch), clock) == (1, True)
    assert ch.sent == [*before, "您的上报已收到"]  # the answer, and none of the broadcast still waiting
    assert not general.done()
    for text in texts:
        ch.hold[text].set()
    await general
    assert sorted(ch.sent) == sorted([*texts, "您的上报已收到"])  # each once
    assert await OutboxMessage.filter(status="sent").count() == len(texts) + 1


async def test_what_handling_a_message_writes_is_an_answer_and_a_scheduled_notice_is_not(
        domain, clock: ManualClock) -> None:
    h = Harness(domain)
    await enqueue([Outbound(target=Target(staff_id=(await Staff.get(name="钱伟")).id), text="值班提醒")], clock.now())
    _, user = await h.ident("周小梅", Platform.WECOM)
    await h.bot.receive(Inbound(platform=Platform.WECOM, event_id="answer-1", sender=user, text="邻居家漏水到楼下",
                                received_at=clock.now()))
    rows = await OutboxMessage.all().order_by("id")
    assert [r.answer for r in rows][0] is False
    assert len(rows) > 1 and all(r.answer for r in rows[1:])


async def test_serve_alone_sends_a_handled_messages_answers_before_a_broadcast_written_before_them(
        domain, clock: ManualClock) -> None:
    h = Harness(domain)
    ch = GatedChannel()
    texts = await _broadcast(ch, clock, held=False)
    _, user = await h.ident("周小梅", Platform.WECOM)
    await h.bot.receive(Inbound(platform=Platform.WECOM, event_id="answer-2", sender=user, text="邻居家漏水到楼下",
                                received_at=clock.now()))
    answers = await OutboxMessage.filter(answer=True).count()
    await EmbeddedScheduler(h.bot, registry(ch), run_jobs=False).deliver()  # the pass a handled message wakes
    assert len(ch.sent) == len(texts) + answers
    assert not any(t in texts for t in ch.sent[:answers])  # the answers first, then the broadcast
    assert await OutboxMessage.filter(status="pending").count() == 0


@pytest.mark.redis
async def test_a_workers_deliver_job_sends_the_answers_before_a_broadcast_written_before_them(
        domain, clock: ManualClock, redis) -> None:
    ch = GatedChannel()
    texts = await _broadcast(ch, clock, held=False)
    person = await Staff.get(name="钱伟")
    await enqueue([Outbound(target=Target(staff_id=person.id, platform=Platform.WECOM), text="已受理您点的按钮")],
                  clock.now(), answer=True)  # serve handled a click and asked the workers to deliver
    assert await worker.deliver({"redis": redis, "registry": registry(ch), "domain": domain}) == len(texts) + 1
    assert ch.sent[0] == "已受理您点的按钮"


async def test_a_worker_passes_over_the_whole_outbox_only_when_an_answer_could_not_go_yet(
        domain, clock: ManualClock) -> None:
    ch = GatedChannel()
    ch.gate("卡片")
    officer = await staff_id("钱伟")
    to = Target(staff_id=officer, platform=Platform.WECOM)
    link = await CardLink.create(kind="task", staff_id=officer, created_at=clock.now())
    await enqueue([Outbound(target=to, text="卡片", card_link_id=link.id)], clock.now())
    kicks: list[str] = []
    ctx = {"registry": registry(ch), "domain": domain, "deliver_kick": lambda: kicks.append("outbox")}

    await enqueue([Outbound(target=to, text="已收到")], clock.now(), answer=True)
    await handoff._answer(ctx)
    assert ch.sent == ["已收到"] and kicks == []  # every answer went: nothing to look for

    sending = asyncio.create_task(deliver_due(registry(ch), clock))
    await ch.started["卡片"].wait()  # the card is on its way in another pass
    await enqueue([Outbound(target=to, text="更新", card_link_id=link.id, update=True)], clock.now(), answer=True)
    await handoff._answer(ctx)
    assert "更新" not in ch.sent and kicks == ["outbox"]  # it waits for its card; a pass over the rest follows
    ch.hold["卡片"].set()
    await sending
    await deliver_due(registry(ch), clock)  # the pass the kick started
    assert ch.sent == ["已收到", "卡片", "更新"]
