"""Fetching evidence media off the acknowledging path: every photo, voice message and file a person sends is
recorded as a pending MediaFile with the report, then fetched from its platform here, retried with backoff,
until the platform's id expires (the shortest-lived: 3 days). A failed fetch never loses the message: the draft and its
text were committed when the message was handled."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.channel import ChannelRegistry
from core.clock import Clock
from core.enums import Platform
from core.media_store import MediaStore
from core.models import MediaFile

log = logging.getLogger(__name__)
MEDIA_LIFETIME = timedelta(days=3)  # the shortest media id lifetime of the platforms (see integrations/)
MAX_ATTEMPTS = 20


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(1800, 5 * 2 ** min(attempts, 9)))


async def fetch_media_due(registry: ChannelRegistry, clock: Clock, store: MediaStore, batch: int = 20) -> int:
    """One pass over the media waiting to be fetched; returns how many were stored."""
    now = clock.now()
    rows = await MediaFile.filter(status="pending", next_attempt_at__lte=now).order_by("id").limit(batch)
    stored = 0
    for row in rows:
        claimed = await MediaFile.filter(id=row.id, status="pending", attempts=row.attempts).update(
            attempts=row.attempts + 1, next_attempt_at=now + backoff(row.attempts + 1))
        if claimed:  # another process has it otherwise
            row.attempts += 1
            stored += await _fetch(row, registry, store, now)
    return stored


async def _fetch(row: MediaFile, registry: ChannelRegistry, store: MediaStore, now: datetime) -> int:
    channel = registry.get(Platform(row.platform))
    fetch = getattr(channel, "fetch_media", None)
    if fetch is None:
        return 0  # that platform is not connected in this process: another one may be
    try:
        data, mime, name = await fetch(row.ref, row.kind)
    except Exception as exc:  # platform errors, network errors: try again later, until the id has expired
        expired = now - row.received_at > MEDIA_LIFETIME or row.attempts >= MAX_ATTEMPTS
        row.status = "failed" if expired else "pending"
        row.error = f"{type(exc).__name__}: {exc}"[:2000]
        await row.save(update_fields=["status", "error"])
        log.warning("media %s (%s) not fetched%s: %s", row.id, row.platform, " and given up" if expired else "",
                    row.error)
        return 0
    row.path, row.sha256 = store.save(data, mime, name)
    row.mime, row.name, row.size = mime, name[:255], len(data)
    row.status, row.stored_at, row.error = "stored", now, ""
    await row.save(update_fields=["path", "sha256", "mime", "name", "size", "status", "stored_at", "error"])
    return 1
