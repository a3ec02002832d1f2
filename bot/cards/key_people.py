"""A case that names a registered 重点人员: its center and plan cards say so. Who the person is (name,
category) only for those who may see them (core/services/key_people.may_see); others are pointed to the grid
worker responsible. Cards go to people, never to groups (bot/outbox.py)."""

from __future__ import annotations

from bot.cards import snapshot
from core.models import Case
from core.services import key_people
from core.services.base import Actor

LABEL = "重点人员"


async def key_people_field(case: Case, viewer: Actor) -> list[tuple[str, str]]:
    people = await snapshot.key_people(case.id)
    if not people:
        return []
    plan = await snapshot.key_people_plan()
    seen = [p for p in people if key_people.may_see(viewer, p, p.grid, plan)]
    hidden = [p for p in people if p not in seen]
    parts = [f"{p.name}({p.category},{p.grid.name},网格员 {p.worker.name})" for p in seen]
    if hidden:
        ask = "、".join(dict.fromkeys(p.worker.name for p in hidden))
        parts.append(f"{'另有 ' if seen else ''}{len(hidden)} 人,详情请联系网格员 {ask}")
    return [(LABEL, "涉及重点人员:" + ";".join(parts))]
