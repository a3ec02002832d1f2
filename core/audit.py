"""Append-only audit trail: one SHA-256 hash chain per center, and its verification.

Chains. A case's events go to the chain of the township (乡镇/街道) where the case happened, or of the
district when it happened above any township; events that belong to no case go to chain 0. Each chain has
its own head row, locked while appending, so two townships never wait on each other (one global head
serialised every write of a whole deployment, issue 20). Every event before chains existed is in chain 0
and keeps its hash; an event of chain N > 0 also hashes N, so it cannot be moved to another chain.

A head row that is missing or behind its chain (deleted, restored from an old backup) is recovered from
the chain's last event, never recreated at 0 (that made every audited verb fail on the unique key). A
head ahead of its chain means events were removed; the next event continues after the head, so the gap
stays in the chain for `verify` to name.

What the database alone cannot prove, checkpoints outside it do: see core/audit_checkpoint.py.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import Any

from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet

from core.clock import require_aware
from core.enums import Level
from core.models import AuditChainHead, AuditEvent, Case, Region
from core.prepared import Prepared

GENESIS = "0" * 64
ORG_CHAIN = 0
log = logging.getLogger(__name__)
# Per database: regions never move (a re-parented node is a new path, a new region), nor do cases change
# where they happened. Cleared whenever the ORM is initialised (core.db.init_db; the tests' databases).
_chain_of_region: dict[int, int] = {}
_region_of_case: dict[int, int] = {}
_CACHE_LIMIT = 50_000


def forget_caches() -> None:
    _chain_of_region.clear()
    _region_of_case.clear()


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


def hashed_fields(event: AuditEvent) -> dict[str, Any]:
    fields = {
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
    if event.chain != ORG_CHAIN:
        fields["chain"] = event.chain
    return fields


def event_hash(event: AuditEvent) -> str:
    return _digest(hashed_fields(event))


async def chain_for(case_id: int | None, region_id: int | None = None) -> int:
    """The chain of a case's events: its township's region id (its district's above townships); 0 without a case."""
    if case_id is None:
        return ORG_CHAIN
    if region_id is None:
        region_id = _region_of_case.get(case_id)
        if region_id is None:
            case = await Case.get(id=case_id).only("id", "region_id")
            region_id = case.region_id
            _remember(_region_of_case, case_id, region_id)
    elif _region_of_case.get(case_id) != region_id:  # the caller has it at hand (the case itself was written):
        _remember(_region_of_case, case_id, region_id)  # the case's next events need not read it
    chain = _chain_of_region.get(region_id)
    if chain is None:
        region = await Region.get(id=region_id)
        ids = [int(p) for p in region.path.strip("/").split("/") if p] or [region.id]
        township = await Region.filter(id__in=ids, level=Level.TOWNSHIP.value).first()
        chain = township.id if township is not None else ids[0]
        _remember(_chain_of_region, region_id, chain)
    return chain


def _remember(cache: dict[int, int], key: int, value: int) -> None:
    if len(cache) >= _CACHE_LIMIT:
        cache.clear()
    cache[key] = value


def _chain_last(chain: int) -> QuerySet[AuditEvent]:
    """The chain's last event, as a queryset (read alone, or as a subquery beside the head)."""
    return AuditEvent.filter(chain=chain).order_by("-seq").limit(1)


_LAST_EVENT = Prepared(AuditEvent, _chain_last, int)
# The head, locked, with the seq of the chain's last event beside it (one statement, not two): they differ only
# when the head row was deleted or put back by hand.
_HEAD_LOCKED = Prepared(AuditChainHead, lambda chain: AuditChainHead.select_for_update().filter(chain=chain).annotate(
    chain_seq=Subquery(_chain_last(chain).values("seq"))), int, for_write=True)


async def _last_event(chain: int) -> tuple[int, str]:
    last = await _LAST_EVENT.first(chain)
    return (last.seq, last.hash) if last is not None else (0, GENESIS)


async def _locked_head(chain: int) -> tuple[AuditChainHead, int, str]:
    """The chain's head, locked until the transaction ends, and the (seq, hash) the next event follows."""
    head = await _HEAD_LOCKED.first(chain)
    if head is None:
        last_seq, last_hash = await _last_event(chain)
        await AuditChainHead.bulk_create([AuditChainHead(chain=chain, seq=last_seq, hash=last_hash)],
                                         ignore_conflicts=True)
        head = await _HEAD_LOCKED.get(chain)
    if (getattr(head, "chain_seq", None) or 0) > head.seq:  # the head was deleted and recreated, or rolled back
        last_seq, last_hash = await _last_event(chain)
        log.error("audit chain %s: head row at #%s but the chain goes to #%s; continuing from the chain "
                  "(run `maotiao audit verify`)", chain, head.seq, last_seq)
        return head, last_seq, last_hash
    return head, head.seq, head.hash or GENESIS


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
    region_id: int | None = None,
) -> AuditEvent:
    """Must run inside the transaction that makes the change, so both commit or neither. `region_id` is
    where the case happened, when the caller has it at hand (saves a look-up)."""
    chain = await chain_for(case_id, region_id)
    return (await append_to_chain(chain, [dict(at=at, actor_id=actor_id, actor_name=actor_name, source=source,
                                                action=action, entity=entity, entity_id=entity_id, case_id=case_id,
                                                before=before, after=after)]))[0]


