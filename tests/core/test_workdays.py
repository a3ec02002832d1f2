"""Deadlines count working days like Chinese offices: holidays, adjusted workdays, unknown years."""

from __future__ import annotations

import logging
from datetime import date

import pytest

from core.clock import local
from core.durations import Duration
from core.workdays import DEFAULT_OFFICE_HOURS, WorkCalendar, office_hours
from tests.conftest import cst


@pytest.fixture
def cal() -> WorkCalendar:
    return WorkCalendar()


def test_national_day_is_skipped(cal: WorkCalendar) -> None:
    # 2026: Oct 1–7 off, Sat Oct 10 an adjusted workday (调休上班).
    assert cal.add_workdays(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert cal.add_workdays(date(2026, 10, 8), 2) == date(2026, 10, 10)
    assert cal.is_workday(date(2026, 10, 10))


def test_duration_shift_lands_at_end_of_office_day(cal: WorkCalendar) -> None:
    end = cal.shift(cst(2026, 9, 29, 10, 0), Duration.parse("3w"))
    assert local(end).strftime("%Y-%m-%d %H:%M") == "2026-10-09 18:00"
    assert cal.shift(cst(2026, 9, 29, 10, 0), Duration.parse("4h")) == cst(2026, 9, 29, 14, 0)
    assert cal.shift(cst(2026, 9, 29, 10, 0), Duration.parse("2d"), backwards=True) == cst(2026, 9, 27, 10, 0)


def test_deadline_across_2026_2027_is_computed_with_a_warning(cal: WorkCalendar, caplog) -> None:
    with caplog.at_level(logging.WARNING):
        end = cal.shift(cst(2026, 12, 30, 9, 0), Duration.parse("3w"))
    # Dec 31 (Thu) works; Jan 1 2027 is 元旦 (fixed by law); Sat/Sun off; Jan 4, Jan 5.
    assert local(end).date() == date(2027, 1, 5)
    assert any("2027" in r.getMessage() for r in caplog.records)


def test_center_overrides_win(cal: WorkCalendar) -> None:
    cal.set_overrides({date(2027, 1, 4): False, date(2027, 1, 2): True})
    assert cal.add_workdays(date(2026, 12, 31), 2) == date(2027, 1, 5)


def test_far_future_never_crashes(cal: WorkCalendar) -> None:
    assert cal.add_workdays(date(2030, 5, 1), 10).year == 2030


@pytest.mark.parametrize("bad", ["", "5", "3x", "-1d", "w3"])
def test_bad_durations_are_named(bad: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        Duration.parse(bad)


OFFICE = office_hours(DEFAULT_OFFICE_HOURS)


@pytest.mark.parametrize(("start", "hours", "due"), [
    (cst(2026, 11, 23, 9, 0), 2, cst(2026, 11, 23, 11, 0)),  # Monday morning: within the morning
    (cst(2026, 11, 23, 11, 0), 2, cst(2026, 11, 23, 14, 30)),  # across the lunch break (12:00–13:30)
    (cst(2026, 11, 23, 12, 30), 1, cst(2026, 11, 23, 14, 30)),  # reported at lunch: counted from 13:30
    (cst(2026, 11, 23, 20, 0), 4, cst(2026, 11, 24, 14, 30)),  # reported at night: from the next morning
    (cst(2026, 11, 27, 16, 30), 2, cst(2026, 11, 30, 10, 0)),  # Friday afternoon: the weekend does not count
    (cst(2026, 9, 30, 16, 0), 3, cst(2026, 10, 8, 10, 30)),  # before 国庆: the holiday does not count
    (cst(2026, 10, 10, 9, 0), 1, cst(2026, 10, 10, 10, 0)),  # an adjusted Saturday (调休上班) counts
])
def test_working_hours_count_only_office_periods_of_working_days(cal: WorkCalendar, start, hours, due) -> None:
    assert cal.add_working_hours(start, hours, OFFICE) == due


def test_a_limit_in_hours_is_working_hours_and_in_days_as_before(cal: WorkCalendar) -> None:
    friday = cst(2026, 11, 27, 16, 30)
    assert cal.shift_limit(friday, Duration.parse("2h"), OFFICE) == cst(2026, 11, 30, 10, 0)
    assert cal.shift_limit(friday, Duration.parse("1w"), OFFICE) == cal.shift(friday, Duration.parse("1w"))
    assert cal.shift_limit(friday, Duration.parse("2h"), office_hours("08:30-12:00,14:00-18:00")) == \
        cst(2026, 11, 30, 9, 0)


@pytest.mark.parametrize("text", ["9-12", "09:00-12:00,11:00-17:00", "13:00-12:00", "25:00-26:00"])
def test_office_hours_that_do_not_make_a_day_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        office_hours(text)
