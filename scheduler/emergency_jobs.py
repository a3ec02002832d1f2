"""应急续报 on the clock: while an emergency is open, its `next_report_at` comes due every cadence; the job that
claims it (core/services/emergencies.timed_report moves the column on under a row lock) sends the 续报 with the
case's latest task progress, so however many engines run, each 续报 goes out once. Urgent: sent in quiet hours."""

from __future__ import annotations

from datetime import datetime

from tortoise.transactions import in_transaction

from bot.notify import notifications
from bot.outbox import enqueue
from core.models import Emergency
from core.services import emergencies
from core.services.base import Actor, Domain

SYSTEM = Actor.system("定时任务")


async def emergency_report(d: Domain, emergency_id: int) -> bool:
    now = d.clock.now()
    async with in_transaction():
        outcome = await emergencies.timed_report(d, SYSTEM, emergency_id)
        if not outcome.changed:
            return False
        await enqueue(await notifications(outcome.events, now, set()), now)
    return True


async def due_rows(now: datetime, limit: int) -> list[tuple[str, int, datetime]]:
    """(job, id, due) of the 续报 due, for the sweep (scheduler/sweep.py)."""
    rows = await Emergency.filter(status="open", next_report_at__lte=now).order_by("next_report_at").limit(limit) \
        .values_list("id", "next_report_at")
    return [("emergency_report", int(i), at) for i, at in rows]


JOBS = {"emergency_report": emergency_report}
