"""重点人员 settings from the org file (`key_people:`): the categories a center registers, each with its
default follow-up cadence in days, and the roles that see the register of their area (besides the grid worker
responsible for each person)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.enums import Role
from core.models import Setting
from core.org_schema import KEY_PEOPLE_CATEGORIES as DEFAULT_CATEGORIES
from core.org_schema import KeyPeopleIn

KEY_PEOPLE_KEY = "key_people"
DEFAULT_VIEWERS: tuple[Role, ...] = (Role.LEADER, Role.SECRETARY)


@dataclass(frozen=True)
class KeyPeoplePlan:
    categories: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_CATEGORIES))
    viewers: frozenset[Role] = frozenset(DEFAULT_VIEWERS)


def key_people_value(entry: KeyPeopleIn) -> dict[str, Any]:
    """As stored: the categories as [name, days] pairs, in the org file's order (a JSON object's keys are
    reordered by PostgreSQL)."""
    return {"categories": [[k, n] for k, n in entry.categories.items()], "viewers": list(entry.viewers)}


async def load_key_people() -> KeyPeoplePlan:
    row = await Setting.get_or_none(key=KEY_PEOPLE_KEY)
    if row is None:
        return KeyPeoplePlan()
    v: dict[str, Any] = row.value
    categories = {str(k): int(n) for k, n in v.get("categories") or []} or dict(DEFAULT_CATEGORIES)
    viewers = frozenset(Role(r) for r in v.get("viewers", [r.value for r in DEFAULT_VIEWERS])
                        if r in Role._value2member_map_)
    return KeyPeoplePlan(categories, viewers)
