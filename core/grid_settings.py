"""每周排查 settings from the org file (`screening:`): the weekday and time grid workers are asked to screen
their grid, when the unanswered are reminded, and when a round closes. Defaults: Monday 09:00, reminded one
working day later, closed after two."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from core.clock import DISPLAY_TZ
from core.durations import Duration
from core.models import Setting

SCREENING_KEY = "screening"


@dataclass(frozen=True)
class ScreeningPlan:
    weekday: int = 1  # 1 = Monday … 7 = Sunday
    at: time = time(9, 0)
    remind_after: Duration = Duration.parse("1w")
    answer_within: Duration = Duration.parse("2w")

    def prompt_at(self, day: date) -> datetime:
        """This week's prompt (the week of `day`, Monday to Sunday), Beijing time."""
        monday = day - timedelta(days=day.weekday())
        return datetime.combine(monday + timedelta(days=self.weekday - 1), self.at, tzinfo=DISPLAY_TZ)


async def load_screening() -> ScreeningPlan:
    row = await Setting.get_or_none(key=SCREENING_KEY)
    if row is None:
        return ScreeningPlan()
    v = row.value
    hour, minute = str(v.get("time", "09:00")).split(":")
    return ScreeningPlan(weekday=int(str(v.get("day", 1))), at=time(int(hour), int(minute)),
                         remind_after=Duration.parse(str(v.get("remind_after", "1w"))),
                         answer_within=Duration.parse(str(v.get("answer_within", "2w"))))
