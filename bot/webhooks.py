"""Status back to the source: what an API case's sender (12345, 四平台, 信访) is told when the center accepts,
dispatches, resolves, closes or reopens it after the 回访, so its own work order can move too. One persisted
row per event in the caller's transaction (core/models/webhooks.py); scheduler/webhooks.py sends them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from core.enums import CaseStatus, Category, ResultType, Satisfaction
from core.events import (
    CaseAccepted,
    CaseClosed,
    CaseEscalated,
    CaseReopened,
    CaseResolved,
    DomainEvent,
    TaskDispatched,
)
from core.models import Case, Department, StatusWebhook, Task
from core.services.lookup import case_by_id

KINDS: dict[type[DomainEvent], str] = {
    CaseAccepted: "accepted", TaskDispatched: "dispatched", CaseEscalated: "escalated",
    CaseResolved: "resolved", CaseClosed: "closed", CaseReopened: "reopened",
}


@dataclass(frozen=True)
class PostResult:
    ok: bool
    retry: bool = True  # False: no webhook configured for the sender, or it refused for good
    error: str = ""


class StatusPoster(Protocol):
    """Sends one status update to the webhook of `api_client` (integrations/api/webhook.py signs and posts)."""

    async def post(self, api_client: str, event_id: str, body: bytes) -> PostResult: ...


async def _detail(ev: DomainEvent, case: Case) -> dict[str, Any]:
    """What the sender needs to move its work order: units and results, never a staff member's contact."""
    if isinstance(ev, TaskDispatched):
        task = await Task.get(id=ev.task_id)
        dept = await Department.get_or_none(id=task.department_id) if task.department_id else None
        return {"department": dept.name if dept else "", "deadline": task.deadline.isoformat()}
    if isinstance(ev, CaseResolved) and case.result_type:
        return {"result_type": case.result_type, "result_label": ResultType(case.result_type).label,
                "result_note": case.result_note}
    if isinstance(ev, (CaseClosed, CaseReopened)) and case.satisfaction:
        return {"satisfaction": case.satisfaction, "satisfaction_label": Satisfaction(case.satisfaction).label}
    if isinstance(ev, CaseEscalated):
        return {"to_level": ev.to_level.value}
    return {}


async def status_updates(events: list[DomainEvent], now: datetime, cases: dict[int, Case] | None = None) -> None:
    """A row per event of interest on a case that came through the API (`cases`: those already read, by id)."""
    for ev in events:
        kind = KINDS.get(type(ev))
        if kind is None:
            continue
        case = (cases or {}).get(ev.case_id) or await case_by_id(ev.case_id)
        if case.api_client is None:
            continue
        event_id = uuid.uuid4().hex
        payload = {
            "event_id": event_id, "type": kind, "at": now.isoformat(),
            "case": {"number": case.number, "external_id": case.external_ref, "source": case.source,
                     "status": case.status, "status_label": CaseStatus(case.status).label,
                     "category": case.category, "category_label": Category(case.category).label},
            "detail": await _detail(ev, case),
        }
        await StatusWebhook.create(event_id=event_id, api_client=case.api_client, case_id=case.id, kind=kind,
                                   payload=payload, next_attempt_at=now, created_at=now)
