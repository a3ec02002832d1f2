"""会商研判 meetings: the weekly 党政联席周会商 (where 书记督办 cases are reported) and the monthly 平安综治
维稳形势分析会 (seeds/000: 以会议纪要形式明确联席会议议定事项), with their 议定事项 — each with an owner and a
deadline, reminded one working day before (the scheduler's job: it asks `items_to_remind`) and tracked
until done.

A meeting's agenda is frozen when it is opened, from what the center knows that day: the cases on the
meeting's 督办 list and the numbers of the period before. Nothing in it names a party.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core import audit
from core.clock import local
from core.durations import Duration, Unit
from core.enums import OPEN_CASE_STATUSES, Category, Flag, Platform, Role
from core.errors import InvalidInput, NotFound, Refused
from core.models import Case, Meeting, MeetingItem, Staff
from core.reports import digest
from core.reports.periods import Kind
from core.services.base import Actor, Domain

MAX_TEXT = 2000
MAX_PEOPLE = 60
ORGANISERS = (Role.LEADER, Role.SECRETARY, Role.DISPATCHER, Role.ADMIN)


class MeetingKind(StrEnum):
    WEEKLY_JOINT = "weekly_joint"
    MONTHLY_STABILITY = "monthly_stability"
    SPECIAL = "special"

    @property
    def label(self) -> str:
        return {"weekly_joint": "党政联席周会商", "monthly_stability": "平安综治维稳形势分析会",
                "special": "专题调度会"}[self.value]


@dataclass(frozen=True)
class Opened:
    meeting: Meeting
    created: bool


def _may_organise(actor: Actor) -> None:
    if not actor.is_system and not actor.has(*ORGANISERS):
        raise Refused("只有领导、书记或中心调度员可以组织会商")


async def _people(ids: list[int]) -> list[int]:
    """The ids as given (order kept, repeats dropped), once each is an active person."""
    ids = list(dict.fromkeys(ids))
    if len(ids) > MAX_PEOPLE:
        raise InvalidInput(f"参会人员最多 {MAX_PEOPLE} 名")
    if await Staff.filter(id__in=ids, active=True).count() != len(ids):
        raise NotFound("参会人员中有人不存在或已停用")
    return ids


async def agenda_for(kind: MeetingKind, day: date, now: datetime) -> str:
    """What the meeting takes up: last week's (or month's) numbers and, weekly, the 书记督办 cases."""
    period_kind = Kind.MONTHLY if kind is MeetingKind.MONTHLY_STABILITY else Kind.WEEKLY
    before = day - timedelta(days=1 if period_kind is Kind.WEEKLY else day.day)
    d = await digest.build(period_kind, before, now)
    t = d.total
    lines = [f"{d.period.label}:新增矛盾纠纷 {d.new} 件,办结 {d.resolved} 件,在办 {d.open_now} 件,逾期任务 {d.overdue} 件,"
             f"上报上级 {d.escalated} 件;化解率 {_pct(t.settle_rate)},按期办结率 {_pct(t.on_time_rate)}。"]
    if d.by_category:
        lines.append("类别:" + "、".join(f"{n}{c}件" for n, c in d.by_category[:6]) + "。")
    if d.backlog is not None:
        b = d.backlog.total
        lines.append(f"1减2降1升:重复信访 {b.repeats} 件,越级信访率 {_pct(b.over_level_rate)},"
                     f"新增积案率 {_pct(b.new_backlog_rate)},积案化解率 {_pct(b.resolve_rate)}。")
    if kind is MeetingKind.WEEKLY_JOINT:
        cases = await Case.filter(meeting_date=day, status__in=[s.value for s in OPEN_CASE_STATUSES]).order_by("number")
        shown = [c for c in cases if Flag.SENSITIVE.value not in c.flags]
        hidden = len(cases) - len(shown)
        items = "、".join(f"{c.number}({Category(c.category).label})" for c in shown) or "无"
        lines.append(f"书记督办事项(包案领导汇报):{items}" + (f";另有涉敏 {hidden} 件" if hidden else "") + "。")
    return "\n".join(lines)


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v * 100:.1f}%"


async def open_meeting(d: Domain, actor: Actor, kind: MeetingKind, day: date, *, place: str = "",
                       chair_id: int | None = None, recorder_id: int | None = None, attendee_ids: list[int] | None = None,
                       guests: list[str] | None = None, source: Platform) -> Opened:
    """Open (or return) the meeting of `kind` on `day`, with its agenda frozen now."""
    _may_organise(actor)
    existing = await Meeting.get_or_none(kind=kind.value, day=day)
    if existing is not None:
        return Opened(existing, False)
    people = await _people([i for i in [chair_id, recorder_id, *(attendee_ids or [])] if i is not None])
    if any(len(g) > 100 for g in guests or []):
        raise InvalidInput("列席人员名称过长")
    now = d.clock.now()
    agenda = await agenda_for(kind, day, now)
    try:
        async with in_transaction():
            number = await Meeting.filter(kind=kind.value, day__gte=date(day.year, 1, 1),
                                          day__lt=date(day.year + 1, 1, 1)).count()
            meeting = await Meeting.create(
                kind=kind.value, day=day, number=number + 1, title=kind.label, place=place.strip()[:100],
                chair_id=chair_id, recorder_id=recorder_id, attendees=[i for i in people if i not in (chair_id, recorder_id)],
                guests=[g.strip() for g in guests or [] if g.strip()], agenda=agenda, created_by_id=actor.staff_id,
                created_at=now)
            await _audit(d, actor, source, "open_meeting", "meeting", meeting.id,
                         {"kind": kind.value, "day": day.isoformat()})
    except IntegrityError:  # opened by someone else a moment ago: that is the meeting
        return Opened(await Meeting.get(kind=kind.value, day=day), False)
    return Opened(meeting, True)


async def _audit(d: Domain, actor: Actor, source: Platform, action: str, entity: str, entity_id: int,
                 after: dict[str, object], case_id: int | None = None) -> None:
    await audit.append(at=d.clock.now(), actor_id=actor.staff_id, actor_name=actor.name, source=source.value,
                       action=action, entity=entity, entity_id=entity_id, case_id=case_id, before={}, after=after)


async def set_summary(d: Domain, actor: Actor, meeting_id: int, summary: str, *, source: Platform) -> Meeting:
    _may_organise(actor)
    meeting = await Meeting.get_or_none(id=meeting_id)
    if meeting is None:
        raise NotFound("找不到该会议")
    if len(summary) > MAX_TEXT * 5:
        raise InvalidInput("会议情况过长")
    async with in_transaction():
        meeting.summary = summary.strip()
        await meeting.save(update_fields=["summary"])
        await _audit(d, actor, source, "meeting_summary", "meeting", meeting.id, {"chars": len(meeting.summary)})
    return meeting


async def add_item(d: Domain, actor: Actor, meeting_id: int, content: str, owner_id: int, deadline: datetime, *,
                   case_id: int | None = None, source: Platform) -> MeetingItem:
    """议定事项: reminded one working day before its deadline."""
    _may_organise(actor)
    meeting = await Meeting.get_or_none(id=meeting_id)
    if meeting is None:
        raise NotFound("找不到该会议")
    if meeting.closed_at is not None:
        raise Refused(f"{meeting.title}(第{meeting.number}期)已散会,不能再记录议定事项")
    text = content.strip()
    if not text or len(text) > MAX_TEXT:
        raise InvalidInput(f"议定事项应为 1 到 {MAX_TEXT} 字")
    owner = await Staff.get_or_none(id=owner_id, active=True)
    if owner is None:
        raise NotFound("找不到责任人")
    now = d.clock.now()
    deadline = deadline.astimezone(UTC)  # UTC in storage: SQLite compares the stored text
    if deadline <= now:
        raise InvalidInput("完成时限应在将来")
    if case_id is not None and not await Case.exists(id=case_id):
        raise NotFound("找不到关联案件")
    remind = d.calendar.shift(deadline, Duration(1, Unit.WORKDAYS), backwards=True)
    async with in_transaction():
        seq = await MeetingItem.filter(meeting_id=meeting.id).count() + 1
        item = await MeetingItem.create(meeting_id=meeting.id, seq=seq, content=text, owner_id=owner.id, case_id=case_id,
                                        deadline=deadline, remind_at=remind if remind > now else None, overdue_at=deadline,
                                        created_at=now)
        await _audit(d, actor, source, "add_meeting_item", "meeting_item", item.id,
                     {"meeting_id": meeting.id, "owner_id": owner.id, "deadline": deadline}, case_id)
    return item


async def close_meeting(d: Domain, actor: Actor, meeting_id: int, *, source: Platform) -> Opened:
    """散会: the meeting takes no more 议定事项. `created` is False when it was closed already."""
    _may_organise(actor)
    async with in_transaction():
        meeting = await Meeting.select_for_update().get_or_none(id=meeting_id)
        if meeting is None:
            raise NotFound("找不到该会议")
        if meeting.closed_at is not None:
            return Opened(meeting, False)
        meeting.closed_at = d.clock.now()
        await meeting.save(update_fields=["closed_at"])
        items = await MeetingItem.filter(meeting_id=meeting.id).count()
        await _audit(d, actor, source, "close_meeting", "meeting", meeting.id, {"items": items})
    return Opened(meeting, True)


async def current_meeting(kind: MeetingKind | None) -> Meeting:
    """The meeting still open (of `kind` when given) that chat's 议定 and 散会 mean: the latest one."""
    found = Meeting.filter(closed_at__isnull=True)
    if kind is not None:
        found = found.filter(kind=kind.value)
    open_now = await found.order_by("-day", "-id").limit(2)
    if not open_now:
        raise NotFound(f"没有正在进行的{kind.label if kind else '会商'},请先发「会商 周会商」开始会议")
    if kind is None and len(open_now) > 1 and open_now[0].kind != open_now[1].kind:
        raise InvalidInput("有多个会议尚未散会,请写明会议名称,如「议定 周会商 …」")
    return open_now[0]


