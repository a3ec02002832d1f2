"""Outbox claims between delivery passes that overlap (a worker runs several `deliver` jobs at once, and two
workers share one database): a row still being sent is never taken as abandoned, and a row two passes both
handled is reported undeliverable once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.channel import ChannelRegistry, Delivery, SendResult
from bot.outbox import enqueue
from bot.types import Outbound, Target
from core.clock import ManualClock
from core.enums import Platform
from core.models import CardLink, OutboxMessage
from scheduler import delivery
from scheduler.delivery import deliver_due
from tests.conftest import staff_id

pytestmark = pytest.mark.usefixtures("org")


class GatedChannel:
    """Records every send; the first send of a text in `hold` waits until the test lets it go."""

    platform = Platform.WECOM

    def __init__(self, refuse: bool = False) -> None:
        self.sent: list[str] = []
        self.hold: dict[str, asyncio.Event] = {}
        self.started: dict[str, asyncio.Event] = {}
        self.refuse = refuse

    def gate(self, text: str) -> None:
        self.hold[text], self.started[text] = asyncio.Event(), asyncio.Event()

    async def send(self, d: Delivery) -> SendResult:
        text = d.outbound.text
        self.sent.append(text)
        if text in self.hold and self.sent.count(text) == 1:
            self.started[text].set()
            await self.hold[text].wait()
        if self.refuse:
            return SendResult(False, permanent=True, error="invalid user")
        return SendResult(True)


def registry(channel: GatedChannel) -> ChannelRegistry:
    reg = ChannelRegistry()
    reg.register(channel)  # type: ignore[arg-type]
    return reg


async def test_a_row_claimed_late_in_a_slow_pass_is_not_sent_again_by_another_pass(
        clock: ManualClock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(delivery, "STALE_SENDING", timedelta(seconds=30))
    ch = GatedChannel()
    ch.gate("第一条")
    ch.gate("第二条")
    officer = await staff_id("钱伟")
    await enqueue([Outbound(target=Target(staff_id=officer, platform=Platform.WECOM), text=t)
                   for t in ("第一条", "第二条")], clock.now())
    first = asyncio.create_task(deliver_due(registry(ch), clock))
    await ch.started["第一条"].wait()
    clock.advance(timedelta(minutes=5))  # the first send was slow (paced, throttled, a slow platform)
    ch.hold["第一条"].set()
    await ch.started["第二条"].wait()  # claimed just now, by a pass that is alive and sending it
    await deliver_due(registry(ch), clock)  # a second pass (another deliver job) must leave it alone
    ch.hold["第二条"].set()
    await first
    assert ch.sent == ["第一条", "第二条"]
    assert await OutboxMessage.filter(status="sent").count() == 2


async def test_a_row_two_passes_both_finished_is_reported_undeliverable_once(
        clock: ManualClock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(delivery, "STALE_SENDING", timedelta(seconds=30))
    ch = GatedChannel(refuse=True)
    ch.gate("通知")
    officer = await staff_id("钱伟")
    await enqueue([Outbound(target=Target(staff_id=officer, platform=Platform.WECOM), text="通知")], clock.now())
    first = asyncio.create_task(deliver_due(registry(ch), clock))
    await ch.started["通知"].wait()
    clock.advance(timedelta(minutes=5))  # so long that the row looks abandoned: another pass takes it over
    await deliver_due(registry(ch), clock)
    ch.hold["通知"].set()  # the first pass finishes after it was taken over: its outcome must change nothing
    await asyncio.wait_for(first, timeout=30)
    assert ch.sent == ["通知", "通知"]
    notices = [r for r in await OutboxMessage.all() if "消息未送达" in str(r.payload.get("text", ""))]
    dispatchers = {r.payload["target"]["staff_id"] for r in notices}  # type: ignore[index]
    assert len(notices) == len(dispatchers) >= 1, [r.payload for r in notices]


class PacedChannel:
    """Holds every send back (a rate limit) until `waits` passes went by, then delivers."""

    platform = Platform.WECOM

    def __init__(self, waits: int) -> None:
        self.waits = waits
        self.sent: list[str] = []

    async def send(self, d: Delivery) -> SendResult:
        if self.waits:
            self.waits -= 1
            return SendResult(False, error="按成员限速等待", retry_after=60, held=True)
        self.sent.append(d.outbound.text)
        return SendResult(True)


async def test_waiting_for_a_rate_limit_never_makes_a_dead_letter(clock: ManualClock) -> None:
    ch = PacedChannel(waits=delivery.MAX_ATTEMPTS * 3)
    officer = await staff_id("钱伟")
    await enqueue([Outbound(target=Target(staff_id=officer, platform=Platform.WECOM), text="请签收")], clock.now())
    for _ in range(delivery.MAX_ATTEMPTS * 3 + 1):
        await deliver_due(registry(ch), clock)  # type: ignore[arg-type]
        clock.advance(timedelta(seconds=61))
    assert ch.sent == ["请签收"]
    assert not [r for r in await OutboxMessage.all() if "消息未送达" in str(r.payload.get("text", ""))]


async def _card_and_its_update(clock: ManualClock) -> list[OutboxMessage]:
    officer = await staff_id("钱伟")
    link = await CardLink.create(kind="task", staff_id=officer, created_at=clock.now())
    to = Target(staff_id=officer, platform=Platform.WECOM)
    await enqueue([Outbound(target=to, text="卡片", card_link_id=link.id),
                   Outbound(target=to, text="更新", card_link_id=link.id, update=True)], clock.now())
    return list(await OutboxMessage.filter(card_link_id=link.id).order_by("id"))


async def test_a_cards_update_waits_while_its_card_is_being_sent_by_another_pass(clock: ManualClock) -> None:
    ch = GatedChannel()
    ch.gate("卡片")
    await _card_and_its_update(clock)
    first = asyncio.create_task(deliver_due(registry(ch), clock))
    await ch.started["卡片"].wait()  # the card is on its way, in the first pass
    assert await deliver_due(registry(ch), clock) == 0  # another pass finds the update due, and leaves it
    assert ch.sent == ["卡片"]
    ch.hold["卡片"].set()
    await first
    assert ch.sent == ["卡片", "更新"]


async def test_a_cards_update_waits_for_its_card_that_waits_for_a_retry(clock: ManualClock) -> None:
    ch = GatedChannel()
    card, _update = await _card_and_its_update(clock)
    await OutboxMessage.filter(id=card.id).update(next_attempt_at=clock.now() + timedelta(seconds=30))
    assert await deliver_due(registry(ch), clock) == 0  # the update is due, its card is not: nothing goes
    assert ch.sent == []
    clock.advance(timedelta(seconds=31))
    assert await deliver_due(registry(ch), clock) == 2
    assert ch.sent == ["卡片", "更新"]


class BatchingChannel(GatedChannel):
    """Takes one message to many people in one call, as WeCom's and DingTalk's channels do."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[list[str | None]] = []

    async def send_many(self, deliveries: list[Delivery]) -> list[SendResult]:
        self.calls.append([d.user_id for d in deliveries])
        self.sent += [d.outbound.text for d in deliveries]
        return [SendResult(True) for _ in deliveries]


