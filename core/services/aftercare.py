"""After the work: 书记督办, 回访 with satisfaction (不满意 reopens), and the 积案 backlog (包案, 销号)."""

from __future__ import annotations

from datetime import date, timedelta

from core.clock import local
from core.enums import OPEN_CASE_STATUSES, CaseStatus, Level, Platform, Role, Satisfaction
from core.errors import InvalidInput, InvalidTransition, NotFound, Refused
from core.events import BacklogAdded, BacklogStruck, CaseClosed, CaseReopened, CaseSupervised, DomainEvent
from core.models import Staff
from core.permissions import check_case
from core.services.base import Actor, Domain, Outcome, note_text, record, snapshot, transactional
from core.services.ladder import step_due
from core.services.lookup import lock_case
from core.transitions import CaseAction, next_case_status

MEETING_WEEKDAY = 0  # 党政联席周会商 on Mondays


def next_meeting(today: date) -> date:
    days = (MEETING_WEEKDAY - today.weekday()) % 7 or 7
    return today + timedelta(days=days)


@transactional
async def supervise(
    d: Domain, actor: Actor, case_id: int, *, source: Platform, note: str = "", supervisor_id: int | None = None
) -> Outcome:
    """书记督办: the case is put under the secretary's supervision and on the next weekly joint meeting.
    The scheduler acts as the system and names the secretary who supervises."""
    case = await lock_case(case_id)
    await check_case(actor, "supervise", case)
    if CaseStatus(case.status) not in OPEN_CASE_STATUSES:
        raise InvalidTransition(f"案件 {case.number} 已办结,无需督办")
    if case.supervised_at is not None:
        return Outcome(False, f"案件 {case.number} 已在督办中(周会商 {case.meeting_date})", case=case)
    before = snapshot(case)
    now = d.clock.now()
    case.supervised_at = now
    case.supervisor_id = actor.staff_id or supervisor_id
    case.meeting_date = next_meeting(local(now).date())
    case.updated_at = now
    await case.save()
    await record(d, actor, source, "supervise", case, before, {"note": note} if note else None)
    event = CaseSupervised(case.id, case.meeting_date, actor_id=actor.staff_id)
    return Outcome(True, f"案件 {case.number} 已列入书记督办,提交 {case.meeting_date} 党政联席周会商", case=case, events=[event])


@transactional
async def record_follow_up(
    d: Domain, actor: Actor, case_id: int, satisfaction: Satisfaction, note: str = "", *, source: Platform
) -> Outcome:
    """回访: 满意 / 基本满意 close the case; 不满意 reopens it for the center to handle again."""
    case = await lock_case(case_id)
    if actor.staff_id is None or case.reporter_id != actor.staff_id:
        await check_case(actor, "follow_up", case)
    note = note_text(note, "回访意见") if note.strip() else ""
    if CaseStatus(case.status) is CaseStatus.CLOSED or (
        case.satisfaction == satisfaction.value and CaseStatus(case.status) is not CaseStatus.RESOLVED
    ):
        return Outcome(False, f"案件 {case.number} 已回访({Satisfaction(case.satisfaction or satisfaction).label})", case=case)
    before = snapshot(case)
    now = d.clock.now()
    case.satisfaction = satisfaction.value
    case.follow_up_due_at = None
    if satisfaction is Satisfaction.UNSATISFIED:
        case.status = next_case_status(case.status, CaseAction.FOLLOW_UP_UNSATISFIED).value
        case.reopen_count += 1
        case.resolved_at = None
        step_due(d, case, Level(case.step))
        event: DomainEvent = CaseReopened(case.id, note, actor_id=actor.staff_id)
        message = f"案件 {case.number} 回访不满意,已重新打开,交由中心再次处理" + (f"(原因:{note})" if note else "")
    else:
        case.status = next_case_status(case.status, CaseAction.FOLLOW_UP_SATISFIED).value
        case.closed_at = now
        event = CaseClosed(case.id, actor_id=actor.staff_id)
        message = f"案件 {case.number} 回访{satisfaction.label},已结案"
    case.updated_at = now
    await case.save()
    await record(d, actor, source, "follow_up", case, before, {"note": note} if note else None)
    return Outcome(True, message, case=case, events=[event])


@transactional
async def add_to_backlog(d: Domain, actor: Actor, case_id: int, leader_id: int, *, source: Platform) -> Outcome:
    """积案包案: a hard case gets a leader who answers for it until it is struck off."""
    case = await lock_case(case_id)
    await check_case(actor, "backlog", case)
    leader = await Staff.get_or_none(id=leader_id, active=True)
    if leader is None:
        raise NotFound("找不到包案领导")
    if Role.LEADER.value not in leader.roles and Role.SECRETARY.value not in leader.roles:
        raise InvalidInput(f"{leader.name} 不是领导,不能包案")
    if case.backlog and case.backlog_leader_id == leader.id and case.backlog_struck_at is None:
        return Outcome(False, f"案件 {case.number} 已由 {leader.name} 包案", case=case)
    before = snapshot(case)
    case.backlog = True
    case.backlog_leader_id = leader.id
    case.backlog_struck_at = None
    case.backlog_at = d.clock.now()
    case.updated_at = d.clock.now()
    await case.save()
    await record(d, actor, source, "add_to_backlog", case, before)
    event = BacklogAdded(case.id, leader.id, actor_id=actor.staff_id)
    return Outcome(True, f"案件 {case.number} 已列入积案库,包案领导 {leader.name}", case=case, events=[event])


@transactional
async def strike_off(d: Domain, actor: Actor, case_id: int, *, source: Platform, result: str = "") -> Outcome:
    """销号: a backlog case, once resolved, is struck off by its leader or the center, with what it came to."""
    case = await lock_case(case_id)
    if not case.backlog:
        raise InvalidTransition(f"案件 {case.number} 不在积案库中")
    if actor.staff_id is None or actor.staff_id != case.backlog_leader_id:
        await check_case(actor, "backlog", case)
    if case.backlog_struck_at is not None:
        return Outcome(False, f"案件 {case.number} 已销号", case=case)
    if CaseStatus(case.status) not in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
        raise Refused(f"案件 {case.number} 尚未化解,不能销号")
    if len(result.strip()) > 2000:
        raise InvalidInput("销号结果过长,请控制在 2000 字以内")
    before = snapshot(case)
    case.backlog_struck_at = d.clock.now()
    case.backlog_result = result.strip()
    case.updated_at = case.backlog_struck_at
    await case.save()
    await record(d, actor, source, "strike_off", case, before, {"result": result.strip()} if result.strip() else None)
    return Outcome(True, f"积案 {case.number} 已销号", case=case, events=[BacklogStruck(case.id, actor_id=actor.staff_id)])
