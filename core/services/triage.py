"""The center's side of intake: 受理, 退回补充, the leader's plan for 重要 cases, and 交办 (dispatch)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from core import org_memo, step_clock
from core.clock import local
from core.enums import (
    OPEN_TASK_STATUSES,
    CaseStatus,
    EscalationReason,
    Level,
    Platform,
    ReminderMethod,
    Severity,
)
from core.errors import InvalidInput, InvalidTransition, NotFound, Refused
from core.events import (
    CaseAccepted,
    CaseReturnedToReporter,
    DomainEvent,
    PlanApproved,
    PlanRequested,
    TaskDispatched,
)
from core.models import Department, Region, Staff, Task
from core.partners import bounded, partner_due
from core.permissions import check_case
from core.policy import load_policy
from core.regions import ancestor_at, contains, staff_region
from core.routing import stand_in, suggest_route
from core.services.base import Actor, Domain, Outcome, record, snapshot, transactional
from core.services.ladder import move_up, step_due
from core.services.lookup import lock_case
from core.transitions import CaseAction, next_case_status

_ACCEPTED_ALREADY = (CaseStatus.ACCEPTED, CaseStatus.AWAITING_APPROVAL, CaseStatus.DISPATCHED)


@transactional
async def accept(d: Domain, actor: Actor, case_id: int, *, source: Platform) -> Outcome:
    """受理. 重要 cases wait for a leader's plan; 重大 ones go up to the level the org file names."""
    case = await lock_case(case_id)
    await check_case(actor, "accept", case)
    if CaseStatus(case.status) in _ACCEPTED_ALREADY:
        return Outcome(False, f"案件 {case.number} 已受理({CaseStatus(case.status).label}),无需重复操作", case=case)
    before = snapshot(case)
    policy = await load_policy()
    now = d.clock.now()
    case.status = next_case_status(case.status, CaseAction.ACCEPT).value
    case.accepted_at = case.accepted_at or now
    case.accept_remind_at = None
    case.first_receiver_id = case.first_receiver_id or actor.staff_id
    route = await suggest_route(case, policy)
    events: list[DomainEvent] = [CaseAccepted(case.id, actor_id=actor.staff_id)]
    if route.escalate_to is not None:
        await case.save()
        await record(d, actor, source, "accept", case, before)
        moved = await move_up(
            d, actor, case, tried="重大矛盾纠纷,按规定提级处理", reason=EscalationReason.MAJOR,
            source=source, to_region=route.escalate_to,
        )
        moved.events[:0] = events
        return moved
    if route.needs_approval:
        case.status = CaseStatus.AWAITING_APPROVAL.value
        events.append(PlanRequested(case.id, actor_id=actor.staff_id))
    case.updated_at = now
    await case.save()
    await record(d, actor, source, "accept", case, before)
    suffix = ",已提交领导审定处置方案" if route.needs_approval else ""
    return Outcome(True, f"案件 {case.number} 已受理{suffix}", case=case, events=events)


@transactional
async def return_to_reporter(d: Domain, actor: Actor, case_id: int, note: str, *, source: Platform) -> Outcome:
    """退回补充: the reporter is asked for more information before the center accepts."""
    case = await lock_case(case_id)
    await check_case(actor, "return_to_reporter", case)
    if CaseStatus(case.status) is CaseStatus.RETURNED:
        return Outcome(False, f"案件 {case.number} 已退回补充,等待上报人补充", case=case)
    if not note.strip():
        raise InvalidInput("请说明需要补充的内容")
    if case.reporter_id is None:
        raise InvalidTransition(f"案件 {case.number} 不是网格员上报的,无法退回补充")
    before = snapshot(case)
    case.status = next_case_status(case.status, CaseAction.RETURN_TO_REPORTER).value
    case.return_note = note.strip()
    step_clock.pause(d, case)  # waiting on the reporter is not the step's time
    # The 受理 clock now waits on the reporter: when it runs out they are reminded (scheduler remind_resubmit)
    # and resubmitting arms it anew for the center.
    policy = await load_policy()
    case.accept_remind_at = d.calendar.shift_limit(d.clock.now(), policy.accept_within, policy.office)
    case.updated_at = d.clock.now()
    await case.save()
    await record(d, actor, source, "return_to_reporter", case, before)
    event = CaseReturnedToReporter(case.id, case.return_note, actor_id=actor.staff_id)
    return Outcome(True, f"案件 {case.number} 已退回上报人补充", case=case, events=[event])


@transactional
async def approve_plan(d: Domain, actor: Actor, case_id: int, plan: str, *, source: Platform) -> Outcome:
    """同意交办: a leader records the plan for a 重要 case, which can then be dispatched."""
    case = await lock_case(case_id)
    await check_case(actor, "approve_plan", case)
    if case.plan_approved_by_id is not None and CaseStatus(case.status) is not CaseStatus.AWAITING_APPROVAL:
        return Outcome(False, f"案件 {case.number} 的处置方案已审定", case=case)
    before = snapshot(case)
    case.status = next_case_status(case.status, CaseAction.APPROVE_PLAN).value
    case.plan = plan.strip() or "同意交办"
    case.plan_approved_by_id = actor.staff_id
    case.updated_at = d.clock.now()
    await case.save()
    await record(d, actor, source, "approve_plan", case, before)
    event = PlanApproved(case.id, actor_id=actor.staff_id)
    return Outcome(True, f"案件 {case.number} 处置方案已审定,可以交办", case=case, events=[event])


@dataclass
class Assignment:
    assignee_id: int
    cc: list[int] | None = None  # None: the route's default (联村领导/干部 on general cases)
    deadline: datetime | None = None
    remind_at: datetime | None = None
    content: str | None = None
    reminder_method: ReminderMethod = ReminderMethod.CARD
    department_id: int | None = None


