"""What is due now, read from the database (the source of truth): each rule is an index range scan
over its own due column, so a scan grows with what is due, not with what is stored."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.expressions import Q

from core.clock import local
from core.enums import OPEN_CASE_STATUSES, OPEN_TASK_STATUSES, CaseStatus
from core.models import Case, MediationSession, MeetingItem, OutboxMessage, Task
from core.policy import load_policy
from core.services.base import Domain
from scheduler import emergency_jobs, jobs, key_people_jobs, reception_jobs, referral_jobs, screening_jobs

log = logging.getLogger(__name__)
OPEN_TASKS = [s.value for s in OPEN_TASK_STATUSES]
OPEN_CASES = [s.value for s in OPEN_CASE_STATUSES]
LATE_AFTER = timedelta(minutes=10)


@dataclass(frozen=True)
class Due:
    job: str
    id: int
    at: datetime

    @property
    def job_id(self) -> str:
        """Stable per occurrence: arq drops a second enqueue of the same item (and several sweeps agree)."""
        return f"{self.job}:{self.id}:{int(self.at.timestamp())}"


TASK_RULES = (("remind_task", "remind_at", OPEN_TASKS), ("overdue_task", "overdue_at", OPEN_TASKS),
              ("supervise_task", "supervise_at", OPEN_TASKS), ("nudge_task", "nudge_at", ["signed"]),
              ("remind_sign", "sign_remind_at", ["pending"]))
ANY_CASE = [s.value for s in CaseStatus]
MEETING_ITEM_RULES = (("remind_meeting_item", "remind_at"), ("overdue_meeting_item", "overdue_at"))
CASE_RULES = (("escalate_case", "step_due_at", OPEN_CASES),
              ("follow_up_case", "follow_up_due_at", [CaseStatus.RESOLVED.value]),
              ("proxy_remind", "proxy_remind_at", ANY_CASE), ("proxy_overdue", "proxy_due_at", ANY_CASE),
              ("remind_accept", "accept_remind_at", [CaseStatus.REPORTED.value]),
              ("remind_resubmit", "accept_remind_at", [CaseStatus.RETURNED.value]))


async def due_items(now: datetime, limit: int = 500, *, urgent_only: bool = False) -> list[Due]:
    items: list[Due] = []
    for job, column, statuses in TASK_RULES:
        query = Task.filter(status__in=statuses, **{f"{column}__lte": now})
        if urgent_only:
            query = query.filter(Q(reminder_method="urgent") | Q(case__severity="major"))
        rows = await query.order_by(column).limit(limit).values_list("id", column)
        items += [Due(job, int(i), at) for i, at in rows]
    for job, column, statuses in CASE_RULES:
        cases = Case.filter(status__in=statuses, **{f"{column}__lte": now})
        if urgent_only:
            cases = cases.filter(severity="major")
        rows = await cases.order_by(column).limit(limit).values_list("id", column)
        items += [Due(job, int(i), at) for i, at in rows]
    if not urgent_only:
        rows = await MediationSession.filter(status="booked", remind_at__lte=now).order_by("remind_at") \
            .limit(limit).values_list("id", "remind_at")
        items += [Due("remind_session", int(i), at) for i, at in rows]
        for job, column in MEETING_ITEM_RULES:
            rows = await MeetingItem.filter(status="open", **{f"{column}__lte": now}).order_by(column) \
                .limit(limit).values_list("id", column)
            items += [Due(job, int(i), at) for i, at in rows]
        items += [Due(job, i, at) for job, i, at in await screening_jobs.due_rows(now, limit)]
        items += [Due(job, i, at) for job, i, at in await referral_jobs.due_rows(now, limit)]
        items += [Due(job, i, at) for job, i, at in await reception_jobs.due_rows(now, limit)]
        items += [Due(job, i, at) for job, i, at in await key_people_jobs.due_rows(now, limit)]
    items += [Due(job, i, at) for job, i, at in await emergency_jobs.due_rows(now, limit)]  # urgent: day and night
    return items


async def current_due(d: Domain, limit: int = 500) -> list[Due]:
    """Due items, honouring quiet hours: at night only urgent ones (加急 / 重大) go out."""
    now = d.clock.now()
    policy = await load_policy()
    return await due_items(now, limit, urgent_only=policy.is_quiet(local(now).hour))


async def run_due(d: Domain, limit: int = 500) -> int:
    """The embedded engine: run every due job in-process."""
    done = 0
    for item in await current_due(d, limit):
        try:
            if await jobs.JOBS[item.job](d, item.id):
                done += 1
        except Exception:  # one broken item must not stop the others; it stays due and is retried
            log.exception("job %s failed", item.job_id)
    return done


async def late_items(d: Domain) -> list[str]:
    """The auditor: anything due for longer than LATE_AFTER (outside quiet hours) means a stuck engine."""
    now = d.clock.now()
    policy = await load_policy()
    if policy.is_quiet(local(now).hour):
        return []
    late = [f"{i.job}#{i.id} due {i.at.isoformat()}" for i in await due_items(now - LATE_AFTER, 20)]
    stuck = await OutboxMessage.filter(status="pending", next_attempt_at__lt=now - LATE_AFTER,
                                       attempts=0).count()
    if stuck:
        late.append(f"{stuck} outbox message(s) never attempted")
    for line in late:
        log.warning("LATE: %s", line)
    return late


async def monthly_backlog_if_due(d: Domain) -> bool:
    """Once a month (the 1st, from 09:00 Beijing time), however many engines run: the first claims it."""
    from scheduler.once import once

    now = local(d.clock.now())
    if now.day != 1 or now.hour < 9:
        return False
    return await once(f"backlog_monthly:{now:%Y-%m}", d.clock.now(), lambda: jobs.backlog_monthly(d)) is not None
