"""Durations as a center writes them: "3d" calendar days, "5w" working days, "4h" hours."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

_PATTERN = re.compile(r"^\s*(\d{1,4})\s*([dwh])\s*$")


class Unit(StrEnum):
    DAYS = "d"
    WORKDAYS = "w"
    HOURS = "h"


@dataclass(frozen=True)
class Duration:
    amount: int
    unit: Unit

    @classmethod
    def parse(cls, text: str) -> Duration:
        match = _PATTERN.match(str(text))
        if not match:
            raise ValueError(f"'{text}' is not a duration: write Nd (days), Nw (working days) or Nh (hours)")
        return cls(int(match.group(1)), Unit(match.group(2)))

    def __str__(self) -> str:
        return f"{self.amount}{self.unit.value}"

    @property
    def label(self) -> str:
        names = {Unit.DAYS: "天", Unit.WORKDAYS: "个工作日", Unit.HOURS: "小时"}
        return f"{self.amount}{names[self.unit]}"
