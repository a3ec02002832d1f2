"""Text helpers every platform adapter needs: split long messages at line boundaries within a byte limit,
and turn our markdown into plain text for clients that cannot show markdown."""

from __future__ import annotations

import re


def split_bytes(text: str, limit: int, measure: int = 0) -> list[str]:
    """Pieces of `text` of at most `limit` UTF-8 bytes each (plus `measure` bytes of overhead), cut at line
    boundaries where possible and at character boundaries inside a line that alone is too long."""
    room = limit - measure
    if len(text.encode()) <= room:
        return [text]
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        for part in _cut_line(line, room):
            candidate = f"{current}\n{part}" if current else part
            if current and len(candidate.encode()) > room:
                pieces.append(current)
                current = part
            else:
                current = candidate
    if current:
        pieces.append(current)
    return pieces


def _cut_line(line: str, room: int) -> list[str]:
    if len(line.encode()) <= room:
        return [line]
    parts, current = [], ""
    for ch in line:
        if len((current + ch).encode()) > room:
            parts.append(current)
            current = ch
        else:
            current += ch
    return [*parts, current] if current else parts


_FONT = re.compile(r"</?font[^>]*>")
_LINK = re.compile(r"\[([^\]]*)\]\(([^)]*)\)")
_HEADING = re.compile(r"^#{1,6}\s*", re.M)
_QUOTE = re.compile(r"^>\s?", re.M)


def plain_text(markdown: str) -> str:
    """Our markdown (bold, headings, quotes, font colours, links) as plain text."""
    text = _FONT.sub("", markdown)
    text = _LINK.sub(lambda m: f"{m.group(1)} {m.group(2)}".strip(), text)
    text = _HEADING.sub("", text)
    text = _QUOTE.sub("", text)
    return text.replace("**", "").replace("__", "")