async def _notice_to_everyone(text: str, clock: ManualClock) -> int:
    from core.models import Identity

    people = await Identity.filter(platform=Platform.WECOM.value).values_list("staff_id", flat=True)
    await enqueue([Outbound(target=Target(staff_id=int(p), platform=Platform.WECOM), text=text) for p in people],
                  clock.now())
    return len(people)


async def test_two_passes_that_read_the_same_broadcast_send_it_to_each_person_once(clock: ManualClock) -> None:
    from scheduler.batching import deliver_batches

    ch = BatchingChannel()
    n = await _notice_to_everyone("周例会通知", clock)
    read_by_one, read_by_other = await OutboxMessage.all().order_by("id"), await OutboxMessage.all().order_by("id")
    sent = await asyncio.gather(deliver_batches(read_by_one, registry(ch), clock),
                                deliver_batches(read_by_other, registry(ch), clock))
    assert ch.sent == ["周例会通知"] * n and sent[0][0] + sent[1][0] == n
    assert {(r.status, r.attempts) for r in await OutboxMessage.all()} == {("sent", 1)}


async def test_a_batch_leaves_alone_the_rows_another_pass_is_sending(clock: ManualClock) -> None:
    from scheduler.batching import deliver_batches

    ch = BatchingChannel()
    n = await _notice_to_everyone("周例会通知", clock)
    rows = await OutboxMessage.all().order_by("id")
    taken = rows[1]
    await OutboxMessage.filter(id=taken.id).update(status="sending", attempts=1)  # claimed by another pass since
    assert (await deliver_batches(rows, registry(ch), clock))[0] == n - 1
    assert len(ch.calls) == 1 and len(ch.calls[0]) == n - 1
    assert (await OutboxMessage.get(id=taken.id)).status == "sending"
    assert await OutboxMessage.filter(status="sent").count() == n - 1
