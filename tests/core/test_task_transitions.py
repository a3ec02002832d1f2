"""Every task action from every task state, as the table says; the rest refused with nothing changed."""

from __future__ import annotations

import pytest

from core.enums import Platform, ResultType, TaskStatus
from core.errors import DomainError
from core.models import AuditEvent, Task
from core.services import handling
from core.transitions import TASK_TRANSITIONS, TaskAction
from tests.conftest import who
from tests.core.flows import dispatched

W = Platform.WECOM


async def _task_in(d, state: TaskStatus) -> Task:
    case, task = await dispatched(d)
    officer, dispatcher = await who("赵敏"), await who("林晓")
    if state is TaskStatus.SIGNED:
        await handling.sign(d, officer, task.id, source=W)
    elif state is TaskStatus.RETURNED:
        await handling.return_task(d, officer, task.id, "不属于本所职责", source=W)
    elif state is TaskStatus.RESOLVED:
        await handling.resolve_task(d, officer, task.id, ResultType.AGREEMENT, "达成协议", source=W)
    elif state is TaskStatus.RELEASED:
        await handling.release_task(d, dispatcher, task.id, source=W)
    task = await Task.get(id=task.id)
    assert task.status == state.value
    return task


async def _act(d, action: TaskAction, task: Task):
    officer, dispatcher = await who("赵敏"), await who("林晓")
    if action is TaskAction.SIGN:
        return await handling.sign(d, officer, task.id, source=W)
    if action is TaskAction.PROGRESS:
        return await handling.progress(d, officer, task.id, "已约双方明天调解", source=W)
    if action is TaskAction.EXTEND:
        return await handling.request_extension(d, officer, task.id, 3, "当事人外出", source=W)
    if action is TaskAction.DECIDE_EXTENSION:
        await Task.filter(id=task.id).update(extension_days=2, extension_reason="当事人外出")
        return await handling.decide_extension(d, dispatcher, task.id, True, source=W)
    if action is TaskAction.RETURN:
        return await handling.return_task(d, officer, task.id, "不属于本所职责", source=W)
    if action is TaskAction.RESOLVE:
        return await handling.resolve_task(d, officer, task.id, ResultType.SETTLED, "已化解", source=W)
    return await handling.release_task(d, dispatcher, task.id, source=W)


@pytest.mark.parametrize("state", list(TaskStatus), ids=lambda s: s.value)
@pytest.mark.parametrize("action", list(TaskAction), ids=lambda a: a.value)
async def test_task_transition_table(org, domain, state: TaskStatus, action: TaskAction) -> None:
    task = await _task_in(domain, state)
    events_before = await AuditEvent.all().count()
    expected = TASK_TRANSITIONS.get((state, action))
    if expected is not None:
        out = await _act(domain, action, task)
        assert out.changed, out.message
        assert (await Task.get(id=task.id)).status == expected.value
        assert await AuditEvent.all().count() > events_before
        return
    try:
        out = await _act(domain, action, task)
    except DomainError as exc:
        assert exc.message
    else:
        assert not out.changed and out.message
    assert (await Task.get(id=task.id)).status == state.value
    assert await AuditEvent.all().count() == events_before
