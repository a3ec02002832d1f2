"""浙政钉 待办: a task mirrored into its assignee's to-do list (bot/channel.TaskMirrorChannel).

`bizTaskId` is our task's source id, so creating it again returns the same 待办 (assumed, README.md) and a
retry after a lost answer makes no second one. No update endpoint exists in public material: a new deadline
(an approved extension) cancels the old 待办 and creates its successor under `<source id>#r<due>`, which is
unique per deadline, so a retry of the same change is idempotent too. Our reference to the copy is
`<taskUuid>|<due in Unix seconds>`, so a sync that changes nothing calls nothing."""

from __future__ import annotations

from bot.channel import MirroredTask, MirrorResult, MirrorTarget
from integrations.zwdd.api import ZwddAPI
from integrations.zwdd.errors import Kind, ZwddError
from integrations.zwdd.models import Todo


def _ref(todo: Todo, task: MirroredTask) -> str:
    return f"{todo.task_uuid}|{int(task.due.timestamp())}"


def _parse(ref: str, source_id: str) -> tuple[Todo, int]:
    uuid, _, due = ref.partition("|")
    return Todo(source_id, uuid), int(due) if due.isdigit() else 0


async def mirror(api: ZwddAPI, target: MirrorTarget, task: MirroredTask) -> MirrorResult:
    if not task.detail_url:
        return MirrorResult(False, permanent=True, error="浙政钉待办需要办理页链接(MAOTIAO_PUBLIC_URL)")
    try:
        if target.ref is None:
            if task.done:
                return MirrorResult(True)  # nothing to show: it was done before it was ever mirrored
            todo = await api.create_todo(task.source_id, target.user_id, task.subject, task.detail_url,
                                         due=task.due, remarks=task.description[:200])
            return MirrorResult(True, ref=_ref(todo, task))
        todo, due = _parse(target.ref, task.source_id)
        if task.done:
            await api.finish_todo(todo, target.user_id)
            return MirrorResult(True, ref=target.ref)
        if due == int(task.due.timestamp()):
            return MirrorResult(True, ref=target.ref)
        moved = await api.update_todo(todo, int(task.due.timestamp()), target.user_id, task.subject,
                                      task.detail_url, due=task.due)
        return MirrorResult(True, ref=_ref(moved, task))
    except ZwddError as exc:
        if exc.message.startswith("待办已"):  # finished or cancelled already: what we wanted
            return MirrorResult(True, ref=target.ref)
        throttled = exc.kind is Kind.THROTTLED
        return MirrorResult(False, permanent=not exc.transient and exc.kind is not Kind.CONFIGURATION,
                            error=exc.plain(), retry_after=60.0 if throttled else (600.0 if exc.kind is
                                                                                   Kind.CONFIGURATION else None))
