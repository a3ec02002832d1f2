"""The sandbox's clock jumps and the demo roster it keeps around today, without a browser: the next working
day's 09:00, what quiet hours hold back, the rotation laid over any day."""

from __future__ import annotations

from datetime import UTC, date, timedelta

from core.clock import local
from core.models import RosterEntry, Task
from core.roster import on_duty
from core.workdays import WorkCalendar
from maotiao.demo_roster import AHEAD, demo_rotation, keep_demo_roster, rotation_day
from maotiao.sandbox_clock import next_workday_morning, quiet_status
from tests.bot.harness import Harness
from tests.conftest import cst


def test_the_next_working_morning_skips_nights_weekends_and_holidays() -> None:
    calendar = WorkCalendar()
    assert local(next_workday_morning(cst(2026, 11, 27, 3, 37), calendar)) == cst(2026, 11, 27, 9, 0)  # Fri night
    assert local(next_workday_morning(cst(2026, 11, 27, 10, 0), calendar)) == cst(2026, 11, 30, 9, 0)  # → Monday
    after_holiday = calendar.add_workdays(date(2026, 9, 30), 1)  # 国庆
    assert local(next_workday_morning(cst(2026, 9, 30, 10, 0), calendar)).date() == after_holiday
    assert after_holiday > date(2026, 10, 3)


async def test_quiet_hours_say_what_they_hold(org, domain, clock) -> None:
    h = Harness(domain)
    await h.say("周小梅", "两户人家因为院墙滴水吵了好几天")
    await h.click("周小梅", "确认上报")
    await h.click("林晓", "受理并交办")
    night = cst(2026, 11, 23, 23, 0).astimezone(UTC)
    await Task.all().update(sign_remind_at=night - timedelta(hours=1))  # a sign reminder fell due at 22:00
    held = await quiet_status(night)
    assert held["active"] and held["held"] >= 1
    assert "免打扰时段(22:00-07:00)" in held["text"] and "07:00 后发出" in held["text"]
    day = await quiet_status(cst(2026, 11, 24, 10, 0).astimezone(UTC))
    assert not day["active"] and day["text"] == ""


async def test_the_demo_roster_follows_today_and_keeps_what_was_changed(org) -> None:
    today = date(2026, 11, 23) + timedelta(days=400)  # long after the demo file's own dates
    assert (await on_duty(today)).leader is None
    assert await keep_demo_roster(today) == AHEAD + 2  # yesterday to AHEAD days on
    for offset in range(-1, AHEAD + 1):
        duty = await on_duty(today + timedelta(days=offset))
        assert duty.leader is not None and duty.staff, today + timedelta(days=offset)
    rotation = demo_rotation()
    assert (await on_duty(today)).leader.name == rotation_day(rotation, today).leader  # type: ignore[union-attr]
    await RosterEntry.filter(day=today + timedelta(days=AHEAD)).delete()
    assert await keep_demo_roster(today) == 1  # only the empty day is filled again
    assert await keep_demo_roster(today + timedelta(days=3)) == 3  # the clock moved on three days
