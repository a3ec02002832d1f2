"""Every time-driven rule with a controllable clock, through the embedded engine: what people receive."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest

from core.enums import CaseStatus, Flag, Platform
from core.models import Case, EscalationRecord, GroupChat, Task
from scheduler.embedded import EmbeddedScheduler
from scheduler.sweep import due_items, late_items, monthly_backlog_if_due, run_due
from tests.bot.harness import Harness
from tests.conftest import cst


@pytest.fixture
async def h(org, domain) -> Harness:
    return Harness(domain)


async def tick(h: Harness) -> None:
    await EmbeddedScheduler(h.bot, h.registry).tick()


async def texts(h: Harness, name: str) -> list[str]:
    return [s.text for s in await h.inbox(name) if s.text]


async def dispatched(h: Harness, text: str = "邻居家漏水到楼下") -> Task:
    await h.say("周小梅", text)
    await h.click("周小梅", "确认上报")
    await h.click("林晓", "受理并交办")
    return await Task.get(case__number="2026-0001")


async def test_reminder_fires_once_at_reminder_time(h: Harness, clock) -> None:
    task = await dispatched(h)  # deadline Mon 11-30 18:00, reminder a day before
    clock.set(cst(2026, 11, 29, 17, 59))
    await tick(h)
    assert not any("到期提醒" in t for t in await texts(h, "赵敏"))
    clock.set(cst(2026, 11, 29, 18, 1))
    await tick(h)
    await tick(h)
    assert len([t for t in await texts(h, "赵敏") if "到期提醒" in t]) == 1
    assert (await Task.get(id=task.id)).reminded_at is not None


async def test_reminder_does_nothing_if_the_task_moved_on(h: Harness, clock) -> None:
    await dispatched(h)
    await h.say("赵敏", "办结 0001 已化解")
    clock.set(cst(2026, 12, 1, 10, 0))
    await tick(h)
    assert not any("到期提醒" in t or "逾期" in t for t in await texts(h, "赵敏"))


async def test_overdue_then_secretary_supervision(h: Harness, clock) -> None:
    await dispatched(h)
    clock.set(cst(2026, 11, 30, 18, 5))
    await tick(h)
    assert any("【逾期】案件 2026-0001" in t for t in await texts(h, "赵敏"))
    assert any("您抄送的案件 2026-0001 已超过截止时间" in t for t in await texts(h, "唐志刚"))
    clock.set(cst(2026, 12, 7, 18, 1))  # + 1 working week grace
    await tick(h)
    case = await Case.get(number="2026-0001")
    assert case.supervised_at is not None and str(case.meeting_date) == "2026-12-14"
    assert any("书记督办" in t and "2026-12-14" in t for t in await texts(h, "韩卫国"))
    assert any("已列入书记督办" in t for t in await texts(h, "赵敏"))
    chat = (await (await GroupChat.get(name="茶园乡领导群")).refs())["wecom"]
    sent = [s for s in h.channels[Platform.WECOM].sent if s.to == chat]
    assert sent and "2026-0001" in sent[0].text and "漏水" not in sent[0].text  # numbers and categories only


async def test_sensitive_case_never_reaches_a_group(h: Harness, clock) -> None:
    task = await dispatched(h)
    await Case.filter(id=task.case_id).update(flags=[Flag.SENSITIVE.value])
    clock.set(cst(2026, 11, 30, 18, 5))
    await tick(h)
    clock.set(cst(2026, 12, 7, 18, 1))
    await tick(h)
    assert (await Case.get(id=task.case_id)).supervised_at is not None
    groups = {(await g.refs()).get("wecom") for g in await GroupChat.all()}
    to_groups = [s for s in h.channels[Platform.WECOM].sent if s.to in groups]
    assert to_groups  # the morning roster and digests still go out …
    assert not [s for s in to_groups if "2026-0001" in s.text]  # … but never this case, only a count


async def test_signed_without_progress_gets_a_nudge(h: Harness, clock) -> None:
    await dispatched(h)
    await h.say("赵敏", "收到")
    clock.set(cst(2026, 11, 26, 18, 1))  # signed Monday; 3 working days without progress
    await tick(h)
    assert any("【催办】案件 2026-0001" in t for t in await texts(h, "赵敏"))
    await h.say("赵敏", "0001 已约双方周五调解")
    clock.set(cst(2026, 11, 27, 12, 0))
    await tick(h)
    assert len([t for t in await texts(h, "赵敏") if "催办" in t]) == 1


async def test_unaccepted_case_climbs_the_ladder(h: Harness, clock) -> None:
    await h.say("周小梅", "邻居吵架")
    await h.click("周小梅", "确认上报")  # found at a grid: 1 day at that step
    clock.advance(timedelta(days=1, minutes=1))
    await tick(h)
    case = await Case.get(number="2026-0001")
    assert case.step == "village" and case.status == CaseStatus.ESCALATED
    record = await EscalationRecord.get(case_id=case.id)
    assert record.reason == "timeout" and "未化解" in record.tried
    assert any("已上报至荷花村" in t for t in await texts(h, "周小梅"))


async def test_follow_up_card_after_closure_and_unsatisfied_reopens(h: Harness, clock) -> None:
    await dispatched(h)
    await h.say("赵敏", "办结 0001 已化解")
    clock.advance(timedelta(days=7, minutes=1))
    await tick(h)
    card = await h.latest_card("周小梅", kind="follow_up")
    assert [b.label for b in card.card.buttons] == ["满意", "基本满意", "不满意"]
    asked = await h.click("周小梅", "不满意")
    assert "不满意的原因" in asked.texts[0] and (await Case.get(number="2026-0001")).status == CaseStatus.RESOLVED
    await h.say("周小梅", "接水槽一直没装,还在滴水")
    assert (await Case.get(number="2026-0001")).status == CaseStatus.ACCEPTED
    assert any("回访不满意" in t and "接水槽一直没装" in t for t in await texts(h, "赵敏"))
    await tick(h)
    assert len([s for s in await h.inbox("周小梅") if s.card and s.card.kind == "follow_up" and not s.update]) == 1


async def test_quiet_hours_hold_non_urgent_pushes(h: Harness, clock) -> None:
    task = await dispatched(h)
    await Task.filter(id=task.id).update(remind_at=cst(2026, 11, 23, 22, 30).astimezone(UTC))
    clock.set(cst(2026, 11, 23, 23, 0))
    await tick(h)
    assert not any("到期提醒" in t for t in await texts(h, "赵敏"))
    clock.set(cst(2026, 11, 24, 7, 1))
    await tick(h)
    assert any("到期提醒" in t for t in await texts(h, "赵敏"))


async def test_urgent_reminder_goes_out_at_night_with_ding(h: Harness, clock) -> None:
    task = await dispatched(h)
    await Task.filter(id=task.id).update(remind_at=cst(2026, 11, 23, 22, 30).astimezone(UTC), reminder_method="urgent")
    clock.set(cst(2026, 11, 23, 23, 0))
    await tick(h)
    sent = [s for s in await h.inbox("赵敏") if "到期提醒" in s.text]
    assert sent and sent[0].urgent


async def test_monthly_backlog_reminder_once(h: Harness, clock) -> None:
    from core.models import Staff

    task = await dispatched(h)
    await Case.filter(id=task.case_id).update(backlog=True, backlog_leader_id=(await Staff.get(name="唐志刚")).id)
    clock.set(cst(2026, 12, 1, 9, 30))
    assert await monthly_backlog_if_due(h.domain)
    assert not await monthly_backlog_if_due(h.domain)
    await h.flush()
    assert any("积案月度评估" in t and "2026-0001" in t and "尚未评估" in t and "评估 0001 进展" in t
               for t in await texts(h, "唐志刚"))  # the leader is told what to reply


async def test_auditor_names_what_is_late(h: Harness, clock) -> None:
    await dispatched(h)
    clock.set(cst(2026, 12, 1, 10, 0))
    late = await late_items(h.domain)
    assert any(line.startswith("remind_task#") for line in late)
    assert await run_due(h.domain) >= 2
    assert all(i.job != "remind_task" for i in await due_items(clock.now()))
