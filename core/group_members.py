"""Who is put in a group chat the app creates (`maotiao groups create`): the group's `members` rule from the org
file — roles and/or names, in order — or, by default, the people of the group's region in the center's roles."""

from __future__ import annotations

from core.enums import Role
from core.models import Department, GroupChat, Region, Staff

# The center's own roles, in the order that picks a chat's owner: the command room before the leaders before
# the departments. Grid workers, village mediators and experts are not in a center's groups unless named.
CENTER_ROLES = (Role.ADMIN, Role.DISPATCHER, Role.LEADER, Role.SECRETARY, Role.OFFICER, Role.PETITION_AGENT)
_ROLES = {r.value for r in Role}


async def _unit_paths() -> tuple[dict[int, str], dict[int, int]]:
    """Region id → path, and department id → its region id."""
    paths = {r.id: r.path for r in await Region.all()}
    return paths, {d.id: d.region_id for d in await Department.all()}


async def group_members(group: GroupChat) -> list[Staff]:
    """The active people the group's rule names, without repeats, in the rule's order (the first is the owner).
    A role takes the people holding it within the group's region (all regions when it has none); a name takes
    that person wherever they work."""
    rule = group.members or [r.value for r in CENTER_ROLES]
    region = await Region.get_or_none(id=group.region_id) if group.region_id else None
    paths, dept_region = await _unit_paths()

    def inside(s: Staff) -> bool:
        if region is None:
            return True
        unit = s.region_id if s.region_id is not None else dept_region.get(s.department_id or 0)
        return unit is not None and paths.get(unit, "").startswith(region.path)

    people = await Staff.filter(active=True).order_by("id")
    out: list[Staff] = []
    for entry in rule:
        found = ([s for s in people if entry in s.roles and inside(s)] if entry in _ROLES
                 else [s for s in people if s.name == entry])
        out += [s for s in found if s.id not in {o.id for o in out}]
    return out
