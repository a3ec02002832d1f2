"""Something done once per key however many processes try: the claim (a row whose key is unique) and the messages
commit together, so a process that dies in between leaves the key unclaimed for the next one."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from bot.outbox import enqueue
from bot.types import Outbound
from core.models import Setting


async def once(key: str, now: datetime, build: Callable[[], Awaitable[list[Outbound]]]) -> list[Outbound] | None:
    """Run a once-a-day broadcast: the claim and its messages commit together, so a process that dies in
    between leaves the day unclaimed for the next one (never claimed and lost); None if already done."""
    if await Setting.exists(key=key):
        return None
    out = await build()
    try:
        async with in_transaction():
            await Setting.create(key=key, value={"at": now.isoformat()})
            await enqueue(out, now)
    except IntegrityError:
        return None  # another engine claimed it while this one was building
    return out
