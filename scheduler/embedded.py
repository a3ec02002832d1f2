"""serve's in-process engine: without Redis (or in the sandbox) the inbound sweeper, the timed jobs and the
delivery loop. With Redis, workers handle, sweep and deliver, and this loop only asks them to deliver
(scheduler/nudge.py; serve's receivers ask them to handle: scheduler/handoff.py)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.channel import ChannelRegistry
from bot.engine import Bot
from bot.handling import answering
from bot.types import inbound_from_payload
from bot.webhooks import StatusPoster
from core import db
from core.config import load_early_settings, load_settings
from core.media_store import MediaStore
from core.models import InboundEvent
from scheduler.delivery import deliver_answers, deliver_due
from scheduler.media import fetch_media_due
from scheduler.nudge import Nudger
from scheduler.rhythm import morning
from scheduler.sweep import late_items, monthly_backlog_if_due, run_due
from scheduler.webhooks import deliver_webhooks

log = logging.getLogger(__name__)
# An event stored and acknowledged but not handled this long after (a crash in between) is handled again.
UNHANDLED_AFTER = timedelta(seconds=load_early_settings().inbound_retry_seconds)  # MAOTIAO_INBOUND_RETRY_SECONDS
AUDIT_EVERY = timedelta(minutes=5)


async def sweep_inbound(bot: Bot, batch: int = 50) -> int:
    """Handle events that were stored (and acknowledged) but never handled, e.g. after a crash."""
    cutoff = bot.domain.clock.now() - UNHANDLED_AFTER
    rows = await InboundEvent.filter(status="received", received_at__lt=cutoff).order_by("id").limit(batch)
    done = 0
    for row in rows:
        try:
            await bot.handle(row.id, inbound_from_payload(row.payload))
            done += 1
        except Exception as exc:  # keep going; mark it so one bad event cannot block the rest
            if db.unavailable(exc):  # not the event's fault: it stays queued for the next sweep
                log.warning("database unavailable; inbound %s waits for the next sweep: %s", row.id, exc)
                return done
            log.exception("inbound %s failed again", row.id)
            await InboundEvent.filter(id=row.id).update(status="failed", error=str(exc)[:2000])
    return done


class EmbeddedScheduler:
    """`nudge` given (Redis configured, not a sandbox): this process never delivers; each wake-up of the
    delivery loop enqueues a `deliver` job for the workers instead."""

    def __init__(self, bot: Bot, registry: ChannelRegistry, interval: float = 1.0, run_jobs: bool = True,
                 media: MediaStore | None = None, nudge: Nudger | None = None,
                 webhooks: StatusPoster | None = None) -> None:
        self.webhooks = webhooks  # status back to API senders, delivered with the outbox
        self.bot = bot
        self.media = media or MediaStore(load_settings().media_dir)
        self.run_jobs = run_jobs
        self.nudge = nudge
        self.registry = registry
        self.interval = interval
        self._kick = asyncio.Event()  # time-driven jobs
        self._send = asyncio.Event()  # the outbox
        self._inbound = asyncio.Event()  # events stored but not handled (its timer, or a kick)
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False
        self._last_audit: datetime | None = None

    def kick(self) -> None:
        """Something changed (the clock, a setting): run the jobs now, then deliver."""
        self._kick.set()
        self._inbound.set()
        self._send.set()

    def kick_delivery(self) -> None:
        """A message was handled: send its answers now, then the rest, without waiting for the jobs' due scans."""
        self._send.set()

    def start(self) -> None:
        # Nudging on a timer would make a job a second for nothing: with Redis, only a wake-up nudges.
        send_every = None if self.nudge is not None else self.interval
        # Stored-but-unhandled events get their own loop: a report cut off by a crash or an outage is handled
        # again within seconds, not after the day's digests (built on the jobs loop) are done.
        self._tasks = [asyncio.create_task(self._loop(self._kick, self.jobs, self.interval)),
                       asyncio.create_task(self._loop(self._inbound, self.inbound, self.interval)),
                       asyncio.create_task(self._loop(self._send, self.deliver, send_every))]
        if self.nudge is not None:
            self._tasks.append(asyncio.create_task(self.nudge.warn_without_worker()))

    async def stop(self) -> None:
        self._stopping = True
        self.kick()
        await asyncio.gather(*self._tasks)
        if self.nudge is not None:
            await self.nudge.aclose()

    async def tick(self) -> None:
        """One full round, as the loops do it between them (tests call this)."""
        await self.inbound()
        await self.jobs()
        await self.deliver()

    async def inbound(self) -> None:
        if not self.run_jobs:  # the workers handle, and sweep (scheduler/handoff.py)
            return
        if await sweep_inbound(self.bot):
            self._send.set()

    async def jobs(self) -> None:
        d = self.bot.domain
        if self.run_jobs:
            await run_due(d)
            await monthly_backlog_if_due(d)
            await morning(d)
        now = d.clock.now()
        # Audited here even when workers run the jobs: with Redis and no worker alive, this is what logs
        # the replies waiting in the outbox.
        if self._last_audit is None or now - self._last_audit >= AUDIT_EVERY:
            self._last_audit = now
            await late_items(d)
        if self.run_jobs:
            self._send.set()

    async def deliver(self) -> None:
        if self.nudge is not None:  # workers deliver (scheduler/nudge.py)
            await self.nudge()
            return
        # The answers people wait for first, then the rest (which may be a broadcast to every grid worker). One
        # loop, one pass at a time: this process's messages to a person stay in order. (A worker runs the answers
        # in a pass of their own beside its outbox passes: scheduler/handoff.py.)
        with answering():
            await deliver_answers(self.registry, self.bot.domain.clock)
        while await deliver_due(self.registry, self.bot.domain.clock) > 0:
            pass
        if self.webhooks is not None:
            await deliver_webhooks(self.webhooks, self.bot.domain.clock)
        await fetch_media_due(self.registry, self.bot.domain.clock, self.media)

    async def _loop(self, wake: asyncio.Event, work: Callable[[], Awaitable[None]], every: float | None) -> None:
        while not self._stopping:
            try:
                await asyncio.wait_for(wake.wait(), timeout=every)
            except TimeoutError:
                pass
            wake.clear()
            if self._stopping:
                break
            try:
                await work()
            except Exception as exc:  # a database hiccup must not kill the loop
                if db.unavailable(exc):
                    log.warning("scheduler waiting for the database: %s", exc)
                else:
                    log.exception("scheduler %s failed", work.__name__)
