"""What the 综合信息指挥室 screen shows: today's intake, what is open, overdue and under 书记督办, each
township's villages shaded by open cases and warnings, thirty days of reports by category, and the 督办
list. Counts, village names, categories and case numbers only — never a party, a phone number or what a
report says — and 涉敏 cases as a count."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any

from core.clock import DISPLAY_TZ, local
from core.enums import OPEN_CASE_STATUSES, OPEN_TASK_STATUSES, Category, Flag, Level
from core.models import Case, Region, Task
from core.policy import load_policy
from core.regions import ancestor_ids
from core.reports.sql import local_day, rows
from core.reports.warning import Grade, spikes

TREND_DAYS = 30
TOP_CATEGORIES = 6
OPEN = [s.value for s in OPEN_CASE_STATUSES]
GRADE_ORDER = {None: 0, Grade.BLUE: 1, Grade.YELLOW: 2, Grade.ORANGE: 3, Grade.RED: 4}


@dataclass
class Screen:
    center: str
    at: datetime
    today: dict[str, int]
    counts: dict[str, int]
    tree: list[dict[str, Any]]
    trend: dict[str, Any]
    supervised: list[dict[str, Any]]
    supervised_sensitive: int
    warnings: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"center": self.center, "at": self.at.isoformat(), "today": self.today, "counts": self.counts,
                "tree": self.tree, "trend": self.trend, "supervised": self.supervised,
                "supervised_sensitive": self.supervised_sensitive, "warnings": self.warnings}


def _day_start(now: datetime) -> datetime:
    return datetime.combine(local(now).date(), time(0), tzinfo=DISPLAY_TZ).astimezone(UTC)


async def _counts(now: datetime) -> tuple[dict[str, int], dict[str, int]]:
    start = _day_start(now)
    today_cases = Case.filter(created_at__gte=start, created_at__lte=now)
    today = {"new": await today_cases.count(), "on_spot": await today_cases.filter(settled_on_spot=True).count(),
             "resolved": await Case.filter(resolved_at__gte=start, resolved_at__lte=now).count()}
    counts = {"open": await Case.filter(status__in=OPEN).count(),
              "overdue": await Task.filter(status__in=[s.value for s in OPEN_TASK_STATUSES], deadline__lt=now).count(),
              "supervised": await Case.filter(status__in=OPEN, supervised_at__isnull=False).count(),
              "backlog": await Case.filter(backlog=True, backlog_struck_at__isnull=True).count()}
    return today, counts


def _village_of(region: Region, regions: dict[int, Region], level: Level) -> Region | None:
    return next((regions[i] for i in ancestor_ids(region) if i in regions and regions[i].level == level.value), None)


async def _tree(now: datetime, regions: dict[int, Region]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    open_by_region = await rows('SELECT region_id AS r, COUNT(*) AS n FROM "case" WHERE status IN ('
                                + ", ".join(f"'{s}'" for s in OPEN) + ") GROUP BY region_id", [])
    open_by_village: dict[int, int] = defaultdict(int)
    for found in open_by_region:
        village = _village_of(regions[found["r"]], regions, Level.VILLAGE)
        if village is not None:
            open_by_village[village.id] += int(found["n"])
    grade: dict[int, Grade] = {}
    warnings = []
    for s in await spikes(now):
        if GRADE_ORDER[s.grade] > GRADE_ORDER[grade.get(s.village_id)]:
            grade[s.village_id] = s.grade
        warnings.append({"village": s.village, "category": Category(s.category).label, "grade": s.grade.value,
                         "label": s.grade.label, "count": s.count})
    towns = sorted((r for r in regions.values() if r.level == Level.TOWNSHIP.value and r.active), key=lambda r: r.id)
    villages: dict[int, list[Region]] = defaultdict(list)
    for r in regions.values():
        if r.level == Level.VILLAGE.value and r.active and r.parent_id is not None:
            villages[r.parent_id].append(r)
    tree: list[dict[str, Any]] = []
    for town in towns:
        kids = [{"name": v.name, "open": open_by_village.get(v.id, 0),
                 "warning": grade[v.id].value if v.id in grade else None} for v in sorted(villages[town.id], key=lambda r: r.id)]
        tree.append({"name": town.name, "open": sum(open_by_village.get(v.id, 0) for v in villages[town.id]),
                     "villages": kids})
    return tree, warnings


async def _trend(now: datetime) -> dict[str, Any]:
    first = local(now).date() - timedelta(days=TREND_DAYS - 1)
    start = datetime.combine(first, time(0), tzinfo=DISPLAY_TZ).astimezone(UTC)
    day = local_day("created_at")
    found = await rows(f'SELECT {day} AS d, category AS c, COUNT(*) AS n FROM "case" WHERE created_at >= {{0}} '
                       f"AND created_at <= {{1}} GROUP BY {day}, category", [start, now])
    days = [(first + timedelta(days=i)).isoformat() for i in range(TREND_DAYS)]
    totals: dict[str, int] = defaultdict(int)
    cells: dict[tuple[str, str], int] = defaultdict(int)
    for r in found:
        totals[r["c"]] += int(r["n"])
        cells[(r["c"], r["d"])] += int(r["n"])
    top = sorted(totals, key=lambda c: (-totals[c], c))[:TOP_CATEGORIES]
    series = [{"name": Category(c).label, "counts": [cells[(c, d)] for d in days]} for c in top]
    rest = [c for c in totals if c not in top]
    if rest:
        series.append({"name": "其他类别", "counts": [sum(cells[(c, d)] for c in rest) for d in days]})
    return {"days": days, "series": series}


async def _supervised(now: datetime, regions: dict[int, Region]) -> tuple[list[dict[str, Any]], int]:
    cases = await Case.filter(status__in=OPEN, supervised_at__isnull=False).order_by("supervised_at", "id").limit(200)
    out, sensitive = [], 0
    for c in cases:
        if Flag.SENSITIVE.value in c.flags:
            sensitive += 1
            continue
        village = _village_of(regions[c.region_id], regions, Level.VILLAGE) if c.region_id in regions else None
        assert c.supervised_at is not None
        out.append({"number": c.number, "category": Category(c.category).label, "village": village.name if village else "",
                    "days": max(0, (now - c.supervised_at).days),
                    "meeting": c.meeting_date.isoformat() if c.meeting_date else None})
    return out, sensitive


async def build(now: datetime) -> Screen:
    regions = {r.id: r for r in await Region.all()}
    today, counts = await _counts(now)
    tree, warnings = await _tree(now, regions)
    supervised, sensitive = await _supervised(now, regions)
    return Screen((await load_policy()).center_name, now, today, counts, tree, await _trend(now), supervised, sensitive,
                  warnings)
