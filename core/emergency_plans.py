"""应急预案 from the org file (`emergency_plans:` per grade, red and orange): the checklist the leader and the
center work through, the response team (department or staff names) dispatched as urgent tasks, and the 续报
cadence. Absent, a grade gets the checklist below, no team (the leader dispatches by hand) and 续报 every 2h."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.durations import Duration, Unit
from core.models import Setting
from core.reports.warning import Grade

EMERGENCY_PLANS_KEY = "emergency_plans"
GRADES = (Grade.RED, Grade.ORANGE)  # the grades an emergency can have
DEFAULT_CHECKLIST = {
    Grade.RED: ["立即报告党委书记和主要领导", "主要领导或分管领导30分钟内到场指挥", "派出所、综合执法等应急力量立即到场处置",
                "稳控现场,防止事态扩大,必要时疏散人员", "每2小时向党委续报一次处置进展,按规定报告上级"],
    Grade.ORANGE: ["报告分管领导", "分管领导牵头会商,1小时内到场", "相关职能部门提前介入", "按时续报处置进展"],
}
DEFAULT_EVERY = Duration.parse("2h")


@dataclass(frozen=True)
class EmergencyPlan:
    grade: Grade
    checklist: list[str]
    team: list[str]
    every: Duration

    @property
    def minutes(self) -> int:
        per = {Unit.HOURS: 60, Unit.DAYS: 1440, Unit.WORKDAYS: 1440}[self.every.unit]  # emergencies keep no office hours
        return max(1, self.every.amount * per)


async def load_plan(grade: Grade) -> EmergencyPlan:
    row = await Setting.get_or_none(key=EMERGENCY_PLANS_KEY)
    found = (row.value if row else {}).get(grade.value)
    stored: dict[str, Any] = found if isinstance(found, dict) else {}
    checklist = [str(c) for c in stored.get("checklist") or []] or DEFAULT_CHECKLIST[grade]
    every = Duration.parse(str(stored.get("report_every") or DEFAULT_EVERY))
    return EmergencyPlan(grade, checklist, [str(t) for t in stored.get("team") or []], every)
