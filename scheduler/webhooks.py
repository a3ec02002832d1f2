"""Sending the status webhooks owed to API senders (bot/webhooks.py makes them): claim a row, post it, record
the outcome. Failures retry with backoff, the same event id each time; after MAX_ATTEMPTS, or when the
receiver refuses for good, the row is kept as a dead letter with the reason."""

from __future__ import annotations

import json
import logging

from tortoise.expressions import F

from bot.webhooks import StatusPoster
from core.clock import Clock
from core.models import StatusWebhook
from scheduler.delivery import STALE_SENDING, backoff

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 12


def body(row: StatusWebhook) -> bytes:
    """The exact bytes signed and sent; the same on every retry."""
    return json.dumps(row.payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


async def deliver_webhooks(poster: StatusPoster, clock: Clock, limit: int = 50) -> int:
    """One pass over what is due; returns how many were delivered."""
    now = clock.now()
    await StatusWebhook.filter(status="sending", next_attempt_at__lt=now - STALE_SENDING).update(status="pending")
    due = await StatusWebhook.filter(status="pending", next_attempt_at__lte=now).order_by("id").limit(limit)
    sent = 0
    for row in due:
        claimed = await StatusWebhook.filter(id=row.id, status="pending", attempts=row.attempts).update(
            status="sending", attempts=F("attempts") + 1, next_attempt_at=now)
        if not claimed:
            continue  # another pass took it
        result = await poster.post(row.api_client, row.event_id, body(row))
        attempts = row.attempts + 1
        if result.ok:
            await StatusWebhook.filter(id=row.id).update(status="sent", sent_at=clock.now(), last_error="")
            sent += 1
        elif result.retry and attempts < MAX_ATTEMPTS:
            await StatusWebhook.filter(id=row.id).update(status="pending", last_error=result.error,
                                                         next_attempt_at=clock.now() + backoff(attempts))
        else:
            log.warning("status webhook %s for %s given up: %s", row.event_id, row.api_client, result.error)
            await StatusWebhook.filter(id=row.id).update(status="dead", last_error=result.error)
    return sent


