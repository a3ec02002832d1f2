"""Handling recorded events off the acknowledging path, a few at a time, with bounded memory.

A platform's callback or stream frame is stored and acknowledged first; the handling (drafts, cards,
outbox) happens here afterwards. Running every burst's handlers at once would put them all on the event
loop together and delay the next acknowledgements behind them, so a fixed number of workers handle them,
one at a time each. What waits for a worker is held in memory only up to `backlog` events: beyond that an
event is left in the database, where it already is (status "received"), and the workers read it back once
they have caught up. A burst of any length therefore costs the acknowledging path no more memory and no
more loop time than `backlog` queued events, and nothing is lost (the sweeper picks up anything a crash
cut off). Backpressure falls on the handling, never on the acknowledgements."""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

from bot.engine import Bot
from bot.types import Inbound, inbound_from_payload
from core.models import InboundEvent

log = logging.getLogger(__name__)
DEFAULT_CONCURRENCY = 4
DEFAULT_BACKLOG = 256  # events queued in memory per pool; the rest wait in the database
_LIVE: weakref.WeakSet[Handling] = weakref.WeakSet()  # every pool in this process, for shutdown's drain_all
# Acknowledgements first: a worker starts its next event only once no delivery is being stored and
# acknowledged in this process (or after YIELD_AT_MOST, so handling never starves). On one event loop the
# handlers and the ACKs share the CPU; under a burst the handlers wait, the ACKs do not.
YIELD_AT_MOST = 0.5


class _Acks:
    """ACKs running on one event loop, and an event set whenever there are none."""

    def __init__(self) -> None:
        self.running = 0
        self.none = asyncio.Event()
        self.none.set()


_ACKS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Acks] = weakref.WeakKeyDictionary()


def _acks() -> _Acks:
    return _ACKS.setdefault(asyncio.get_running_loop(), _Acks())


@contextmanager
def acknowledging() -> Iterator[None]:
    """Around a platform's store-and-acknowledge path: handling gives way while it runs."""
    acks = _acks()
    acks.running += 1
    acks.none.clear()
    try:
        yield
    finally:
        acks.running -= 1
        if not acks.running:
            acks.none.set()


def answering() -> AbstractContextManager[None]:
    """Around sending the answers of handled messages: handling gives way to it as it does to acknowledgements
    (a person already waits for that answer; the next event's sender can wait the few ms longer). Measured with
    six stories at once on one worker: the answers waited for the loop behind four handlers."""
    return acknowledging()


async def _ack_first() -> None:
    acks = _acks()
    if not acks.none.is_set():
        try:
            await asyncio.wait_for(acks.none.wait(), timeout=YIELD_AT_MOST)
        except TimeoutError:
            pass


class Submitter(Protocol):
    """Where a platform's receiver hands a stored and acknowledged event: a Handling pool in this process, or
    the workers (scheduler/handoff.Handoff, when serve only acknowledges)."""

    def submit(self, row_id: int, inbound: Inbound) -> asyncio.Future[None] | None: ...

    async def drain(self) -> None: ...


