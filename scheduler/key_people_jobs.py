"""重点人员 on the clock: a person's follow-up falls due (`due_at`, the claim column) and their grid worker is
told in a direct message (a worker who left the grid hands the person to its current one); the claim moves `due_at` one cadence on, so a follow-up still missing is reminded
again a cadence later, and two engines remind once. A follow-up (随访) sets the next due time. The reminder
names the person, so it goes to the grid worker responsible only, never to a group and never to an AB岗
backup (scheduler/ab.py), who may not see the register."""

from __future__ import annotations

from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from bot.outbox import enqueue
from bot.types import Outbound, Target
from core.clock import fmt_local
from core.masking import remember_names
from core.models import KeyPerson, Region
from core.services import key_people
from core.services.base import Domain


def reminder_text(person: KeyPerson, grid: Region, late: bool) -> str:
    head = "【重点人员随访逾期】" if late else "【重点人员随访提醒】"
    return (f"{head}{person.name}({person.category},{grid.name})每 {person.every_days} 天随访一次,"
            + (f"上次随访 {fmt_local(person.last_follow_up_at)}," if person.last_follow_up_at else "尚未随访,")
            + f"请及时走访并回复「随访 {person.name} 情况」登记")


async def remind_key_person(d: Domain, person_id: int) -> bool:
    now = d.clock.now()
    async with in_transaction():
        person = await KeyPerson.get_or_none(id=person_id, active=True, due_at__lte=now)
        if person is None or person.due_at is None:
            return False
        remember_names(person.name)  # the reminder's outbox row carries it
        claimed = await KeyPerson.filter(id=person_id, active=True, due_at=person.due_at) \
            .update(due_at=now + timedelta(days=person.every_days))
        if not claimed:
            return False  # another engine reminded a moment ago
        worker = await key_people.responsible(d, person)
        if worker is None:
            return True  # no grid worker left on the grid: reminded again a cadence on, once one is
        grid = await Region.get(id=person.grid_id)
        late = person.next_follow_up_at < person.due_at  # reminded before: the follow-up is still missing
        await enqueue([Outbound(target=Target(staff_id=worker.id), text=reminder_text(person, grid, late))], now)
    return True


async def due_rows(now: datetime, limit: int) -> list[tuple[str, int, datetime]]:
    """(job, id, due) of what is due, for the sweep (scheduler/sweep.py)."""
    rows = await KeyPerson.filter(active=True, due_at__lte=now).order_by("due_at").limit(limit) \
        .values_list("id", "due_at")
    return [("remind_key_person", int(i), at) for i, at in rows]


JOBS = {"remind_key_person": remind_key_person}
