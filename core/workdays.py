"""Working-day arithmetic the way Chinese offices count: statutory holidays and adjusted workdays.

The `chinesecalendar` package knows the State Council's calendar up to the last year it shipped.
A center can add or correct days (`maotiao calendar import`). For a year neither knows, weekends
and the fixed-date statutory holidays are the rule and a warning is logged once per year, so a deadline is always computed.
"""

from __future__ import annotations

import logging
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


class WorkCalendar:
    def __init__(self, overrides: Mapping[date, bool] | None = None) -> None:
        self._overrides: dict[date, bool] = dict(overrides or {})
        self._warned_years: set[int] = set()

    def set_overrides(self, overrides: Mapping[date, bool]) -> None:
        self._overrides = dict(overrides)

    def is_workday(self, day: date) -> bool:
        if day in self._overrides:
            return self._overrides[day]
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            if day.year not in self._warned_years:
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
