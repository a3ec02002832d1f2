"""排查 on the clock: the weekly round opens at the org file's day and time, once however many engines run
(its unique key, `weekly:<Monday>:<root region>`, is the claim, committed with its prompts); each unanswered
screening is reminded once (its `remind_at`, cleared by the claim); when a round closes (its `close_at`,
cleared by the claim) what is unanswered is missed — each worker is told, each village's mediators get their
grids, each township's center the whole list with the coverage. Direct messages only, and never handed to an
AB岗 backup (scheduler/ab.py): a backup's 零报告 would answer their own screening, not the absent one's grid."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.models import Model
from tortoise.transactions import in_transaction

from bot.outbox import enqueue
from bot.screening_texts import prompt_text, reminder_text
from bot.types import Outbound, Target
from core.clock import fmt_local, local
from core.enums import Level, Platform, Role
from core.grid_settings import load_screening
from core.models import Region, Screening, ScreeningRound, Staff
from core.regions import ancestor_ids
from core.routing import dispatchers_for
from core.services import screening
from core.services.base import Actor, Domain

SYSTEM = Actor.system("定时任务")
RULES: tuple[tuple[str, type[Model], str, dict[str, str]], ...] = (("remind_screening", Screening, "remind_at", {"status": "open"}),
         ("close_screening_round", ScreeningRound, "close_at", {}))


def _dm(staff_id: int, text: str) -> Outbound:
    return Outbound(target=Target(staff_id=staff_id), text=text)


async def weekly_round(d: Domain) -> int:
    """This week's rounds (one per top of the region tree), from the week's prompt time until their close: an
    engine down on the day catches up. The number opened now."""
    plan = await load_screening()
    now = d.clock.now()
    moment = plan.prompt_at(local(now).date())
    due = d.calendar.shift(moment, plan.answer_within)
    if not moment <= now < due:
        return 0
    opened = 0
    for root in await Region.filter(parent_id=None, active=True).order_by("id"):
        opened += await _open_weekly(d, f"weekly:{moment.date() - timedelta(days=moment.weekday())}:{root.id}", root,
                                     due, d.calendar.shift(moment, plan.remind_after))
    return opened


async def _open_weekly(d: Domain, key: str, root: Region, due: datetime, remind: datetime) -> int:
    if await ScreeningRound.exists(key=key):
        return 0
    try:
        async with in_transaction():
            opened = await screening.open_round(d, SYSTEM, kind="weekly", key=key, topic="", area=root, due_at=due,
                                                remind_at=remind, source=Platform.SYSTEM)
            await enqueue([_dm(s.staff_id, prompt_text(opened.round)) for s in opened.screenings], d.clock.now())
    except IntegrityError:
        return 0  # another engine opened it a moment ago
    return 1


async def remind_screening(d: Domain, screening_id: int) -> bool:
    now = d.clock.now()
    async with in_transaction():
        if not await Screening.filter(id=screening_id, status="open", remind_at__lte=now).update(remind_at=None):
            return False
        row = await Screening.get(id=screening_id).prefetch_related("round")
        await enqueue([_dm(row.staff_id, reminder_text(row.round))], now)
    return True


def coverage_line(rows: list[Screening]) -> str:
    zero = sum(1 for s in rows if s.status == "zero")
    found = sum(1 for s in rows if s.status == "found")
    missed = sum(1 for s in rows if s.status in ("open", "missed"))
    done = len(rows) - missed
    rate = f"{done / len(rows) * 100:.1f}%" if rows else "—"
    return f"应报 {len(rows)} 个网格,已报 {done} 个(零报告 {zero},有发现 {found}),未报 {missed} 个,报送率 {rate}"


async def _listed(r: ScreeningRound, rows: list[Screening], missed: list[Screening]) -> list[Outbound]:
    regions = {g.id: g for g in await Region.all()}
    names = {s.id: s.name for s in await Staff.filter(id__in=[m.staff_id for m in missed])}
    label = screening.round_label(r)
    by_village: dict[int, list[str]] = defaultdict(list)
    by_township: dict[int, list[str]] = defaultdict(list)
    for m in missed:
        chain = [regions[i] for i in ancestor_ids(regions[m.grid_id])]
        item = f"{regions[m.grid_id].name}(网格员 {names.get(m.staff_id, '?')})"
        for level, acc in ((Level.VILLAGE, by_village), (Level.TOWNSHIP, by_township)):
            above = next((g for g in chain if g.level == level.value), None)
            if above is not None:
                acc[above.id].append(item)
    out = []
    for village_id, items in by_village.items():
        mediators = await Staff.filter(region_id=village_id, active=True)
        out += [_dm(s.id, f"【排查未报】{label}已截止,本村(社区)未报送的网格:" + "、".join(items))
                for s in mediators if Role.VILLAGE_MEDIATOR.value in s.roles]
    told: set[int] = set()
    for township_id, items in by_township.items():
        for s in await dispatchers_for(regions[township_id]):
            told.add(s.id)
            out.append(_dm(s.id, f"【排查未报】{label}已截止:{coverage_line(rows)}。未报送:" + "、".join(items)))
    if r.created_by_id is not None and r.created_by_id not in told:
        out.append(_dm(r.created_by_id, f"【排查结果】{label}已截止:{coverage_line(rows)}"
                                        + ("。未报送:" + "、".join(i for v in by_township.values() for i in v)
                                           if missed else "")))
    return out


async def close_screening_round(d: Domain, round_id: int) -> bool:
    now = d.clock.now()
    async with in_transaction():
        if not await ScreeningRound.filter(id=round_id, close_at__lte=now).update(close_at=None):
            return False
        r = await ScreeningRound.get(id=round_id)
        missed = await Screening.filter(round_id=round_id, status="open").order_by("grid_id")
        await Screening.filter(round_id=round_id, status="open").update(status="missed", remind_at=None)
        for m in missed:
            m.status = "missed"
        rows = await Screening.filter(round_id=round_id)
        out = [_dm(m.staff_id, f"【排查逾期】{screening.round_label(r)}已于 {fmt_local(r.due_at)} 截止,您未报送,"
                               "已列入未报名单;如发现矛盾纠纷请直接发送「上报 情况」") for m in missed]
        await enqueue(out + await _listed(r, rows, missed), now)
    return True


async def due_rows(now: datetime, limit: int) -> list[tuple[str, int, datetime]]:
    """(job, id, due) of what is due, for the sweep (scheduler/sweep.py)."""
    out: list[tuple[str, int, datetime]] = []
    for job, model, column, where in RULES:
        rows = await model.filter(**where, **{f"{column}__lte": now}).order_by(column).limit(limit) \
            .values_list("id", column)
        out += [(job, int(i), at) for i, at in rows]
    return out


JOBS = {"remind_screening": remind_screening, "close_screening_round": close_screening_round}
