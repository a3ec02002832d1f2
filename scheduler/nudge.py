"""With Redis configured only `maotiao worker` delivers the outbox; `serve` asks for a delivery instead.

Why one kind of process: every sender reserves against the shared rate limits (integrations/pacing.py), but
two kinds of delivery loop racing for the same rows waste claims and make "who sends" depend on timing. serve
already writes each reply to the outbox in the transaction that caused it, so all it has to do is tell a
worker: it enqueues arq's `deliver` job on the same Redis.

Coalescing without losing a nudge. arq refuses a job id while a job with that id is queued, running or its
result is kept, so the id decides both how many jobs a burst makes and whether a nudge can be swallowed by a
job that has already read the outbox. The id is `deliver:nudge:<generation>`, and every `deliver` job bumps
the generation in Redis *before* it reads the outbox (`delivery_started`):
- while no deliver job has started, every nudge uses the same id: a burst of replies makes one queued job;
- a nudge that reads generation g after its reply was committed is either enqueued, or refused because job g
  exists; job g cannot have started before the nudge read g (its start would have moved the generation past
  g), so it reads the outbox after the reply was committed and sends it;
- a nudge during a running job reads the bumped generation: one new job, which runs after the current one.
So a burst costs about two jobs per delivery round, and no reply waits for the worker's 10-second sweep.

If no worker runs, nothing is lost: the rows wait in the outbox (the LATE auditor in scheduler/sweep.py, run
by serve too, logs them) and go out when a worker starts. `maotiao doctor` reports whether a worker is alive.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # arq (and the Redis client under it) is imported once a Nudger first speaks to Redis
    from arq.connections import ArqRedis
    from arq.jobs import Job

log = logging.getLogger(__name__)

GENERATION_KEY = "maotiao:deliver:generation"
NUDGE_PREFIX = "deliver:nudge:"
REDIS_TIMEOUT = 3.0  # seconds: a Redis that does not answer must not hold serve's delivery loop for long
# arq's worker writes this key every health_check_interval seconds (WorkerSettings: 30) with that TTL + 1 s,
# and deletes it when it stops cleanly.
WORKER_HEALTH_KEY = "arq:queue:health-check"  # arq.constants: default_queue_name + health_check_key_suffix


async def request_delivery(redis: ArqRedis) -> Job | None:
    """Ask the workers to deliver now; None when an equivalent request is already pending (coalesced)."""
    generation = int(await redis.get(GENERATION_KEY) or 0)
    return await redis.enqueue_job("deliver", _job_id=f"{NUDGE_PREFIX}{generation}")


async def delivery_started(redis: ArqRedis) -> None:
    """Called by every `deliver` job before it reads the outbox: later nudges get a fresh job id."""
    await redis.incr(GENERATION_KEY)


async def worker_health(redis: ArqRedis) -> str | None:
    """What the last live worker recorded (time, jobs done, queued), or None when no worker is alive."""
    found = await redis.get(WORKER_HEALTH_KEY)
    return found.decode() if isinstance(found, bytes) else found


class Nudger:
    """serve's side: one Redis client, opened on first use; failures are logged, never raised (a reply that
    is not nudged still goes out with the worker's next sweep)."""

    def __init__(self, redis_url: str) -> None:
        self.redis_url = redis_url
        self._redis: ArqRedis | None = None

    @property
    def redis(self) -> ArqRedis:
        if self._redis is None:
            from arq.connections import ArqRedis

            self._redis = ArqRedis.from_url(self.redis_url, socket_connect_timeout=REDIS_TIMEOUT,
                                            socket_timeout=REDIS_TIMEOUT)
        return self._redis

    async def __call__(self) -> Job | None:
        try:
            return await request_delivery(self.redis)
        except Exception as exc:  # Redis down: the rows wait in the outbox, the worker's sweep picks them up
            log.warning("could not ask the workers to deliver (Redis: %s); replies wait for their sweep", exc)
            return None

    async def warn_without_worker(self) -> None:
        try:
            alive = await worker_health(self.redis)
        except Exception as exc:
            log.warning("Redis not reachable at start-up (%s): replies wait in the outbox", exc)
            return
        if alive is None:
            log.warning("MAOTIAO_REDIS_URL is set but no `maotiao worker` is running: messages wait to be "
                        "handled, replies and timed jobs wait in the outbox, until one starts")

    async def aclose(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()
            self._redis = None
