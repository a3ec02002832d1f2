"""AB岗 for the scheduler's messages: a reminder meant for someone away (请假) today goes to their backup
instead, saying whose it is. Only text to a person: cards stay with their owner (a card answers only the
person it was sent to), and group messages and SMS are left as they are."""

from __future__ import annotations

from datetime import datetime

from bot import outbox
from bot.types import Outbound
from core.clock import local
from core.models import OutboxMessage, Staff
from core.routing import away_ids, stand_in


async def redirect(out: list[Outbound], now: datetime) -> list[Outbound]:
    people = [o.target.staff_id for o in out if o.target.kind == "user" and o.target.staff_id and o.card is None]
    day = local(now).date()
    away = await away_ids(day, [i for i in people if i is not None]) if people else set()
    if not away:
        return out
    staff = {s.id: s for s in await Staff.filter(id__in=list(away))}
    result = []
    for o in out:
        who = staff.get(o.target.staff_id or 0) if o.card is None and o.target.kind == "user" else None
        backup = await stand_in(who, day) if who is not None else None
        if who is None or backup is None or backup.id == who.id:
            result.append(o)
            continue
        target = o.target.model_copy(update={"staff_id": backup.id, "platform": None})
        result.append(o.model_copy(update={"target": target, "text": f"【AB岗代收·{who.name}请假】{o.text}"}))
    return result


async def enqueue(out: list[Outbound], now: datetime) -> list[OutboxMessage]:
    """bot.outbox.enqueue, after handing the reminders of people away to their backups."""
    return await outbox.enqueue(await redirect(out, now), now)
