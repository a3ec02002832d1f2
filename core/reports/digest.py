"""The numbers of a 会商研判 digest (daily stand-up and 四个一), computed with counts and GROUP BY."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from tortoise.functions import Count

from core.clock import local
from core.enums import OPEN_CASE_STATUSES, OPEN_TASK_STATUSES, Category, Flag
from core.models import Case, EscalationRecord, Region, Task
from core.policy import load_policy
from core.regions import village_of
from core.reports import grid_routine, indicators, kpi
from core.reports.periods import Kind, Period, period_of
from core.reports.sql import json_has, local_day, rows

OPEN_CASES = [s.value for s in OPEN_CASE_STATUSES]
OPEN_TASKS = [s.value for s in OPEN_TASK_STATUSES]


@dataclass
class Digest:
    period: Period
    center: str
    new: int = 0
    resolved: int = 0
    open_now: int = 0
    overdue: int = 0
    due_next_day: int = 0
    escalated: int = 0
    settled_on_spot: int = 0
    sensitive_new: int = 0
    by_category: list[tuple[str, int]] = field(default_factory=list)
    by_village: list[tuple[str, int]] = field(default_factory=list)
    trend: list[tuple[date, int]] = field(default_factory=list)
    recent: list[tuple[date, int]] = field(default_factory=list)  # new per day over the chart's window
    open_by_category: list[tuple[str, int]] = field(default_factory=list)  # open cases at the period's end
    open_by_village: list[tuple[str, int]] = field(default_factory=list)
    supervised: list[tuple[str, str]] = field(default_factory=list)  # (number, category) of non-sensitive cases
    supervised_sensitive: int = 0
    total: kpi.Kpi = field(default_factory=lambda: kpi.Kpi("全部"))
    departments: list[kpi.Kpi] = field(default_factory=list)
    backlog: indicators.Indicators | None = None  # 1减2降1升, for a month or longer
    grid: grid_routine.GridRoutine | None = None  # 排查 coverage and 走访 logs, for a week or longer


MONTHLY_OR_LONGER = (Kind.MONTHLY, Kind.QUARTERLY, Kind.HALFYEAR)
CHART_DAYS = {Kind.DAILY: 7, Kind.WEEKLY: 30}  # a day or a week alone is too short to show a trend


INTAKE_SQL = """
SELECT region_id AS r, category AS c, COUNT(*) AS n,
  SUM(CASE WHEN settled_on_spot THEN 1 ELSE 0 END) AS on_spot,
  SUM(CASE WHEN {sensitive} THEN 1 ELSE 0 END) AS sensitive
FROM "case" WHERE created_at >= {{0}} AND created_at < {{1}} GROUP BY region_id, category
"""


async def _intake(d: Digest, start: datetime, end: datetime) -> None:
    """New cases by place and category in one pass: the totals, 涉敏 (flags matched as text in the
    database), 当场调处, by category, by village."""
    regions = {r.id: r for r in await Region.all()}
    cats: dict[str, int] = defaultdict(int)
    villages: dict[str, int] = defaultdict(int)
    for r in await rows(INTAKE_SQL.format(sensitive=json_has("flags", Flag.SENSITIVE.value)), [start, end]):
        n = int(r["n"])
        d.new += n
        d.settled_on_spot += int(r["on_spot"] or 0)
        d.sensitive_new += int(r["sensitive"] or 0)
        cats[Category(r["c"]).label] += n
        villages[village_of(regions[r["r"]], regions).name] += n
    d.by_category, d.by_village = _ranked(cats), _ranked(villages)


def chart_window(period: Period) -> Period:
    """The days the chart's trend covers: the last 7 days for a daily digest, 30 for a weekly one, else the
    period itself."""
    days = CHART_DAYS.get(period.kind, 0)
    first = min(period.first, period.last - timedelta(days=days - 1)) if days else period.first
    return Period(period.kind, first, period.last)


async def _trend(d: Digest, start: datetime, end: datetime) -> None:
    window = chart_window(d.period)
    day_sql = local_day("created_at")
    per_day = {r["d"]: int(r["n"]) for r in await rows(
        f'SELECT {day_sql} AS d, COUNT(*) AS n FROM "case" WHERE created_at >= {{0}} AND created_at < {{1}} '
        f"GROUP BY {day_sql}", [window.start, end])}
    d.recent = [(x, per_day.get(x.isoformat(), 0)) for x in window.days]
    d.trend = [(x, n) for x, n in d.recent if x >= d.period.first]


def _ranked(counts: dict[str, int]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


async def _open_work(d: Digest, end: datetime) -> None:
    """Cases still open that were reported before the period's end, by category and by village."""
    regions = {r.id: r for r in await Region.all()}
    cats: dict[str, int] = defaultdict(int)
    villages: dict[str, int] = defaultdict(int)
    for r in await Case.filter(status__in=OPEN_CASES, created_at__lt=end).annotate(n=Count("id")) \
            .group_by("region_id", "category").values("region_id", "category", "n"):
        cats[Category(r["category"]).label] += int(r["n"])
        villages[village_of(regions[r["region_id"]], regions).name] += int(r["n"])
    d.open_by_category, d.open_by_village = _ranked(cats), _ranked(villages)


async def _work(d: Digest, start: datetime, end: datetime, now: datetime) -> None:
    d.resolved = await Case.filter(resolved_at__gte=start, resolved_at__lt=end).count()
    d.open_now = await Case.filter(status__in=OPEN_CASES, created_at__lt=end).count()
    cutoff = min(end, now)
    d.overdue = await Task.filter(status__in=OPEN_TASKS, deadline__lt=cutoff).count()
    d.due_next_day = await Task.filter(status__in=OPEN_TASKS, deadline__gte=end,
                                       deadline__lt=end + timedelta(days=1)).count()
    d.escalated = await EscalationRecord.filter(at__gte=start, at__lt=end).count()
    supervised = await Case.filter(supervised_at__isnull=False, status__in=OPEN_CASES).order_by("number")
    for case in supervised:
        if Flag.SENSITIVE.value in case.flags:
            d.supervised_sensitive += 1
        else:
            d.supervised.append((case.number, Category(case.category).label))


async def _kpis(d: Digest, start: datetime, end: datetime) -> None:
    d.total = await kpi.overall(start, end)
    d.departments = sorted(await kpi.by_department(start, end), key=lambda k: -(k.tasks))


async def _backlog(d: Digest) -> None:
    if d.period.kind in MONTHLY_OR_LONGER:
        d.backlog = await indicators.build(d.period.first, d.period.last)


async def _grid(d: Digest, start: datetime, end: datetime) -> None:
    if d.period.kind is not Kind.DAILY:
        d.grid = await grid_routine.build(start, end)


async def build(kind: Kind, day: date, now: datetime) -> Digest:
    """The parts are independent and run side by side (on PostgreSQL each on its own connection)."""
    period = period_of(kind, day)
    start, end = period.start, period.end
    d = Digest(period, (await load_policy()).center_name)
    await asyncio.gather(_intake(d, start, end), _trend(d, start, end), _work(d, start, end, now),
                         _kpis(d, start, end), _backlog(d), _open_work(d, end), _grid(d, start, end))
    return d


def local_today(now: datetime) -> date:
    return local(now).date()
