"""The labelled corpus kept in the repository (bot/intake/corpus/*.jsonl) and its fixed split: one report in
five, chosen by a hash of its text, is held back from training for `maotiao intake evaluate`."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

HELD_BACK_ONE_IN = 5


@dataclass(frozen=True)
class Example:
    text: str
    category: str
    severity: str | None = None
    flags: tuple[str, ...] | None = None
    source: str = "corpus"  # "corpus" or "correction"
    weight: float = 1.0
    extra: dict[str, str] = field(default_factory=dict, compare=False)


def held_back(text: str) -> bool:
    return hashlib.sha256(text.encode("utf-8")).digest()[0] % HELD_BACK_ONE_IN == 0


def corpus_dir() -> Path:
    return Path(str(resources.files("bot.intake").joinpath("corpus")))


def read_jsonl(paths: Iterable[Path]) -> Iterator[Example]:
    for path in paths:
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            row = json.loads(line)
            try:
                yield Example(str(row["text"]), str(row["category"]), row.get("severity"),
                              tuple(row["flags"]) if "flags" in row else None)
            except KeyError as exc:
                raise ValueError(f"{path}:{lineno}: missing {exc}") from None


def corpus(split: str = "all", directory: Path | None = None) -> list[Example]:
    """split: "train", "heldback" or "all"."""
    rows = list(read_jsonl(sorted((directory or corpus_dir()).glob("*.jsonl"))))
    if split == "all":
        return rows
    want = split == "heldback"
    return [r for r in rows if held_back(r.text) == want]