async def _unit_level(staff: Staff) -> Level | None:
    region = await staff_region(staff)
    return Level(region.level) if region else None


async def _within_tree(actor: Actor, staff: Staff, department_id: int | None) -> None:
    """A center hands tasks only to people (and departments) of its own region tree."""
    if actor.is_system:
        return
    region = await staff_region(staff)
    if region is None or actor.scope_path is None or not contains(actor.scope_path, region.path):
        raise Refused(f"{staff.name} 不在您的管辖范围内,无法交办")
    if department_id is not None and department_id != staff.department_id:
        dept = await Department.get_or_none(id=department_id, active=True)
        if dept is None:
            raise NotFound("找不到该承办单位或已停用")
        if not contains(actor.scope_path, (await Region.get(id=dept.region_id)).path):
            raise Refused(f"{dept.name} 不在您的管辖范围内,无法交办")


@transactional
async def dispatch(
    d: Domain, actor: Actor, case_id: int, assignments: list[Assignment], *, source: Platform
) -> Outcome:
    """交办: one task per assignee. The first open task is the lead (首接牵头)."""
    if not assignments:
        raise InvalidInput("请指定承办人")
    case = await lock_case(case_id)
    await check_case(actor, "dispatch", case)
    if CaseStatus(case.status) is CaseStatus.AWAITING_APPROVAL:
        raise InvalidTransition(f"案件 {case.number} 为重要案件,需领导审定处置方案后再交办")
    before = snapshot(case)
    case.status = next_case_status(case.status, CaseAction.DISPATCH).value
    policy = await load_policy()
    defaults = policy.task_defaults[Severity(case.severity)]
    now = d.clock.now()
    open_tasks = await Task.filter(case_id=case.id, status__in=[s.value for s in OPEN_TASK_STATUSES])
    has_lead = any(t.is_lead for t in open_tasks)
    busy = {t.assignee_id for t in open_tasks}
    created: list[Task] = []
    skipped: list[str] = []
    instead: dict[int, str] = {}  # task → the person named, who may be away (AB岗)
    cap = await partner_due(case.id)  # referred in by a partner body (委派): its deadline bounds the tasks'
    for a in assignments:
        named = await org_memo.active_staff(a.assignee_id)
        if named is None:
            raise NotFound("找不到承办人或已停用")
        await _within_tree(actor, named, a.department_id)
        staff = await stand_in(named, local(now).date())  # AB岗: away (请假), the backup takes it
        if staff.id in busy:
            skipped.append(staff.name)
            continue
        deadline = bounded((a.deadline or d.calendar.shift(now, defaults.deadline)).astimezone(UTC), cap, now)
        if deadline <= now:
            raise InvalidInput("截止时间必须晚于当前时间")
        remind_at: datetime | None
        if a.remind_at is not None:
            if not now < a.remind_at < deadline:
                raise InvalidInput("提醒时间必须在当前时间与截止时间之间")
            remind_at = a.remind_at.astimezone(UTC)
        else:
            remind_at = d.calendar.shift(deadline, defaults.remind_before, backwards=True)
            remind_at = remind_at if now < remind_at < deadline else None
        wanted_cc = a.cc if a.cc is not None else [s.id for s in (await suggest_route(case, policy)).cc]
        cc = [i for i in dict.fromkeys(wanted_cc) if i != staff.id]
        if cc and sum(s.active for s in (await org_memo.staff_by_ids(cc)).values()) != len(cc):
            raise NotFound("抄送人中有人不存在或已停用")
        task = await Task.create(
            case_id=case.id,
            assignee_id=staff.id,
            department_id=a.department_id or staff.department_id,
            cc=cc,
            content=(a.content or case.content)[:5000],
            deadline=deadline,
            overdue_at=deadline,
            remind_at=remind_at,
            reminder_method=a.reminder_method.value,
            status="pending",
            is_lead=not has_lead,
            dispatched_by_id=actor.staff_id,
            created_at=now,
            sign_remind_at=d.calendar.shift_limit(now, policy.sign_within, policy.office),  # 签收时限
        )
        has_lead = True
        busy.add(staff.id)
        created.append(task)
        instead[task.id] = named.name
        away = {"named": named.name} if named.id != staff.id else {}  # AB岗: the person named was away
        await record(d, actor, source, "dispatch", task, {}, {"assignee": staff.name, "cc": cc, **away})
        level = await _unit_level(staff)
        if level is not None and level.rank > Level(case.step).rank:
            region = await org_memo.region(case.region_id)
            holder = await ancestor_at(region, level)
            if holder is not None:
                case.handling_region_id = holder.id
                step_due(d, case, level)
    if not created:
        names = "、".join(skipped)
        return Outcome(False, f"{names} 已在办理案件 {case.number},无需重复交办", case=case)
    await step_clock.rearm(d, case, [*open_tasks, *created])  # the step never ends before these tasks' deadlines
    case.updated_at = now
    await case.save()
    await record(d, actor, source, "dispatch", case, before)
    events: list[DomainEvent] = [TaskDispatched(case.id, t.id, actor_id=actor.staff_id) for t in created]
    return Outcome(True, f"案件 {case.number} 已交办给 {await _assignee_names(created, instead)}", case=case,
                   events=events, tasks=created)


async def _assignee_names(created: list[Task], named: dict[int, str]) -> str:
    """Who took each task; one handed to a backup says so: 李四(张三请假,AB岗代办)."""
    names = []
    for t in created:
        name = (await org_memo.known_staff(t.assignee_id)).name
        names.append(name if named[t.id] == name else f"{name}({named[t.id]}请假,AB岗代办)")
    return "、".join(names)
