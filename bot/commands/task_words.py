"""The six fields of a task in plain words, after the case number ("交办 0042 给司法所 抄送张伟 3个工作日 提前一天提醒
加急 诉求:…"): 执行人 (给…), 抄送人 (抄送…, 不抄送), 截止时间 (N个工作日/N天/N小时, 截止11月30日[17点]), 提醒时间
(提前N天/小时提醒, [11月28日]9点提醒), 诉求内容 (诉求:… to the end), 提醒方式 (卡片/加急/短信). What is left over is
not guessed at: the dispatcher is told which words were not understood, and nothing changes."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.intake.numbers import chinese_to_int
from core.clock import DISPLAY_TZ, local
from core.durations import Duration, Unit
from core.enums import ReminderMethod

_N = r"(?P<n>\d{1,3}|[一二两三四五六七八九十半]{1,3})"
_UNIT = r"(?:个)?(?P<u>工作日|天|日|个?小时)"
_DATE = r"(?:(?P<y>\d{4})[-年/])?(?P<m>\d{1,2})[-月/](?P<d>\d{1,2})[日号]?"
_HOUR = r"(?P<h>\d{1,2})[点时:](?P<min>\d{2}|半)?分?"
_CONTENT = re.compile(r"(?:诉求内容|诉求|内容)[::]\s*(?P<v>.+)$", re.S)
_ASSIGNEE = re.compile(r"(?:交办给|改派给|交给|给)\s*(?P<v>[^\s,,;;、]+)")
_NO_CC = re.compile(r"不抄送")
_CC = re.compile(r"抄送(?:给)?\s*(?P<v>[^\s,,;;]+)")
_REMIND_BEFORE = re.compile(rf"提前\s*{_N}\s*{_UNIT}\s*提醒")
_REMIND_AT = re.compile(rf"(?:{_DATE}\s*)?(?:上午|早上)?\s*{_HOUR}\s*提醒")
_DEADLINE_AT = re.compile(rf"(?:截止|期限|限)(?:时间)?[::]?\s*{_DATE}(?:\s*{_HOUR})?(?:前|之前)?")
_DEADLINE_IN = re.compile(rf"(?:期限|限|截止)?\s*{_N}\s*{_UNIT}(?:内|办结|以内)?")
_METHODS = {"短信": ReminderMethod.SMS, "加急": ReminderMethod.URGENT, "DING": ReminderMethod.URGENT,
            "ding": ReminderMethod.URGENT, "钉一下": ReminderMethod.URGENT, "卡片": ReminderMethod.CARD,
            "消息": ReminderMethod.CARD}
_METHOD = re.compile(r"(?:提醒方式[::]?\s*)?(?:用|发)?(?P<v>短信|加急|DING|ding|钉一下|卡片|消息)(?:提醒)?")
_LEFTOVER = re.compile(r"[\s,,;;。、]+")
EVENING_HOUR = 18  # a deadline given as a date alone: the end of that working day


@dataclass(frozen=True)
class TaskWords:
    assignee: str | None = None
    cc: list[str] | None = None  # None: the route's default; []: 不抄送
    deadline_in: Duration | None = None
    deadline_at: datetime | None = None
    remind_before: Duration | None = None
    remind_at: datetime | None = None
    method: ReminderMethod | None = None
    content: str | None = None


def _duration(m: re.Match[str]) -> Duration | None:
    raw = m.group("n")
    unit = {"工作日": Unit.WORKDAYS, "天": Unit.DAYS, "日": Unit.DAYS}.get(m.group("u"), Unit.HOURS)
    if raw == "半" and unit is Unit.DAYS:
        return Duration(12, Unit.HOURS)
    n = chinese_to_int(raw)
    return Duration(n, unit) if n else None


def _moment(m: re.Match[str], now: datetime, default_hour: int) -> datetime | None:
    """A date and/or hour in Beijing time; a date without a year is this year's."""
    today = local(now)
    groups = m.groupdict()
    try:
        year = int(groups["y"]) if groups.get("y") else today.year
        month, day = (int(groups["m"]), int(groups["d"])) if groups.get("m") else (today.month, today.day)
        hour = int(groups["h"]) if groups.get("h") else default_hour
        minute = 30 if groups.get("min") == "半" else int(groups.get("min") or 0)
        return datetime(year, month, day, hour, minute, tzinfo=DISPLAY_TZ)
    except ValueError:
        return None


