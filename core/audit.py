"""Append-only audit trail, chained by SHA-256, and its verification."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from core.clock import require_aware
from core.models import AuditEvent, AuditHead

GENESIS = "0" * 64


def jsonable(value: Any) -> Any:
    """Plain JSON for snapshots: datetimes as UTC ISO text, enums as their values."""
    if isinstance(value, datetime):
        return require_aware(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    return value


def _digest(fields: dict[str, Any]) -> str:
    canonical = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _hashed_fields(event: AuditEvent) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "at": jsonable(event.at),
        "actor_id": event.actor_id,
        "actor_name": event.actor_name,
        "source": event.source,
        "action": event.action,
        "entity": event.entity,
        "entity_id": event.entity_id,
        "case_id": event.case_id,
        "before": jsonable(event.before),
        "after": jsonable(event.after),
        "prev_hash": event.prev_hash,
    }


async def _locked_head() -> AuditHead:
    await AuditHead.bulk_create([AuditHead(id=1, seq=0, hash=GENESIS)], ignore_conflicts=True)
    return await AuditHead.select_for_update().get(id=1)


async def append(
    *,
    at: datetime,
    actor_id: int | None,
    actor_name: str,
    source: str,
    action: str,
    entity: str,
    entity_id: int,
    case_id: int | None,
    before: dict[str, Any],
    after: dict[str, Any],
) -> AuditEvent:
    """Must run inside the transaction that makes the change, so both commit or neither."""
    head = await _locked_head()
    event = AuditEvent(
        seq=head.seq + 1,
        at=require_aware(at),
        actor_id=actor_id,
        actor_name=actor_name,
        source=source,
        action=action,
        entity=entity,
        entity_id=entity_id,
        case_id=case_id,
        before=jsonable(before),
        after=jsonable(after),
        prev_hash=head.hash or GENESIS,
    )
    event.hash = _digest(_hashed_fields(event))
    await event.save()
    head.seq = event.seq
    head.hash = event.hash
    await head.save(update_fields=["seq", "hash"])
    return event


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    problem: str = ""
    bad_seq: int | None = None


async def verify(batch: int = 5000) -> VerifyResult:
    """Walk the chain in order; name the first event that was altered, removed or inserted."""
    prev_hash = GENESIS
    expected_seq = 1
    checked = 0
    last_id = 0
    while True:
        rows = await AuditEvent.filter(id__gt=last_id).order_by("id").limit(batch)
        if not rows:
            break
        for event in rows:
            last_id = event.id
            if event.seq != expected_seq:
                return VerifyResult(False, checked, f"event #{expected_seq} is missing (found #{event.seq})", expected_seq)
            if event.prev_hash != prev_hash:
                return VerifyResult(False, checked, f"event #{event.seq} does not follow its predecessor", event.seq)
            if _digest(_hashed_fields(event)) != event.hash:
                return VerifyResult(False, checked, f"event #{event.seq} was altered", event.seq)
            prev_hash = event.hash
            expected_seq += 1
            checked += 1
    head = await AuditHead.get_or_none(id=1)
    if head is not None and (head.seq != checked or (checked and head.hash != prev_hash)):
        return VerifyResult(False, checked, f"events after #{checked} were removed (chain head is #{head.seq})", checked + 1)
    return VerifyResult(True, checked)
