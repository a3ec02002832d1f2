"""The officer's side of a task: 签收, 反馈进展, 申请延期, 退回, 办结 — and the center's release and 延期审批."""

from __future__ import annotations

from core import step_clock
from core.clock import fmt_local
from core.durations import Duration, Unit
from core.enums import OPEN_TASK_STATUSES, CaseStatus, Platform, ResultType, Severity, TaskStatus
from core.errors import InvalidInput, InvalidTransition
from core.events import (
    CaseNeedsDispatch,
    CaseResolved,
    DomainEvent,
    ExtensionDecided,
    ExtensionRequested,
    TaskProgressed,
    TaskReleased,
    TaskResolved,
    TaskReturned,
    TaskSigned,
)
from core.models import Case, Task
from core.partners import bounded, partner_limit
from core.permissions import check_assignee, check_case
from core.policy import load_policy
from core.services.base import Actor, Domain, Outcome, note_text, record, snapshot, transactional
from core.services.lookup import lock_task
from core.transitions import CaseAction, TaskAction, next_case_status, next_task_status


@transactional
async def sign(d: Domain, actor: Actor, task_id: int, *, source: Platform) -> Outcome:
    task, case = await lock_task(task_id)
    check_assignee(actor, task, case.number)
    if TaskStatus(task.status) is TaskStatus.SIGNED:
        return Outcome(False, f"案件 {case.number} 已签收,无需重复签收", case=case, task=task)
    before = snapshot(task)
    task.status = next_task_status(task.status, TaskAction.SIGN).value
    task.signed_at = d.clock.now()
    task.nudge_at = d.calendar.shift(task.signed_at, (await load_policy()).signed_idle)
    await task.save()
    await record(d, actor, source, "sign", task, before)
    event = TaskSigned(case.id, task.id, actor_id=actor.staff_id)
    if task.deadline <= task.signed_at:  # a past date to finish "before" would read as a mistake
        due = f"该任务已于 {fmt_local(task.deadline)} 逾期,请尽快办结"
    else:
        due = f"请在 {fmt_local(task.deadline)} 前办结"
    return Outcome(True, f"已签收案件 {case.number},{due}", case=case, task=task, events=[event])


@transactional
async def progress(d: Domain, actor: Actor, task_id: int, note: str, *, source: Platform) -> Outcome:
    """反馈进展; reporting progress on an unsigned task signs it."""
    task, case = await lock_task(task_id)
    check_assignee(actor, task, case.number)
    text = note_text(note, "进展情况")
    before = snapshot(task)
    task.status = next_task_status(task.status, TaskAction.PROGRESS).value
    now = d.clock.now()
    task.signed_at = task.signed_at or now
    task.last_progress_at = now
    task.progress_count += 1
    task.last_progress = text
    task.nudge_at = d.calendar.shift(now, (await load_policy()).signed_idle)
    await task.save()
    await record(d, actor, source, "progress", task, before, {"note": text})
    event = TaskProgressed(case.id, task.id, text, actor_id=actor.staff_id)
    return Outcome(True, f"已记录案件 {case.number} 的进展", case=case, task=task, events=[event])


@transactional
async def request_extension(
    d: Domain, actor: Actor, task_id: int, workdays: int, reason: str, *, source: Platform
) -> Outcome:
    task, case = await lock_task(task_id)
    check_assignee(actor, task, case.number)
    text = note_text(reason, "延期理由")
    policy = await load_policy()
    if not 1 <= workdays <= policy.max_extension_workdays:
        raise InvalidInput(f"延期天数应为 1 到 {policy.max_extension_workdays} 个工作日")
    if task.extension_days == workdays and task.extension_reason == text:
        return Outcome(False, f"案件 {case.number} 的延期申请已提交,等待审批", case=case, task=task)
    before = snapshot(task)
    next_task_status(task.status, TaskAction.EXTEND)
    task.extension_days = workdays
    task.extension_reason = text
    await task.save()
    await record(d, actor, source, "request_extension", task, before)
    event = ExtensionRequested(case.id, task.id, actor_id=actor.staff_id)
    return Outcome(True, f"已提交案件 {case.number} 延期 {workdays} 个工作日的申请", case=case, task=task, events=[event])


