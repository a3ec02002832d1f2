"""With Redis configured (outside the sandbox), serve stores and acknowledges; workers handle (issue 20 #0).

Why: a platform's acknowledgement must not wait for the CPU the handling takes. In one process they share
one event loop and one interpreter lock, so under a burst every ACK queued behind some handler's turn (ACK p99
×9–30 the decrypt + INSERT floor at 200–650/s, however the handling gave way). Here serve's callback path is
the floor's: verify, decrypt, INSERT, answer; then it asks the workers to handle what it stored, with the
coalesced nudge `deliver` already uses (scheduler/nudge.py): a burst makes about two `handle_inbound` jobs, and
no event waits for a job that has already read the table. The operating system, not one event loop, then
shares the cores between acknowledging and handling.

A worker's `handle_inbound` job reads the stored events oldest first and hands them to the process's
handling pool (bot/handling.py: four at a time, each under its row's lock, `SKIP LOCKED`, so two workers
share a backlog instead of doing it twice); each handled event nudges a delivery, so a reply goes out while
the rest of the batch is handled. Nothing is lost when Redis or every worker is away: the events are in the
database, the workers' sweep (scheduler/embedded.sweep_inbound) takes up whatever waited longer than
MAOTIAO_INBOUND_RETRY_SECONDS, and the next nudge reads everything still unhandled.

A DingTalk card click is still handled in serve (integrations/dingtalk/stream.py): its callback is answered
with the card as the click left it, so the process holding the Stream waits for that handling itself."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from bot.engine import Bot
from bot.handling import DEFAULT_BACKLOG, Handling
from bot.types import Inbound, inbound_from_payload
from core.models import InboundEvent
from scheduler.nudge import DELIVER, HANDLE, Nudger, request, started

if TYPE_CHECKING:
    from arq.connections import ArqRedis

log = logging.getLogger(__name__)
BATCH = 64  # events read at a time; the pool's memory bound is DEFAULT_BACKLOG
# `handle_inbound` starts no new batch after this long, so it stays well inside the worker's JOB_TIMEOUT;
# what is left is handled by the next job, which it asks for.
HANDLE_BUDGET = 30.0
assert BATCH <= DEFAULT_BACKLOG


class Kicker:
    """Runs `work` in the background when kicked: kicks while it runs make one more run after it, never
    more, and a kick never waits (a sender's nudge is one Redis call however many events a burst stores)."""

    def __init__(self, work: Callable[[], Awaitable[object]]) -> None:
        self.work = work
        self._again = False
        self._task: asyncio.Task[None] | None = None

    def __call__(self) -> None:
        if self._task is not None and not self._task.done():
            self._again = True  # read after the running call's last check: that call runs once more
            return
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while True:
            self._again = False
            try:
                await self.work()
            except Exception:  # a nudge that fails is retried by the next one or the workers' sweep
                log.exception("nudge failed")
            if not self._again:
                return

    async def drain(self) -> None:
        while self._task is not None and not self._task.done():
            await asyncio.shield(self._task)


class Handoff:
    """serve's side: what a platform's receiver submits a stored event to instead of a local handling pool
    (bot/handling.Submitter). It asks the workers to handle; it never handles, queues or waits."""

    def __init__(self, nudger: Nudger) -> None:
        self._kick = Kicker(lambda: nudger(HANDLE))

    def submit(self, row_id: int, inbound: Inbound) -> None:
        self._kick()

    async def drain(self) -> None:
        await self._kick.drain()


def _pool(ctx: dict[str, Any]) -> Handling:
    """The worker process's handling pool, made on first use; each event it handles nudges a delivery."""
    if "handling" not in ctx:
        redis: ArqRedis = ctx["redis"]
        ctx["deliver_kick"] = Kicker(lambda: request(redis, DELIVER))
        ctx["handling"] = Handling(Bot(ctx["domain"]), ctx["deliver_kick"])
    pool: Handling = ctx["handling"]
    return pool


async def handle_inbound(ctx: dict[str, Any]) -> int:
    """Handle every stored event not handled yet, oldest first (the job serve's nudges ask for)."""
    await started(ctx["redis"], HANDLE)  # before reading, so a nudge from now on is not coalesced into this
    pool = _pool(ctx)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + HANDLE_BUDGET
    cursor = total = 0
    while True:
        rows = await (InboundEvent.filter(status="received", id__gt=cursor).order_by("id").limit(BATCH)
                      .values_list("id", "payload"))
        if not rows:
            break
        for row_id, payload in rows:
            pool.submit(int(row_id), inbound_from_payload(payload))
        cursor = int(rows[-1][0])
        await pool.drain()
        total += len(rows)
        if loop.time() >= deadline:
            log.info("handle_inbound: %d events in %.0f s; the next job handles the rest", total, HANDLE_BUDGET)
            await request(ctx["redis"], HANDLE)
            break
    if "deliver_kick" in ctx:
        await ctx["deliver_kick"].drain()
    return total
