"""Region tree look-ups: by name or path, ancestors at a level, scope tests."""

from __future__ import annotations

from core import org_memo
from core.enums import Level
from core.errors import InvalidInput, NotFound
from core.models import Department, Region, Staff


def contains(outer_path: str, inner_path: str) -> bool:
    """Whether the node with `inner_path` lies in the subtree rooted at `outer_path`."""
    return inner_path.startswith(outer_path)


def ancestor_ids(region: Region) -> list[int]:
    """Ids from the root down to and including the region."""
    return [int(p) for p in region.path.strip("/").split("/") if p]


def village_of(region: Region, regions: dict[int, Region]) -> Region:
    """The village/community a node lies in (itself when above that level), from an id → Region map."""
    return next((regions[i] for i in ancestor_ids(region) if regions[i].level == Level.VILLAGE.value), region)


async def find_region(ref: str) -> Region:
    """A region by full path ("茶园乡/荷花村") or by a name that is unique in the tree."""
    ref = ref.strip()
    if "/" in ref:
        candidates = await Region.filter(full_name__endswith=ref, active=True)
        candidates = [r for r in candidates if r.full_name == ref or r.full_name.endswith("/" + ref)]
    else:
        candidates = await Region.filter(name=ref, active=True)
    if not candidates:
        raise NotFound(f"找不到地点「{ref}」")
    if len(candidates) > 1:
        names = "、".join(r.full_name for r in candidates[:5])
        raise InvalidInput(f"地点「{ref}」有多个同名:{names},请写明上级")
    return candidates[0]


async def ancestor_at(region: Region, level: Level) -> Region | None:
    """The node at `level` on the way from the root to `region` (the region itself included)."""
    if Level(region.level) == level:
        return region
    rows = await org_memo.remembered(("ancestor_at", region.id, level),
                                     lambda: Region.filter(id__in=ancestor_ids(region), level=level.value))
    return rows[0] if rows else None


async def staff_region(staff: Staff) -> Region | None:
    """The node a staff member works at: their own, or their department's."""
    if staff.region_id is not None:
        return await org_memo.region(staff.region_id)
    if staff.department_id is not None:
        dept = await org_memo.department(staff.department_id)
        return await org_memo.region(dept.region_id)
    return None


async def department_named(name: str, near_region_id: int | None) -> Department | None:
    """The active department called `name` that serves `near_region_id`: the one at the nearest node on the
    way up from it (every township has its own 司法所). Without a region, or when none lies on that way, only a
    name that is unique in the organisation counts; None when nothing (or nothing unambiguous) matches."""
    found = await Department.filter(name=name, active=True)
    if len(found) <= 1 or near_region_id is None:
        return found[0] if len(found) == 1 else None
    up = ancestor_ids(await org_memo.region(near_region_id))
    on_the_way = [d for d in found if d.region_id in up]
    return max(on_the_way, key=lambda d: up.index(d.region_id)) if on_the_way else None
