"""请假 for AB岗: a person marks themselves away for some days; meanwhile their new tasks go to their backup
(core/routing.stand_in, at dispatch) and so do the scheduler's reminders meant for them (scheduler/ab.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from tortoise.transactions import in_transaction

from core import audit
from core.clock import local
from core.enums import Platform
from core.errors import InvalidInput, Refused
from core.models import Absence, Staff
from core.services.base import Actor, Domain

MAX_DAYS = 90


@dataclass(frozen=True)
class Away:
    absence: Absence
    backup: Staff | None


async def mark_away(d: Domain, actor: Actor, first: date, last: date, *, source: Platform) -> Away:
    if actor.staff_id is None:
        raise Refused("请假须由本人登记")
    today = local(d.clock.now()).date()
    if last < first:
        raise InvalidInput("结束日期不能早于开始日期")
    if last < today:
        raise InvalidInput("请假日期已过")
    if (last - first) > timedelta(days=MAX_DAYS):
        raise InvalidInput(f"一次请假最多 {MAX_DAYS} 天")
    if await Absence.filter(staff_id=actor.staff_id, first_day__lte=last, last_day__gte=first).exists():
        raise InvalidInput("该时段已登记请假")
    me = await Staff.get(id=actor.staff_id)
    backup = await Staff.get_or_none(id=me.backup_id, active=True) if me.backup_id else None
    async with in_transaction():
        row = await Absence.create(staff_id=me.id, first_day=first, last_day=last, created_at=d.clock.now())
        await audit.append(at=d.clock.now(), actor_id=me.id, actor_name=actor.name, source=source.value,
                           action="mark_away", entity="absence", entity_id=row.id, case_id=None, before={},
                           after={"first": first.isoformat(), "last": last.isoformat(),
                                  "backup": backup.name if backup else None})
    return Away(row, backup)


async def end_absence(d: Domain, actor: Actor, *, source: Platform) -> list[Absence]:
    """销假: back early — the absences still to come or under way end yesterday (those not begun are dropped)."""
    today = local(d.clock.now()).date()
    async with in_transaction():
        rows = await Absence.filter(staff_id=actor.staff_id, last_day__gte=today).select_for_update()
        if not rows:
            raise InvalidInput("您没有未结束的请假")
        for row in rows:
            before = {"first": row.first_day.isoformat(), "last": row.last_day.isoformat()}
            if row.first_day >= today:
                await row.delete()
            else:
                row.last_day = today - timedelta(days=1)
                await row.save(update_fields=["last_day"])
            await audit.append(at=d.clock.now(), actor_id=actor.staff_id, actor_name=actor.name, source=source.value,
                               action="end_absence", entity="absence", entity_id=row.id, case_id=None, before=before,
                               after={"last": (today - timedelta(days=1)).isoformat()})
    return rows
