"""The sandbox's clock: jump an hour, a day, or to the next working day's 09:00 (a day jumped from 03:37
lands at 03:xx, inside quiet hours, where nothing but urgent work goes out), and what quiet hours are holding
back right now, so the page can say why nothing happened."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from typing import Any

from aiohttp import web

from core.clock import DISPLAY_TZ, OffsetClock, fmt_local, local
from core.models import DatabaseMark
from core.policy import Policy, load_policy
from core.workdays import WorkCalendar
from maotiao.demo_roster import keep_demo_roster
from scheduler.sweep import due_items

CALENDAR = web.AppKey("calendar", WorkCalendar)
MORNING = time(9, 0)
MAX_HOURS = 24 * 60
JUMPS = {"hour", "day", "workday_morning"}


def next_workday_morning(now: datetime, calendar: WorkCalendar) -> datetime:
    """09:00 Beijing time of the first working day whose 09:00 is still ahead (today's, before 09:00)."""
    here = local(now)
    for i in range(0, 60):
        day = here.date() + timedelta(days=i)
        at = datetime.combine(day, MORNING, tzinfo=DISPLAY_TZ)
        if at > here and calendar.is_workday(day):
            return at
    return here + timedelta(days=1)  # no working day in two months: the calendar is broken; a day it is


def _window(policy: Policy) -> str:
    return f"{policy.quiet_start:02d}:00-{policy.quiet_end:02d}:00"


async def quiet_status(now: datetime) -> dict[str, Any]:
    """Whether quiet hours hold messages now, and how many reminders / escalations are waiting for them."""
    policy = await load_policy()
    if not policy.is_quiet(local(now).hour):
        return {"active": False, "window": _window(policy), "held": 0, "text": ""}
    held = len(await due_items(now)) - len(await due_items(now, urgent_only=True))
    text = (f"免打扰时段({_window(policy)}):只发加急和重大事项"
            + (f",另有 {held} 项提醒暂缓,{policy.quiet_end:02d}:00 后发出" if held else ""))
    return {"active": True, "window": _window(policy), "held": held, "text": text}


def _target(data: dict[str, Any], clock: OffsetClock, calendar: WorkCalendar) -> timedelta | str:
    """How far to move the clock for a request, or why not (in Chinese)."""
    jump = data.get("jump")
    if jump is not None:
        if jump not in JUMPS:
            return f"jump 只能是 {'、'.join(sorted(JUMPS))}"
        if jump == "workday_morning":
            return next_workday_morning(clock.now(), calendar) - local(clock.now())
        return timedelta(hours=1 if jump == "hour" else 24)
    try:
        hours = float(data.get("hours", 24))
    except (TypeError, ValueError):
        return "hours 必须是数字"
    if not 0 < hours <= MAX_HOURS:
        return f"hours 必须在 0 到 {MAX_HOURS} 之间"
    return timedelta(hours=hours)


async def move(request: web.Request, data: dict[str, Any], clock: OffsetClock, kick: object) -> web.Response:
    """POST /sandbox/api/clock: {"jump": "hour" | "day" | "workday_morning"} or {"hours": n}."""
    target = _target(data, clock, request.app[CALENDAR])
    if isinstance(target, str):
        return web.json_response({"error": target}, status=400, dumps=_dumps)
    mark = await DatabaseMark.get_or_none(id=1)
    if mark is None or mark.mode != "sandbox":  # a moved clock escalates, dates the audit ahead, runs digests
        return web.json_response({"error": "not a sandbox database: the clock does not move here"}, status=409)
    clock.advance(target)
    await keep_demo_roster(local(clock.now()).date())
    kick()  # type: ignore[operator]
    return web.json_response({"now": fmt_local(clock.now()), "quiet": await quiet_status(clock.now())},
                             dumps=_dumps)


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)
