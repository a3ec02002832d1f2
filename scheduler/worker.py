"""`maotiao worker`: the same jobs on arq and Redis. A cron sweep reads what is due from the database and
enqueues one job per item with a stable `_job_id`, so sweeps on several workers agree; each job claims its
item in the database, so no item is acted on twice even after Redis is flushed or a worker dies."""

from __future__ import annotations

import asyncio
import contextvars
import logging
import os
import threading
import time
from typing import Any

from arq import cron, func
from arq.connections import RedisSettings

from bot.engine import Bot
from bot.intake import model as intake_model
from core import db
from core.calendar_import import load_calendar
from core.config import load_settings
from core.media_store import MediaStore
from core.services.base import Domain
from core.startup import settle_heap
from integrations.registry import build_platforms
from scheduler import jobs
from scheduler.delivery import deliver_answers, deliver_due
from scheduler.embedded import sweep_inbound
from scheduler.handoff import start_listening, stop_listening
from scheduler.media import fetch_media_due
from scheduler.nudge import delivery_started
from scheduler.rhythm import morning
from scheduler.sweep import current_due, late_items, monthly_backlog_if_due
from scheduler.webhooks import deliver_webhooks

log = logging.getLogger(__name__)
SWEEP_SECONDS = set(range(0, 60, 10))
STOP_GRACE = 8  # seconds a job in flight may take to finish after SIGTERM (systemd waits 90 s before SIGKILL)
STOP_DEADLINE = 10.0  # seconds closing (Redis, database, platform clients) may take after that
# arq marks a started job with an "in progress" key living for the longest function timeout + 10 s
# (arq 0.28 Worker: in_progress_timeout_s = max(timeout_s or job_timeout) + 10). A worker killed mid-job
# leaves that key behind, and no other worker takes the job until it expires: with arq's default (300 s) a
# reminder was late by five minutes. Every job here claims its item in the database, so running one again
# is harmless; 60 s fits the slowest (a sweep building the day's digests, a bounded `deliver`), and a killed
# worker's job is taken over after 70 s.
JOB_TIMEOUT = 60
# `deliver` starts no new pass over the outbox after this long, so one run (passes, webhooks, media) stays
# well inside JOB_TIMEOUT; whatever is left goes out in the next run (every sweep enqueues one).
DELIVER_BUDGET = 30.0
# `maotiao worker` lowers its CPU priority by this much (nice). With Redis, serve only stores and acknowledges
# and the workers handle (scheduler/handoff.py); where both share a machine's cores and the handling backlog
# keeps a worker busy, the kernel would otherwise share the CPU evenly and a platform's ACK would queue behind
# the backlog after all (measured at 400/s on 2 cores: ACK p99 749 ms at the same priority). The backlog waits
# instead; a worker alone on its machine loses nothing by it.
WORKER_NICE = 10


def exit_after(seconds: float) -> None:
    """End the process if a clean shutdown has not ended it by then: a hung close must not keep a stopped
    worker alive (nothing is lost: every job re-reads its item from the database)."""
    def watchdog() -> None:
        time.sleep(seconds)
        log.error("worker did not finish closing %.0f s after the stop signal: exiting", seconds)
        logging.shutdown()
        os._exit(0)

    threading.Thread(target=watchdog, name="stop-deadline", daemon=True).start()


async def startup(ctx: dict[str, Any]) -> None:
    if "domain" in ctx:  # tests hand in their own clock, database and channels
        return
    settings = load_settings()
    await db.upgrade(settings.db_url)
    await db.init_db(settings.db_url)
    ctx["domain"] = Domain()
    await load_calendar(ctx["domain"].calendar)
    ctx["platforms"] = build_platforms()
    ctx["registry"] = ctx["platforms"].registry
    ctx["media"] = MediaStore(settings.media_dir)
    # arq runs on_shutdown in another task context than on_startup: Tortoise's connections live in this one.
    ctx["db_context"] = contextvars.copy_context()
    intake_model.use_at_start(settings.intake_model)  # a bad model file stops it, as it stops serve
    settle_heap()
    start_listening(ctx)  # serve's wakes: handle what it stored (scheduler/handoff.py)


