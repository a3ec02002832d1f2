"""WeCom's API down for a while — 503s, 45009 rate limits, and calls that are carried out but whose answer
never arrives (timeouts) — during a whole case: afterwards every message has arrived exactly once."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta

import pytest

from core.clock import ManualClock
from core.enums import CaseStatus
from core.models import Case, OutboxMessage
from core.org_import import import_org
from core.services.base import Domain
from core.workdays import WorkCalendar
from integrations.sandbox.wecom import FakeWeCom
from scheduler.delivery import deliver_due
from tests.conftest import DEMO_ORG, cst, fresh_db
from tests.integrations.wecom_rig import WeComRig, wecom_rig


async def _drain(rig: WeComRig, clock: ManualClock, minutes: int = 30) -> None:
    """The embedded scheduler's delivery loop, with time passing so backoffs run out."""
    await rig.callback.drain()
    for _ in range(minutes):
        await deliver_due(rig.registry, clock)
        if not await OutboxMessage.filter(status__in=["pending", "sending"]).exists():
            return
        clock.advance(timedelta(minutes=1))


def _what_arrived(fake: FakeWeCom) -> dict[str, Counter[str]]:
    """Each member's messages as they finally stand (cards after their updates), ids left out."""
    seen: dict[str, Counter[str]] = {}
    for user, box in fake.inbox.items():
        for m in box:
            body = {k: v for k, v in m.body.items() if k != "task_id"}
            if "button_list" in body:
                body["button_list"] = [b["text"] for b in body["button_list"]]
            seen.setdefault(user, Counter())[json.dumps([m.msgtype, body], ensure_ascii=False, sort_keys=True)] += 1
    return seen


async def _story(domain: Domain, clock: ManualClock, faults: bool) -> FakeWeCom:
    """A report, its acceptance, dispatch, signing and closing; with faults, WeCom misbehaves at each step."""
    def fault(**how: int) -> None:
        for name, value in how.items():
            setattr(rig.fake, name, value if faults else 0)

    async with wecom_rig(domain, api_timeout=0.3, slow_seconds=0.6) as rig:
        fault(fail_next=3)  # 503 from WeCom's gateway
        await rig.member.text("zhouxm", "荷花村两户人家因为院墙滴水吵了好几天")
        await _drain(rig, clock)
        fault(rate_limited=3)  # 45009
        await rig.click("zhouxm", "确认上报")
        await _drain(rig, clock)
        fault(slow_next=2)  # the officer's new card and the next message: carried out, answers lost
        await rig.click("linx", "受理并交办")
        await _drain(rig, clock)
        fault(slow_next=1)  # the in-place update when the officer signs: carried out, answer lost
        await rig.click("zhaom", "签收")
        await _drain(rig, clock)
        fault(fail_next=2, slow_next=1)
        await rig.member.text("zhaom", "办结 0001 双方达成调解协议,院墙加装接水槽")
        await _drain(rig, clock)
        assert (await Case.get(number="2026-0001")).status == CaseStatus.RESOLVED
        assert await OutboxMessage.filter(status__not="sent").count() == 0, "something was not delivered"
        return rig.fake


@pytest.mark.db
async def test_outage_of_every_kind_then_each_message_exactly_once() -> None:
    runs = {}
    for faults in (False, True):
        clock = ManualClock(cst(2026, 11, 23, 9, 0))
        async with fresh_db():
            await import_org(DEMO_ORG.read_text(encoding="utf-8"))
            runs[faults] = await _story(Domain(clock=clock, calendar=WorkCalendar()), clock, faults)
    calm, stormy = runs[False], runs[True]
    assert _what_arrived(stormy) == _what_arrived(calm), "a message arrived twice, or not at all"
    assert stormy.duplicates_dropped >= 3 and stormy.limited_count >= 3  # every kind of failure happened
    assert calm.duplicates_dropped == 0
    officer_cards = stormy.card_messages("zhaom")
    assert len(officer_cards) == 1 and officer_cards[0].updates, "the officer's card was not updated in place"
    assert any("已办结" in t and "接水槽" in t for t in stormy.texts("zhouxm"))


async def test_a_send_cut_off_by_a_crash_is_not_sent_twice(org, domain, clock) -> None:
    """A row left 'sending' by a process that died after WeCom took the message: the retry is deduped."""
    async with wecom_rig(domain, api_timeout=0.3, slow_seconds=0.6) as rig:
        fake = rig.fake
        fake.slow_next = 1
        await rig.member.text("zhouxm", "荷花村两户人家因为院墙滴水吵了好几天")
        await rig.callback.drain()
        await deliver_due(rig.registry, clock)  # times out: as if the process had died right after sending
        row = await OutboxMessage.get(status="pending")
        await OutboxMessage.filter(id=row.id).update(status="sending", maybe_sent_at=None,
                                                     next_attempt_at=clock.now())  # what a crash leaves
        clock.advance(timedelta(minutes=5))
        await _drain(rig, clock)
        assert len(fake.card_messages("zhouxm")) == 1
        assert fake.duplicates_dropped == 1
        assert await OutboxMessage.filter(status="sent").count() == 1
