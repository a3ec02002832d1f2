"""A case's data read once for the cards rendered together (issue 20 #7).

A handled message re-renders every card of the cases it touched, one per person holding one, and each builder
read the case, its tasks, its evidence and its 重点人员 again (the center card alone read the tasks three
times). Inside `sharing()` those reads are answered from a dict after the first; outside it they go to the
database as before.

What makes sharing safe is where it is opened, never whether anything was written since: a card must not show
a state older than the writes of its own unit, and the verbs write with `save()` and `QuerySet.update()` alike
(no signal sees both). So a snapshot is opened only where nothing writes case data while it is open:

- around one card's render (`bot/cards/__init__.render`): a builder only reads;
- around `bot/notify.notifications`, which runs after the unit's verb has written everything it writes and
  itself writes only card links, the outbox, conversations, task mirrors and webhooks, never a case, task,
  evidence or 重点人员 row.

Nothing read before the verb (a clicked card rendered to see whether its button still applies,
bot/router._over) is reused after it: that render's snapshot ends with the render. Callers must not modify the
rows they get: the next card gets the same objects."""

from __future__ import annotations

from contextlib import AbstractContextManager

from core import evidence as core_evidence
from core.enums import TaskStatus
from core.key_people_settings import KeyPeoplePlan, load_key_people
from core.models import Case, KeyPerson, Task
from core.services import key_people as core_key_people
from core.services import lookup
from core.unit_memo import UnitMemo

_unit = UnitMemo("case_snapshot")
remembered = _unit.remembered


def sharing() -> AbstractContextManager[None]:
    """Share case reads between the renders in this block (nested: the outer block's snapshot is used).
    Open it only where nothing writes a case, a task, evidence or 重点人员 until it ends (see above)."""
    return _unit.block()


async def case(case_id: int | None) -> Case:
    """Case.get(id=…): raises DoesNotExist for an unknown id."""
    return await remembered(("case", case_id), lambda: lookup.case_by_id(case_id))


async def tasks(case_id: int) -> list[Task]:
    """All the case's tasks, in the order they were made (builders filter by status themselves)."""
    return await remembered(("tasks", case_id), lambda: lookup.tasks_of(case_id))


async def tasks_with(case_id: int, *statuses: TaskStatus) -> list[Task]:
    """The case's tasks in one of `statuses`, in the order they were made."""
    wanted = {s.value for s in statuses}
    return [t for t in await tasks(case_id) if t.status in wanted]


async def task(task_id: int | None, case_id: int | None) -> Task:
    """Task.get(id=…), taken from its case's tasks when the card names the case (raises DoesNotExist)."""
    if case_id is not None:
        found = next((t for t in await tasks(case_id) if t.id == task_id), None)
        if found is not None:
            return found
    return await remembered(("task", task_id), lambda: lookup.task_by_id(task_id))


async def evidence(case_id: int) -> list[core_evidence.Evidence]:
    return await remembered(("evidence", case_id), lambda: core_evidence.for_case(case_id))


async def key_people(case_id: int) -> list[KeyPerson]:
    return await remembered(("key_people", case_id), lambda: core_key_people.linked_people(case_id))


async def key_people_plan() -> KeyPeoplePlan:
    return await remembered(("key_people_plan",), load_key_people)
