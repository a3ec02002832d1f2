"""Delivering task mirrors: bring each pending task's copy in its assignee's to-do list up to date.

Runs after the messages of a delivery pass, so a slow or failing to-do API never holds up a reply. A row is
claimed like an outbox row (pending → sending, attempts + 1); every platform whose channel mirrors tasks and
on which the assignee has an account is synced; the outcome is recorded only if the task did not change
meanwhile (the row's version), else the row stays pending and the next pass syncs the newer state. Failures
back off like messages; a permanent one (the platform does not know the person) is a dead row, logged — the
task itself, its card and its reminders are untouched.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.channel import ChannelRegistry, MirrorResult, MirrorTarget, TaskMirrorChannel
from bot.mirror import snapshot
from core.clock import Clock
from core.models import Identity, Task, TaskMirror
from scheduler.delivery import MAX_ATTEMPTS, STALE_SENDING, backoff

log = logging.getLogger(__name__)


def mirror_channels(registry: ChannelRegistry) -> list[TaskMirrorChannel]:
    found: list[TaskMirrorChannel] = []
    for platform in registry.platforms:
        channel = registry.get(platform)
        if isinstance(channel, TaskMirrorChannel) and channel.mirrors_tasks:
            found.append(channel)
    return found


async def sync_mirrors_due(registry: ChannelRegistry, clock: Clock, batch: int = 50) -> int:
    """One pass; returns how many tasks were brought up to date."""
    channels = mirror_channels(registry)
    if not channels:
        return 0  # no platform keeps a to-do list: the rows wait, harmless
    now = clock.now()
    await TaskMirror.filter(status="sending", next_attempt_at__lt=now - STALE_SENDING).update(status="pending")
    rows = await TaskMirror.filter(status="pending", next_attempt_at__lte=now).order_by("id").limit(batch)
    done = 0
    for row in rows:
        claimed = await TaskMirror.filter(id=row.id, status="pending", version=row.version).update(
            status="sending", attempts=row.attempts + 1, next_attempt_at=now)
        if claimed:
            row.attempts += 1
            done += await _sync(row, channels, clock.now())
    return done


async def _sync(row: TaskMirror, channels: list[TaskMirrorChannel], now: datetime) -> int:
    task = await Task.get_or_none(id=row.task_id)
    if task is None:
        await _settle(row, now, status="dead", last_error="任务不存在")
        return 0
    mirrored = await snapshot(task)
    refs = dict(row.refs)
    failures: list[MirrorResult] = []
    for channel in channels:
        ident = await Identity.get_or_none(staff_id=task.assignee_id, platform=channel.platform.value)
        if ident is None:
            continue  # the assignee has no account there
        target = MirrorTarget(user_id=ident.external_id, alias=ident.alias, ref=refs.get(channel.platform.value),
                              retry=row.attempts > 1)
        try:
            result = await channel.mirror_task(target, mirrored)
        except Exception as exc:  # a channel bug or network error must not stop the pass
            log.exception("task mirror %s on %s failed", row.task_id, channel.platform.value)
            result = MirrorResult(False, error=f"{type(exc).__name__}: {exc}")
        if result.alias and result.alias != ident.alias:
            await Identity.filter(id=ident.id).update(alias=result.alias)
        if result.ref:
            refs[channel.platform.value] = result.ref
        if not result.ok:
            failures.append(result)
    return await _conclude(row, refs, failures, now)


async def _conclude(row: TaskMirror, refs: dict[str, str], failures: list[MirrorResult], now: datetime) -> int:
    if not failures:
        await _settle(row, now, status="synced", refs=refs, last_error="")
        return 1
    error = ";".join(f.error for f in failures)[:2000]
    if all(f.permanent for f in failures) or row.attempts >= MAX_ATTEMPTS:
        log.warning("task %s not mirrored to the to-do list, given up: %s", row.task_id, error)
        await _settle(row, now, status="dead", refs=refs, last_error=error)
        return 0
    wait = max([backoff(row.attempts), *(timedelta(seconds=f.retry_after) for f in failures if f.retry_after)])
    log.info("task %s mirror failed (try %s), retried: %s", row.task_id, row.attempts, error)
    await _settle(row, now, status="pending", refs=refs, last_error=error, next_attempt_at=now + wait)
    return 0


async def _settle(row: TaskMirror, now: datetime, **fields: object) -> None:
    """Record the outcome unless the task changed meanwhile (then the row is pending again for the newer state,
    keeping what was learnt: the copies' ids)."""
    won = await TaskMirror.filter(id=row.id, version=row.version, status="sending").update(updated_at=now, **fields)
    if not won and "refs" in fields:
        await TaskMirror.filter(id=row.id).update(refs=fields["refs"])
