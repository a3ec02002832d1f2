"""Working-day arithmetic the way Chinese offices count: statutory holidays and adjusted workdays.

The `chinesecalendar` package knows the State Council's calendar up to the last year it shipped.
A center can add or correct days (`maotiao calendar import`). For a year neither knows, weekends
and the fixed-date statutory holidays are the rule and a warning is logged once per year, so a deadline is always computed.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta

import chinese_calendar

from core.clock import DISPLAY_TZ, require_aware
from core.durations import Duration, Unit

log = logging.getLogger(__name__)

END_OF_WORKDAY = time(18, 0)
# Statutory holidays fixed by the solar calendar (全体公民放假的节日办法): known for every year, used
# when no calendar data covers the year. Lunar holidays and adjusted workdays need imported data.
_FIXED_HOLIDAYS = {(1, 1), (5, 1), (10, 1), (10, 2), (10, 3)}
_MAX_SCAN_DAYS = 3660


# Office hours when the org file names none: Beijing time, a morning and an afternoon (午休 between).
DEFAULT_OFFICE_HOURS = "09:00-12:00,13:30-17:30"
_PERIOD = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")
OfficeHours = tuple[tuple[time, time], ...]


def office_hours(text: str) -> OfficeHours:
    """"09:00-12:00,13:30-17:30" → the day's working periods, in order and not overlapping (else ValueError)."""
    periods: list[tuple[time, time]] = []
    for part in text.replace(",", ",").split(","):
        m = _PERIOD.match(part.strip())
        if m is None:
            raise ValueError(f"'{part.strip()}' is not a period: write HH:MM-HH:MM, e.g. 09:00-12:00,13:30-17:30")
        h1, m1, h2, m2 = (int(g) for g in m.groups())
        if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
            raise ValueError(f"'{part.strip()}' is not a time of day")
        start, end = time(h1, m1), time(h2, m2)
        if not start < end or (periods and start < periods[-1][1]):
            raise ValueError(f"'{part.strip()}' ends before it starts or overlaps the period before it")
        periods.append((start, end))
    return tuple(periods)


def limit_label(duration: Duration) -> str:
    """How a 受理/签收 limit reads: hours are working hours."""
    return f"{duration.amount}个工作小时" if duration.unit is Unit.HOURS else duration.label


@functools.lru_cache(maxsize=8192)
def _statutory_workday(day: date) -> bool | None:
    """The State Council's calendar for the day, as `chinesecalendar` ships it (None: a year it does not know).
    Kept per day: the package checks every call's date against the first and last days it knows with min() and
    max() over all of them (~20 µs, several times a handled message)."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return None


class WorkCalendar:
    def __init__(self, overrides: Mapping[date, bool] | None = None) -> None:
        self._overrides: dict[date, bool] = dict(overrides or {})
        self._warned_years: set[int] = set()

    def set_overrides(self, overrides: Mapping[date, bool]) -> None:
        self._overrides = dict(overrides)

    def is_workday(self, day: date) -> bool:
        if day in self._overrides:
            return self._overrides[day]
        statutory = _statutory_workday(day)
        if statutory is not None:
            return statutory
        if day.year not in self._warned_years:  # a year the package does not know
            self._warned_years.add(day.year)
            log.warning(
                "no holiday data for %s: counting weekends only; import the year's calendar "
                "with `maotiao calendar import`",
                day.year,
            )
        return day.weekday() < 5 and (day.month, day.day) not in _FIXED_HOLIDAYS

    def add_workdays(self, start: date, days: int) -> date:
        """The date `days` working days after `start` (start itself not counted); negative goes back."""
        step = 1 if days >= 0 else -1
        remaining = abs(days)
        current = start
        scanned = 0
        while remaining:
            current += timedelta(days=step)
            scanned += 1
            if scanned > _MAX_SCAN_DAYS:
                raise ValueError("working-day calendar has no working days in ten years")
            if self.is_workday(current):
                remaining -= 1
        return current

    def shift(self, start: datetime, duration: Duration, *, backwards: bool = False) -> datetime:
        """start ± duration. Working days land at the end of the office day (18:00 Beijing time)."""
        require_aware(start)
        sign = -1 if backwards else 1
        if duration.unit is Unit.HOURS:
            return start + sign * timedelta(hours=duration.amount)
        if duration.unit is Unit.DAYS:
            return start + sign * timedelta(days=duration.amount)
        local_start = start.astimezone(DISPLAY_TZ)
        day = self.add_workdays(local_start.date(), sign * duration.amount)
        end = datetime.combine(day, END_OF_WORKDAY, tzinfo=DISPLAY_TZ)
        return end.astimezone(start.tzinfo)

    def add_working_hours(self, start: datetime, hours: float, office: OfficeHours) -> datetime:
        """The moment `hours` of office time after `start`, counting only the office periods of working days
        (Beijing time): 2 working hours from Friday 16:30 is Monday 10:00 with the default hours."""
        require_aware(start)
        left = timedelta(hours=hours)
        cursor = start.astimezone(DISPLAY_TZ)
        for _ in range(_MAX_SCAN_DAYS):
            day = cursor.date()
            if self.is_workday(day):
                for begin, end in office:
                    opens = max(cursor, datetime.combine(day, begin, tzinfo=DISPLAY_TZ))
                    closes = datetime.combine(day, end, tzinfo=DISPLAY_TZ)
                    if opens >= closes:
                        continue
                    if left <= closes - opens:
                        return (opens + left).astimezone(start.tzinfo)
                    left -= closes - opens
            cursor = datetime.combine(day + timedelta(days=1), time(0), tzinfo=DISPLAY_TZ)
        raise ValueError("working-day calendar has no office hours in ten years")

    def shift_limit(self, start: datetime, limit: Duration, office: OfficeHours) -> datetime:
        """A 受理/签收 time limit from `start`: hours are office hours of working days, days and working days
        as `shift` counts them."""
        if limit.unit is Unit.HOURS:
            return self.add_working_hours(start, limit.amount, office)
        return self.shift(start, limit)

    def workdays_between(self, start: date, end: date) -> int:
        """Working days in (start, end]."""
        if end <= start:
            return 0
        count = 0
        current = start
        while current < end:
            current += timedelta(days=1)
            if self.is_workday(current):
                count += 1
        return count
