"""Time rules: what the domain does when a clock runs out. The scheduler claims the due row and calls
these verbs as the system; they decide (三级四步 up the ladder, or 书记督办 at its top; 书记督办 of an
overdue task or 信访代办) and return events for the bot to announce."""

from __future__ import annotations

from collections.abc import Callable

from core.enums import (
    OPEN_CASE_STATUSES,
    OPEN_TASK_STATUSES,
    CaseStatus,
    EscalationReason,
    Level,
    Platform,
    Role,
)
from core.events import (
    DomainEvent,
    ProxyOverdueSupervised,
    StepOverdueSupervised,
    TaskOverdueSupervised,
    TopStepSupervised,
)
from core.models import Case, Region, Task
from core.routing import nearest_with_role
from core.services import aftercare, ladder
from core.services.base import Actor, Domain, Outcome, record, snapshot, transactional
from core.services.lookup import case_by_id
from core.step_clock import step_deadline

_OPEN_CASES = [s.value for s in OPEN_CASE_STATUSES]
_OPEN_TASKS = [s.value for s in OPEN_TASK_STATUSES]


def _supervisable(case: Case) -> bool:
    return case.supervised_at is None and CaseStatus(case.status) in OPEN_CASE_STATUSES


Why = Callable[[tuple[int, ...]], DomainEvent]  # the secretaries who supervise → the event that tells them why


async def _by_secretary(d: Domain, actor: Actor, case: Case, why: Why) -> Outcome:
    """书记督办 by the system, naming the secretary nearest the case's place. Every system path comes through
    here, and `why` is the event that tells those secretaries (first, before what else happened)."""
    secretaries = await nearest_with_role(await Region.get(id=case.region_id), Role.SECRETARY)
    outcome = await aftercare.supervise(d, actor, case.id, source=Platform.SYSTEM,
                                        supervisor_id=secretaries[0].id if secretaries else None)
    told = why(tuple(s.id for s in secretaries))
    return Outcome(True, outcome.message, case=outcome.case, events=[told, *outcome.events])


@transactional
async def supervise_overdue_task(d: Domain, actor: Actor, task_id: int) -> Outcome:
    """A task still open after the grace that follows its deadline: 书记督办, unless the case is already
    supervised or no longer open."""
    task = await Task.get(id=task_id)
    case = await case_by_id(task.case_id)
    if not _supervisable(case):
        return Outcome(False, f"案件 {case.number} 已在督办中或已办结", case=case)
    return await _by_secretary(d, actor, case, lambda s: TaskOverdueSupervised(case.id, task.id, s,
                                                                               actor_id=actor.staff_id))


@transactional
async def supervise_overdue_proxy(d: Domain, actor: Actor, case_id: int) -> Outcome:
    """No 信访代办 feedback by the deadline: 书记督办, unless already supervised or no longer open."""
    case = await case_by_id(case_id)
    if not _supervisable(case):
        return Outcome(False, f"案件 {case.number} 已在督办中或已办结", case=case)
    return await _by_secretary(d, actor, case, lambda s: ProxyOverdueSupervised(case.id, s, actor_id=actor.staff_id))


@transactional
async def step_timed_out(d: Domain, actor: Actor, case_id: int) -> Outcome:
    """三级四步: a case unresolved past its step's deadline (core/step_clock.py) moves up one step. At the top
    of the ladder there is no step left, so the secretary supervises instead. A step that ran out with a task
    overdue brings 书记督办 as well."""
    now = d.clock.now()
    case = await Case.filter(id=case_id, status__in=_OPEN_CASES, step_due_at__lte=now).first()
    if case is None:
        return Outcome(False, "案件不在调处时限到期状态")
    # Asked again, not trusted from the column: an open task's deadline (an extension) holds the step, and a
    # case waiting on its reporter has no clock. Then the step is claimed: of several schedulers that read it
    # due at once, one acts (the others' updates find the due time changed once the first commits); in the
    # caller's transaction, so a failure gives it back.
    due = await step_deadline(d, case)
    held = due is None or due > now
    if not await Case.filter(id=case_id, step_due_at=case.step_due_at).update(step_due_at=due if held else None):
        return Outcome(False, "案件已由其他进程处理")
    if held:  # the stale due time is corrected, and the trail says so
        before = snapshot(case)
        case.step_due_at = due
        await record(d, actor, Platform.SYSTEM, "hold_step", case, before)
        return Outcome(False, f"案件 {case.number} 的调处时限未到", case=case)
    if await ladder.next_step(case) is None:
        if case.supervised_at is not None:
            return Outcome(False, f"案件 {case.number} 已在最高层级且已在督办中", case=case)
        return await _by_secretary(d, actor, case, lambda s: TopStepSupervised(case.id, s, actor_id=actor.staff_id))
    overdue = await Task.filter(case_id=case_id, status__in=_OPEN_TASKS, deadline__lt=now).exists()
    level = Level(case.step)
    outcome = await ladder.escalate(d, actor, case_id, "", source=Platform.SYSTEM, reason=EscalationReason.TIMEOUT)
    if not overdue or outcome.case is None or outcome.case.supervised_at is not None:
        return outcome
    supervised = await _by_secretary(d, actor, outcome.case,
                                     lambda s: StepOverdueSupervised(case.id, s, level, actor_id=actor.staff_id))
    # the secretaries are told first: why the case is both escalated and supervised
    return Outcome(True, outcome.message, case=supervised.case, events=[*supervised.events, *outcome.events],
                   tasks=outcome.tasks)
