"""排查: rounds of screening and each grid worker's answer. A weekly round is opened by the scheduler (the
org file's `screening:` day and time); a 专项排查 campaign by a leader (topic, area, period). Every grid worker
whose grid lies in the round's area answers once: 零报告, or findings (each one goes on to the report draft
flow in chat). What is unanswered when the round closes is missed (scheduler/screening_jobs.py)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from core import audit
from core.clock import DISPLAY_TZ, local
from core.enums import Level, Platform, Role
from core.errors import InvalidInput, NotFound, Refused
from core.models import Region, Screening, ScreeningRound, Staff
from core.services.base import Actor, Domain, note_text

ORGANISERS = (Role.LEADER, Role.SECRETARY, Role.DISPATCHER, Role.ADMIN)
MAX_TOPIC = 200
MAX_CAMPAIGN_DAYS = 60
CAMPAIGN_CLOSES = 18  # a campaign closes at 18:00 Beijing time on its last day


@dataclass(frozen=True)
class Opened:
    round: ScreeningRound
    screenings: list[Screening] = field(default_factory=list)


@dataclass(frozen=True)
class Answered:
    screening: Screening
    round: ScreeningRound
    message: str


def round_label(r: ScreeningRound) -> str:
    if r.kind == "weekly":
        return f"{local(r.started_at):%m月%d日}当周矛盾纠纷排查"
    return f"专项排查「{r.topic}」"


async def _audit(d: Domain, actor: Actor, source: Platform, action: str, entity: str, entity_id: int,
                 after: dict[str, object], region_id: int | None) -> None:
    await audit.append(at=d.clock.now(), actor_id=actor.staff_id, actor_name=actor.name, source=source.value,
                       action=action, entity=entity, entity_id=entity_id, case_id=None, before={}, after=after,
                       region_id=region_id)


async def grid_workers_in(area: Region) -> list[tuple[Staff, Region]]:
    """Active grid workers whose grid lies in `area` (the area itself when it is a grid), with the grid."""
    grids = {r.id: r for r in await Region.filter(path__startswith=area.path, level=Level.GRID.value, active=True)}
    workers = await Staff.filter(active=True, region_id__in=list(grids)).order_by("id")
    return [(s, grids[s.region_id]) for s in workers if Role.GRID_WORKER.value in s.roles and s.region_id]


async def open_round(d: Domain, actor: Actor, *, kind: str, key: str, topic: str, area: Region, due_at: datetime,
                     remind_at: datetime | None, source: Platform) -> Opened:
    """A round and one open screening per grid worker in `area`. The key is unique: the caller that opens a
    weekly round catches the IntegrityError a second engine gets, outside its transaction."""
    now = d.clock.now()
    async with in_transaction():
        row = await ScreeningRound.create(kind=kind, key=key, topic=topic, region_id=area.id, started_at=now,
                                          due_at=due_at, close_at=due_at, created_by_id=actor.staff_id)
        screenings = [await Screening.create(round_id=row.id, staff_id=s.id, grid_id=g.id,
                                             remind_at=remind_at if remind_at and now < remind_at < due_at else None)
                      for s, g in await grid_workers_in(area)]
        await _audit(d, actor, source, "open_screening", "screening_round", row.id,
                     {"kind": kind, "topic": topic, "workers": len(screenings), "due_at": due_at.isoformat()}, area.id)
    return Opened(row, screenings)


def campaign_due(now: datetime, days: int) -> datetime:
    """The last day of a campaign of `days` days starting today, at 18:00 Beijing time."""
    if not 1 <= days <= MAX_CAMPAIGN_DAYS:
        raise InvalidInput(f"专项排查期限应为 1 到 {MAX_CAMPAIGN_DAYS} 天")
    last = local(now).date() + timedelta(days=days - 1)
    return datetime(last.year, last.month, last.day, CAMPAIGN_CLOSES, tzinfo=DISPLAY_TZ)


async def start_campaign(d: Domain, actor: Actor, topic: str, area_id: int, due_at: datetime, *,
                         source: Platform) -> Opened:
    """专项排查: every grid worker in the area must answer by `due_at`; reminded a day before."""
    if actor.is_system or not actor.has(*ORGANISERS):
        raise Refused("只有领导、书记或中心调度员可以发起专项排查")
    topic = note_text(topic, "排查主题")
    if len(topic) > MAX_TOPIC:
        raise InvalidInput(f"排查主题过长,请控制在 {MAX_TOPIC} 字以内")
    area = await Region.get_or_none(id=area_id, active=True)
    if area is None:
        raise NotFound("找不到排查区域")
    if actor.scope_path is not None and not area.path.startswith(actor.scope_path):
        raise Refused(f"{area.name}不在您的管辖范围内")
    now = d.clock.now()
    if due_at <= now:
        raise InvalidInput("排查截止时间已过,请重新设定期限")
    if not await grid_workers_in(area):
        raise InvalidInput(f"{area.name}没有网格员,无法开展专项排查")
    return await open_round(d, actor, kind="campaign", key=f"campaign:{uuid.uuid4().hex}", topic=topic, area=area,
                            due_at=due_at, remind_at=due_at - timedelta(days=1), source=source)


async def open_screenings(staff_id: int) -> list[Screening]:
    """A person's screenings still to answer, oldest round first (their rounds prefetched)."""
    return await Screening.filter(staff_id=staff_id, status="open").order_by("round_id").prefetch_related("round")


async def _claim(actor: Actor, screening_id: int) -> tuple[Screening, ScreeningRound]:
    row = await Screening.filter(id=screening_id).select_for_update().first()
    if row is None:
        raise NotFound("找不到该排查")
    if row.staff_id != actor.staff_id:
        raise Refused("这不是您的排查任务")
    found = await ScreeningRound.get(id=row.round_id)
    if row.status == "missed":
        raise InvalidInput(f"{round_label(found)}已截止,如有矛盾纠纷请直接发送「上报 情况」")
    return row, found


async def zero_report(d: Domain, actor: Actor, screening_id: int, *, source: Platform) -> Answered:
    """零报告: nothing found this round."""
    async with in_transaction():
        row, found = await _claim(actor, screening_id)
        if row.status != "open":
            return Answered(row, found, f"{round_label(found)}已报送,无需重复")
        row.status, row.answered_at, row.remind_at = "zero", d.clock.now(), None
        await row.save(update_fields=["status", "answered_at", "remind_at"])
        await _audit(d, actor, source, "screening_zero", "screening", row.id, {"status": "zero"}, row.grid_id)
    return Answered(row, found, f"已记录{round_label(found)}:零报告")


async def record_finding(d: Domain, actor: Actor, screening_id: int, *, source: Platform) -> Answered:
    """A finding: counted on the screening (the finding's words go on to a report, not here)."""
    async with in_transaction():
        row, found = await _claim(actor, screening_id)
        row.status, row.findings, row.remind_at = "found", row.findings + 1, None
        row.answered_at = row.answered_at or d.clock.now()
        await row.save(update_fields=["status", "findings", "answered_at", "remind_at"])
        await _audit(d, actor, source, "screening_finding", "screening", row.id, {"findings": row.findings},
                     row.grid_id)
    return Answered(row, found, f"已记录{round_label(found)}发现第 {row.findings} 条,请在卡片上确认上报")
