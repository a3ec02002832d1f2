"""Human case numbers a user can type in chat: YYYY-NNNN, unique per center (one deployment) and year.

Numbers are unique and increase through the year, but they are not gap-free. On PostgreSQL the number is
taken by one statement that commits by itself, on a connection of its own (core.db.side_connection),
so the counter row is locked for that statement only. An intake whose own transaction then fails — a database
error, the process killed mid-intake, or two posts of one external id at the same instant (the second
answers with the first's case) — leaves its number unused. Refusals (bad content, unknown place, a
re-sent external id) are all decided before the number is taken and use none.

Why not gap-free: a gap-free number can only be taken once every earlier taker has committed or rolled
back, so the counter row stays locked until the intake's transaction ends — for a report that is the case,
its audit event, the cards to the center and the warnings. That one row serialised every intake of the
deployment (issue 20: 83–89% of wall time waiting on it, a second `serve` added nothing). A center does not
need the sequence to prove that no case was removed: every case's creation is an event of its township's
audit chain (core/audit.py), verified and signed outside the database; the 台账 lists the cases that exist.

SQLite has one writer at a time whatever we lock, so there the counter row is still taken inside the
intake's transaction (and is gap-free).
"""

from __future__ import annotations

import re

from tortoise.expressions import F

from core.db import side_connection, unavailable
from core.models import Counter

_FULL = re.compile(r"^(\d{4})-(\d{1,6})$")
_SHORT = re.compile(r"^(\d{1,6})$")
SIDE_TIMEOUT = 30  # seconds: a hung side connection must not hold every intake of the process for ever
_TAKE = ('INSERT INTO "counter" ("key", "value") VALUES ($1, 1) '
         'ON CONFLICT ("key") DO UPDATE SET "value" = "counter"."value" + 1 RETURNING "value"')


def format_number(year: int, seq: int) -> str:
    return f"{year}-{seq:04d}"


async def next_seq(year: int) -> int:
    """The next number of the year. Call it as late in the intake as possible: after every check that can
    refuse the report (on SQLite the counter row stays locked until the intake commits)."""
    key = f"case:{year}"
    for attempt in (1, 2):  # a connection cut since its last use is found out here: once more on a new one
        try:
            async with side_connection() as outside:
                if outside is None:
                    break
                return int(await outside.fetchval(_TAKE, key, timeout=SIDE_TIMEOUT))
        except Exception as exc:
            if attempt == 2 or not unavailable(exc):
                raise
    await Counter.bulk_create([Counter(key=key, value=0)], ignore_conflicts=True)
    await Counter.filter(key=key).update(value=F("value") + 1)  # row lock held until commit
    row = await Counter.get(key=key)
    return row.value


def parse_number(text: str, default_year: int) -> str | None:
    """"2026-0042" as is; "0042" or "42" in the given year. None when it is not a case number."""
    text = text.strip()
    m = _FULL.match(text)
    if m:
        return format_number(int(m.group(1)), int(m.group(2)))
    m = _SHORT.match(text)
    if m:
        return format_number(default_year, int(m.group(1)))
    return None
