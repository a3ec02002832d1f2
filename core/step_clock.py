"""三级四步: when the step now holding a case runs out. One rule, read by everything that acts on it:

- the step's limit (frozen into the case when it was reported) counts from when the step started, without the
  time the case spent waiting on its reporter (退回补充 pauses the clock; the reporter's 补充 restarts it);
- the step never ends before the deadline of any open task of the case, an approved extension included;
- while the case waits on its reporter there is no deadline at all.

The verbs that start a step, pause or resume it, dispatch a task or approve an extension store the answer in
Case.step_due_at, the column the scheduler sweeps (scheduler/sweep.py); the escalation job asks again before it
acts (core/services/timeouts.py), so a task withdrawn since only leaves the later time standing until then."""

from __future__ import annotations

from datetime import datetime, timedelta

from core.durations import Duration
from core.enums import OPEN_CASE_STATUSES, OPEN_TASK_STATUSES, CaseStatus, Level
from core.models import Case, Task
from core.services.base import Domain

_OPEN_TASKS = [s.value for s in OPEN_TASK_STATUSES]


def limit_due(d: Domain, case: Case) -> datetime | None:
    """When the step's own limit runs out, paused time left out; None: no limit for this step."""
    limit = case.step_limits.get(case.step)
    if not limit:
        return None
    start = case.step_started_at + timedelta(seconds=case.step_paused_seconds)
    return d.calendar.shift(start, Duration.parse(limit))


async def step_deadline(d: Domain, case: Case, open_tasks: list[Task] | None = None) -> datetime | None:
    """The step's deadline: its limit or the latest open task's deadline, whichever is later. None while the
    case waits on its reporter, once it is no longer open, or when the step has no limit. `open_tasks`: the
    case's open tasks when the caller holds them (read under the case's lock), else they are read."""
    status = CaseStatus(case.status)
    if case.step_paused_at is not None or status is CaseStatus.RETURNED or status not in OPEN_CASE_STATUSES:
        return None
    by_limit = limit_due(d, case)
    if by_limit is None:
        return None
    if open_tasks is None:
        open_tasks = list(await Task.filter(case_id=case.id, status__in=_OPEN_TASKS).only("id", "deadline"))
    return max([by_limit, *(t.deadline for t in open_tasks)])


def start_step(d: Domain, case: Case, level: Level) -> None:
    """A new step begins now (the caller saves): a fresh limit, nothing paused yet. A step starts only
    when its open tasks were released, or before the caller re-arms for the tasks it creates."""
    case.step = level.value
    case.step_started_at = d.clock.now()
    case.step_paused_at = None
    case.step_paused_seconds = 0
    case.step_due_at = limit_due(d, case)


async def rearm(d: Domain, case: Case, open_tasks: list[Task] | None = None) -> None:
    """Store the step's deadline after something it depends on changed (the caller saves)."""
    case.step_due_at = await step_deadline(d, case, open_tasks)


def pause(d: Domain, case: Case) -> None:
    """The case now waits on its reporter: the step's clock stops (the caller saves)."""
    if case.step_paused_at is None:
        case.step_paused_at = d.clock.now()
    case.step_due_at = None


async def resume(d: Domain, case: Case) -> None:
    """The reporter answered: the paused time is left out of the step's limit (the caller saves)."""
    if case.step_paused_at is not None:
        waited = d.clock.now() - case.step_paused_at
        case.step_paused_seconds += max(0, int(waited.total_seconds()))
        case.step_paused_at = None
    await rearm(d, case)
