"""The arguments commands share: a case number, then the rest (办结 0042 …, 协议 0042 …, 预约 0042 …), fields
introduced by their words (调解员 … 方式 …, 地点 … 主持 …), and a day."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from core.clock import local
from core.numbering import parse_number

CASE_NUMBER = r"(?:\d{4}-\d{1,6}|\d{1,6})"  # 2026-0042, 0042 or 42, inside a larger pattern
_NUMBER_THEN_REST = re.compile(r"^(\S+)\s+(.+)$", re.S)


@dataclass(frozen=True)
class CaseArgs:
    number: str  # the full case number, e.g. 2026-0042
    rest: str  # what follows it, stripped (never empty)


def case_number(text: str, now: datetime) -> str | None:
    """"0042" or "2026-0042" as a full case number (a short one is in this year); None when it is not one."""
    return parse_number(text, local(now).year) if text.strip() else None


def case_args(text: str, now: datetime) -> CaseArgs | None:
    """"0042 双方同意……" → (2026-0042, "双方同意……"); None without a case number first or anything after it."""
    m = _NUMBER_THEN_REST.match(text.strip())
    number = case_number(m.group(1), now) if m else None
    if m is None or number is None:
        return None
    return CaseArgs(number, m.group(2).strip())


def case_and_match(text: str, now: datetime, pattern: re.Pattern[str]) -> tuple[str, re.Match[str]] | None:
    """A case number, then a rest that `pattern` reads ("积案 0042 包案 韩卫国"); None when either is missing."""
    args = case_args(text, now)
    m = pattern.match(args.rest) if args else None
    return (args.number, m) if args is not None and m is not None else None


def labelled(text: str, words: re.Pattern[str], keys: dict[str, str]) -> dict[str, str] | None:
    """Fields each introduced by a word `words` finds, up to the next one: "调解员 张三、李四 方式 上门" →
    {"mediators": "张三、李四", "method": "上门"} (keys maps each word to its field). None when text precedes
    the first word or a field is given twice."""
    marks = list(words.finditer(text))
    if not marks or text[:marks[0].start()].strip():
        return None
    out: dict[str, str] = {}
    for i, m in enumerate(marks):
        key = keys[m.group(1)]
        if key in out:
            return None
        out[key] = text[m.end():marks[i + 1].start() if i + 1 < len(marks) else len(text)].strip()
    return out


DAY = r"(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}-\d{1,2}|\d{1,2}月\d{1,2}日)"  # 2026-12-08, 12-08 or 12月8日


def day_of(text: str, today: date) -> date:
    """A day as DAY writes it (without a year: this year); ValueError when there is no such day."""
    parts = [int(p) for p in re.findall(r"\d+", text)]
    if len(parts) == 3:
        return date(parts[0], parts[1], parts[2])
    return date(today.year, parts[0], parts[1])
