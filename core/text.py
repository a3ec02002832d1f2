"""Text from outside that the database cannot store or a person cannot see.

PostgreSQL refuses U+0000 in text and JSON, and no database stores a lone UTF-16 surrogate as UTF-8:
either one in a field used to be a 500 (API) or a message that was never stored nor answered (a chat platform).
Zero-width and other invisible characters alone look like content to `str.strip` but are not a report.
"""

from __future__ import annotations

import unicodedata
from typing import Any

# Letters and symbols that render as nothing (category Lo/So, so the category test misses them).
_BLANK_GLYPHS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e")


def visible(text: str) -> bool:
    """Whether any character shows: not whitespace, not a format (Cf: U+200B…U+200F, U+2060, U+FEFF, soft
    hyphen, bidi marks) or control character, not a blank glyph."""
    return any(not ch.isspace() and ch not in _BLANK_GLYPHS and unicodedata.category(ch) not in ("Cf", "Cc", "Cn")
               for ch in text)


def unstorable(text: str) -> bool:
    return "\x00" in text or any("\ud800" <= ch <= "\udfff" for ch in text)


def find_unstorable(value: Any, path: str = "") -> str | None:
    """The dotted path of the first string (or key) in a JSON value holding NUL or a lone surrogate."""
    if isinstance(value, str):
        return path if unstorable(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and unstorable(key):
                return where
            found = find_unstorable(item, where)
            if found is not None:
                return found
    if isinstance(value, list):
        for i, item in enumerate(value):
            found = find_unstorable(item, f"{path}.{i}" if path else str(i))
            if found is not None:
                return found
    return None


def scrub(value: Any) -> Any:
    """The same JSON value with NUL and lone surrogates removed from every string and key (chat messages:
    a client glitch the sender cannot see, so the message is kept without it rather than refused)."""
    if isinstance(value, str):
        return value.replace("\x00", "").encode("utf-8", "ignore").decode("utf-8") if unstorable(value) else value
    if isinstance(value, dict):
        return {scrub(k): scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v) for v in value]
    return value