async def append_to_chain(chain: int, events: list[dict[str, Any]]) -> list[AuditEvent]:
    """Append `events` (append()'s keyword arguments, region_id aside) in order to `chain` (chain_for of each),
    locking and moving its head once for all of them: a unit of work's events of one chain cost one look-up of
    the head and one write of it, not one each (issue 20). Inside the transaction that made the changes."""
    head, seq, prev_hash = await _locked_head(chain)
    appended = []
    for fields in events:
        event = AuditEvent(
            chain=chain,
            seq=seq + 1,
            at=require_aware(fields["at"]),
            actor_id=fields["actor_id"],
            actor_name=fields["actor_name"],
            source=fields["source"],
            action=fields["action"],
            entity=fields["entity"],
            entity_id=fields["entity_id"],
            case_id=fields["case_id"],
            before=jsonable(fields["before"]),
            after=jsonable(fields["after"]),
            prev_hash=prev_hash,
        )
        event.hash = event_hash(event)
        await event.save()
        seq, prev_hash = event.seq, event.hash
        appended.append(event)
    head.seq, head.hash = seq, prev_hash
    await head.save(update_fields=["seq", "hash"])
    return appended


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    chains: int = 0
    problems: tuple[str, ...] = ()
    bad_seq: int | None = None
    bad_chain: int | None = None
    notes: tuple[str, ...] = ()

    @property
    def problem(self) -> str:
        return self.problems[0] if self.problems else ""


@dataclass
class _Walk:
    next_seq: int = 1
    prev: str = GENESIS
    broken: bool = False


@dataclass
class _Report:
    names: dict[int, str]
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    bad: tuple[int, int] | None = None

    def name(self, chain: int) -> str:
        return self.names.get(chain, f"#{chain}")

    def fail(self, chain: int, seq: int, text: str) -> None:
        self.problems.append(f"chain {self.name(chain)}: {text}")
        if self.bad is None:
            self.bad = (chain, seq)


async def _chain_names() -> dict[int, str]:
    ids = [head.chain for head in await AuditChainHead.all().only("chain")]
    names = {ORG_CHAIN: "organisation (0)"}
    for region in await Region.filter(id__in=ids):
        names[region.id] = f"{region.name} ({region.id})"
    return names


def _check(event: AuditEvent, walk: _Walk, report: _Report) -> None:
    if event.seq != walk.next_seq:
        report.fail(event.chain, walk.next_seq, f"event #{walk.next_seq} is missing (found #{event.seq})")
    elif event.prev_hash != walk.prev:
        report.fail(event.chain, event.seq, f"event #{event.seq} does not follow its predecessor")
    elif event_hash(event) != event.hash:
        report.fail(event.chain, event.seq, f"event #{event.seq} was altered")
    else:
        walk.next_seq, walk.prev = event.seq + 1, event.hash
        return
    walk.broken = True


