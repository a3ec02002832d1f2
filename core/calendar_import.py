"""`maotiao calendar import`: a center's own holiday and adjusted-workday list (CSV: date,kind[,name])."""

from __future__ import annotations

import csv
import io
from datetime import date

from tortoise.transactions import in_transaction

from core.models import CalendarDay
from core.workdays import WorkCalendar

_KINDS = {"holiday": False, "休": False, "假": False, "workday": True, "班": True, "work": True}


class CalendarImportError(Exception):
    pass


def parse_calendar(text: str) -> list[tuple[date, bool, str]]:
    rows: list[tuple[date, bool, str]] = []
    problems: list[str] = []
    for lineno, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        cells = [c.strip() for c in row]
        if not cells or not cells[0] or cells[0].startswith("#") or cells[0].lower() == "date":
            continue
        try:
            day = date.fromisoformat(cells[0])
        except ValueError:
            problems.append(f"line {lineno}: '{cells[0]}' is not a date (YYYY-MM-DD)")
            continue
        kind = cells[1] if len(cells) > 1 else ""
        if kind not in _KINDS:
            problems.append(f"line {lineno}: kind must be holiday/休 or workday/班, got '{kind}'")
            continue
        rows.append((day, _KINDS[kind], cells[2] if len(cells) > 2 else ""))
    if problems:
        raise CalendarImportError("\n".join(problems))
    return rows


async def import_calendar(text: str) -> int:
    rows = parse_calendar(text)
    async with in_transaction():
        for day, workday, name in rows:
            await CalendarDay.update_or_create(defaults={"workday": workday, "name": name}, day=day)
    return len(rows)


async def load_calendar(calendar: WorkCalendar) -> None:
    calendar.set_overrides({row.day: row.workday for row in await CalendarDay.all()})
