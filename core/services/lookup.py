"""Loading cases and tasks for a verb: locked for update, with clear Chinese not-found messages. The look-ups
by id every handled message makes are prepared (core/prepared.py)."""

from __future__ import annotations

from tortoise.expressions import Subquery

from core.errors import NotFound
from core.models import Case, Task
from core.prepared import Prepared

_CASE = Prepared(Case, lambda case_id: Case.filter(id=case_id), int)
_CASE_LOCKED = Prepared(Case, lambda case_id: Case.select_for_update().filter(id=case_id), int, for_write=True)
_TASK = Prepared(Task, lambda task_id: Task.filter(id=task_id), int)
_TASK_LOCKED = Prepared(Task, lambda task_id: Task.select_for_update().filter(id=task_id), int, for_write=True)
# A task's case (a task never moves to another case), locked: the case is locked before its tasks.
_CASE_OF_TASK_LOCKED = Prepared(Case, lambda task_id: Case.select_for_update().filter(
    id=Subquery(Task.filter(id=task_id).values("case_id"))), int, for_write=True)
_TASKS_OF = Prepared(Task, lambda case_id: Task.filter(case_id=case_id).order_by("id"), int)


async def case_by_id(case_id: int | None) -> Case:
    """Case.get(id=…): raises DoesNotExist for an unknown id (or none: a link that names no case)."""
    return await _CASE.get(case_id)


async def task_by_id(task_id: int | None) -> Task:
    """Task.get(id=…): raises DoesNotExist for an unknown id (or none)."""
    return await _TASK.get(task_id)


async def tasks_of(case_id: int) -> list[Task]:
    """All the case's tasks, in the order they were made."""
    return await _TASKS_OF.all(case_id)


async def lock_case(case_id: int) -> Case:
    case = await _CASE_LOCKED.first(case_id)
    if case is None:
        raise NotFound("找不到该案件")
    return case


async def lock_task(task_id: int) -> tuple[Task, Case]:
    case = await _CASE_OF_TASK_LOCKED.first(task_id)  # lock order: case first, then its tasks
    if case is None:
        raise NotFound("找不到该任务")
    locked = await _TASK_LOCKED.first(task_id)
    if locked is None:  # deleted while this waited for the case's lock
        raise NotFound("找不到该任务")
    return locked, case


async def case_by_number(number: str) -> Case:
    case = await Case.get_or_none(number=number)
    if case is None:
        raise NotFound(f"找不到案件 {number}")
    return case
