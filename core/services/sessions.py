"""预约调解: book a session (room and people checked for clashes), answer an invitation, record the outcome."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.clock import fmt_local
from core.enums import OPEN_TASK_STATUSES, Platform
from core.errors import InvalidInput, NotFound, Refused
from core.events import SessionAnswered, SessionBooked, SessionDone
from core.masking import mask_numbers
from core.models import Case, MediationSession, Room, SessionParticipant, Staff, Task
from core.permissions import check_case
from core.services.base import Actor, Domain, Outcome, record, snapshot, transactional
from core.services.lookup import lock_case

REMIND_BEFORE = timedelta(hours=2)
OUTCOMES = {"agreement": "达成协议", "no_agreement": "未达成", "rescheduled": "改期"}


def _overlap(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    return a_start < b_end and b_start < a_end


async def _may_book(actor: Actor, case: Case) -> None:
    """The case's handlers (an open task) or the center within its scope."""
    if actor.staff_id is not None and await Task.filter(
            case_id=case.id, assignee_id=actor.staff_id, status__in=[s.value for s in OPEN_TASK_STATUSES]).exists():
        return
    await check_case(actor, "dispatch", case)


@transactional
async def book(
    d: Domain, actor: Actor, case_id: int, starts_at: datetime, ends_at: datetime, room_name: str,
    participant_ids: list[int], *, source: Platform, parties_note: str = "",
) -> Outcome:
    case = await lock_case(case_id)
    await _may_book(actor, case)
    now = d.clock.now()
    starts_at, ends_at = starts_at.astimezone(UTC), ends_at.astimezone(UTC)  # UTC in storage
    if not now < starts_at < ends_at:
        raise InvalidInput("调解时间应在将来,且结束晚于开始")
    if ends_at - starts_at > timedelta(hours=12):
        raise InvalidInput("一次调解不超过12小时")
    room = await Room.get_or_none(name=room_name.strip(), active=True)
    if room is None:
        names = "、".join(r.name for r in await Room.filter(active=True)) or "无"
        raise NotFound(f"没有「{room_name}」,可用调解室:{names}")
    people = list(dict.fromkeys([*participant_ids, *([actor.staff_id] if actor.staff_id else [])]))
    if await Staff.filter(id__in=people, active=True).count() != len(people):
        raise NotFound("参与人中有人不存在或已停用")
    day = [s for s in await MediationSession.filter(status="booked", starts_at__lt=ends_at,
                                                     ends_at__gt=starts_at).prefetch_related("case", "room")]
    for other in day:
        if other.room_id == room.id and _overlap(starts_at, ends_at, other.starts_at, other.ends_at):
            raise InvalidInput(f"{room.name} 在 {fmt_local(other.starts_at)}—{fmt_local(other.ends_at)[-5:]} "
                               f"已被案件 {other.case.number} 预约")
        busy = set(await SessionParticipant.filter(session_id=other.id, staff_id__in=people)
                   .exclude(response="leave").values_list("staff_id", flat=True))
        if busy:
            names = "、".join(s.name for s in await Staff.filter(id__in=list(busy)))
            raise InvalidInput(f"{names} 在 {fmt_local(other.starts_at)} 已有案件 {other.case.number} 的调解")
    remind = starts_at - REMIND_BEFORE
    assert actor.staff_id is not None
    session = await MediationSession.create(
        case_id=case.id, room_id=room.id, starts_at=starts_at, ends_at=ends_at, parties_note=parties_note,
        remind_at=remind if remind > now else None, booked_by_id=actor.staff_id, created_at=now)
    for staff_id in people:
        await SessionParticipant.create(session_id=session.id, staff_id=staff_id,
                                        response="attend" if staff_id == actor.staff_id else "invited")
    await record(d, actor, source, "book_session", case, snapshot(case),
                 {"session_id": session.id, "room": room.name, "starts_at": starts_at, "ends_at": ends_at,
                  "participants": people})
    event = SessionBooked(case.id, session.id, actor_id=actor.staff_id)
    when = f"{fmt_local(starts_at)}—{fmt_local(ends_at)[-5:]}"
    return Outcome(True, f"已预约:案件 {case.number},{when},{room.name},已邀请 {len(people) - 1} 人",
                   case=case, events=[event])


@transactional
async def respond(d: Domain, actor: Actor, session_id: int, attend: bool, *, source: Platform) -> Outcome:
    row = await SessionParticipant.get_or_none(session_id=session_id, staff_id=actor.staff_id)
    if row is None:
        raise Refused("您不在这次调解的邀请名单中")
    wanted = "attend" if attend else "leave"
    session = await MediationSession.get(id=session_id).prefetch_related("case")
    if row.response == wanted:
        return Outcome(False, "已登记,无需重复操作", case=session.case)
    row.response = wanted
    await row.save(update_fields=["response"])
    await record(d, actor, source, "answer_session", session.case, snapshot(session.case),
                 {"session_id": session_id, "response": wanted})
    event = SessionAnswered(session.case_id, session_id, attend, actor_id=actor.staff_id)
    return Outcome(True, f"已登记{'参加' if attend else '请假'}:案件 {session.case.number} 的调解",
                   case=session.case, events=[event])


@transactional
async def record_outcome(d: Domain, actor: Actor, case_id: int, outcome: str, note: str, *,
                         source: Platform) -> Outcome:
    case = await lock_case(case_id)
    await _may_book(actor, case)
    if outcome not in OUTCOMES:
        raise InvalidInput("结果应为 达成协议 / 未达成 / 改期")
    session = await MediationSession.filter(case_id=case_id, status="booked").order_by("-starts_at").first()
    if session is None:
        raise NotFound(f"案件 {case.number} 没有已预约的调解")
    session.status, session.outcome, session.outcome_note, session.remind_at = "done", outcome, note.strip(), None
    await session.save()
    await record(d, actor, source, "session_outcome", case, snapshot(case),
                 {"session_id": session.id, "outcome": outcome, "note": mask_numbers(session.outcome_note)[:500]})
    event = SessionDone(case.id, session.id, actor_id=actor.staff_id)
    return Outcome(True, f"已记录案件 {case.number} 的调解结果:{OUTCOMES[outcome]}", case=case, events=[event])
