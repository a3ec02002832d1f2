"""Conversation state, persisted: what the bot is waiting for from a person (survives restarts)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from core.models import Conversation
from core.prepared import Prepared

IDLE = "idle"


class Waiting(StrEnum):
    """What the bot is waiting for from a person. Values are stored in conversation rows: never change them."""

    DRAFT_EDIT = "draft_edit"  # the new text of a draft (修改)
    DRAFT_SETTLE = "draft_settle"  # how a draft was settled on the spot (当场已调处)
    REASSIGN = "reassign"  # who takes a case (改派, or no department found)
    RETURN_REPORTER = "return_rep"  # what the reporter should add (退回补充)
    ESCALATE = "escalate"  # the work done at this level (上报上级)
    TASK_TEXT = "task_text"  # the text of a task action (进展, 延期, 退回, 办结)
    PICK_CASE = "pick_case"  # which case a plain task reply is about
    RESUBMIT = "resubmit"  # the reporter's addition to a returned case
    ADD_PARTNER = "add_partner"  # the department that joins a dispatched case (追加部门)
    CHANGE_LEAD = "change_lead"  # which department on the case leads from now (更换牵头)
    UNSATISFIED_REASON = "unsat_reason"  # why a 回访 is 不满意 (the officers are told)
    EXTENSION_DENIAL = "ext_denial"  # why the center does not grant a 延期 (the officer is told)
STATE_TTL_HOURS = 24


def resubmit_prompt(number: str, note: str) -> str:
    """What a reporter is asked when their case is sent back (退回补充), and when they are reminded of it."""
    return f"您上报的 {number} 需要补充:{note}\n请直接回复补充内容(之后也可发送「补充 {number[-4:]} 补充内容」)。"


@dataclass
class State:
    name: str
    data: dict[str, Any]


_OF_STAFF = Prepared(Conversation, lambda staff_id: Conversation.filter(staff_id=staff_id), int)


async def get_state(staff_id: int, now: datetime) -> State:
    row = await _OF_STAFF.first(staff_id)
    if row is None or (now - row.updated_at).total_seconds() > STATE_TTL_HOURS * 3600:
        return State(IDLE, {})
    return State(row.state, dict(row.data))


async def set_state(staff_id: int, name: str, data: dict[str, Any], now: datetime) -> None:
    await Conversation.update_or_create(defaults={"state": name, "data": data, "updated_at": now}, staff_id=staff_id)


async def clear_state(staff_id: int, now: datetime) -> None:
    await set_state(staff_id, IDLE, {}, now)
