"""Finding where a report happened: region names from the org tree, else a place-like phrase."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_SUFFIXES = ("社区", "街道", "村", "镇", "乡")
_PLACE = re.compile(r"[\u4e00-\u9fa5]{2,6}?(?:社区|小区|街道|村|镇|乡)(?![民委干里子口])")
_NOT_IN_PLACE = set("的了到在去回从向和与是个两把被对给说要找")
_LEAD_VERBS = re.compile(r"^.*?(反映|家住|住在|位于|来自|地处|发生在|发现)")
@dataclass
class PlaceIndex:
    """Aliases of the org's regions → region id; the longest alias found in a text wins."""

    aliases: dict[str, int] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)

    def add(self, region_id: int, name: str, full_name: str) -> None:
        self.names[region_id] = full_name
        self.aliases.setdefault(name, region_id)
        for suffix in _SUFFIXES:
            stem = name[: -len(suffix)]
            if name.endswith(suffix) and len(stem) >= 2:
                self.aliases.setdefault(stem + suffix, region_id)

    def find(self, text: str) -> int | None:
        best: tuple[int, int] | None = None
        for alias, region_id in self.aliases.items():
            if alias in text and (best is None or len(alias) > best[0]):
                best = (len(alias), region_id)
        return best[1] if best else None


def place_phrase(text: str) -> str | None:
    for m in _PLACE.finditer(text):
        phrase = m.group(0)
        cut = max((i for i, ch in enumerate(phrase) if ch in _NOT_IN_PLACE), default=-1)
        phrase = _LEAD_VERBS.sub("", phrase[cut + 1 :])
        if len(phrase) >= 3:
            return phrase
    return None

