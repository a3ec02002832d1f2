"""The sandbox's duty roster, kept around today: the demo organisation's roster is a rotation (its dates only
fix the order), laid over the sandbox's own days so that every morning's 值班 broadcast names people — on the
day it is first served, after a restart weeks later and after the clock jumps. Only days with nobody on the
roster are filled, so a roster imported or swapped (调班) in the sandbox stays as it is. Never run outside a
sandbox: a center's real roster is what it imports."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from importlib import resources

from tortoise.transactions import in_transaction

from core.models import RosterEntry, Staff
from core.org_schema import RosterIn
from core.org_validate import parse_org

AHEAD = 14  # days from today kept on the roster (Monday's broadcast lists the week)
BEHIND = 1
log = logging.getLogger(__name__)


def demo_rotation() -> list[RosterIn]:
    text = resources.files("core").joinpath("data/demo-org.yaml").read_text(encoding="utf-8")
    return sorted(parse_org(text)[0].roster, key=lambda r: r.date)


def rotation_day(rotation: list[RosterIn], day: date) -> RosterIn:
    """Whose turn `day` is: the rotation repeats every len(rotation) days from its first date."""
    return rotation[(day - rotation[0].date).days % len(rotation)]


async def keep_demo_roster(today: date) -> int:
    """Fill the empty days from yesterday to AHEAD days on with the demo rotation; the days filled. Nothing
    is filled when the demo's people are not in this database (a sandbox over another organisation)."""
    rotation = demo_rotation()
    if not rotation:
        return 0
    wanted = {n for r in rotation for n in [r.leader, *r.staff] if n}
    people = {s.name: s for s in await Staff.filter(active=True, name__in=sorted(wanted))}
    if set(people) != wanted:
        return 0
    days = [today + timedelta(days=i) for i in range(-BEHIND, AHEAD + 1)]
    taken = set(await RosterEntry.filter(day__in=days).values_list("day", flat=True))
    filled = 0
    async with in_transaction():
        for day in (d for d in days if d not in taken):
            turn = rotation_day(rotation, day)
            if turn.leader:
                await RosterEntry.create(day=day, staff_id=people[turn.leader].id, duty="leader")
            for name in dict.fromkeys(turn.staff):
                await RosterEntry.create(day=day, staff_id=people[name].id, duty="staff")
            filled += 1
    if filled:
        log.info("sandbox: the demo roster now runs to %s (%d day(s) filled)", days[-1], filled)
    return filled
