"""Time rules: what the domain does when a clock runs out. The scheduler claims the due row and calls
these verbs as the system; they decide (三级四步 up the ladder, or 书记督办 at its top; 书记督办 of an
overdue task or 信访代办) and return events for the bot to announce."""

from __future__ import annotations

from core.enums import OPEN_CASE_STATUSES, OPEN_TASK_STATUSES, CaseStatus, EscalationReason, Platform, Role
from core.errors import InvalidTransition
from core.events import DomainEvent, ProxyOverdueSupervised, StepOverdueSupervised, TaskOverdueSupervised
from core.models import Case, Region, Task
from core.routing import nearest_with_role
from core.services import aftercare, ladder
from core.services.base import Actor, Domain, Outcome, transactional

_OPEN_CASES = [s.value for s in OPEN_CASE_STATUSES]
_OPEN_TASKS = [s.value for s in OPEN_TASK_STATUSES]


def _supervisable(case: Case) -> bool:
    return case.supervised_at is None and CaseStatus(case.status) in OPEN_CASE_STATUSES


async def _by_secretary(d: Domain, actor: Actor, case: Case) -> tuple[Outcome, tuple[int, ...]]:
    """书记督办 by the system, naming the secretary nearest the case's place; returns who supervises."""
    secretaries = await nearest_with_role(await Region.get(id=case.region_id), Role.SECRETARY)
    outcome = await aftercare.supervise(d, actor, case.id, source=Platform.SYSTEM,
                                        supervisor_id=secretaries[0].id if secretaries else None)
    return outcome, tuple(s.id for s in secretaries)


@transactional
async def supervise_overdue_task(d: Domain, actor: Actor, task_id: int) -> Outcome:
    """A task still open after the grace that follows its deadline: 书记督办, unless the case is already
    supervised or no longer open."""
    task = await Task.get(id=task_id)
    case = await Case.get(id=task.case_id)
    if not _supervisable(case):
        return Outcome(False, f"案件 {case.number} 已在督办中或已办结", case=case)
    outcome, secretaries = await _by_secretary(d, actor, case)
    event = TaskOverdueSupervised(case.id, task.id, secretaries, actor_id=actor.staff_id)
    return Outcome(True, outcome.message, case=outcome.case, events=[*outcome.events, event])


@transactional
async def supervise_overdue_proxy(d: Domain, actor: Actor, case_id: int) -> Outcome:
    """No 信访代办 feedback by the deadline: 书记督办, unless already supervised or no longer open."""
    case = await Case.get(id=case_id)
    if not _supervisable(case):
        return Outcome(False, f"案件 {case.number} 已在督办中或已办结", case=case)
    outcome, secretaries = await _by_secretary(d, actor, case)
    event = ProxyOverdueSupervised(case.id, secretaries, actor_id=actor.staff_id)
    return Outcome(True, outcome.message, case=outcome.case, events=[*outcome.events, event])


@transactional
async def step_timed_out(d: Domain, actor: Actor, case_id: int) -> Outcome:
    """三级四步: a case unresolved past its step's limit moves up one step. At the top of the ladder there
    is no step left, so the secretary supervises instead. A step that ran out with a task overdue brings
    书记督办 as well."""
    now = d.clock.now()
    case = await Case.filter(id=case_id, status__in=_OPEN_CASES, step_due_at__lte=now).first()
    if case is None:
        return Outcome(False, "案件不在调处时限到期状态")
    # Claim the step: of several schedulers that read it due at once, one moves it (the others' updates find
    # the due time changed once the first commits); in the caller's transaction, so a failure gives it back.
    if not await Case.filter(id=case_id, step_due_at=case.step_due_at).update(step_due_at=None):
        return Outcome(False, "案件已由其他进程处理")
    overdue = await Task.filter(case_id=case_id, status__in=_OPEN_TASKS, deadline__lt=now).exists()
    try:
        outcome = await ladder.escalate(d, actor, case_id, "", source=Platform.SYSTEM,
                                        reason=EscalationReason.TIMEOUT)
    except InvalidTransition:  # already at the top
        await Case.filter(id=case_id).update(step_due_at=None)
        if case.supervised_at is not None:
            return Outcome(False, f"案件 {case.number} 已在最高层级且已在督办中", case=case)
        outcome, _ = await _by_secretary(d, actor, case)
    events: list[DomainEvent] = list(outcome.events)
    case = await Case.get(id=case_id)
    if overdue and case.supervised_at is None:
        supervised, secretaries = await _by_secretary(d, actor, case)
        # the secretaries are told first: why the case is both escalated and supervised
        events = [StepOverdueSupervised(case.id, secretaries, actor_id=actor.staff_id), *events, *supervised.events]
        case = supervised.case or case
    return Outcome(True, outcome.message, case=case, events=events)
