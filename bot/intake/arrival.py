"""Cases that do not come through a chat draft (the JSON API, a center clerk's 登记): the same parser as a
chat report labels their content, and whatever the sender stated explicitly wins over it."""

from __future__ import annotations

from dataclasses import dataclass

from bot.intake.parse import parse
from core.enums import Category, Flag, Severity


@dataclass(frozen=True)
class Labels:
    category: Category
    severity: Severity
    flags: frozenset[Flag]
    people: int | None
    location: str
    parties: list[str]


def label(content: str, *, category: Category | None = None, severity: Severity | None = None,
          flags: frozenset[Flag] | None = None, people: int | None = None) -> Labels:
    """The parser's labels for `content`; an argument given (not None) replaces the parser's guess."""
    parsed = parse(content)
    return Labels(
        category=category if category is not None else Category(parsed.category),
        severity=severity if severity is not None else Severity(parsed.severity),
        flags=flags if flags is not None else frozenset(Flag(f) for f in parsed.flags),
        people=people if people is not None else parsed.people,
        location=parsed.location or "",
        parties=list(parsed.parties),
    )
