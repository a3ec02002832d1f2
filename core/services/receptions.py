"""领导接访 / 下访 / 约访: the center arranges a leader's reception (接访安排) and books citizens into it (预约接访,
up to its limit); a leader visits a village taking cases along (带件下访); what each case came to is recorded
(接访结果) and shows in its timeline and 卷宗. A citizen's name is personal data: the audit trail keeps only
its surname, and it is shown to the leader and the center only (core/reception_plan.py, bot/commands)."""

from __future__ import annotations

from datetime import date

from core import audit
from core.clock import local
from core.enums import OPEN_TASK_STATUSES, Platform, Role
from core.errors import InvalidInput, NotFound, Refused
from core.masking import mask_numbers
from core.models import Case, Reception, ReceptionItem, Region, Staff, Task
from core.permissions import can_view
from core.privacy import party_name
from core.reception_plan import CENTER_ROLES, label, new_reception
from core.regions import contains
from core.services.base import Actor, Domain, Outcome, note_text, record, snapshot, transactional
from core.services.lookup import lock_case

MAX_LIMIT = 200


async def in_center(actor: Actor, region_id: int | None) -> bool:
    """A leader, dispatcher, secretary or admin whose scope holds the region (None: anywhere they work)."""
    if not actor.has(*CENTER_ROLES) or actor.scope_path is None:
        return False
    if region_id is None:
        return True
    return contains(actor.scope_path, (await Region.get(id=region_id)).path)


async def _leader(leader_id: int) -> Staff:
    leader = await Staff.get_or_none(id=leader_id, active=True)
    if leader is None:
        raise NotFound("找不到该领导或已停用")
    if not {Role.LEADER.value, Role.SECRETARY.value} & set(leader.roles):
        raise InvalidInput(f"{leader.name} 不是领导,不能安排接访或下访")
    return leader


def _check_day(d: Domain, day: date) -> None:
    if day < local(d.clock.now()).date():
        raise InvalidInput("日期已过,请安排今天或以后的日子")


@transactional
async def schedule(d: Domain, actor: Actor, leader_id: int, day: date, half: str, place: str, *,
                   capacity: int, source: Platform) -> Outcome:
    leader = await _leader(leader_id)
    if not await in_center(actor, leader.region_id):
        raise Refused("接访安排由中心的领导、调度员或管理员登记")
    _check_day(d, day)
    place = place.strip()
    if not 0 < len(place) <= 100:
        raise InvalidInput("请写明接访地点(100 字以内)")
    if not 1 <= capacity <= MAX_LIMIT:
        raise InvalidInput(f"每场接访可预约 1 到 {MAX_LIMIT} 人")
    same = await Reception.get_or_none(kind="reception", leader_id=leader.id, day=day, half=half)
    if same is not None:
        raise InvalidInput(f"已有安排:{label(same, leader.name)}")
    now = d.clock.now()
    r = await new_reception(now, kind="reception", leader=leader, day=day, half=half, place=place,
                            region_id=leader.region_id, capacity=capacity, created_by_id=actor.staff_id)
    await audit.append(at=now, actor_id=actor.staff_id, actor_name=actor.name, source=source.value,
                       action="schedule_reception", entity="reception", entity_id=r.id, case_id=None, before={},
                       after={"leader_id": leader.id, "day": day, "half": half, "place": place, "limit": capacity},
                       region_id=leader.region_id)
    return Outcome(True, f"已安排领导接访:{label(r, leader.name)},可预约 {capacity} 人")


async def _open_reception(d: Domain, reception_id: int, kind: str) -> Reception:
    r = await Reception.select_for_update().get_or_none(id=reception_id, kind=kind, status="planned")
    if r is None:
        raise NotFound("找不到这场接访安排")
    _check_day(d, r.day)
    return r


@transactional
async def book(d: Domain, actor: Actor, reception_id: int, citizen: str, matter: str, case_id: int | None, *,
               source: Platform) -> Outcome:
    """预约接访: a citizen (and their matter, maybe their case) into a reception, up to its limit."""
    r = await _open_reception(d, reception_id, "reception")
    leader = await Staff.get(id=r.leader_id)
    if not await in_center(actor, r.region_id):
        raise Refused("预约接访由中心的领导、调度员或管理员登记")
    citizen, matter = citizen.strip(), note_text(matter, "来访事项")
    if not 0 < len(citizen) <= 50 or len(matter) > 200:
        raise InvalidInput("请写明来访群众姓名(50 字以内)和来访事项(200 字以内)")
    items = await ReceptionItem.filter(reception_id=r.id)
    if any(i.citizen == citizen for i in items):
        raise InvalidInput("该群众已预约这场接访")
    if len(items) >= r.capacity:
        raise InvalidInput(f"{label(r, leader.name)} 已约满({r.capacity} 人),请预约其他场次")
    case = await lock_case(case_id) if case_id is not None else None
    if case is not None and not await can_view(actor, case):
        raise Refused(f"您无权查看案件 {case.number}")
    now = d.clock.now()
    item = await ReceptionItem.create(reception_id=r.id, case_id=case_id, citizen=citizen, matter=matter,
                                      booked_by_id=actor.staff_id, created_at=now)
    shown = {"reception_id": r.id, "item_id": item.id, "citizen": party_name(citizen, 0, "surname")}
    if case is not None:
        await record(d, actor, source, "book_reception", case, snapshot(case), {**shown, "note": label(r, leader.name)})
    else:
        await audit.append(at=now, actor_id=actor.staff_id, actor_name=actor.name, source=source.value,
                           action="book_reception", entity="reception_item", entity_id=item.id, case_id=None,
                           before={}, after=shown, region_id=r.region_id)
    tail = f",关联案件 {case.number}" if case else ""
    return Outcome(True, f"已预约接访:{label(r, leader.name)},第 {len(items) + 1} 位(共可约 {r.capacity} 人){tail}",
                   case=case)


