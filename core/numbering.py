"""Human case numbers a user can type in chat: YYYY-NNNN, unique per center and year."""

from __future__ import annotations

import re

from tortoise.expressions import F

from core.models import Counter

_FULL = re.compile(r"^(\d{4})-(\d{1,6})$")
_SHORT = re.compile(r"^(\d{1,6})$")


def format_number(year: int, seq: int) -> str:
    return f"{year}-{seq:04d}"


async def next_seq(year: int) -> int:
    """Atomically take the next sequence for the year (run inside the case's transaction)."""
    key = f"case:{year}"
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
