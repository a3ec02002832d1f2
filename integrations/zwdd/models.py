"""Typed results of 浙政钉 calls: platform JSON stops here, no raw dict goes further."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


def content_data(body: dict[str, Any]) -> Any:
    """`content.data` of a successful answer; the SDK types it as a String, so it may be JSON text."""
    content = body.get("content")
    data = content.get("data") if isinstance(content, dict) else None
    if isinstance(data, str):
        try:
            return json.loads(data)
        except ValueError:
            return data
    return data


def _str(data: dict[str, Any], *names: str) -> str:
    for name in names:
        if data.get(name) not in (None, ""):
            return str(data[name])
    return ""


@dataclass(frozen=True)
class ZwddUser:
    """Who a 免登 auth code (or a scan-login code) belongs to. `account_id` is the id work notifications,
    待办 and DING are addressed to (receiverIds / assigneeId / receivers[].accountId)."""

    account_id: str
    name: str
    employee_code: str = ""
    tenant_id: str = ""
    account: str = ""

    @classmethod
    def parse(cls, data: Any) -> ZwddUser:
        if not isinstance(data, dict) or not _str(data, "accountId"):
            raise ValueError("no accountId in the 免登 answer")
        return cls(account_id=_str(data, "accountId"), name=_str(data, "lastName", "nickNameCn"),
                   employee_code=_str(data, "employeeCode"), tenant_id=_str(data, "tenantId", "realmId"),
                   account=_str(data, "account"))


@dataclass(frozen=True)
class Notification:
    """A work notification accepted by the platform. `duplicate`: this bizMsgId was already accepted (an
    earlier try whose answer was lost), so the message is out and no new msgId exists."""

    biz_msg_id: str
    msg_id: str = ""
    duplicate: bool = False


@dataclass(frozen=True)
class Todo:
    """A 待办 on the platform; `biz_task_id` is ours (the task id), `task_uuid` theirs (needed to finish)."""

    biz_task_id: str
    task_uuid: str
    package_uuid: str = ""

    @classmethod
    def parse(cls, biz_task_id: str, data: Any) -> Todo:
        if isinstance(data, dict) and _str(data, "taskUuid"):
            return cls(biz_task_id, _str(data, "taskUuid"), _str(data, "packageUuid", "instanceUuid"))
        if isinstance(data, str) and data:
            return cls(biz_task_id, data)
        raise ValueError("no taskUuid in the 待办 answer")