class Handling:
    def __init__(self, bot: Bot, on_handled: Callable[[], None] = lambda: None,
                 concurrency: int = DEFAULT_CONCURRENCY, backlog: int = DEFAULT_BACKLOG) -> None:
        self.bot = bot
        self.on_handled = on_handled
        self.concurrency = concurrency
        self.backlog = backlog
        self._queue: deque[tuple[int, Inbound, asyncio.Future[None] | None]] = deque()
        self._running: set[int] = set()  # row ids being handled now
        self._workers: set[asyncio.Task[None]] = set()
        # Per platform, the oldest event a full queue left in the database: read back from there, in order.
        self._left_in_db: dict[str, int] = {}
        self._refilling = False
        _LIVE.add(self)

    def submit(self, row_id: int, inbound: Inbound) -> asyncio.Future[None] | None:
        """Handle in the background, in arrival order; never waits and never grows memory past the bound.
        The future is done once the event was handled (or failed); None when it was left in the database."""
        done: asyncio.Future[None] | None = None
        if len(self._queue) < self.backlog and not self._left_in_db and not self._refilling:
            done = asyncio.get_running_loop().create_future()
            self._queue.append((row_id, inbound, done))
        else:  # already stored: read back from the database once the queue has room (in order: no overtaking)
            self._leave(inbound.platform.value, row_id)
        self._spawn()
        return done

    def _leave(self, platform: str, row_id: int) -> None:
        self._left_in_db[platform] = min(self._left_in_db.get(platform, row_id), row_id)

    def holds(self, row_id: int) -> bool:
        """Whether this event is queued here or being handled now."""
        return row_id in self._running or any(queued[0] == row_id for queued in self._queue)

    def pending(self) -> int:
        """Events queued in memory or being handled (not counting those left in the database)."""
        return len(self._queue) + len(self._running)

    def _spawn(self) -> None:
        """Workers for what is queued, up to `concurrency`. An event arriving while the workers are busy waits
        for one of them: handling is CPU-bound on one loop, and measured in stories (bench/inbound.py) taking
        it beside the busy ones made every hop slower (first come, first served is the shortest mean wait)."""
        while len(self._workers) < min(self.concurrency, max(1, len(self._queue))):
            task = asyncio.create_task(self._work())
            self._workers.add(task)
            task.add_done_callback(self._workers.discard)

    async def _work(self) -> None:
        while True:
            if not self._queue and self._left_in_db and not self._refilling:
                await self._refill()
            if not self._queue:
                return
            await _ack_first()
            if not self._queue:
                return
            row_id, inbound, done = self._queue.popleft()
            self._running.add(row_id)
            try:
                await self._run(row_id, inbound)
            finally:
                self._running.discard(row_id)
                if done is not None and not done.done():
                    done.set_result(None)

    async def _refill(self) -> None:
        """Read back, oldest first, what a full queue left in the database. Meanwhile new events are left
        there too (after those being read back, never before them), and an event read back twice (another
        process's pool, the sweeper) is handled once: Bot.handle takes it under its row lock."""
        self._refilling = True
        left, self._left_in_db = self._left_in_db, {}
        try:
            query = InboundEvent.filter(status="received", platform__in=sorted(left), id__gte=min(left.values()))
            if self._running:
                query = query.exclude(id__in=list(self._running))
            rows = await query.order_by("id").limit(self.backlog).values_list("id", "payload")
        except Exception:  # the database is away: still left there, read back after the next delivery
            log.exception("reading back %d platform(s)' queued events failed", len(left))
            for platform, row_id in left.items():
                self._leave(platform, row_id)
            return
        finally:
            self._refilling = False
        if len(rows) == self.backlog:  # more may be waiting: read on after these once they are done
            for platform in left:
                self._leave(platform, int(rows[-1][0]) + 1)
        for row_id, payload in rows:
            self._queue.append((int(row_id), inbound_from_payload(payload), None))
        self._spawn()

    async def _run(self, row_id: int, inbound: Inbound) -> None:
        """Handle; then start sending the answers, when the handling wrote some: an event another handler had
        taken (a sweep, another worker) or a handling that failed (rolled back) leaves nothing to send."""
        try:
            wrote = await self.bot.handle(row_id, inbound)
        except Exception:  # the sweeper retries events left unhandled
            log.exception("handling %s event %s failed", inbound.platform.value, inbound.event_id)
            return
        if wrote:
            self.on_handled()

    async def drain(self) -> None:
        """Wait for everything submitted so far (tests, shutdown)."""
        while self._workers:
            await asyncio.gather(*list(self._workers), return_exceptions=True)


def in_flight() -> int:
    """Events being handled (or queued for a worker) in this process, over every platform's pool."""
    return sum(pool.pending() for pool in list(_LIVE))


async def drain_all(seconds: float) -> bool:
    """On shutdown: wait up to `seconds` for every pool's handling in flight. False when some was still
    running; it is not lost (each event was stored before it was acknowledged, and the sweeper of another or
    the next process handles it again), only later."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while True:  # a worker may refill from the database: look again until nothing is left
        tasks = {task for pool in list(_LIVE) for task in pool._workers}
        if not tasks:
            return True
        remaining = deadline - loop.time()
        if remaining <= 0:
            return False
        await asyncio.wait(tasks, timeout=remaining)  # never cancels them: cut short, they run on until exit
