"""Identical plain messages to several people go out together where the platform can (a BatchChannel, naming
up to hundreds of people a call): rosters, digests, warnings and the Monday screening reminder then cost one
call per batch, not one each, and the database a few statements per batch, not a few per person
(the rows are claimed, addressed and settled together)."""

from __future__ import annotations

import json
import logging
from datetime import datetime

from tortoise.expressions import F

from bot.channel import Channel, ChannelRegistry, Delivery, SendResult
from bot.identity import addresses
from bot.types import Outbound
from core.clock import Clock
from core.enums import Platform
from core.models import OutboxMessage
from core.prepared import update_returning
from scheduler import delivery

log = logging.getLogger(__name__)


def _batch_key(row: OutboxMessage) -> str | None:
    """Rows that may share one call: a plain message (no card, file, image or urgent push) to a staff member."""
    payload = row.payload if isinstance(row.payload, dict) else {}
    target = payload.get("target")
    if (not isinstance(target, dict) or target.get("kind") != "user" or target.get("staff_id") is None
            or row.card_link_id is not None or row.maybe_sent_at is not None):
        return None
    o = Outbound.model_validate(payload)
    if o.card is not None or o.file_b64 or o.image_png_b64 or o.urgent or o.update:
        return None
    rest = {k: v for k, v in payload.items() if k != "target"}
    return json.dumps([rest, target.get("platform"), target.get("avoid")], sort_keys=True, ensure_ascii=False)


async def deliver_batches(rows: list[OutboxMessage], registry: ChannelRegistry, clock: Clock
                          ) -> tuple[int, list[OutboxMessage]]:
    """Send the batchable groups; returns how many rows were sent and the rows left for one-by-one sending."""
    if not any(hasattr(registry.get(p), "send_many") for p in registry.platforms):
        return 0, rows
    groups: dict[str, list[OutboxMessage]] = {}
    seen: set[str] = set()
    for row in rows:  # ordered by id: only a recipient's first message may join a batch, so none overtakes another
        recipient = delivery.recipient(row)
        key = _batch_key(row) if recipient not in seen else None
        seen.add(recipient)
        if key is not None:
            groups.setdefault(key, []).append(row)
    batched = {r.id for g in groups.values() if len(g) > 1 for r in g}
    sent = 0
    for group in groups.values():
        if len(group) > 1:
            sent += await _send_group(group, registry, clock.now())  # claimed when its turn comes
    return sent, [r for r in rows if r.id not in batched]


async def _claim_all(group: list[OutboxMessage], now: datetime) -> list[OutboxMessage]:
    """Take the group's rows to send them now, in one statement (none belongs to a card, so none waits for an
    earlier message of its card); the rows another pass has taken meanwhile are left out."""
    won = await update_returning(OutboxMessage.filter(id__in=[r.id for r in group], status="pending").update(
        status="sending", attempts=F("attempts") + 1, next_attempt_at=now), "id", "attempts")
    attempts = {int(w["id"]): int(w["attempts"]) for w in won}
    for row in group:
        row.attempts = attempts.get(row.id, row.attempts)
    return [row for row in group if row.id in attempts]


async def _address_all(rows: list[OutboxMessage], registry: ChannelRegistry, now: datetime
                       ) -> dict[Platform, list[tuple[OutboxMessage, Outbound, Delivery]]]:
    """Each row's delivery, by the platform that reaches its recipient (the group's rows share the platforms
    they may take: that is part of their batch key); a row whose recipient has no account is dead."""
    outbounds = [Outbound.model_validate(row.payload) for row in rows]
    usable, prefer = delivery.reachable(outbounds[0].target, None, registry.platforms)
    found = await addresses([_staff(o) for o in outbounds], usable, prefer)
    ready: dict[Platform, list[tuple[OutboxMessage, Outbound, Delivery]]] = {}
    for row, outbound in zip(rows, outbounds, strict=True):
        where = found.get(_staff(outbound))
        if where is None:
            await delivery.finish(row, SendResult(False, permanent=True, error=delivery.NO_ACCOUNT), None, now)
            continue
        d = Delivery(outbound, user_id=where[1])
        d.key = delivery.delivery_key(row)
        ready.setdefault(where[0], []).append((row, outbound, d))
    return ready


def _staff(o: Outbound) -> int:
    assert o.target.staff_id is not None  # a batch's rows are to staff members (their batch key)
    return o.target.staff_id


async def _send_group(group: list[OutboxMessage], registry: ChannelRegistry, now: datetime) -> int:
    rows = await _claim_all(group, now)
    if not rows:
        return 0
    sent = 0
    for platform, items in (await _address_all(rows, registry, now)).items():
        channel = registry.get(platform)
        assert channel is not None
        results = await _send(channel, [d for _, _, d in items])
        done = [row for (row, _, _), result in zip(items, results, strict=True) if result.ok]
        await delivery.finish_sent(done, platform, now)
        for (row, outbound, _), result in zip(items, results, strict=True):
            if not result.ok:  # retried, tried on the person's other platform, or dead: one by one
                await delivery.conclude(row, outbound, None, platform, result, registry, now)
        sent += len(done)
    return sent


async def _send(channel: Channel, deliveries: list[Delivery]) -> list[SendResult]:
    send_many = getattr(channel, "send_many", None)
    try:
        if send_many is not None:
            results: list[SendResult] = await send_many(deliveries)
            return results
        return [await channel.send(d) for d in deliveries]
    except Exception as exc:  # a channel bug must not stop the queue: every row is retried
        log.exception("channel %s failed on a batch of %d", channel.platform, len(deliveries))
        return [SendResult(False, error=f"{type(exc).__name__}: {exc}") for _ in deliveries]
