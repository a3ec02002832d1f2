"""积案 indicators "1减2降1升" (seeds/001, 衢江区: 重复信访减少、越级信访下降、新增积案率下降、积案化解率提升),
per month and per township, computed with GROUP BY in the database. Definitions:

- 信访件: a case whose source is 信访 (petition) or 上级交办/转办 (referral: how a matter raised above the
  district comes back down), or that intake classified as a 信访 matter (category petition).
- 重复信访 (count, to go down): 信访件 about a place and category that already had a 信访件 in the 180 days
  before — the same matter petitioned again.
- 越级信访率 (to go down): 越级 / 信访件. 越级: a referral from above, or a petition about a place inside a
  township that was first received (受理) by the district — it skipped the township.
- 新增积案率 (to go down): cases that entered the 积案库 in the month / cases received in the month.
- 积案化解率 (to go up): of the backlog cases held at any time this calendar year up to the month's end,
  the share struck off (销号) by then — cumulative since 1 January, as 积案 bulletins count it.

A period's figure sums its months (the 化解率 is the one at its end) and is compared with the period of
the same length just before.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from core.clock import DISPLAY_TZ
from core.enums import Level
from core.models import Region
from core.regions import ancestor_ids
from core.reports.sql import cmp_time, days_before, local_month, rows

REPEAT_PETITION_DAYS = 180
PETITION_SOURCES = "('petition', 'referral')"
IS_PETITION = f"(c.source IN {PETITION_SOURCES} OR c.category = 'petition')"
OWN_LEVEL = "区(县)本级"

# grouped on the case table first (month, place, source, who received it), joined to the org afterwards:
# the joins then touch a few thousand groups, not every case of the year
CASES_SQL = """
WITH g AS (
  SELECT {month} AS m, c.region_id AS r, c.source AS src, {petition} AS pet, c.first_receiver_id AS fr,
         COUNT(*) AS n
  FROM "case" c WHERE c.created_at >= {{0}} AND c.created_at < {{1}}
  GROUP BY {month}, c.region_id, c.source, {petition}, c.first_receiver_id
)
SELECT g.m AS m, g.r AS r, SUM(g.n) AS received,
  SUM(CASE WHEN g.pet THEN g.n ELSE 0 END) AS petitions,
  SUM(CASE WHEN g.src = 'referral' OR (g.pet AND rr.level = 'district'
      AND reg.level <> 'district') THEN g.n ELSE 0 END) AS over_level
FROM g JOIN region reg ON reg.id = g.r
LEFT JOIN staff s ON s.id = g.fr
LEFT JOIN department dp ON dp.id = s.department_id
LEFT JOIN region rr ON rr.id = COALESCE(s.region_id, dp.region_id)
GROUP BY g.m, g.r
"""

REPEAT_SQL = """
WITH p AS (
  SELECT c.region_id, c.created_at,
         LAG(c.created_at) OVER (PARTITION BY c.region_id, c.category ORDER BY c.created_at, c.id) AS prev_at
  FROM "case" c WHERE {petition} AND c.created_at >= {{0}} AND c.created_at < {{2}}
)
SELECT {month} AS m, p.region_id AS r,
  SUM(CASE WHEN p.prev_at IS NOT NULL AND {prev} < {created} AND {prev} >= {window} THEN 1 ELSE 0 END) AS repeats
FROM p WHERE p.created_at >= {{1}} GROUP BY {month}, p.region_id
"""

NEW_BACKLOG_SQL = """
SELECT {month} AS m, c.region_id AS r, COUNT(*) AS n FROM "case" c
WHERE c.backlog_at >= {{0}} AND c.backlog_at < {{1}} GROUP BY {month}, c.region_id
"""

HELD_SQL = """
SELECT c.region_id AS r, COUNT(*) AS held,
  SUM(CASE WHEN c.backlog_struck_at IS NOT NULL AND c.backlog_struck_at < {1} THEN 1 ELSE 0 END) AS struck
