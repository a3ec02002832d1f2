"""Time: UTC in storage, Asia/Shanghai for display; a clock that tests and the sandbox can move."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

DISPLAY_TZ = ZoneInfo("Asia/Shanghai")


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told to (tests, the sandbox's "jump a day")."""

    def __init__(self, start: datetime) -> None:
        self._now = require_aware(start).astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def set(self, when: datetime) -> None:
        self._now = require_aware(when).astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        self._now += delta


class OffsetClock:
    """Real time plus an offset a trainer can move forward (the sandbox's "jump a day")."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta


def require_aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("naive datetime: every datetime must carry a timezone")
    return value


def local(value: datetime) -> datetime:
    return require_aware(value).astimezone(DISPLAY_TZ)


def fmt_local(value: datetime | None) -> str:
    """How a user sees a time: Beijing time, minute precision."""
    if value is None:
        return "-"
    return local(value).strftime("%Y-%m-%d %H:%M")