def _time_fields(take: Callable[[re.Pattern[str]], re.Match[str] | None], now: datetime) -> dict[str, object] | str:
    found: dict[str, object] = {}
    if m := take(_REMIND_BEFORE):
        found["remind_before"] = _duration(m)
    elif m := take(_REMIND_AT):
        found["remind_at"] = _moment(m, now, 9)
    if m := take(_DEADLINE_AT):
        found["deadline_at"] = _moment(m, now, EVENING_HOUR)
    elif m := take(_DEADLINE_IN):
        found["deadline_in"] = _duration(m)
    if "remind_before" in found and found["remind_before"] is None:
        return "提醒时间看不懂,请写如「提前一天提醒」「提前2小时提醒」"
    if any(k in found and found[k] is None for k in ("remind_at", "deadline_at", "deadline_in")):
        return "时间看不懂或不是有效的日期,请写如「3个工作日」「截止11月30日」「11月28日9点提醒」"
    return found


def parse_task_words(text: str, now: datetime) -> TaskWords | str:
    """The fields said, or a Chinese sentence saying what was not understood."""
    rest = text
    found: dict[str, object] = {}

    def take(pattern: re.Pattern[str]) -> re.Match[str] | None:
        nonlocal rest
        m = pattern.search(rest)
        if m is not None:
            rest = rest[:m.start()] + " " + rest[m.end():]
        return m

    if m := take(_CONTENT):
        found["content"] = m.group("v").strip()
    if m := take(_ASSIGNEE):
        found["assignee"] = m.group("v")
    if take(_NO_CC):
        found["cc"] = []
    elif m := take(_CC):
        found["cc"] = [n for n in re.split(r"[、和]", m.group("v")) if n]
    times = _time_fields(take, now)
    if isinstance(times, str):
        return times
    found.update(times)
    if m := take(_METHOD):
        found["method"] = _METHODS[m.group("v")]
    left = _LEFTOVER.sub(" ", rest).strip()
    if left:
        return f"没看懂「{left[:30]}」。" + USAGE
    return TaskWords(**found)  # type: ignore[arg-type]


_DUE_DATE_LAST = re.compile(rf"(?:(?:截止|期限|时限|限)(?:时间)?[::]?\s*)?{_DATE}(?:\s*{_HOUR})?\s*(?:前|之前|以前|完成)?\s*[。.]?$")
_DUE_IN_LAST = re.compile(rf"(?:(?:截止|期限|时限|限)[::]?\s*)?{_N}\s*{_UNIT}(?:内|以内|办结|完成)\s*[。.]?$")


def due_at_end(text: str, now: datetime) -> tuple[str, datetime | Duration] | str | None:
    """A deadline closing a sentence ("…调解回访 12月10日前", "…截止12月10日17点", "…5个工作日内") as the
    moment (a date alone ends at 18:00) or the span it is, with the sentence before it; None when the
    sentence does not end in one, a Chinese sentence when it names a day that does not exist."""
    if m := _DUE_DATE_LAST.search(text):
        at = _moment(m, now, EVENING_HOUR)
        return (text[:m.start()].strip(), at) if at else "时间看不懂或不是有效的日期,请写如「12月10日前」「5个工作日内」"
    if m := _DUE_IN_LAST.search(text):
        span = _duration(m)
        return (text[:m.start()].strip(), span) if span else "时间看不懂,请写如「12月10日前」「5个工作日内」"
    return None


USAGE = ("示例:交办 0042 给司法所 抄送张伟 3个工作日 提前一天提醒 加急 诉求:……"
         "(截止可写「截止11月30日」,提醒可写「11月28日9点提醒」,提醒方式:卡片/加急/短信)")
