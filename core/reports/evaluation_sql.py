"""The GROUP BY queries behind 考核: one pass over the period's cases or tasks per cohort (repeat reports
come from the flag each case got when it came in, Case.recent_repeat)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core.reports.kpi import SETTLED
from core.reports.sql import hours, rows

GRADE = ("COALESCE(c.difficulty, CASE WHEN c.settled_on_spot THEN 'simple' WHEN c.severity = 'major' THEN 'major' "
         "WHEN c.severity = 'important' THEN 'complex' ELSE 'general' END)")

VILLAGE_SQL = """
SELECT c.region_id AS k, COUNT(*) AS cases,
  SUM(CASE WHEN c.result_type IN ({settled}) AND c.status IN ('resolved','closed') THEN 1 ELSE 0 END) AS settled,
  SUM(CASE WHEN c.result_type IN ({settled}) AND c.status IN ('resolved','closed')
           AND c.resolved_level IN ('grid','village') THEN 1 ELSE 0 END) AS settled_village,
  SUM(CASE WHEN c.satisfaction IN ('satisfied','basically') THEN 1 ELSE 0 END) AS sat_ok,
  SUM(CASE WHEN c.satisfaction IS NOT NULL THEN 1 ELSE 0 END) AS sat_all,
  SUM(c.repeat_count + CASE WHEN c.recent_repeat THEN 1 ELSE 0 END) AS repeats
FROM "case" c WHERE c.created_at >= {{0}} AND c.created_at < {{1}} GROUP BY c.region_id
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
SELECT t.department_id AS d, t.assignee_id AS k, COUNT(*) AS tasks,
  SUM(CASE WHEN t.status = 'resolved' THEN 1 ELSE 0 END) AS closed,
  SUM(CASE WHEN t.status = 'resolved' AND t.resolved_at <= t.deadline THEN 1 ELSE 0 END) AS on_time,
  SUM(CASE WHEN t.status IN ('pending', 'signed') AND t.deadline < {{2}} THEN 1 ELSE 0 END) AS open_late,
  SUM(CASE WHEN t.status = 'returned' THEN 1 ELSE 0 END) AS returned,
  SUM(CASE WHEN t.signed_at IS NOT NULL THEN 1 ELSE 0 END) AS signed,
  SUM(CASE WHEN t.signed_at IS NOT NULL THEN {sign} ELSE 0 END) AS sign_sum,
  SUM(CASE WHEN t.is_lead AND c.satisfaction IN ('satisfied', 'basically') THEN 1 ELSE 0 END) AS sat_ok,
  SUM(CASE WHEN t.is_lead AND c.satisfaction IS NOT NULL THEN 1 ELSE 0 END) AS sat_all
FROM task t JOIN "case" c ON c.id = t.case_id
WHERE t.created_at >= {{0}} AND t.created_at < {{1}} AND t.status <> 'released'
GROUP BY t.department_id, t.assignee_id
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
    return await rows(VILLAGE_SQL.format(settled=SETTLED), [start, end])


async def grid_rows(start: datetime, end: datetime, within_hours: float) -> list[dict[str, Any]]:
    return await rows(GRID_SQL.format(delay=hours("c.created_at", "d.created_at")), [start, end, within_hours])


async def place_rows(start: datetime, end: datetime) -> list[dict[str, Any]]:
    return await rows(PLACE_SQL, [start, end])


async def task_rows(start: datetime, end: datetime, cutoff: datetime) -> list[dict[str, Any]]:
    """Per (department, assignee): one pass serves both the 进驻部门 and the 人员 rankings."""
    return await rows(TASK_SQL.format(sign=hours("t.signed_at", "t.created_at")), [start, end, cutoff])


async def mediator_rows(start: datetime, end: datetime) -> list[dict[str, Any]]:
    return await rows(MEDIATOR_SQL.format(grade=GRADE, settled=SETTLED), [start, end])
