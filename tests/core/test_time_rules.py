"""Time rules are core verbs: what the domain decides when a clock runs out, as events."""

from __future__ import annotations

from datetime import timedelta

from core.enums import CaseStatus, Platform
from core.events import (
    CaseEscalated,
    CaseSupervised,
    ProxyOverdueSupervised,
    StepOverdueSupervised,
    TaskOverdueSupervised,
    TopStepSupervised,
)
from core.models import Case
from core.services import aftercare, ladder, timeouts
from core.services.base import Actor
from tests.conftest import cst, staff_id, who
from tests.core.flows import case_in, dispatched

SYSTEM = Actor.system("定时任务")


async def test_an_overdue_task_puts_the_case_under_the_nearest_secretary(org, domain) -> None:
    case, task = await dispatched(domain)
    out = await timeouts.supervise_overdue_task(domain, SYSTEM, task.id)
    secretary = await staff_id("韩卫国")
    assert out.changed and [type(e) for e in out.events] == [TaskOverdueSupervised, CaseSupervised]
    assert out.events[0] == TaskOverdueSupervised(case.id, task.id, (secretary,))
    assert (await Case.get(id=case.id)).supervisor_id == secretary


async def test_an_overdue_task_of_a_supervised_or_closed_case_changes_nothing(org, domain) -> None:
    case, task = await dispatched(domain)
    await aftercare.supervise(domain, await who("韩卫国"), case.id, source=Platform.WECOM)
    again = await timeouts.supervise_overdue_task(domain, SYSTEM, task.id)
    assert not again.changed and again.events == []
    closed = await case_in(domain, CaseStatus.CLOSED)
    assert not (await timeouts.supervise_overdue_proxy(domain, SYSTEM, closed.id)).changed


async def test_overdue_proxy_feedback_is_supervised(org, domain) -> None:
    case, _ = await dispatched(domain)
    out = await timeouts.supervise_overdue_proxy(domain, SYSTEM, case.id)
    assert [type(e) for e in out.events] == [ProxyOverdueSupervised, CaseSupervised]


async def test_a_step_running_out_with_a_task_overdue_escalates_and_supervises(org, domain, clock) -> None:
    case, task = await dispatched(domain)
    clock.set(cst(2026, 12, 2, 18, 1))  # past the township's 7 working days and the task's deadline
    out = await timeouts.step_timed_out(domain, SYSTEM, case.id)
    assert out.changed
    assert [type(e) for e in out.events] == [StepOverdueSupervised, CaseSupervised, CaseEscalated]
    escalated = out.events[2]
    assert isinstance(escalated, CaseEscalated) and escalated.released_task_ids == (task.id,)


async def test_a_step_running_out_at_the_top_is_supervised_not_escalated(org, domain, clock) -> None:
    case, _ = await dispatched(domain)
    await ladder.escalate(domain, await who("林晓"), case.id, "两次调解均未达成一致", source=Platform.WECOM)
    clock.set((await Case.get(id=case.id)).step_due_at + timedelta(minutes=1))
    out = await timeouts.step_timed_out(domain, SYSTEM, case.id)
    assert out.changed and [type(e) for e in out.events] == [TopStepSupervised, CaseSupervised]
    assert (await Case.get(id=case.id)).step_due_at is None
    assert not (await timeouts.step_timed_out(domain, SYSTEM, case.id)).changed  # no clock left to run out