@transactional
async def plan_visit(d: Domain, actor: Actor, leader_id: int, day: date, half: str, village_id: int,
                     case_ids: list[int], *, source: Platform) -> Outcome:
    """带件下访: a leader's visit to a village (arranged by the leader or the center) with cases taken along;
    a visit already arranged that day takes the new cases."""
    leader = await _leader(leader_id)
    if actor.staff_id != leader.id and not await in_center(actor, leader.region_id):
        raise Refused("下访由领导本人或中心的调度员、管理员安排")
    _check_day(d, day)
    village = await Region.get_or_none(id=village_id, active=True)
    if village is None:
        raise NotFound("找不到下访的村(社区)")
    now = d.clock.now()
    r = await Reception.get_or_none(kind="visit", leader_id=leader.id, day=day, half=half, status="planned")
    fresh = r is None
    if r is None:
        r = await new_reception(now, kind="visit", leader=leader, day=day, half=half, place=village.name,
                                region_id=village.id, capacity=0, created_by_id=actor.staff_id)
        await audit.append(at=now, actor_id=actor.staff_id, actor_name=actor.name, source=source.value,
                           action="plan_visit", entity="reception", entity_id=r.id, case_id=None, before={},
                           after={"leader_id": leader.id, "day": day, "half": half, "village_id": village.id},
                           region_id=village.id)
    attached = []
    for case_id in dict.fromkeys(case_ids):
        case = await lock_case(case_id)
        if not await can_view(actor, case):
            raise Refused(f"您无权查看案件 {case.number}")
        if await ReceptionItem.exists(reception_id=r.id, case_id=case.id):
            continue
        await ReceptionItem.create(reception_id=r.id, case_id=case.id, booked_by_id=actor.staff_id, created_at=now)
        await record(d, actor, source, "attach_to_visit", case, snapshot(case),
                     {"reception_id": r.id, "note": f"{label(r, leader.name)} 下访"})
        attached.append(case)
    if not fresh and not attached:
        return Outcome(False, f"已有下访安排:{label(r, leader.name)},没有新增案件")
    cases = "、".join(c.number for c in attached)
    return Outcome(True, f"{'已安排下访' if fresh else '已追加带件'}:{label(r, leader.name)}"
                         + (f",带件 {len(attached)} 件:{cases}" if attached else ""),
                   case=attached[0] if attached else None)


async def handlers_of(case_id: int) -> list[int]:
    """The staff with an open task on the case: who is told it goes on a 下访."""
    rows = await Task.filter(case_id=case_id, status__in=[s.value for s in OPEN_TASK_STATUSES]).values("assignee_id")
    return list(dict.fromkeys(int(r["assignee_id"]) for r in rows))


async def _may_record(actor: Actor, r: Reception, case: Case) -> None:
    if actor.staff_id == r.leader_id or await in_center(actor, case.region_id):
        return
    if actor.staff_id is not None and actor.staff_id in await handlers_of(case.id):
        return
    raise Refused("接访结果由接访领导、中心或案件承办人登记")


@transactional
async def record_outcome(d: Domain, actor: Actor, case_id: int, text: str, *, source: Platform) -> Outcome:
    """接访结果: what the latest reception or visit held for the case (today or before) came to."""
    case = await lock_case(case_id)
    today = local(d.clock.now()).date()
    item = await ReceptionItem.filter(case_id=case.id, outcome="", reception__status="planned",
                                      reception__day__lte=today).order_by("-reception__day", "-id") \
        .prefetch_related("reception").first()
    if item is None:
        raise NotFound(f"案件 {case.number} 没有已举行、尚未登记结果的领导接访或下访")
    r = item.reception
    await _may_record(actor, r, case)
    text = note_text(text, "接访结果")
    item.outcome, item.outcome_at = text, d.clock.now()
    await item.save(update_fields=["outcome", "outcome_at"])
    leader = await Staff.get(id=r.leader_id)
    what = "下访" if r.kind == "visit" else "接访"
    await record(d, actor, source, "reception_outcome", case, snapshot(case),
                 {"reception_id": r.id, "note": f"{label(r, leader.name)} {what}:{mask_numbers(text)[:500]}"})
    return Outcome(True, f"已记录案件 {case.number} 的领导{what}结果", case=case)


@transactional
async def cancel(d: Domain, actor: Actor, reception_id: int, *, source: Platform) -> Outcome:
    """取消接访: the center calls a reception or visit off (its reminders with it); those who booked citizens into
    it are told by the caller, to let the citizens know."""
    r = await Reception.select_for_update().get_or_none(id=reception_id, status="planned")
    if r is None:
        raise NotFound("找不到这场接访或下访安排")
    if actor.staff_id != r.leader_id and not await in_center(actor, r.region_id):
        raise Refused("取消接访由接访领导或中心的调度员、管理员登记")
    _check_day(d, r.day)
    r.status, r.remind_eve_at, r.remind_day_at = "cancelled", None, None
    await r.save(update_fields=["status", "remind_eve_at", "remind_day_at"])
    await audit.append(at=d.clock.now(), actor_id=actor.staff_id, actor_name=actor.name, source=source.value,
                       action="cancel_reception", entity="reception", entity_id=r.id, case_id=None,
                       before={"status": "planned"}, after={"status": "cancelled"}, region_id=r.region_id)
    leader = await Staff.get(id=r.leader_id)
    booked = await ReceptionItem.filter(reception_id=r.id).count()
    what = "下访" if r.kind == "visit" else "接访"
    return Outcome(True, f"已取消{what}:{label(r, leader.name)}" + (f",涉及 {booked} 项预约或带件" if booked else ""))
