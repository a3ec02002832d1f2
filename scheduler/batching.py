"""Identical plain messages to several people go out together where the platform can (a BatchChannel, e.g.
20 user ids a call): rosters, digests and warnings then cost one metered call per batch, not one each."""

from __future__ import annotations

import json
import logging
from datetime import datetime

from bot.channel import ChannelRegistry, Delivery, SendResult
from bot.types import Outbound
from core.clock import Clock
from core.enums import Platform
from core.models import CardLink, OutboxMessage
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


async def _send_group(group: list[OutboxMessage], registry: ChannelRegistry, now: datetime) -> int:
    ready: dict[Platform, list[tuple[OutboxMessage, Outbound, CardLink | None, Delivery]]] = {}
    sent = 0
    for row in group:
        if not await delivery.claim(row, now):
            continue
        outbound, link, where = await delivery.prepare(row, registry, now)
        if isinstance(where, str):
            await delivery.finish(row, SendResult(False, permanent=True, error=where), None, now)
            continue
        ready.setdefault(where[0], []).append((row, outbound, link, where[1]))
    for platform, items in ready.items():
        channel = registry.get(platform)
        send_many = getattr(channel, "send_many", None)
        try:
            if send_many is not None:
                results = await send_many([d for _, _, _, d in items])
            else:
                results = [await channel.send(d) for _, _, _, d in items]  # type: ignore[union-attr]
        except Exception as exc:  # a channel bug must not stop the queue: every row is retried
            log.exception("channel %s failed on a batch of %d", platform, len(items))
            results = [SendResult(False, error=f"{type(exc).__name__}: {exc}") for _ in items]
        for (row, outbound, link, _), result in zip(items, results, strict=True):
            sent += (await delivery.conclude(row, outbound, link, platform, result, registry, now)).ok
    return sent