@transactional
async def decide_extension(
    d: Domain, actor: Actor, task_id: int, approve: bool, *, source: Platform, reason: str = ""
) -> Outcome:
    """延期审批; a refusal's reason (不同意延期的理由) is recorded and reaches the officer."""
    task, case = await lock_task(task_id)
    await check_case(actor, "decide_extension", case)
    if task.extension_days is None:
        return Outcome(False, f"案件 {case.number} 没有待审批的延期申请", case=case, task=task)
    why = note_text(reason, "不同意延期的理由") if reason.strip() else ""
    before = snapshot(task)
    next_task_status(task.status, TaskAction.DECIDE_EXTENSION)
    days = task.extension_days
    limit = await partner_limit(case.id) if approve else None
    extended = d.calendar.shift(task.deadline, _workdays(days))
    capped = bounded(extended, limit.due_at if limit else None, d.clock.now())
    if approve and capped <= task.deadline:
        assert limit is not None and limit.due_at is not None
        return Outcome(False, f"案件 {case.number} 的截止时间已到{limit.partner}委派的期限 {fmt_local(limit.due_at)},"
                              "不能再延期;请商请对方延长期限,或点击「不同意」", case=case, task=task)
    if approve:
        task.deadline = capped
        task.extensions_granted += 1
        task.overdue_notified_at = None
        task.overdue_at = task.deadline
        task.supervise_at = None
        task.reminded_at = None
        policy = await load_policy()
        remind = d.calendar.shift(task.deadline, policy.task_defaults[_sev(case)].remind_before, backwards=True)
        task.remind_at = remind if d.clock.now() < remind < task.deadline else None
    task.extension_days = None
    await task.save()
    if approve:  # the step never ends before the new deadline
        await step_clock.rearm(d, case)
        await case.save(update_fields=["step_due_at"])
    action = "approve_extension" if approve else "deny_extension"
    await record(d, actor, source, action, task, before, {"reason": why} if why else None)
    event = ExtensionDecided(case.id, task.id, approve, why, actor_id=actor.staff_id)
    verdict = f"同意延期,新的截止时间 {fmt_local(task.deadline)}" if approve else "不同意延期" + (f"(理由:{why})" if why else "")
    if approve and capped < extended and limit is not None:
        verdict += f"(以{limit.partner}委派的期限为限)"
    return Outcome(True, f"案件 {case.number}:{verdict}", case=case, task=task, events=[event])


def _workdays(days: int) -> Duration:
    return Duration(days, Unit.WORKDAYS)


def _sev(case: Case) -> Severity:
    return Severity(case.severity)


async def _after_withdrawal(d: Domain, actor: Actor, case: Case, task: Task, source: Platform) -> list[DomainEvent]:
    """A task left the case (退回 or 撤回): hand the lead on, or put the case back for re-dispatch."""
    others = await Task.filter(case_id=case.id, status__in=[s.value for s in OPEN_TASK_STATUSES]).order_by("id")
    if others:
        if task.is_lead and not any(o.is_lead for o in others):
            others[0].is_lead = True
            await others[0].save(update_fields=["is_lead"])
        return []
    if CaseStatus(case.status) is CaseStatus.DISPATCHED:
        before = snapshot(case)
        case.status = next_case_status(case.status, CaseAction.ALL_TASKS_WITHDRAWN).value
        case.updated_at = d.clock.now()
        await case.save()
        await record(d, actor, source, "needs_redispatch", case, before)
        return [CaseNeedsDispatch(case.id, task.id, actor_id=actor.staff_id)]
    return []


