"""The periods of "四个一" plus the daily stand-up, in Beijing time, as UTC bounds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from core.clock import DISPLAY_TZ


class Kind(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    HALFYEAR = "halfyear"

    @property
    def label(self) -> str:
        return {"daily": "每日研判", "weekly": "每周梳理", "monthly": "每月分析", "quarterly": "每季度研判",
                "halfyear": "每半年总结"}[self.value]


@dataclass(frozen=True)
class Period:
    kind: Kind
    first: date
    last: date  # inclusive

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(0), tzinfo=DISPLAY_TZ).astimezone(UTC)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.last + timedelta(days=1), time(0), tzinfo=DISPLAY_TZ).astimezone(UTC)

    @property
    def label(self) -> str:
        if self.first == self.last:
            return f"{self.first:%Y年%m月%d日}"
        return f"{self.first:%Y年%m月%d日}—{self.last:%m月%d日}"

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1)]


def _month_end(year: int, month: int) -> date:
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def period_of(kind: Kind, day: date) -> Period:
    """The period of `kind` that contains `day`."""
    if kind is Kind.DAILY:
        return Period(kind, day, day)
    if kind is Kind.WEEKLY:
        monday = day - timedelta(days=day.weekday())
        return Period(kind, monday, monday + timedelta(days=6))
    if kind is Kind.MONTHLY:
        return Period(kind, day.replace(day=1), _month_end(day.year, day.month))
    if kind is Kind.QUARTERLY:
        first_month = (day.month - 1) // 3 * 3 + 1
        return Period(kind, date(day.year, first_month, 1), _month_end(day.year, first_month + 2))
    first_month = 1 if day.month <= 6 else 7
    return Period(kind, date(day.year, first_month, 1), _month_end(day.year, first_month + 5))


def finished_periods(today: date) -> list[Period]:
    """What to publish this morning: yesterday, and every longer period that ended yesterday."""
    yesterday = today - timedelta(days=1)
    out = [period_of(Kind.DAILY, yesterday)]
    for kind in (Kind.WEEKLY, Kind.MONTHLY, Kind.QUARTERLY, Kind.HALFYEAR):
        p = period_of(kind, yesterday)
        if p.last == yesterday:
            out.append(p)
    return out
