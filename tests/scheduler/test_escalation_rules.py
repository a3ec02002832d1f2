"""The table "Escalation and supervision rules" in the README, one test per row (test_rule_<n>_<the row>), each
through the chat path and the embedded scheduler with the time-travel clock: what people receive."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.notify import notifications
from bot.outbox import enqueue
from core.enums import CaseStatus, Platform
from core.events import DomainEvent
from core.models import Case, EscalationRecord, Task
from core.services import aftercare, ladder
from tests.bot.harness import Harness
from tests.conftest import cst, who
from tests.scheduler.test_rules import dispatched, texts, tick

NUMBER = "2026-0001"


@pytest.fixture
async def h(org, domain) -> Harness:
    return Harness(domain)


async def case() -> Case:
    return await Case.get(number=NUMBER)


async def reported(h: Harness, text: str = "邻居吵架") -> None:
    await h.say("周小梅", text)
    await h.click("周小梅", "确认上报")  # found at a grid: 1 day at that step


async def delivered(h: Harness, events: list[DomainEvent]) -> None:
    """What a verb's events tell people, through the outbox to the fake platforms."""
    now = h.domain.clock.now()
    await enqueue(await notifications(events, now, set()), now)
    await h.flush()


async def up_by_the_center(h: Harness) -> None:
    """林晓 moves the case from the township to the district (上报上级)."""
    out = await ladder.escalate(h.domain, await who("林晓"), (await case()).id, "两次调解均未达成一致",
                                source=Platform.WECOM)
    await delivered(h, out.events)


async def withdrawn(h: Harness, name: str) -> bool:
    return any(NUMBER in t and "撤回" in t for t in await texts(h, name))


async def test_rule_1_a_step_past_its_limit_moves_the_case_up_one_step(h: Harness, clock) -> None:
    await reported(h)
    clock.set(cst(2026, 11, 24, 8, 59))
    await tick(h)
    assert (await case()).step == "grid"
    clock.set(cst(2026, 11, 24, 9, 1))
    await tick(h)
    moved = await case()
    assert moved.step == "village" and moved.status == CaseStatus.ESCALATED
    assert (await EscalationRecord.get(case_id=moved.id)).reason == "timeout"


async def test_rule_2_a_step_never_ends_before_an_open_tasks_deadline(h: Harness, clock) -> None:
    await reported(h, "邻居家漏水到楼下")
    await h.say("林晓", "改派 0001 给何永和")  # the village's mediator: the village's 3 working days, the task's 5
    task = await Task.get(case__number=NUMBER)
    assert (await case()).step == "village" and task.deadline == cst(2026, 11, 30, 18, 0)
    clock.set(cst(2026, 11, 26, 18, 1))  # the village's own limit has passed
    await tick(h)
    assert (await case()).step == "village" and (await Task.get(id=task.id)).status == "pending"
    assert not await withdrawn(h, "何永和")
    clock.set(cst(2026, 11, 30, 18, 1))  # the task's deadline has passed too
    await tick(h)
    assert (await case()).step == "township" and (await Task.get(id=task.id)).status == "released"
    assert await withdrawn(h, "何永和")


async def test_rule_3_an_approved_extension_moves_the_steps_end(h: Harness, clock) -> None:
    task = await dispatched(h)  # the township's 7 working days end Wed 12-02 18:00, the task's 5 Mon 11-30 18:00
    await h.say("赵敏", "收到")
    await h.say("赵敏", "0001 申请延期3天 当事人外出务工")
    await h.click("林晓", "同意延期")
    assert (await Task.get(id=task.id)).deadline == cst(2026, 12, 3, 18, 0)
    assert (await case()).step_due_at == cst(2026, 12, 3, 18, 0)
    clock.set(cst(2026, 12, 2, 18, 1))  # the township's limit has passed, the extended deadline not
    await tick(h)
    assert (await case()).step == "township" and (await Task.get(id=task.id)).status == "signed"
    assert not await withdrawn(h, "赵敏")
    clock.set(cst(2026, 12, 3, 18, 1))
    await tick(h)
    assert (await case()).step == "district" and await withdrawn(h, "赵敏")