async def complete_item(d: Domain, actor: Actor, item_id: int, note: str = "", *, source: Platform) -> MeetingItem:
    """The owner (or an organiser) reports the item done."""
    item = await MeetingItem.get_or_none(id=item_id)
    if item is None:
        raise NotFound("找不到该议定事项")
    if actor.staff_id != item.owner_id and not actor.is_system and not actor.has(*ORGANISERS):
        raise Refused("只有责任人或会议组织人员可以报告议定事项完成")
    if item.status == "done":
        return item
    async with in_transaction():
        item.status, item.done_at, item.done_note = "done", d.clock.now(), note.strip()[:MAX_TEXT]
        item.remind_at = item.overdue_at = None
        await item.save(update_fields=["status", "done_at", "done_note", "remind_at", "overdue_at"])
        await _audit(d, actor, source, "complete_meeting_item", "meeting_item", item.id, {"note": item.done_note},
                     item.case_id)
    return item


async def items_to_remind(now: datetime) -> list[MeetingItem]:
    """Open items whose reminder is due (the scheduler sends it, then calls `reminded`)."""
    return await MeetingItem.filter(status="open", remind_at__lte=now.astimezone(UTC)).order_by("remind_at", "id")


async def reminded(item_id: int) -> bool:
    """Claim an item's reminder: True for the one process that clears it."""
    return bool(await MeetingItem.filter(id=item_id, status="open", remind_at__isnull=False).update(remind_at=None))


async def overdue_items(now: datetime) -> list[MeetingItem]:
    """Open items past their deadline not yet reported overdue (scheduler/meeting_jobs.py claims and tells)."""
    return await MeetingItem.filter(status="open", overdue_at__lt=now.astimezone(UTC)).order_by("overdue_at", "id")


def meeting_day_label(day: date) -> str:
    return f"{day:%Y年%m月%d日}(星期{'一二三四五六日'[day.weekday()]})"


def deadline_label(deadline: datetime) -> str:
    return f"{local(deadline):%Y年%m月%d日}"
