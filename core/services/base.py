"""What every verb shares: who acts, the domain context, results, and recording a change."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar

from tortoise.transactions import in_transaction

from core import audit, org_memo
from core.clock import Clock, SystemClock
from core.enums import Platform, Role
from core.errors import InvalidInput, NotFound
from core.events import DomainEvent
from core.models import Case, Staff, Task
from core.regions import staff_region
from core.workdays import WorkCalendar

P = ParamSpec("P")
T = TypeVar("T")


@dataclass(frozen=True)
class Actor:
    """Who is acting. The scheduler and the intake API act as a system actor with no staff record."""

    staff_id: int | None
    name: str
    roles: frozenset[Role]
    scope_path: str | None  # region path of their unit; None: the whole organisation
    department_id: int | None = None

    @classmethod
    def system(cls, name: str = "系统") -> Actor:
        return cls(None, name, frozenset(), None)

    @property
    def is_system(self) -> bool:
        return self.staff_id is None

    def has(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))


async def actor_for(staff: Staff) -> Actor:
    region = await staff_region(staff)
    return Actor(
        staff_id=staff.id,
        name=staff.name,
        roles=frozenset(Role(r) for r in staff.roles if r in Role._value2member_map_),
        scope_path=region.path if region else "/-/",  # no unit: in scope of nothing
        department_id=staff.department_id,
    )


async def actor_by_id(staff_id: int) -> Actor:
    staff = await Staff.get_or_none(id=staff_id, active=True)
    if staff is None:
        raise NotFound("找不到该人员或已停用")
    return await actor_for(staff)


@dataclass
class Domain:
    """The context every verb runs in: a clock (movable in tests and the sandbox) and the calendar."""

    clock: Clock = field(default_factory=SystemClock)
    calendar: WorkCalendar = field(default_factory=WorkCalendar)


@dataclass
class Outcome:
    changed: bool
    message: str
    case: Case | None = None
    task: Task | None = None
    events: list[DomainEvent] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)


CASE_AUDIT_FIELDS = (
    "status", "category", "severity", "flags", "step", "handling_region_id", "result_type", "result_note",
    "satisfaction", "supervisor_id", "meeting_date", "backlog", "backlog_leader_id", "backlog_struck_at",
    "plan", "return_note", "reopen_count", "step_due_at", "repeat_count", "proxy_agent_id", "proxy_due_at",
    "proxy_feedback", "step_paused_at",
)
TASK_AUDIT_FIELDS = (
    "status", "assignee_id", "deadline", "remind_at", "result_type", "result_note", "return_reason",
    "extension_days", "extension_reason", "extensions_granted",
)


def snapshot(obj: Case | Task | None) -> dict[str, Any]:
    if obj is None:
        return {}
    names = CASE_AUDIT_FIELDS if isinstance(obj, Case) else TASK_AUDIT_FIELDS
    return {name: getattr(obj, name) for name in names}


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    changed = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in changed}, {k: after[k] for k in changed}


async def record(
    d: Domain,
    actor: Actor,
    source: Platform,
    action: str,
    obj: Case | Task,
    before: dict[str, Any],
    extra: dict[str, Any] | None = None,
) -> None:
    """Append the audit event for a change already saved in the current transaction."""
    b, a = diff(before, snapshot(obj))
    if extra:
        a.update(extra)
    is_case = isinstance(obj, Case)
    event: dict[str, Any] = dict(
        at=d.clock.now(),
        actor_id=actor.staff_id,
        actor_name=actor.name,
        source=source.value,
        action=action,
        entity="case" if is_case else "task",
        entity_id=obj.id,
        case_id=obj.id if is_case else obj.case_id,  # type: ignore[union-attr]
        before=b,
        after=a,
        region_id=obj.region_id if is_case else None,  # type: ignore[union-attr]
    )
    pending = _pending.get()
    if pending is None:
        await audit.append(**event)
    else:
        pending.append(event)


async def region_path(region_id: int) -> str:
    region = await org_memo.region(region_id)
    return region.path


_pending: ContextVar[list[dict[str, Any]] | None] = ContextVar("audit_pending", default=None)


@asynccontextmanager
async def unit_of_work() -> AsyncIterator[None]:
    """One transaction whose audit events (`record`) are appended when its work is done, just before the
    commit, each chain's in order and the chains in order of their ids (two units never lock two heads in
    opposite orders). A chain's head row is then locked for the last statements only, not while the rest of
    the transaction (the center's cards, the warnings) is written: intakes of one township waited on each
    other for all of it (issue 20). Nested, it is a savepoint whose events join the outer unit's only if it
    succeeds; a refusal caught by the caller leaves no event behind."""
    outer = _pending.get()
    mine: list[dict[str, Any]] = []
    token = _pending.set(mine)
    try:
        async with in_transaction():
            yield
            if outer is None:
                by_chain: dict[int, list[dict[str, Any]]] = {}
                for e in mine:
                    fields = {k: v for k, v in e.items() if k != "region_id"}
                    by_chain.setdefault(await audit.chain_for(e["case_id"], e["region_id"]), []).append(fields)
                for chain in sorted(by_chain):
                    await audit.append_to_chain(chain, by_chain[chain])
    finally:
        _pending.reset(token)
    if outer is not None:
        outer.extend(mine)


def transactional(fn: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
    """Run a verb in one transaction (a unit of work): a refusal (any exception) leaves the database as it was."""

    @functools.wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        async with unit_of_work():
            return await fn(*args, **kwargs)

    return wrapper


MAX_NOTE = 2000


def note_text(text: str, what: str) -> str:
    """A note a person writes (进展, 理由, 办结情况, 积案评估): required, and of a length a record can hold."""
    text = text.strip()
    if not text:
        raise InvalidInput(f"请填写{what}")
    if len(text) > MAX_NOTE:
        raise InvalidInput(f"{what}过长,请控制在 {MAX_NOTE} 字以内")
    return text
