"""Loading cases and tasks for a verb: locked for update, with clear Chinese not-found messages."""

from __future__ import annotations

from core.errors import NotFound
from core.models import Case, Task


async def lock_case(case_id: int) -> Case:
    case = await Case.select_for_update().get_or_none(id=case_id)
    if case is None:
        raise NotFound("找不到该案件")
    return case


async def lock_task(task_id: int) -> tuple[Task, Case]:
    task = await Task.get_or_none(id=task_id)
    if task is None:
        raise NotFound("找不到该任务")
    case = await lock_case(task.case_id)  # lock order: case first, then its tasks
    task = await Task.select_for_update().get(id=task_id)
    return task, case


async def case_by_number(number: str) -> Case:
    case = await Case.get_or_none(number=number)
    if case is None:
        raise NotFound(f"找不到案件 {number}")
    return case
