"""The 考核通报 of a period: the digest's numbers, 1减2降1升 by township, rankings of every cohort with
their 红黑榜, 以奖代补 and 金牌调解员 candidates, and the 书记督办 list. Data only, and nothing in it names
a party: it goes to leaders and, as a summary, to their group."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import date, datetime

from core.enums import OPEN_CASE_STATUSES, CaseStatus, Category, Flag
from core.models import Case, Region, Staff
from core.regions import village_of
from core.reports import digest, evaluation
from core.reports.digest import Digest
from core.reports.indicators import Indicators
from core.reports.indicators import build as build_indicators
from core.reports.periods import Kind, Period, period_of
from core.reports.scoring import Entry, Evaluation, load_evaluation, red_black

COHORTS = {"village": "村(社区)", "grid_worker": "网格员", "department": "进驻部门", "person": "进驻人员",
           "mediator": "调解员"}
OPEN = [s.value for s in OPEN_CASE_STATUSES]


@dataclass
class Supervised:
    number: str
    category: str
    village: str
    supervised_at: datetime
    meeting_date: date | None
    supervisor: str
    status: str
    days: int


@dataclass
class Bulletin:
    period: Period
    center: str
    digest: Digest
    backlog: Indicators
    evaluation: Evaluation
    rankings: dict[str, list[Entry]]
    lists: dict[str, tuple[list[Entry], list[Entry]]]
    supervised: list[Supervised] = field(default_factory=list)
    supervised_sensitive: int = 0

    @property
    def gold(self) -> list[Entry]:
        return [e for e in self.rankings["mediator"] if e.extra.get("gold")]

    @property
    def subsidy_total(self) -> float:
        return sum(float(e.extra.get("subsidy") or 0) for e in self.rankings["mediator"])


async def _supervised(period: Period, now: datetime) -> tuple[list[Supervised], int]:
    """Cases put under 书记督办 in the period, and any still open under it."""
    cases = await Case.filter(supervised_at__isnull=False, supervised_at__lt=period.end).order_by("supervised_at", "id")
    cases = [c for c in cases if c.status in OPEN or (c.supervised_at and c.supervised_at >= period.start)]
    regions = {r.id: r for r in await Region.filter(id__in=list({c.region_id for c in cases}) or [0])}
    if regions:
        ancestors = {int(i) for r in regions.values() for i in r.path.strip("/").split("/") if i}
        regions.update({r.id: r for r in await Region.filter(id__in=list(ancestors))})
    names = {s["id"]: s["name"] for s in await Staff.filter(id__in=[c.supervisor_id for c in cases if c.supervisor_id])
             .values("id", "name")}
    out, sensitive = [], 0
    for c in cases:
        if Flag.SENSITIVE.value in c.flags:
            sensitive += 1
            continue
        assert c.supervised_at is not None
        stop = c.resolved_at if c.resolved_at and c.status not in OPEN else now
        out.append(Supervised(c.number, Category(c.category).label,
                              village_of(regions[c.region_id], regions).name if c.region_id in regions else "",
                              c.supervised_at, c.meeting_date, names.get(c.supervisor_id or 0, ""),
                              CaseStatus(c.status).label, max(0, (stop - c.supervised_at).days)))
    return out, sensitive


async def build(kind: Kind, day: date, now: datetime) -> Bulletin:
    """Every part is independent: they run side by side (on PostgreSQL each on a connection of its own)."""
    period = period_of(kind, day)
    ev = await load_evaluation()
    start, end, cutoff = period.start, period.end, min(period.end, now)
    built, villages, grid, (depts, staff), mediators, (supervised, sensitive) = await asyncio.gather(
        digest.build(kind, day, now), evaluation.villages(start, end, ev), evaluation.grid_workers(start, end, ev),
        evaluation.task_cohorts(start, end, cutoff, ev), evaluation.mediators(start, end, ev), _supervised(period, now))
    backlog = built.backlog or await build_indicators(period.first, period.last)
    rankings = {"village": villages, "grid_worker": grid, "department": depts, "person": staff, "mediator": mediators}
    lists = {k: red_black(v, ev.list_size) for k, v in rankings.items() if k != "mediator"}
    return Bulletin(period, built.center, built, backlog, ev, rankings, lists, supervised, sensitive)
