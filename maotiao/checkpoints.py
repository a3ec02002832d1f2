"""`serve` writes an audit checkpoint at start, every MAOTIAO_AUDIT_CHECKPOINT_SECONDS, and at stop; each
full one (daily) is also posted to the groups whose org file entry `receives: [audit]`, a copy off this
host that an administrator can hold the file against."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from tortoise.transactions import in_transaction

from bot.outbox import enqueue
from bot.types import Outbound, Target
from core import db
from core.audit_checkpoint import CheckpointLog
from core.clock import fmt_local
from core.models import GroupChat

log = logging.getLogger(__name__)
FEED = "audit"


def notice(line: dict[str, Any]) -> str:
    at = datetime.fromisoformat(str(line["at"]))
    return (f"【审计校验点】第{line['n']}号 {fmt_local(at)}:{len(line['heads'])} 条审计链,"
            f"校验码 {str(line['mac'])[:16]}。如与「maotiao audit verify」显示的不一致,请立即核查。")


async def post(line: dict[str, Any]) -> None:
    groups = [g for g in await GroupChat.filter(active=True) if FEED in g.receives]
    if groups:
        out = [Outbound(target=Target(kind="group", group_id=g.id), text=notice(line)) for g in groups]
        async with in_transaction():
            await enqueue(out, datetime.now(UTC))


class Checkpoints:
    def __init__(self, writer: CheckpointLog, interval: float, on_posted: Callable[[], None] = lambda: None) -> None:
        self.writer = writer
        self.interval = interval
        self.on_posted = on_posted
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    async def once(self) -> dict[str, Any] | None:
        try:
            line = await self.writer.write(datetime.now(UTC))
            if line is not None and line["full"]:
                await post(line)
                self.on_posted()
            return line
        except Exception as exc:  # the database may be down for a moment: the next round writes it
            if not db.unavailable(exc):
                raise
            log.warning("audit checkpoint skipped, database unavailable: %s", exc)
            return None

    async def _loop(self) -> None:
        """The first round at once, in the background: after an upgrade it verifies every chain from its
        start, which must not keep serve from answering callbacks."""
        while not self._stopping.is_set():
            try:
                await self.once()
            except Exception:  # never let one bad round end the checkpoints for good
                log.exception("audit checkpoint failed; trying again in %s s", self.interval)
            try:
                await asyncio.wait_for(self._stopping.wait(), timeout=self.interval)
            except TimeoutError:
                pass

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="audit-checkpoints")

    async def stop(self) -> None:
        """Let a round in progress finish (never cut a write short), then write the last one."""
        self._stopping.set()
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)
        await self.once()