FROM "case" c
WHERE c.backlog_at < {1} AND (c.backlog_struck_at IS NULL OR c.backlog_struck_at >= {0})
GROUP BY c.region_id
"""


@dataclass
class Figures:
    received: int = 0
    petitions: int = 0
    repeats: int = 0
    over_level: int = 0
    new_backlog: int = 0
    held: int = 0
    struck: int = 0

    def add(self, other: Figures, *, stock: bool = True) -> None:
        for key in ("received", "petitions", "repeats", "over_level", "new_backlog"):
            setattr(self, key, getattr(self, key) + getattr(other, key))
        if stock:
            self.held += other.held
            self.struck += other.struck

    @property
    def over_level_rate(self) -> float | None:
        return self.over_level / self.petitions if self.petitions else None

    @property
    def new_backlog_rate(self) -> float | None:
        return self.new_backlog / self.received if self.received else None

    @property
    def resolve_rate(self) -> float | None:
        return self.struck / self.held if self.held else None


@dataclass
class Indicators:
    months: list[str]
    by_month: dict[str, Figures]
    by_township: dict[str, Figures]  # the whole period, per township
    grid: dict[tuple[str, str], Figures]  # (month, township)
    total: Figures
    previous: Figures
    townships: list[str] = field(default_factory=list)

    def direction(self) -> dict[str, bool | None]:
        """Whether each of 1减2降1升 moved the way it should against the period before (None: no data)."""
        cur, prev = self.total, self.previous

        def cmp(a: float | None, b: float | None, lower: bool) -> bool | None:
            if a is None or b is None:
                return None
            return a <= b if lower else a >= b

        return {"repeats": cmp(cur.repeats, prev.repeats, True) if (cur.petitions or prev.petitions) else None,
                "over_level": cmp(cur.over_level_rate, prev.over_level_rate, True),
                "new_backlog": cmp(cur.new_backlog_rate, prev.new_backlog_rate, True),
                "resolve": cmp(cur.resolve_rate, prev.resolve_rate, False)}


def _add_months(day: date, n: int) -> date:
    y, m = divmod(day.year * 12 + day.month - 1 + n, 12)
    return date(y, m + 1, 1)


def _months(first: date, last: date) -> list[date]:
    out, cur = [], first.replace(day=1)
    while cur <= last:
        out.append(cur)
        cur = _add_months(cur, 1)
    return out


def _utc(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=DISPLAY_TZ).astimezone(UTC)


async def _township_names() -> dict[int, str]:
    regions = {r.id: r for r in await Region.all()}
    out = {}
    for r in regions.values():
        town = next((regions[i] for i in ancestor_ids(r) if i in regions and regions[i].level == Level.TOWNSHIP.value), None)
        out[r.id] = town.name if town else OWN_LEVEL
    return out


async def _flows(start: datetime, end: datetime) -> list[tuple[str, int, str, int]]:
    """(month, region, figure, value) for the flows of [start, end)."""
    month = local_month("c.created_at")
    out: list[tuple[str, int, str, int]] = []
    for r in await rows(CASES_SQL.format(month=month, petition=IS_PETITION), [start, end]):
        out += [(r["m"], r["r"], k, int(r[k] or 0)) for k in ("received", "petitions", "over_level")]
    sql = REPEAT_SQL.format(month=local_month("p.created_at"), petition=IS_PETITION, prev=cmp_time("p.prev_at"),
                            created=cmp_time("p.created_at"), window=days_before("p.created_at", REPEAT_PETITION_DAYS))
    for r in await rows(sql, [start - timedelta(days=REPEAT_PETITION_DAYS), start, end]):
        out.append((r["m"], r["r"], "repeats", int(r["repeats"] or 0)))
    for r in await rows(NEW_BACKLOG_SQL.format(month=local_month("c.backlog_at")), [start, end]):
        out.append((r["m"], r["r"], "new_backlog", int(r["n"] or 0)))
    return out


async def _held(month_first: date) -> list[dict[str, Any]]:
    year_start = _utc(month_first.replace(month=1, day=1))
    return await rows(HELD_SQL, [year_start, _utc(_add_months(month_first, 1))])


async def build(first: date, last: date) -> Indicators:
    """The months from `first` to `last` (inclusive, whole months), and the same span just before."""
    months = _months(first, last)
    before = [_add_months(months[0], i - len(months)) for i in range(len(months))]
    towns = await _township_names()
    grid: dict[tuple[str, str], Figures] = defaultdict(Figures)
    for m, region, key, value in await _flows(_utc(before[0]), _utc(_add_months(months[-1], 1))):
        fig = grid[(m, towns.get(region, OWN_LEVEL))]
        setattr(fig, key, getattr(fig, key) + value)
    for month in [before[-1], *months]:  # the stock at each month's end (year to date)
        for r in await _held(month):
            fig = grid[(f"{month:%Y-%m}", towns.get(r["r"], OWN_LEVEL))]
            fig.held += int(r["held"] or 0)
            fig.struck += int(r["struck"] or 0)
    names = [f"{m:%Y-%m}" for m in months]
    prev_names = {f"{m:%Y-%m}" for m in before}
    by_month: dict[str, Figures] = {n: Figures() for n in names}
    by_town: dict[str, Figures] = defaultdict(Figures)
    total, previous = Figures(), Figures()
    for (m, town), fig in grid.items():
        if m in by_month:
            by_month[m].add(fig)
            by_town[town].add(fig, stock=m == names[-1])
            total.add(fig, stock=m == names[-1])
        elif m in prev_names:
            previous.add(fig, stock=m == f"{before[-1]:%Y-%m}")
    return Indicators(names, by_month, dict(by_town), {k: v for k, v in grid.items() if k[0] in by_month},
                      total, previous, sorted(by_town, key=lambda t: (t == OWN_LEVEL, t)))
