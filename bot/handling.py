"""Handling recorded events off the acknowledging path, a few at a time.

A platform's callback or stream frame is stored and acknowledged first; the handling (drafts, cards,
outbox) happens here afterwards. Running every burst's handlers at once would put them all on the event
loop together and delay the next acknowledgements behind them; a bounded number at a time keeps the ACKs
quick while the backlog waits, already stored (the sweeper picks up anything a crash cut off)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from bot.engine import Bot
from bot.types import Inbound, Outbound

log = logging.getLogger(__name__)
DEFAULT_CONCURRENCY = 4


class Handling:
    def __init__(self, bot: Bot, on_handled: Callable[[], None] = lambda: None,
                 concurrency: int = DEFAULT_CONCURRENCY) -> None:
        self.bot = bot
        self.on_handled = on_handled
        self._slots = asyncio.Semaphore(concurrency)  # waiters are woken in arrival order
        self._tasks: set[asyncio.Task[list[Outbound]]] = set()

    def submit(self, row_id: int, inbound: Inbound) -> asyncio.Task[list[Outbound]]:
        """Handle in the background; the task answers what was enqueued (empty when handling failed)."""
        task = asyncio.create_task(self._run(row_id, inbound))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _run(self, row_id: int, inbound: Inbound) -> list[Outbound]:
        out: list[Outbound] = []
        async with self._slots:
            try:
                out = await self.bot.handle(row_id, inbound)
            except Exception:  # the sweeper retries events left unhandled
                log.exception("handling %s event %s failed", inbound.platform.value, inbound.event_id)
        self.on_handled()
        return out

    async def drain(self) -> None:
        """Wait for everything submitted so far (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
