"""Handling recorded events off the acknowledging path, a few at a time.

A platform's callback or stream frame is stored and acknowledged first; the handling (drafts, cards,
outbox) happens here afterwards. Running every burst's handlers at once would put them all on the event
loop together and delay the next acknowledgements behind them; a bounded number at a time keeps the ACKs
quick while the backlog waits, already stored (the sweeper picks up anything a crash cut off)."""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Callable

from bot.engine import Bot
from bot.types import Inbound, Outbound

log = logging.getLogger(__name__)
DEFAULT_CONCURRENCY = 4
_LIVE: weakref.WeakSet[Handling] = weakref.WeakSet()  # every pool in this process, for shutdown's drain_all


class Handling:
    def __init__(self, bot: Bot, on_handled: Callable[[], None] = lambda: None,
                 concurrency: int = DEFAULT_CONCURRENCY) -> None:
        self.bot = bot
        self.on_handled = on_handled
        self._slots = asyncio.Semaphore(concurrency)  # waiters are woken in arrival order
        self._tasks: set[asyncio.Task[list[Outbound]]] = set()
        _LIVE.add(self)

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


def in_flight() -> int:
    """Events being handled (or waiting for a slot) in this process, over every platform's pool."""
    return sum(len(pool._tasks) for pool in list(_LIVE))


async def drain_all(seconds: float) -> bool:
    """On shutdown: wait up to `seconds` for every pool's handling in flight. False when some was still
    running; it is not lost (each event was stored before it was acknowledged, and the sweeper of another or
    the next process handles it again), only later."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while True:  # a handler may submit more (none do today): look again until nothing is left
        tasks = {task for pool in list(_LIVE) for task in pool._tasks}
        if not tasks:
            return True
        remaining = deadline - loop.time()
        if remaining <= 0:
            return False
        await asyncio.wait(tasks, timeout=remaining)  # never cancels them: cut short, they run on until exit
