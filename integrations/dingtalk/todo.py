"""钉钉待办: a task mirrored into its assignee's DingTalk to-do list (bot/channel.TaskMirrorChannel).

Sources: ../shared/PLATFORMS.md ("待办"); the official SDK `alibabacloud-dingtalk` todo_1_0 — CreateTodoTask
(`POST /v1.0/todo/users/{unionId}/tasks`: subject required, executorIds = unionIds, dueTime in ms, detailUrl
{appUrl, pcUrl}, sourceId, priority, isOnlyShowExecutor), UpdateTodoTask (`PUT /v1.0/todo/users/{unionId}/
tasks/{taskId}`: subject, description, dueTime, done — the detailUrl cannot be changed), GetTodoTaskBySourceId
(`GET /v1.0/todo/users/{unionId}/tasks/sources/{sourceId}`).

The to-do API wants the person's **unionId**, not the userId our messages use. The SDK has no call from userId
to unionId (contact_1_0's GetUser takes a unionId already); DingTalk's documented way is the older host's
`POST /topapi/v2/user/get {"userid"}` → `result.unionid` (errcode 60121: no such user). It is looked up once
and kept on the identity (Identity.alias). A failed lookup is retried with backoff like any delivery and
never touches the task or its messages; an unknown user gives up on that person's to-do only.

What a second create with the same sourceId does is not documented: a retry that may follow a create that
reached DingTalk first looks the copy up by sourceId, so no answer lost in transit makes a second one.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from bot.channel import MirroredTask, MirrorResult, MirrorTarget
from integrations.dingtalk.api import DingTalkAPI
from integrations.dingtalk.errors import DingTalkError

log = logging.getLogger(__name__)
NO_SUCH_USER = "60121"  # topapi/v2/user/get: 找不到该用户
PRIORITY_NORMAL, PRIORITY_URGENT = 20, 40  # todo_1_0 priority: 10 低, 20 普通, 30 紧急, 40 非常紧急
THROTTLED_RETRY_SECONDS = 60.0
QUOTA_RETRY_SECONDS = 3600.0


def _ms(task: MirroredTask) -> int:
    return int(task.due.timestamp() * 1000)


def create_body(union_id: str, task: MirroredTask) -> dict[str, Any]:
    body: dict[str, Any] = {
        "sourceId": task.source_id, "subject": task.subject, "description": task.description,
        "dueTime": _ms(task), "executorIds": [union_id], "isOnlyShowExecutor": True,
        "priority": PRIORITY_URGENT if task.urgent else PRIORITY_NORMAL,
    }
    if task.detail_url:
        body["detailUrl"] = {"appUrl": task.detail_url, "pcUrl": task.detail_url}
    return body


def update_body(task: MirroredTask) -> dict[str, Any]:
    return {"subject": task.subject, "description": task.description, "dueTime": _ms(task), "done": task.done}


def _failed(exc: DingTalkError, what: str, alias: str | None) -> MirrorResult:
    if exc.quota_exhausted:
        return MirrorResult(False, alias=alias, error=exc.plain(), retry_after=QUOTA_RETRY_SECONDS)
    retry = THROTTLED_RETRY_SECONDS if exc.throttled else None
    return MirrorResult(False, alias=alias, permanent=not exc.transient, error=f"{what}:{exc.plain()}",
                        retry_after=retry)


async def union_id(api: DingTalkAPI, user_id: str) -> str:
    data = await api.oapi_post("/topapi/v2/user/get", {"userid": user_id, "language": "zh_CN"})
    found = (data.get("result") or {}).get("unionid")
    if not found:
        raise DingTalkError(200, "NoUnionId", f"topapi/v2/user/get gave no unionid for {user_id}")
    return str(found)


async def _by_source(api: DingTalkAPI, union: str, source_id: str) -> str | None:
    try:
        data = await api.call("GET", f"/v1.0/todo/users/{quote(union)}/tasks/sources/{quote(source_id)}", {})
    except DingTalkError as exc:
        if exc.status == 404 or "notfound" in exc.code.lower().replace(".", "").replace("_", ""):
            return None
        raise
    return str(data["id"]) if data.get("id") else None


async def mirror(api: DingTalkAPI, target: MirrorTarget, task: MirroredTask) -> MirrorResult:
    if task.done and target.ref is None and not target.retry:
        return MirrorResult(True)  # over before it was ever mirrored: nothing to show, nothing to close
    union = target.alias
    if not union:
        try:
            union = await union_id(api, target.user_id)
        except DingTalkError as exc:
            log.warning("DingTalk unionId of %s not found: %s", target.user_id, exc.plain())
            if exc.code == NO_SUCH_USER:
                return MirrorResult(False, permanent=True, error=f"钉钉查不到该用户的unionId:{target.user_id}")
            # Busy (-1), throttled, a missing permission the admin may yet grant: retried with backoff until
            # the outbox gives up, never failing anything but this person's to-do.
            return MirrorResult(False, error=f"查询钉钉unionId失败:{exc.plain()}",
                                retry_after=QUOTA_RETRY_SECONDS if exc.quota_exhausted else None)
    alias = union if union != target.alias else None
    try:
        ref = target.ref or (await _by_source(api, union, task.source_id) if target.retry else None)
        if ref is None:
            created = await api.call("POST", f"/v1.0/todo/users/{quote(union)}/tasks", create_body(union, task))
            ref = str(created.get("id") or "")
            if not ref:
                return MirrorResult(False, alias=alias, error="钉钉待办创建后未返回id")
            if not task.done:
                return MirrorResult(True, ref=ref, alias=alias)
        await api.call("PUT", f"/v1.0/todo/users/{quote(union)}/tasks/{quote(ref)}", update_body(task))
    except DingTalkError as exc:
        return _failed(exc, "钉钉待办同步失败", alias)
    return MirrorResult(True, ref=ref, alias=alias)
