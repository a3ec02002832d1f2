"""监测预警: grades, the spike rule, and repeat detection.

Spike rule (stated, not a fixed count): for each village and category, the count of the last 7 days is
compared with the weekly mean λ of the 8 weeks before (λ floored at 0.5). Under a Poisson model the
chance of seeing at least that many is P = P(X ≥ count | λ). With count ≥ 3: P < 0.001 → 橙,
P < 0.01 → 黄, P < 0.05 → 蓝. Ordinary week-to-week variation stays well above 0.05.
Immediate grades for a new case: 重大, or 涉敏 with 涉稳 → 红; 群体性 or 涉敏 → 橙.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from core.enums import Category, Flag, Severity
from core.models import Case, Region, Setting
from core.regions import village_of
from core.reports.sql import rows

WINDOW_DAYS = 7
BASELINE_WEEKS = 8
MIN_COUNT = 3
LAMBDA_FLOOR = 0.5
PLANS_KEY = "warning_plans"


class Grade(StrEnum):
    BLUE = "blue"
    YELLOW = "yellow"
    ORANGE = "orange"
    RED = "red"

    @property
    def label(self) -> str:
        return {"blue": "蓝色预警", "yellow": "黄色预警", "orange": "橙色预警", "red": "红色预警"}[self.value]


DEFAULT_PLANS = {
    Grade.BLUE: "属地村(社区)加强排查,3日内反馈",
    Grade.YELLOW: "联村干部牵头研判,职能部门提前介入",
    Grade.ORANGE: "分管领导牵头会商,启动联合调处",
    Grade.RED: "主要领导坐镇指挥,立即启动应急处置预案,按规定报告上级",
}


def poisson_tail(count: int, lam: float) -> float:
    """P(X ≥ count) for X ~ Poisson(lam)."""
    if count <= 0:
        return 1.0
    term = math.exp(-lam)
    below = term
    for k in range(1, count):
        term *= lam / k
        below += term
    return max(0.0, 1.0 - below)


def spike_grade(count: int, weekly_mean: float) -> tuple[Grade | None, float]:
    p = poisson_tail(count, max(weekly_mean, LAMBDA_FLOOR))
    if count < MIN_COUNT:
        return None, p
    if p < 0.001:
        return Grade.ORANGE, p
    if p < 0.01:
        return Grade.YELLOW, p
    if p < 0.05:
        return Grade.BLUE, p
    return None, p


def case_grade(case: Case) -> Grade | None:
    flags = set(case.flags)
    if case.severity == Severity.MAJOR.value or {Flag.SENSITIVE.value, Flag.STABILITY.value} <= flags:
        return Grade.RED
    if flags & {Flag.GROUP.value, Flag.SENSITIVE.value}:
        return Grade.ORANGE
    return None


async def plans() -> dict[Grade, str]:
    row = await Setting.get_or_none(key=PLANS_KEY)
    stored = row.value if row else {}
    return {g: str(stored.get(g.value) or DEFAULT_PLANS[g]) for g in Grade}


@dataclass(frozen=True)
class Spike:
    village_id: int
    village: str
    category: str
    count: int
    weekly_mean: float
    p: float
    grade: Grade

    @property
    def text(self) -> str:
        return (f"{self.village}{Category(self.category).label}近{WINDOW_DAYS}日{self.count}起,"
                f"前{BASELINE_WEEKS}周周均{self.weekly_mean:.1f}起,明显上升")


async def spikes(now: datetime) -> list[Spike]:
    recent_from = now - timedelta(days=WINDOW_DAYS)
    base_from = recent_from - timedelta(weeks=BASELINE_WEEKS)
    grouped = await rows(
        'SELECT region_id AS r, category AS c, '
        'SUM(CASE WHEN created_at >= {0} THEN 1 ELSE 0 END) AS recent, '
        'SUM(CASE WHEN created_at < {1} THEN 1 ELSE 0 END) AS base '
        'FROM "case" WHERE created_at >= {2} AND created_at <= {3} GROUP BY region_id, category',
        [recent_from, recent_from, base_from, now])
    regions = {r.id: r for r in await Region.all()}
    folded: dict[tuple[int, str], list[int]] = {}
    for g in grouped:
        region = regions[g["r"]]
        village = village_of(region, regions)
        acc = folded.setdefault((village.id, g["c"]), [0, 0])
        acc[0] += int(g["recent"] or 0)
        acc[1] += int(g["base"] or 0)
    out = []
    for (village_id, category), (recent, base) in folded.items():
        mean = base / BASELINE_WEEKS
        grade, p = spike_grade(recent, mean)
        if grade is not None:
            out.append(Spike(village_id, regions[village_id].name, category, recent, mean, p, grade))
    return sorted(out, key=lambda s: s.p)


async def similar_recent(case: Case, days: int = 30) -> list[Case]:
    """Earlier cases about the same place and category, or naming the same parties, within `days`."""
    since = case.created_at - timedelta(days=days)
    same_place = await Case.filter(region_id=case.region_id, category=case.category, created_at__gte=since,
                                   id__lt=case.id).order_by("-id").limit(5)
    names = {p.get("name") for p in case.parties if p.get("name") and not str(p.get("name")).startswith("老")}
    found = list(same_place)
    if names:
        for other in await Case.filter(created_at__gte=since, id__lt=case.id).order_by("-id").limit(200):
            if other not in found and names & {p.get("name") for p in other.parties}:
                found.append(other)
    return found
