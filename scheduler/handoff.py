"""With Redis configured (outside the sandbox), serve stores and acknowledges; workers handle (issue 20 #0).

Why: a platform's acknowledgement must not wait for the CPU the handling takes. In one process they share
one event loop and one interpreter lock, so under a burst every ACK queued behind some handler's turn (ACK p99
×9–30 the decrypt + INSERT floor at 200–650/s, however the handling gave way). Here serve's callback path
is the floor's: verify, decrypt, INSERT, answer; then it wakes a worker: one token pushed on a Redis list
(`WAKE_KEY`), which a worker's listener is waiting on with a blocking pop, so the worker starts at once
(arq jobs are polled for: a wait per hop of a conversation). A burst pushes a few tokens, not one a message
(serve's pushes are coalesced while one is on its way). The operating system, not one event loop, then
shares the cores between acknowledging and handling; workers run at a lower priority (scheduler/worker.py).

Each wake makes the worker pass over the stored events, oldest first, taking those no other worker's pass has
taken (`_take`: a short claim on each row) and handing them to the process's handling pool (bot/handling.py:
four at a time, each under its row's lock, `SKIP LOCKED`, so two workers share a backlog instead of doing it
twice); each handled event starts this process's delivery of the answers
(scheduler/delivery.deliver_answers), then of the rest, so a reply goes out while the rest is handled and never
waits behind a broadcast. Nothing is lost when Redis or every worker is away: the events are in the
database, a worker passes over them when it starts, and the workers' sweep (scheduler/embedded.sweep_inbound)
takes up whatever waited longer than MAOTIAO_INBOUND_RETRY_SECONDS.

A card click whose platform answers its callback with the card as the click left it is still handled in serve
(the Stream integration's own pool): the process holding that connection waits for the handling itself."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from tortoise.expressions import Q, Subquery

from bot.engine import Bot
from bot.handling import DEFAULT_BACKLOG, Handling, answering
from bot.types import Inbound, inbound_from_payload
from core import db
from core.models import InboundEvent
from core.prepared import update_returning
from scheduler.delivery import deliver_answers, deliver_due
from scheduler.nudge import Nudger

if TYPE_CHECKING:
    from arq.connections import ArqRedis

log = logging.getLogger(__name__)
BATCH = 64  # events read at a time; the pool's memory bound is DEFAULT_BACKLOG
assert BATCH <= DEFAULT_BACKLOG
WAKE_KEY = "maotiao:handle:wake"  # a Redis list: serve pushes a token, a listening worker pops it
WAKE_TOKENS = 8
LISTEN_SECONDS = 5  # a blocking pop's timeout: how often an idle listener checks in with Redis
# How long a pass's claim on the events it handed to its pool keeps other workers' passes off them: a worker
# that dies holding some leaves them to the next pass of another worker after this (or to the sweep).
CLAIM_FOR = timedelta(seconds=15)


class Kicker:
    """Runs `work` in the background when kicked: kicks while it runs make one more run after it, never
    more, and a kick never waits (a sender's nudge is one Redis call however many events a burst stores)."""

    def __init__(self, work: Callable[[], Awaitable[object]], what: str) -> None:
        self.work = work
        self.what = what  # for the log
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
            except Exception as exc:  # retried by the next kick, or by the workers' sweep
                if db.unavailable(exc):
                    log.warning("%s waits for the database: %s", self.what, exc)
                else:
                    log.exception("%s failed", self.what)
            if not self._again:
                return

    async def drain(self) -> None:
        while self._task is not None and not self._task.done():
            await asyncio.shield(self._task)


class Handoff:
    """serve's side: what a platform's receiver submits a stored event to instead of a local handling pool
    (bot/handling.Submitter). It wakes a worker; it never handles, queues or waits."""

    def __init__(self, nudger: Nudger) -> None:
        self._kick = Kicker(lambda: wake(nudger), "waking the workers")

    def submit(self, row_id: int, inbound: Inbound) -> None:
        self._kick()

    async def drain(self) -> None:
        await self._kick.drain()


async def wake(nudger: Nudger) -> None:
    """One Redis round trip: a token on the wake list (kept short: a token means "read the table", and one
    is as good as many)."""
    try:
        async with nudger.redis.pipeline(transaction=False) as pipe:
            pipe.lpush(WAKE_KEY, 1)
            pipe.ltrim(WAKE_KEY, 0, WAKE_TOKENS - 1)
            await pipe.execute()
    except Exception as exc:  # Redis away: the events wait in the database for the workers' sweep
        log.warning("could not wake the workers to handle (Redis: %s); the messages wait for their sweep", exc)


async def _deliver(ctx: dict[str, Any]) -> None:
    while await deliver_due(ctx["registry"], ctx["domain"].clock) > 0:
        pass


async def _answer(ctx: dict[str, Any]) -> None:
    """The handled events' answers (scheduler/delivery.deliver_answers); a pass over the whole outbox only when
    some answer could not go now (its card's earlier message still on its way, a full batch). The rest of the
    outbox has its own nudges: every job's `deliver`, and the sweep's."""
    done = False
    try:
        with answering():
            done = (await deliver_answers(ctx["registry"], ctx["domain"].clock))[1]
    finally:
        if not done:
            ctx["deliver_kick"]()


def _pool(ctx: dict[str, Any]) -> Handling:
    """The worker process's handling pool, made on first use. Each event it handles has its replies sent from
    here at once (this process is a sender: no job and no Redis round trip in between), as serve's embedded
    loop does; the rows are claimed like any delivery's, so another worker's `deliver` never sends them twice."""
    if "handling" not in ctx:
        ctx["deliver_kick"] = Kicker(lambda: _deliver(ctx), "delivering the outbox")
        ctx["answer_kick"] = Kicker(lambda: _answer(ctx), "delivering handled messages' answers")
        ctx["handling"] = Handling(Bot(ctx["domain"]), ctx["answer_kick"])
    pool: Handling = ctx["handling"]
    return pool


async def handle_stored(ctx: dict[str, Any]) -> int:
    """Hand every stored event not handled yet, and not taken by another worker's pass, to the pool, oldest
    first: one pass over the table. A pass waits
    for the pool only on a backlog (a full batch: memory stays bounded); otherwise it ends once it has handed its
    events over, so that the next wake's events join the pool's queue at once rather than after this pass ends (an
    event still queued or being handled here is not handed over twice). The replies are sent in the background."""
    pool = _pool(ctx)
    cursor = total = 0
    while rows := await _take(cursor, ctx["domain"].clock.now()):
        for row_id, payload in rows:
            if not pool.holds(int(row_id)):
                pool.submit(int(row_id), inbound_from_payload(payload))
        cursor = int(rows[-1][0])
        total += len(rows)
        if len(rows) < BATCH:
            break
        await pool.drain()
    return total


async def _take(cursor: int, now: datetime) -> list[tuple[int, dict[str, Any]]]:
    """The next stored events not handled yet, oldest first, past `cursor`, that no other worker's pass has
    taken (or whose taker let its claim run out: it died, or is stuck): taken by this pass for CLAIM_FOR. Two
    workers then hand each event to one handling pool instead of both reading, locking and answering for it
    (measured: two workers spent half again the CPU of one on the same stories). The claim is advisory:
    `Bot.handle` still takes the event under its row lock, exactly once, and the sweep still takes up whatever
    waited too long. Rows being claimed or handled right now are skipped, never waited for."""
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    candidates = (InboundEvent.filter(free, status="received", id__gt=cursor).order_by("id").limit(BATCH)
                  .select_for_update(skip_locked=True).only("id"))  # only(): a values() query drops the lock
    won = await update_returning(InboundEvent.filter(id__in=Subquery(candidates)).update(claimed_until=now + CLAIM_FOR),
                                 "id", "payload")  # what the pass hands over comes with its claim: no second read
    decode = InboundEvent._meta.fields_map["payload"].to_python_value  # the JSON field's own decoding
    return sorted(((int(w["id"]), decode(w["payload"])) for w in won), key=lambda taken: taken[0])


async def listen(ctx: dict[str, Any]) -> None:
    """A worker's listener, for as long as the worker runs: a pass at start (what was stored while no worker
    ran), then a pass whenever serve wakes it. Wakes during a pass make one more pass after it."""
    passes = ctx["handle_kick"] = Kicker(lambda: handle_stored(ctx), "handling stored messages")
    passes()
    redis: ArqRedis = ctx["redis"]
    while True:
        try:
            if await cast("Awaitable[object]", redis.blpop([WAKE_KEY], timeout=LISTEN_SECONDS)) is not None:
                passes()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # Redis away: the sweep still handles; listen again after a pause
            log.warning("worker cannot hear serve's wakes (Redis: %s); retrying", exc)
            await asyncio.sleep(LISTEN_SECONDS)


def start_listening(ctx: dict[str, Any]) -> None:
    ctx["listener"] = asyncio.create_task(listen(ctx), name="handle-listener")


async def stop_listening(ctx: dict[str, Any], grace: float) -> None:
    """Stop hearing wakes; let the pass in progress finish for up to `grace` seconds (what it does not finish
    stays stored, unhandled, for the next worker or the sweep)."""
    listener: asyncio.Task[None] | None = ctx.pop("listener", None)
    if listener is None:
        return
    listener.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await listener
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(ctx["handle_kick"].drain(), grace)
        if "handling" in ctx:  # what the last pass handed over is handled
            await asyncio.wait_for(ctx["handling"].drain(), grace)
        if "deliver_kick" in ctx:  # and its replies sent before the worker stops
            await asyncio.wait_for(ctx["answer_kick"].drain(), grace)
            await asyncio.wait_for(ctx["deliver_kick"].drain(), grace)
