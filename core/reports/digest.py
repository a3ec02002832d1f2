"""The numbers of a 会商研判 digest (daily stand-up and 四个一), computed with counts and GROUP BY."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from tortoise.functions import Count

from core.clock import local
from core.enums import OPEN_CASE_STATUSES, OPEN_TASK_STATUSES, Category, Flag
from core.models import Case, EscalationRecord, Region, Task
from core.policy import load_policy
from core.regions import village_of
from core.reports import indicators, kpi
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
    supervised: list[tuple[str, str]] = field(default_factory=list)  # (number, category) of non-sensitive cases
    supervised_sensitive: int = 0
    total: kpi.Kpi = field(default_factory=lambda: kpi.Kpi("全部"))
    departments: list[kpi.Kpi] = field(default_factory=list)
    backlog: indicators.Indicators | None = None  # 1减2降1升, for a month or longer


MONTHLY_OR_LONGER = (Kind.MONTHLY, Kind.QUARTERLY, Kind.HALFYEAR)


async def _by_village(start: datetime, end: datetime) -> list[tuple[str, int]]:
    regions = {r.id: r for r in await Region.all()}
    grouped = await Case.filter(created_at__gte=start, created_at__lt=end).annotate(n=Count("id")) \
        .group_by("region_id").values("region_id", "n")
    out: dict[str, int] = {}
    for g in grouped:
        region = regions[g["region_id"]]
        village = village_of(region, regions)
        out[village.name] = out.get(village.name, 0) + int(g["n"])
    return sorted(out.items(), key=lambda kv: (-kv[1], kv[0]))


async def build(kind: Kind, day: date, now: datetime) -> Digest:
    period = period_of(kind, day)
    start, end = period.start, period.end
    policy = await load_policy()
    d = Digest(period, policy.center_name)
    in_period = Case.filter(created_at__gte=start, created_at__lt=end)
    d.new = await in_period.count()
    # flags live in a JSON list: matched as text in the database, not loaded case by case
    found = await rows(f'SELECT COUNT(*) AS n FROM "case" WHERE created_at >= {{0}} AND created_at < {{1}} AND '
                       f'{json_has("flags", Flag.SENSITIVE.value)}', [start, end])
    d.sensitive_new = int(found[0]["n"] or 0)
    d.settled_on_spot = await in_period.filter(settled_on_spot=True).count()
    d.resolved = await Case.filter(resolved_at__gte=start, resolved_at__lt=end).count()
    d.open_now = await Case.filter(status__in=OPEN_CASES, created_at__lt=end).count()
    cutoff = min(end, now)
    d.overdue = await Task.filter(status__in=OPEN_TASKS, deadline__lt=cutoff).count()
    d.due_next_day = await Task.filter(status__in=OPEN_TASKS, deadline__gte=end,
                                       deadline__lt=end + timedelta(days=1)).count()
    d.escalated = await EscalationRecord.filter(at__gte=start, at__lt=end).count()
    cats = await in_period.annotate(n=Count("id")).group_by("category").values("category", "n")
    d.by_category = sorted(((Category(c["category"]).label, int(c["n"])) for c in cats), key=lambda kv: (-kv[1], kv[0]))
    d.by_village = await _by_village(start, end)
    day_sql = local_day("created_at")
    per_day = {r["d"]: int(r["n"]) for r in await rows(
        f'SELECT {day_sql} AS d, COUNT(*) AS n FROM "case" WHERE created_at >= {{0}} AND created_at < {{1}} '
        f"GROUP BY {day_sql}", [start, end])}
    d.trend = [(x, per_day.get(x.isoformat(), 0)) for x in period.days]
    supervised = await Case.filter(supervised_at__isnull=False, status__in=OPEN_CASES).order_by("number")
    for case in supervised:
        if Flag.SENSITIVE.value in case.flags:
            d.supervised_sensitive += 1
        else:
            d.supervised.append((case.number, Category(case.category).label))
    d.total = await kpi.overall(start, end)
    d.departments = sorted(await kpi.by_department(start, end), key=lambda k: -(k.tasks))
    if kind in MONTHLY_OR_LONGER:
        d.backlog = await indicators.build(period.first, period.last)
    return d


def local_today(now: datetime) -> date:
    return local(now).date()
