"""`maotiao calendar import`: a center's own holiday and adjusted-workday list (CSV: date,kind[,name]), or a
year's list shipped with maotiao (core/data/holidays-<year>.csv) for a year `chinesecalendar` does not know yet.
A shipped list made before the State Council's notice says `# status: unverified` and lacks the notice's
补假 and 调休 days (`maotiao doctor` warns until the year has adjusted workdays)."""

from __future__ import annotations

import csv
import io
from datetime import date
from importlib import resources
from importlib.resources.abc import Traversable

from tortoise.transactions import in_transaction

from core.models import CalendarDay
from core.workdays import WorkCalendar

_KINDS = {"holiday": False, "休": False, "假": False, "workday": True, "班": True, "work": True}


UNVERIFIED = "# status: unverified"


class CalendarImportError(Exception):
    pass


def bundled(year: int) -> Traversable | None:
    """The year's list shipped with maotiao, if there is one."""
    found = resources.files("core").joinpath(f"data/holidays-{year}.csv")
    return found if found.is_file() else None


def unverified(text: str) -> bool:
    """A list marked as not yet checked against the State Council's notice."""
    return any(line.strip().lower().startswith(UNVERIFIED) for line in text.splitlines())


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