async def test_rule_4_a_case_waiting_on_its_reporter_is_paused(h: Harness, clock) -> None:
    await reported(h, "有人吵架")  # Mon 09:00: the grid's day would end Tue 09:00
    clock.set(cst(2026, 11, 23, 15, 0))  # 6 hours of it used
    await h.click("林晓", "退回补充")
    await h.say("林晓", "请说明当事人和起因")
    clock.set(cst(2026, 11, 24, 9, 1))
    await tick(h)
    waiting = await case()
    assert waiting.status == CaseStatus.RETURNED and waiting.step == "grid" and waiting.supervised_at is None
    assert not await EscalationRecord.exists(case_id=waiting.id)
    assert not any(NUMBER in t for t in await texts(h, "韩卫国"))  # no 书记督办 of a case nobody can act on
    clock.set(cst(2026, 11, 24, 14, 0))  # the reporter answers after 23 hours; 18 hours of the day are left
    await h.say("周小梅", "老王和老李因为院墙滴水吵架")
    assert (await case()).status == CaseStatus.REPORTED
    clock.set(cst(2026, 11, 25, 7, 59))
    await tick(h)
    assert (await case()).step == "grid"
    clock.set(cst(2026, 11, 25, 8, 1))
    await tick(h)
    assert (await case()).step == "village"


async def test_rule_5_every_escalation_tells_the_receiving_levels_dispatcher_and_the_liaison(
    h: Harness, clock
) -> None:
    await reported(h)
    centers = len([s for s in await h.inbox("林晓") if s.card and s.card.kind == "center" and not s.update])
    clock.set(cst(2026, 11, 24, 9, 1))
    await tick(h)  # up to 荷花村, which has no dispatcher of its own
    told = f"【上报】案件 {NUMBER}(邻里纠纷)已由网格上报至荷花村(村(社区)级调处),请关注"
    assert [s for s in await h.inbox("林晓") if s.card and s.card.kind == "center" and not s.update][centers:]
    for name in ("何永和", "唐志刚", "赵敏"):  # the village's mediator; its 联村领导 and 联村干部
        assert told in await texts(h, name), name
    assert not any(NUMBER in t for t in await texts(h, "许桂兰"))  # another village's mediator hears nothing


async def test_rule_5_every_escalation_tells_the_receiving_levels_dispatcher_and_the_liaison_up_to_the_district(
    h: Harness, clock
) -> None:
    await dispatched(h)
    await up_by_the_center(h)  # a dispatched case has no 上报上级 button: the center's verb, its notices delivered
    assert (await case()).step == "district"
    assert await h.latest_card("邓华", kind="center") is not None  # the district's dispatcher
    told = f"【上报】案件 {NUMBER}(邻里纠纷)已由乡镇(街道)上报至西溪区(区(县)级调处),请关注"
    assert told in await texts(h, "唐志刚")  # 联村领导
    assert not any("【上报】" in t for t in await texts(h, "赵敏"))  # 联村干部, told once: her task was withdrawn
    assert await withdrawn(h, "赵敏")


async def test_rule_6_a_step_out_with_a_task_overdue_escalates_and_the_secretary_supervises(
    h: Harness, clock
) -> None:
    await dispatched(h)
    clock.set(cst(2026, 12, 2, 18, 1))  # past the township's 7 working days and the task's deadline
    await tick(h)
    supervised = await case()
    assert supervised.step == "district" and supervised.supervised_at is not None
    assert f"【书记督办】案件 {NUMBER} 逾期且乡镇(街道)级时限已过,已上报西溪区并列入 {supervised.meeting_date} 党政联席周会商" \
        in await texts(h, "韩卫国")


async def test_rule_7_at_the_top_of_the_ladder_the_secretary_supervises(h: Harness, clock) -> None:
    await dispatched(h)
    await up_by_the_center(h)
    due = (await case()).step_due_at
    assert due is not None
    clock.set(due + timedelta(minutes=1))
    await tick(h)
    top = await case()
    assert top.step == "district" and top.supervised_at is not None and top.step_due_at is None
    assert f"【书记督办】案件 {NUMBER} 在区(县)级调处时限内未化解,已无上级可上报,已列入 {top.meeting_date} 党政联席周会商," \
           "请督办" in await texts(h, "韩卫国")


async def test_rule_8_every_supervision_reaches_the_secretary_also_a_leaders_own(h: Harness, clock) -> None:
    """A leader's 书记督办 (the system's ones are rows 6 and 7, and tests/scheduler/test_rules.py
    test_overdue_then_secretary_supervision, tests/bot/test_petition.py test_no_feedback_by_the_deadline_goes_to_supervision)."""
    await dispatched(h)
    out = await aftercare.supervise(h.domain, await who("唐志刚"), (await case()).id, source=Platform.WECOM)
    await delivered(h, out.events)
    assert f"【书记督办】案件 {NUMBER} 已由唐志刚列入书记督办,提交 {(await case()).meeting_date} 党政联席周会商,请督办" \
           in await texts(h, "韩卫国")
    assert not any("列入书记督办,提交" in t for t in await texts(h, "唐志刚"))  # who did it is not told it