@transactional
async def return_task(d: Domain, actor: Actor, task_id: int, reason: str, *, source: Platform) -> Outcome:
    """退回: a wrong assignment goes back to the center with a reason."""
    task, case = await lock_task(task_id)
    check_assignee(actor, task, case.number)
    if TaskStatus(task.status) is TaskStatus.RETURNED:
        return Outcome(False, f"案件 {case.number} 的任务已退回", case=case, task=task)
    text = note_text(reason, "退回理由")
    before = snapshot(task)
    task.status = next_task_status(task.status, TaskAction.RETURN).value
    task.return_reason = text
    await task.save()
    await record(d, actor, source, "return_task", task, before)
    events: list[DomainEvent] = [TaskReturned(case.id, task.id, text, actor_id=actor.staff_id)]
    events += await _after_withdrawal(d, actor, case, task, source)
    return Outcome(True, f"已退回案件 {case.number},调度员将重新交办", case=case, task=task, events=events)


@transactional
async def release_task(d: Domain, actor: Actor, task_id: int, *, source: Platform) -> Outcome:
    """撤回: the center takes a task back, or the lead (牵头) of a joint mediation releases a partner."""
    task, case = await lock_task(task_id)
    lead = await Task.filter(case_id=case.id, is_lead=True, status__in=[s.value for s in OPEN_TASK_STATUSES]).first()
    is_lead_releasing = lead is not None and lead.id != task.id and lead.assignee_id == actor.staff_id
    if not is_lead_releasing:
        await check_case(actor, "release_task", case)
    if TaskStatus(task.status) is TaskStatus.RELEASED:
        return Outcome(False, f"案件 {case.number} 的该任务已撤回", case=case, task=task)
    before = snapshot(task)
    task.status = next_task_status(task.status, TaskAction.RELEASE).value
    await task.save()
    await record(d, actor, source, "release_task", task, before)
    events: list[DomainEvent] = [TaskReleased(case.id, task.id, actor_id=actor.staff_id)]
    events += await _after_withdrawal(d, actor, case, task, source)
    return Outcome(True, f"已撤回案件 {case.number} 的任务", case=case, task=task, events=events)


@transactional
async def resolve_task(
    d: Domain, actor: Actor, task_id: int, result: ResultType, note: str, *, source: Platform
) -> Outcome:
    """办结. The lead's 办结 closes the case, once every other task is done or released."""
    task, case = await lock_task(task_id)
    check_assignee(actor, task, case.number)
    if TaskStatus(task.status) is TaskStatus.RESOLVED:
        return Outcome(False, f"案件 {case.number} 已办结", case=case, task=task)
    text = note_text(note, "办结情况")
    if task.is_lead:
        open_others = await Task.filter(
            case_id=case.id, status__in=[s.value for s in OPEN_TASK_STATUSES]
        ).exclude(id=task.id).prefetch_related("assignee")
        if open_others:
            names = "、".join(o.assignee.name for o in open_others)
            raise InvalidTransition(f"还有 {names} 的任务未办结,请等其办结或由调度员撤回后再办结")
    before = snapshot(task)
    now = d.clock.now()
    task.status = next_task_status(task.status, TaskAction.RESOLVE).value
    task.result_type = result.value
    task.result_note = text
    task.resolved_at = now
    task.signed_at = task.signed_at or now
    task.extension_days = None
    await task.save()
    await record(d, actor, source, "resolve_task", task, before)
    events: list[DomainEvent] = [TaskResolved(case.id, task.id, actor_id=actor.staff_id)]
    if not task.is_lead:
        return Outcome(True, f"已办结您在案件 {case.number} 中的任务", case=case, task=task, events=events)
    case_before = snapshot(case)
    policy = await load_policy()
    case.status = next_case_status(case.status, CaseAction.RESOLVE).value
    case.result_type = result.value
    case.result_note = text
    case.resolved_at = now
    case.resolved_level = case.step
    case.step_due_at = None
    case.follow_up_due_at = d.calendar.shift(now, policy.follow_up_after)
    case.updated_at = now
    await case.save()
    await record(d, actor, source, "resolve", case, case_before)
    events.append(CaseResolved(case.id, task.id, actor_id=actor.staff_id))
    return Outcome(True, f"案件 {case.number} 已办结({result.label})", case=case, task=task, events=events)
