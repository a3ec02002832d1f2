"""评价督导 KPIs, computed by GROUP BY in the database (never by loading every case):

- 化解率: cases settled (agreement, settled, explained) / cases received in the period
- 就地化解率: of the settled, the share settled at township level or below (target ≥ 90%)
- 按期办结率: tasks closed by their deadline / tasks closed
- mean time to sign (hours) and to close (days), from dispatch / from report
- 满意率: (满意 + 基本满意) / follow-ups recorded
- repeat reports: reports linked to an earlier case as the same matter, plus cases whose place and
  category already had a case in the 30 days before
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.enums import RESOLVING_RESULTS, Level
from core.models import Department, Region, Staff
from core.regions import village_of
from core.reports.sql import hours, rows

LOCAL_LEVELS = (Level.GRID.value, Level.VILLAGE.value, Level.TOWNSHIP.value)
REPEAT_WINDOW_DAYS = 30
SETTLED = ", ".join(f"'{r.value}'" for r in RESOLVING_RESULTS)


@dataclass
class Kpi:
    name: str
    cases: int = 0
    settled: int = 0
    settled_local: int = 0
    tasks: int = 0
    tasks_closed: int = 0
    tasks_on_time: int = 0
    sign_hours: float | None = None
    close_days: float | None = None
    satisfied: int = 0
    basically: int = 0
    unsatisfied: int = 0
    repeats: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @staticmethod
    def _rate(num: int, den: int) -> float | None:
        return round(num / den, 4) if den else None

    @property
    def settle_rate(self) -> float | None:
        return self._rate(self.settled, self.cases)

    @property
    def local_rate(self) -> float | None:
        return self._rate(self.settled_local, self.settled)

    @property
    def on_time_rate(self) -> float | None:
        return self._rate(self.tasks_on_time, self.tasks_closed)

    @property
    def satisfaction_rate(self) -> float | None:
        return self._rate(self.satisfied + self.basically, self.satisfied + self.basically + self.unsatisfied)


# A case's repeat flag (an earlier case at its place and category within 30 days) is fixed when it comes
# in (Case.recent_repeat), so no report has to look back over the history of every case.
CASE_SQL = """
SELECT {select} COUNT(*) AS cases,
  SUM(CASE WHEN c.result_type IN ({settled}) AND c.status IN ('resolved','closed') THEN 1 ELSE 0 END) AS settled,
  SUM(CASE WHEN c.result_type IN ({settled}) AND c.status IN ('resolved','closed')
           AND c.resolved_level IN ('grid','village','township') THEN 1 ELSE 0 END) AS settled_local,
  AVG(CASE WHEN c.resolved_at IS NOT NULL THEN {close} END) AS close_hours,
  SUM(CASE WHEN c.satisfaction = 'satisfied' THEN 1 ELSE 0 END) AS satisfied,
  SUM(CASE WHEN c.satisfaction = 'basically' THEN 1 ELSE 0 END) AS basically,
  SUM(CASE WHEN c.satisfaction = 'unsatisfied' THEN 1 ELSE 0 END) AS unsatisfied,
  SUM(c.repeat_count + CASE WHEN c.recent_repeat THEN 1 ELSE 0 END) AS repeats
FROM "case" c WHERE c.created_at >= {{0}} AND c.created_at < {{1}}
{group}
"""

TASK_SQL = """
SELECT {select} COUNT(*) AS tasks,
  SUM(CASE WHEN t.status = 'resolved' THEN 1 ELSE 0 END) AS closed,
  SUM(CASE WHEN t.status = 'resolved' AND t.resolved_at <= t.deadline THEN 1 ELSE 0 END) AS on_time,
  AVG(CASE WHEN t.signed_at IS NOT NULL THEN {sign} END) AS sign_hours
FROM task t WHERE t.created_at >= {{0}} AND t.created_at < {{1}} AND t.status <> 'released'
{group}
"""


def _grouping(alias: str, key: str | None) -> dict[str, str]:
    if key is None:
        return {"select": "", "group": ""}
    return {"select": f"{alias}.{key} AS k,", "group": f"GROUP BY {alias}.{key}"}


def _case_sql(key: str | None) -> str:
    return CASE_SQL.format(**_grouping("c", key), settled=SETTLED, close=hours("c.resolved_at", "c.created_at"))


async def _case_rows(key: str | None, start: datetime, end: datetime) -> list[dict[str, Any]]:
    return await rows(_case_sql(key), [start, end])


async def _task_rows(key: str | None, start: datetime, end: datetime) -> list[dict[str, Any]]:
    return await rows(TASK_SQL.format(**_grouping("t", key), sign=hours("t.signed_at", "t.created_at")), [start, end])


def _add_case(k: Kpi, r: dict[str, Any]) -> None:
    k.cases += int(r["cases"] or 0)
    k.settled += int(r["settled"] or 0)
    k.settled_local += int(r["settled_local"] or 0)
    k.satisfied += int(r["satisfied"] or 0)
    k.basically += int(r["basically"] or 0)
    k.unsatisfied += int(r["unsatisfied"] or 0)
    k.repeats += int(r["repeats"] or 0)
    if r["close_hours"] is not None:
        k.close_days = round(float(r["close_hours"]) / 24, 2)


def _add_task(k: Kpi, r: dict[str, Any]) -> None:
    k.tasks += int(r["tasks"] or 0)
    k.tasks_closed += int(r["closed"] or 0)
    k.tasks_on_time += int(r["on_time"] or 0)
    if r["sign_hours"] is not None:
        k.sign_hours = round(float(r["sign_hours"]), 2)


async def overall(start: datetime, end: datetime) -> Kpi:
    total = Kpi("全部")
    for r in await _case_rows(None, start, end):
        _add_case(total, r)
    for r in await _task_rows(None, start, end):
        _add_task(total, r)
    return total


async def _task_kpis(key: str, names: dict[int, str], unknown: str, start: datetime, end: datetime) -> list[Kpi]:
    out = []
    for r in await _task_rows(key, start, end):
        k = Kpi(names.get(r["k"], unknown))
        _add_task(k, r)
        out.append(k)
    return out


async def by_department(start: datetime, end: datetime) -> list[Kpi]:
    return await _task_kpis("department_id", {d.id: d.name for d in await Department.all()}, "未指定部门", start, end)


async def by_person(start: datetime, end: datetime) -> list[Kpi]:
    return await _task_kpis("assignee_id", {s.id: s.name for s in await Staff.all()}, "?", start, end)


async def by_village(start: datetime, end: datetime) -> list[Kpi]:
    """Grouped by the case's node in SQL, then folded up to its village (as many groups as nodes)."""
    regions = {r.id: r for r in await Region.all()}
    out: dict[str, Kpi] = {}
    for r in await _case_rows("region_id", start, end):
        region = regions[r["k"]]
        village = village_of(region, regions)
        _add_case(out.setdefault(village.name, Kpi(village.name)), r)
    return list(out.values())


async def by_level(start: datetime, end: datetime) -> list[Kpi]:
    out = []
    for r in await _case_rows("step", start, end):
        k = Kpi(Level(r["k"]).label)
        _add_case(k, r)
        out.append(k)
    return out
