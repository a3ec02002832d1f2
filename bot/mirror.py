"""Tasks mirrored into the to-do lists of platforms that keep one: which tasks changed, and what their copy shows.

Whenever an event names a task (交办, 签收, 延期, 退回, 撤回, 办结, escalation releasing it), its TaskMirror row is
marked pending in the same transaction as the change; the delivery pass (scheduler/mirror.py) brings the copy
on each platform that has the capability (bot/channel.TaskMirrorChannel) to the task's state at that moment.
A deployment with no such platform keeps the rows and never calls anything.

The copy carries the case number and category, a short description (numbers masked, parties' names shortened;
of a 涉敏 case nothing of its content) and the link to the case page minted for the assignee."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from tortoise.expressions import F

from bot.cards.common import short
from bot.channel import MirroredTask
from core import evidence_links
from core.enums import Category, Flag, ReminderMethod, TaskStatus
from core.events import CaseEscalated, DomainEvent
from core.masking import mask_numbers
from core.models import Task, TaskMirror
from core.privacy import Audience, hide_names, party_mode
from core.services.lookup import case_by_id

SOURCE_PREFIX = "maotiao-task-"
DESCRIPTION_CHARS = 200
PAGE_AFTER_DEADLINE = timedelta(days=14)  # the copy's link still opens the page this long after the deadline
DONE = frozenset({TaskStatus.RESOLVED, TaskStatus.RETURNED, TaskStatus.RELEASED})
_SUFFIX = {TaskStatus.RETURNED: "(已退回)", TaskStatus.RELEASED: "(已撤回)", TaskStatus.RESOLVED: "(已办结)"}


def tasks_named(events: Iterable[DomainEvent]) -> set[int]:
    """The tasks a batch of events changed."""
    found: set[int] = set()
    for ev in events:
        task_id = getattr(ev, "task_id", None)
        if isinstance(task_id, int):
            found.add(task_id)
        if isinstance(ev, CaseEscalated):
            found.update(ev.released_task_ids)
    return found


async def mark(task_ids: Iterable[int], now: datetime) -> None:
    """The copies of these tasks are out of date: sync them on the next pass (in the caller's transaction)."""
    for task_id in sorted(set(task_ids)):
        updated = await TaskMirror.filter(task_id=task_id).update(
            status="pending", version=F("version") + 1, attempts=0, next_attempt_at=now, updated_at=now)
        if not updated:
            await TaskMirror.create(task_id=task_id, next_attempt_at=now, updated_at=now)


async def snapshot(task: Task) -> MirroredTask:
    case = await case_by_id(task.case_id)
    status = TaskStatus(task.status)
    subject = f"矛盾纠纷交办 {case.number} {Category(case.category).label}{_SUFFIX.get(status, '')}"
    if Flag.SENSITIVE.value in case.flags:
        description = "涉敏案件,内容请在详情页查看。"
    else:
        mode = await party_mode(Audience.CENTER)
        description = short(mask_numbers(hide_names(task.content, case.parties, mode)), DESCRIPTION_CHARS)
    signer = evidence_links.current()
    url = "" if signer is None else signer.page_url(case.id, task.assignee_id,
                                                   until=task.deadline + PAGE_AFTER_DEADLINE)
    return MirroredTask(source_id=f"{SOURCE_PREFIX}{task.id}", subject=subject, description=description,
                        due=task.deadline, done=status in DONE, detail_url=url,
                        urgent=task.reminder_method == ReminderMethod.URGENT.value)
