"""Masking personal numbers before text leaves the people who handle the case."""

from __future__ import annotations

import re

_ID = re.compile(r"(?<![0-9])([1-9][0-9]{5})(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}([0-9Xx])(?![0-9])")
_MOBILE = re.compile(r"(?<![0-9])(1[3-9][0-9])[ -]?([0-9]{4})[ -]?([0-9]{4})(?![0-9])")
_LANDLINE = re.compile(r"(?<![0-9])(0[0-9]{2,3})-?([0-9]{3,4})([0-9]{4})(?![0-9])")


def mask_numbers(text: str) -> str:
    """138****5678 for mobiles, 330502********123X for ID numbers, 0572-***1234 for landlines."""
    text = _ID.sub(lambda m: m.group(1) + "*" * 8 + m.group(0)[-4:], text)
    text = _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)
    return _LANDLINE.sub(lambda m: f"{m.group(1)}-{'*' * len(m.group(2))}{m.group(3)}", text)


def has_personal_numbers(text: str) -> bool:
    return bool(_ID.search(text) or _MOBILE.search(text) or _LANDLINE.search(text))
