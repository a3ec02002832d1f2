"""待受理: a dispatcher's 我的 lists the reports waiting for them, oldest first, with the center card's
buttons; a report past the 受理时限 reminds the center, a task past the 签收时限 the officer (org file)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from core.durations import Duration
from core.models import Case
from core.policy import load_policy, save_policy
from scheduler.sweep import run_due
from tests.bot.harness import Harness


@pytest.fixture
async def h(org, domain) -> Harness:
    return Harness(domain)


async def _report(h: Harness, text: str) -> str:
    await h.say("周小梅", text)
    await h.click("周小梅", "确认上报")
    return (await Case.all().order_by("-id").first()).number  # type: ignore[union-attr]


async def _tick(h: Harness) -> None:
    await run_due(h.domain)
    await h.flush()


async def test_my_list_shows_waiting_reports_oldest_first_with_buttons(h: Harness, clock) -> None:
    first = await _report(h, "三组老王和老赵因为过道宽窄吵了好几天")
    clock.advance(timedelta(minutes=30))
    second = await _report(h, "五组刘家和陈家因宅基地边界起了争执")
    seen = await h.say("林晓", "我的")
    listing = next(t for t in seen.texts if "待受理" in t)
    assert listing.index(first) < listing.index(second)
    assert [c.card.kind for c in seen.cards] == ["center", "center"]
    assert all(c.card.buttons[0].label == "受理并交办" for c in seen.cards)
    await h.click("林晓", "受理并交办")  # on the newest card: the second report
    listing = next(t for t in (await h.say("林晓", "我的")).texts if "待受理" in t)
    assert first in listing and second not in listing


async def test_someone_without_the_dispatcher_role_sees_no_queue(h: Harness) -> None:
    await _report(h, "三组老王和老赵因为过道宽窄吵了好几天")
    seen = await h.say("周小梅", "我的")
    assert not any("待受理(" in t for t in seen.texts) and not seen.cards


async def test_a_report_past_the_acceptance_limit_reminds_the_center_once(h: Harness, clock) -> None:
    number = await _report(h, "三组老王和老赵因为过道宽窄吵了好几天")
    mark = h.mark("林晓")
    clock.advance(timedelta(hours=1, minutes=59))
    await _tick(h)
    assert not any("待受理提醒" in t for t in (await h.since("林晓", mark)).texts)
    clock.advance(timedelta(minutes=2))
    await _tick(h)
    clock.advance(timedelta(hours=3))
    await _tick(h)
    reminders = [t for t in (await h.since("林晓", mark)).texts if "待受理提醒" in t]
    assert len(reminders) == 1 and number in reminders[0] and "2个工作小时" in reminders[0]


async def test_an_accepted_report_is_not_reminded(h: Harness, clock) -> None:
    await _report(h, "三组老王和老赵因为过道宽窄吵了好几天")
    await h.click("林晓", "受理并交办")
    mark = h.mark("林晓")
    clock.advance(timedelta(hours=3))
    await _tick(h)
    assert not any("待受理提醒" in t for t in (await h.since("林晓", mark)).texts)


async def test_the_org_file_sets_the_acceptance_limit(h: Harness, clock) -> None:
    policy = await load_policy()
    await save_policy(replace(policy, accept_within=Duration.parse("1h")))
    await _report(h, "三组老王和老赵因为过道宽窄吵了好几天")
    mark = h.mark("林晓")
    clock.advance(timedelta(hours=1, minutes=1))
    await _tick(h)
    assert any("待受理提醒" in t and "1个工作小时" in t for t in (await h.since("林晓", mark)).texts)


async def test_an_unsigned_task_reminds_the_officer_and_the_dispatcher(h: Harness, clock) -> None:
    number = await _report(h, "三组老王和老赵因为过道宽窄吵了好几天")
    await h.click("林晓", "受理并交办")
    officer, center = h.mark("赵敏"), h.mark("林晓")
    clock.advance(timedelta(hours=4, minutes=1))  # 13:01: four hours, but not four working hours (午休 12:00–13:30)
    await _tick(h)
    assert not any("签收提醒" in t for t in (await h.since("赵敏", officer)).texts)
    clock.advance(timedelta(hours=1, minutes=30))  # 14:31: 09:00–12:00 and 13:30–14:30 are the four
    await _tick(h)
    assert any("签收提醒" in t and number in t for t in (await h.since("赵敏", officer)).texts)
    assert any("未签收" in t and "赵敏" in t for t in (await h.since("林晓", center)).texts)


async def test_a_report_in_the_evening_waits_for_office_hours_of_the_next_working_day(h: Harness, clock) -> None:
    clock.advance(timedelta(hours=11))  # Monday 20:00
    await _report(h, "三组老王和老赵因为过道宽窄吵了好几天")
    mark = h.mark("林晓")
    clock.advance(timedelta(hours=14))  # Tuesday 10:00: one working hour so far
    await _tick(h)
    assert not any("待受理提醒" in t for t in (await h.since("林晓", mark)).texts)
    clock.advance(timedelta(hours=1, minutes=1))
    await _tick(h)
    assert any("待受理提醒" in t for t in (await h.since("林晓", mark)).texts)


async def test_the_org_files_office_hours_are_what_the_limit_counts(h: Harness, clock) -> None:
    await save_policy(replace(await load_policy(), office_hours="08:00-10:00,14:00-17:00"))
    await _report(h, "三组老王和老赵因为过道宽窄吵了好几天")  # Monday 09:00: 1 hour left in the morning
    mark = h.mark("林晓")
    clock.advance(timedelta(hours=5, minutes=59))  # 14:59
    await _tick(h)
    assert not any("待受理提醒" in t for t in (await h.since("林晓", mark)).texts)
    clock.advance(timedelta(minutes=2))
    await _tick(h)
    assert any("待受理提醒" in t for t in (await h.since("林晓", mark)).texts)


async def test_a_signed_task_is_not_reminded_to_sign(h: Harness, clock) -> None:
    await _report(h, "三组老王和老赵因为过道宽窄吵了好几天")
    await h.click("林晓", "受理并交办")
    await h.click("赵敏", "签收")
    mark = h.mark("赵敏")
    clock.advance(timedelta(hours=5))
    await _tick(h)
    assert not any("签收提醒" in t for t in (await h.since("赵敏", mark)).texts)
