"""The org's region names as a PlaceIndex, cached briefly (the tree changes only on org import)."""

from __future__ import annotations

import time

from bot.intake.places import PlaceIndex
from core.models import Region

_TTL_SECONDS = 300.0
_cache: tuple[float, PlaceIndex] | None = None


async def place_index() -> PlaceIndex:
    global _cache
    if _cache is not None and time.monotonic() - _cache[0] < _TTL_SECONDS:
        return _cache[1]
    index = PlaceIndex()
    for region_id, name, full in await Region.filter(active=True).values_list("id", "name", "full_name"):
        index.add(int(region_id), str(name), str(full))
    _cache = (time.monotonic(), index)
    return index


def forget_places() -> None:
    """Call after an org import so new regions are found at once."""
    global _cache
    _cache = None
