"""The GROUP BY queries behind 考核: one pass over the period's cases or tasks per cohort.

Repeat reports are found with a window (LAG over place and category, ordered by time) instead of a
subquery per case, so a half-year over a province is one sort, not 500,000 index probes.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from core.reports.kpi import REPEAT_WINDOW_DAYS, SETTLED
from core.reports.sql import cmp_time, days_before, hours, rows

GRADE = ("COALESCE(c.difficulty, CASE WHEN c.settled_on_spot THEN 'simple' WHEN c.severity = 'major' THEN 'major' "
         "WHEN c.severity = 'important' THEN 'complex' ELSE 'general' END)")

VILLAGE_SQL = """
WITH w AS (
  SELECT c.region_id, c.created_at, c.result_type, c.status, c.resolved_level, c.satisfaction, c.repeat_count,
         LAG(c.created_at) OVER (PARTITION BY c.region_id, c.category ORDER BY c.created_at, c.id) AS prev_at
  FROM "case" c WHERE c.created_at >= {{0}} AND c.created_at < {{2}}
)
SELECT w.region_id AS k, COUNT(*) AS cases,
  SUM(CASE WHEN w.result_type IN ({settled}) AND w.status IN ('resolved','closed') THEN 1 ELSE 0 END) AS settled,
  SUM(CASE WHEN w.result_type IN ({settled}) AND w.status IN ('resolved','closed')
           AND w.resolved_level IN ('grid','village') THEN 1 ELSE 0 END) AS settled_village,
  SUM(CASE WHEN w.satisfaction IN ('satisfied','basically') THEN 1 ELSE 0 END) AS sat_ok,
  SUM(CASE WHEN w.satisfaction IS NOT NULL THEN 1 ELSE 0 END) AS sat_all,
  SUM(w.repeat_count + CASE WHEN w.prev_at IS NOT NULL AND {prev} < {created} AND {prev} >= {window}
      THEN 1 ELSE 0 END) AS repeats
FROM w WHERE w.created_at >= {{1}} GROUP BY w.region_id
"""

GRID_SQL = """
SELECT c.reporter_id AS k, c.region_id AS r, COUNT(*) AS reports,
  SUM(CASE WHEN c.settled_on_spot THEN 1 ELSE 0 END) AS on_spot,
  SUM(CASE WHEN c.source = 'grid_chat' AND (d.created_at IS NULL OR {delay} <= {{2}}) THEN 1 ELSE 0 END) AS timely
FROM "case" c LEFT JOIN draft d ON d.case_id = c.id AND d.status IN ('submitted', 'settled')
WHERE c.created_at >= {{0}} AND c.created_at < {{1}} AND c.reporter_id IS NOT NULL
GROUP BY c.reporter_id, c.region_id
"""

PLACE_SQL = """
SELECT c.region_id AS r, COUNT(*) AS n FROM "case" c
WHERE c.created_at >= {0} AND c.created_at < {1} GROUP BY c.region_id
"""

TASK_SQL = """
SELECT t.{key} AS k, COUNT(*) AS tasks,
  SUM(CASE WHEN t.status = 'resolved' THEN 1 ELSE 0 END) AS closed,
  SUM(CASE WHEN t.status = 'resolved' AND t.resolved_at <= t.deadline THEN 1 ELSE 0 END) AS on_time,
  SUM(CASE WHEN t.status IN ('pending', 'signed') AND t.deadline < {{2}} THEN 1 ELSE 0 END) AS open_late,
  SUM(CASE WHEN t.status = 'returned' THEN 1 ELSE 0 END) AS returned,
  AVG(CASE WHEN t.signed_at IS NOT NULL THEN {sign} END) AS sign_hours,
  SUM(CASE WHEN t.is_lead AND c.satisfaction IN ('satisfied', 'basically') THEN 1 ELSE 0 END) AS sat_ok,
  SUM(CASE WHEN t.is_lead AND c.satisfaction IS NOT NULL THEN 1 ELSE 0 END) AS sat_all
FROM task t JOIN "case" c ON c.id = t.case_id
WHERE t.created_at >= {{0}} AND t.created_at < {{1}} AND t.status <> 'released' AND t.{key} IS NOT NULL
GROUP BY t.{key}
"""

MEDIATOR_SQL = """
SELECT x.k, x.grade, COUNT(*) AS cases, SUM(x.ok) AS ok, SUM(x.sat_ok) AS sat_ok, SUM(x.sat_all) AS sat_all FROM (
  SELECT m.staff_id AS k, {grade} AS grade,
    CASE WHEN c.result_type IN ({settled}) THEN 1 ELSE 0 END AS ok,
    CASE WHEN c.satisfaction IN ('satisfied', 'basically') THEN 1 ELSE 0 END AS sat_ok,
    CASE WHEN c.satisfaction IS NOT NULL THEN 1 ELSE 0 END AS sat_all
  FROM case_mediator m JOIN "case" c ON c.id = m.case_id
  WHERE c.resolved_at >= {{0}} AND c.resolved_at < {{1}}
  UNION ALL
  SELECT c.reporter_id AS k, {grade} AS grade, 1 AS ok,
    CASE WHEN c.satisfaction IN ('satisfied', 'basically') THEN 1 ELSE 0 END AS sat_ok,
    CASE WHEN c.satisfaction IS NOT NULL THEN 1 ELSE 0 END AS sat_all
  FROM "case" c
  WHERE c.resolved_at >= {{0}} AND c.resolved_at < {{1}} AND c.settled_on_spot AND c.reporter_id IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM case_mediator m WHERE m.case_id = c.id)
) x GROUP BY x.k, x.grade
"""


async def village_rows(start: datetime, end: datetime) -> list[dict[str, Any]]:
    sql = VILLAGE_SQL.format(settled=SETTLED, prev=cmp_time("w.prev_at"), created=cmp_time("w.created_at"),
                             window=days_before("w.created_at", REPEAT_WINDOW_DAYS))
    return await rows(sql, [start - timedelta(days=REPEAT_WINDOW_DAYS), start, end])


async def grid_rows(start: datetime, end: datetime, within_hours: float) -> list[dict[str, Any]]:
    return await rows(GRID_SQL.format(delay=hours("c.created_at", "d.created_at")), [start, end, within_hours])


async def place_rows(start: datetime, end: datetime) -> list[dict[str, Any]]:
    return await rows(PLACE_SQL, [start, end])


async def task_rows(key: str, start: datetime, end: datetime, cutoff: datetime) -> list[dict[str, Any]]:
    assert key in ("department_id", "assignee_id")
    sql = TASK_SQL.format(key=key, sign=hours("t.signed_at", "t.created_at"))
    return await rows(sql, [start, end, cutoff])


async def mediator_rows(start: datetime, end: datetime) -> list[dict[str, Any]]:
    return await rows(MEDIATOR_SQL.format(grade=GRADE, settled=SETTLED), [start, end])
