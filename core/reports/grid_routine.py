"""The grid's routine in numbers, for the digests and 考核: 排查 coverage (screenings answered / expected, for
rounds started in the period) per grid, village and township, and 走访 / 巡查 logs per grid and per worker.
Counts only: no log's words and no resident's name leave the table."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from core.enums import Level
from core.models import Region, Screening, VisitLog
from core.regions import ancestor_ids

ANSWERED = ("zero", "found")


@dataclass
class Tally:
    name: str
    expected: int = 0
    answered: int = 0

    @property
    def rate(self) -> float | None:
        return self.answered / self.expected if self.expected else None


@dataclass
class GridRoutine:
    expected: int = 0
    zero: int = 0
    found: int = 0
    townships: list[Tally] = field(default_factory=list)
    villages: list[Tally] = field(default_factory=list)
    missed_grids: list[tuple[str, int]] = field(default_factory=list)  # grid, screenings missed
    visits: list[tuple[str, int]] = field(default_factory=list)  # grid, logs

    @property
    def answered(self) -> int:
        return self.zero + self.found

    @property
    def rate(self) -> float | None:
        return self.answered / self.expected if self.expected else None


def _up(region: Region, regions: dict[int, Region], level: Level) -> Region | None:
    return next((regions[i] for i in ancestor_ids(region) if regions[i].level == level.value), None)


async def build(start: datetime, end: datetime) -> GridRoutine:
    regions = {r.id: r for r in await Region.all()}
    out = GridRoutine()
    acc: dict[Level, dict[int, Tally]] = {Level.TOWNSHIP: {}, Level.VILLAGE: {}}
    missed: dict[str, int] = defaultdict(int)
    rows = await Screening.filter(round__started_at__gte=start, round__started_at__lt=end).values_list(
        "grid_id", "status")
    for grid_id, status in rows:
        out.expected += 1
        out.zero += status == "zero"
        out.found += status == "found"
        grid = regions[int(grid_id)]
        if status not in ANSWERED:
            missed[grid.name] += 1
        for level, tallies in acc.items():
            above = _up(grid, regions, level)
            if above is not None:
                t = tallies.setdefault(above.id, Tally(above.name))
                t.expected += 1
                t.answered += status in ANSWERED
    out.townships = sorted(acc[Level.TOWNSHIP].values(), key=lambda t: (t.rate or 0, t.name))
    out.villages = sorted(acc[Level.VILLAGE].values(), key=lambda t: (t.rate or 0, t.name))
    out.missed_grids = sorted(missed.items(), key=lambda kv: (-kv[1], kv[0]))
    out.visits = sorted(((regions[g].name, n) for g, n in (await visits_by(start, end, "grid_id")).items()
                         if g in regions), key=lambda kv: (-kv[1], kv[0]))
    return out


async def visits_by(start: datetime, end: datetime, key: str) -> dict[int, int]:
    """走访 / 巡查 logs in the period, counted by `grid_id` or `staff_id`."""
    out: dict[int, int] = defaultdict(int)
    for (k,) in await VisitLog.filter(at__gte=start, at__lt=end).values_list(key):
        if k is not None:
            out[int(k)] += 1
    return out


async def answered_by_worker(start: datetime, end: datetime) -> dict[int, tuple[int, int]]:
    """staff id → (answered, expected) screenings of rounds started in the period (排查完成率)."""
    out: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    rows = await Screening.filter(round__started_at__gte=start, round__started_at__lt=end).values_list(
        "staff_id", "status")
    for staff_id, status in rows:
        out[int(staff_id)][1] += 1
        out[int(staff_id)][0] += status in ANSWERED
    return {k: (v[0], v[1]) for k, v in out.items()}
