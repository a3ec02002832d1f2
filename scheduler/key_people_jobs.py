"""重点人员 on the clock: a person's follow-up falls due (`due_at`, the claim column) and their grid worker is
told in a direct message (a worker who left the grid hands the person to its current one); the claim moves `due_at` one cadence on, so a follow-up still missing is reminded
again a cadence later, and two engines remind once. A follow-up (随访) sets the next due time. The reminder
names the person, so it goes to the grid worker responsible only, never to a group and never to an AB岗
backup (scheduler/ab.py), who may not see the register. A report that names a registered person is made
known to their grid worker the same way (`tell_at` on the link, the claim column)."""

from __future__ import annotations

from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from bot.outbox import enqueue
from bot.types import Outbound, Target
from core.clock import fmt_local
from core.masking import remember_names
from core.models import KeyPerson, KeyPersonCase, Region
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


async def tell_key_person_case(d: Domain, link_id: int) -> bool:
    """A report named a registered person: their grid worker hears of the case (its number, not its words)."""
    now = d.clock.now()
    async with in_transaction():
        if not await KeyPersonCase.filter(id=link_id, tell_at__lte=now).update(tell_at=None):
            return False
        link = await KeyPersonCase.get(id=link_id).prefetch_related("person", "case")
        person = link.person
        remember_names(person.name)
        if not person.active or link.case.reporter_id == person.worker_id:
            return True  # off the register, or the worker reported it themselves
        worker = await key_people.responsible(d, person)
        if worker is not None:
            await enqueue([Outbound(target=Target(staff_id=worker.id), text=(
                f"【重点人员】案件 {link.case.number} 的上报内容涉及您负责的重点人员 {person.name},请关注并及时随访"))],
                now)
    return True


async def due_rows(now: datetime, limit: int) -> list[tuple[str, int, datetime]]:
    """(job, id, due) of what is due, for the sweep (scheduler/sweep.py)."""
    people = await KeyPerson.filter(active=True, due_at__lte=now).order_by("due_at").limit(limit) \
        .values_list("id", "due_at")
    links = await KeyPersonCase.filter(tell_at__lte=now).order_by("tell_at").limit(limit).values_list("id", "tell_at")
    return [("remind_key_person", int(i), at) for i, at in people] + \
        [("tell_key_person_case", int(i), at) for i, at in links]


JOBS = {"remind_key_person": remind_key_person, "tell_key_person_case": tell_key_person_case}