async def _walk_all(report: _Report, anchors: dict[int, tuple[int, str]], batch: int) -> tuple[dict[int, _Walk], int]:
    walks: dict[int, _Walk] = {}
    checked, after = 0, (-1, 0)
    while True:
        rows = await AuditEvent.filter(Q(chain=after[0], seq__gt=after[1]) | Q(chain__gt=after[0])) \
            .order_by("chain", "seq").limit(batch)
        if not rows:
            return walks, checked
        for event in rows:
            after = (event.chain, event.seq)
            walk = walks.setdefault(event.chain, _Walk())
            if walk.broken:
                continue
            _check(event, walk, report)
            if walk.broken:
                continue
            checked += 1
            anchor = anchors.get(event.chain)
            if anchor is not None and anchor[0] == event.seq and anchor[1] != event.hash:
                report.fail(event.chain, event.seq, f"event #{event.seq} differs from the checkpoint: the chain "
                                                    "was rewritten")
                walk.broken = True


def _against_anchors(walks: dict[int, _Walk], anchors: dict[int, tuple[int, str]], report: _Report) -> None:
    for chain, (seq, _) in sorted(anchors.items()):
        walk = walks.get(chain, _Walk())
        end = walk.next_seq - 1
        if not walk.broken and end < seq:
            gone = f"#{end + 1}" if end + 1 == seq else f"#{end + 1}–#{seq}"
            report.fail(chain, end + 1, f"events {gone} were removed (a checkpoint saw the chain at #{seq})")


async def _against_heads(walks: dict[int, _Walk], report: _Report) -> None:
    heads = {h.chain: h for h in await AuditChainHead.all()}
    for chain, head in sorted(heads.items()):
        walk = walks.get(chain, _Walk())
        end = walk.next_seq - 1
        if walk.broken:
            continue
        if head.seq > end:
            report.fail(chain, end + 1, f"events after #{end} were removed (chain head is #{head.seq})")
        elif head.seq < end or (end and head.hash != walk.prev):
            report.fail(chain, head.seq, f"the head row says #{head.seq} but the chain goes to #{end}")
    for chain in sorted(set(walks) - set(heads)):
        report.notes.append(f"chain {report.name(chain)}: the head row is missing (recovered at the next write)")


async def verify(anchors: dict[int, tuple[int, str]] | None = None, batch: int = 5000) -> VerifyResult:
    """Walk every chain in order; name the first event of each that was altered, removed or inserted, and
    compare the chains with their head rows and with `anchors` ({chain: (seq, hash)} from the latest
    checkpoints), which catch what a writer of the database could hide from the database itself."""
    anchors = anchors or {}
    report = _Report(await _chain_names())
    walks, checked = await _walk_all(report, anchors, batch)
    _against_anchors(walks, anchors, report)
    await _against_heads(walks, report)
    bad_chain, bad_seq = report.bad if report.bad else (None, None)
    return VerifyResult(not report.problems, checked, len(walks), tuple(report.problems), bad_seq, bad_chain,
                        tuple(report.notes))


async def segment_intact(chain: int, start: tuple[int, str], end: tuple[int, str], batch: int = 5000) -> str:
    """'' when the chain runs unbroken from event `start` (seq, hash; (0, GENESIS) for its beginning) to
    `end`; else what is wrong. For the checkpoint writer, which only ever extends a verified chain."""
    seq, prev = start
    if seq > 0:
        row = await AuditEvent.get_or_none(chain=chain, seq=seq)
        if row is None or row.hash != prev:
            return f"event #{seq}, seen by the last checkpoint, is {'gone' if row is None else 'changed'}"
    while seq < end[0]:
        rows = await AuditEvent.filter(chain=chain, seq__gt=seq, seq__lte=end[0]).order_by("seq").limit(batch)
        if not rows:
            return f"events after #{seq} are missing"
        for event in rows:
            if event.seq != seq + 1 or event.prev_hash != prev or event_hash(event) != event.hash:
                return f"event #{seq + 1} is missing, out of place or altered"
            seq, prev = event.seq, event.hash
    return "" if (seq, prev) == end else f"the chain ends at #{seq}, not at its head #{end[0]}"