async def shutdown(ctx: dict[str, Any]) -> None:
    await stop_listening(ctx, STOP_GRACE)
    if "db_context" in ctx:
        await ctx["platforms"].aclose()
        # Closing in the startup context closes the connections the jobs used; otherwise SQLite's
        # connection thread outlives the loop and the process never exits after SIGTERM.
        await asyncio.get_running_loop().create_task(db.close_db(), context=ctx["db_context"])


async def sweep(ctx: dict[str, Any]) -> int:
    """Enqueue everything due; missing jobs (Redis flushed, worker killed) are simply enqueued again."""
    d: Domain = ctx["domain"]
    items = await current_due(d)
    for item in items:
        await ctx["redis"].enqueue_job(item.job, item.id, _job_id=item.job_id)
    await sweep_inbound(Bot(d))
    await monthly_backlog_if_due(d)
    await morning(d)
    await late_items(d)
    await ctx["redis"].enqueue_job("deliver", _job_id=f"deliver:{int(d.clock.now().timestamp())}")
    return len(items)


async def deliver(ctx: dict[str, Any]) -> int:
    """Send everything due. With Redis this is the only place the outbox is delivered; serve enqueues this
    job to have its replies sent now (scheduler/nudge.py explains the job ids)."""
    await delivery_started(ctx["redis"])  # before reading the outbox, so a nudge from now on is not coalesced
    # Answers first (a click serve handled, whose nudge this is), then the rest, which may be a long broadcast.
    total = (await deliver_answers(ctx["registry"], ctx["domain"].clock))[0]
    deadline = asyncio.get_running_loop().time() + DELIVER_BUDGET
    while (sent := await deliver_due(ctx["registry"], ctx["domain"].clock)) > 0:
        total += sent
        if asyncio.get_running_loop().time() >= deadline:
            log.info("deliver: %d sent in %.0f s; the rest goes out in the next run", total, DELIVER_BUDGET)
            break
    if "platforms" in ctx and ctx["platforms"].webhooks is not None:
        await deliver_webhooks(ctx["platforms"].webhooks, ctx["domain"].clock)
    if "media" in ctx:
        await fetch_media_due(ctx["registry"], ctx["domain"].clock, ctx["media"])
    return total


def _job(name: str) -> Any:
    async def run(ctx: dict[str, Any], item_id: int) -> bool:
        done = await jobs.JOBS[name](ctx["domain"], item_id)
        if done:
            await ctx["redis"].enqueue_job("deliver", _job_id=f"deliver:{name}:{item_id}:{ctx['job_id']}")
        return done

    run.__name__ = name
    # No result kept: arq refuses a job id while its result is kept, so a failed or timed-out occurrence
    # (its id is fixed: scheduler/sweep.Due.job_id) would wait an hour for the next try instead of the next
    # sweep. Running an occurrence twice is harmless: each job claims its item in the database first.
    return func(run, name=name, keep_result=0)


class WorkerSettings:
    functions = [_job(name) for name in jobs.JOBS] + [func(deliver, name="deliver"), func(sweep, name="sweep")]
    cron_jobs = [cron(sweep, second=SWEEP_SECONDS, run_at_startup=True, unique=True)]
    on_startup = startup
    on_shutdown = shutdown
    redis_settings = RedisSettings()  # `maotiao worker` passes MAOTIAO_REDIS_URL
    max_jobs = 20
    job_timeout = JOB_TIMEOUT  # and how soon a killed worker's job is taken over: see JOB_TIMEOUT
    job_completion_wait = STOP_GRACE
    keep_result = 3600
    # The health key (arq:queue:health-check) lives this long + 1 s: `maotiao doctor` and serve read it to
    # tell whether a worker is alive (arq's default, an hour, would report a killed worker alive for an hour).
    health_check_interval = 30
    # How often an idle worker looks for jobs (arq's default: 0.5 s). serve's `deliver` nudges (the replies to
    # intake API cases, /act pages, card clicks a platform answers in its callback) wait for this; chat
    # messages do not (workers block on serve's wakes: scheduler/handoff.py). One ZRANGEBYSCORE a look is
    # nothing to Redis.
    poll_delay = 0.05
