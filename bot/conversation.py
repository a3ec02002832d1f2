"""Conversation state, persisted: what the bot is waiting for from a person (survives restarts)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.models import Conversation

IDLE = "idle"
STATE_TTL_HOURS = 24


@dataclass
class State:
    name: str
    data: dict[str, Any]


async def get_state(staff_id: int, now: datetime) -> State:
    row = await Conversation.get_or_none(staff_id=staff_id)
    if row is None or (now - row.updated_at).total_seconds() > STATE_TTL_HOURS * 3600:
        return State(IDLE, {})
    return State(row.state, dict(row.data))


async def set_state(staff_id: int, name: str, data: dict[str, Any], now: datetime) -> None:
    await Conversation.update_or_create(defaults={"state": name, "data": data, "updated_at": now}, staff_id=staff_id)


async def clear_state(staff_id: int, now: datetime) -> None:
    await set_state(staff_id, IDLE, {}, now)
