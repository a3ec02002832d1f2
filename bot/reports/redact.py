"""What a generated document may show of a case's text: party names as the audience allows, personal
numbers always masked. The one place documents take their masker from."""

from __future__ import annotations

from core.masking import mask_numbers
from core.privacy import hide_names, party_names


def redact(text: str, parties: list[dict[str, str]], mode: str) -> str:
    return mask_numbers(hide_names(text, parties, mode))


def parties_line(parties: list[dict[str, str]], mode: str) -> str:
    names = party_names(parties, mode)
    return "、".join(mask_numbers(n) for n in names) if names else "(未登记)"


__all__ = ["mask_numbers", "parties_line", "redact"]
