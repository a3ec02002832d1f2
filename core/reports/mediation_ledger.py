"""人民调解台账: one entry per case received in a period, with the columns a center keeps —
编号, 受理日期, 来源, 当事人, 纠纷类别, 简要情况, 调解员, 调解组织, 调解方式, 结果, 协议履行, 回访, 满意度, 办结日期.

调解员 and 调解组织 are what was recorded for the case (CaseMediator, Case.mediation_org), not the task's
assignee. Where nothing was recorded: a case settled on the spot was mediated by its grid worker, and a
case whose lead task sits with a 调委会 / 品牌工作室 / 派驻 body was mediated by that body. 调解方式 is the
recorded one, else 当场调解 (on the spot), 联合调解 (several departments), 调解室调解 (a session was held).
Data only: names and text are raw; the renderers mask them for their audience.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import cast

from core.enums import (
    CaseSource,
    CaseStatus,
    Category,
    MediationMethod,
    Performance,
    ResultType,
    Satisfaction,
)
from core.models import AuditEvent, Case, CaseMediator, Department, MediationSession, Staff, Task

BODY_KINDS = {"committee": "调委会", "studio": "品牌工作室", "stationed": "派驻"}
CHUNK = 500


@dataclass
class LedgerEntry:
    number: str
    accepted_at: datetime
    source: str
    parties: list[dict[str, str]]
    category: str
    content: str
    mediators: list[str]
    organisation: str
    method: str
    result: str
    performance: str
    follow_up_at: datetime | None
    follow_up_by: str
    follow_up_note: str
    satisfaction: str
    resolved_at: datetime | None
    status: str
    sensitive: bool
    lead_assignee: str = ""
    lead_deadline: datetime | None = None
    performance_note: str = ""  # what the latest 协议履行 record said (raw: renderers mask it)
    extra: dict[str, str] = field(default_factory=dict)


@dataclass
class _Side:
    mediators: dict[int, list[int]] = field(default_factory=dict)
    tasks: dict[int, list[Task]] = field(default_factory=dict)
    sessions: set[int] = field(default_factory=set)
    follow_ups: dict[int, AuditEvent] = field(default_factory=dict)
    performances: dict[int, AuditEvent] = field(default_factory=dict)
    staff: dict[int, str] = field(default_factory=dict)
    departments: dict[int, Department] = field(default_factory=dict)


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i:i + CHUNK]


async def _side(cases: list[Case]) -> _Side:
    side = _Side()
    for part in _chunks([c.id for c in cases]):
        for m in await CaseMediator.filter(case_id__in=part).order_by("-lead", "id"):
            side.mediators.setdefault(m.case_id, []).append(m.staff_id)
        for t in await Task.filter(case_id__in=part).exclude(status="released").order_by("id"):
            side.tasks.setdefault(t.case_id, []).append(t)
        done = await MediationSession.filter(case_id__in=part, status="done").values_list("case_id", flat=True)
        side.sessions |= set(cast(list[int], done))
        for ev in await AuditEvent.filter(case_id__in=part, entity="case", action__in=["follow_up", "record_performance"]
                                          ).order_by("at", "id"):
            kept = side.follow_ups if ev.action == "follow_up" else side.performances
            kept[ev.case_id or 0] = ev  # the latest visit (and 履行 record) wins
    ids = {c.reporter_id for c in cases} | {i for ms in side.mediators.values() for i in ms}
    ids |= {t.assignee_id for ts in side.tasks.values() for t in ts}
    side.staff = {s["id"]: s["name"] for s in await Staff.filter(id__in=[i for i in ids if i]).values("id", "name")}
    side.departments = {d.id: d for d in await Department.all()}
    return side


def _organisation(case: Case, lead: Task | None, side: _Side) -> str:
    dept = side.departments.get(case.mediation_org_id or 0)
    if dept is None and lead is not None and lead.department_id:
        candidate = side.departments.get(lead.department_id)
        dept = candidate if candidate and (candidate.kind or "") in BODY_KINDS else None
    if dept is None:
        return ""
    return f"{dept.name}({BODY_KINDS.get(dept.kind or '', '职能部门')})"


def _method(case: Case, tasks: list[Task], side: _Side) -> str:
    if case.mediation_method:
        return MediationMethod(case.mediation_method).label
    if case.settled_on_spot:
        return MediationMethod.ON_SPOT.label
    if len({t.department_id or -t.assignee_id for t in tasks}) > 1:
        return MediationMethod.JOINT.label
    if case.id in side.sessions:
        return MediationMethod.SESSION.label
    return ""


def _mediators(case: Case, side: _Side) -> list[str]:
    ids = side.mediators.get(case.id) or ([case.reporter_id] if case.settled_on_spot and case.reporter_id else [])
    return [side.staff.get(i, "") for i in ids if side.staff.get(i)]


def _performance_note(case: Case, performed: AuditEvent | None) -> str:
    note = str((performed.after or {}).get("note") or "") if performed else ""
    return "" if case.performance and note == Performance(case.performance).label else note  # 「已履行」 said twice


def entry(case: Case, side: _Side) -> LedgerEntry:
    tasks = side.tasks.get(case.id, [])
    lead = next((t for t in tasks if t.is_lead), tasks[0] if tasks else None)
    visit = side.follow_ups.get(case.id)
    note = str((visit.after or {}).get("note") or "") if visit else ""
    performed = side.performances.get(case.id)
    return LedgerEntry(
        number=case.number, accepted_at=case.accepted_at or case.created_at, source=CaseSource(case.source).label,
        parties=list(case.parties), category=Category(case.category).label, content=case.content,
        mediators=_mediators(case, side), organisation=_organisation(case, lead, side), method=_method(case, tasks, side),
        result=ResultType(case.result_type).ledger_label if case.result_type else "",
        performance=Performance(case.performance).label if case.performance else "",
        follow_up_at=visit.at if visit else None, follow_up_by=visit.actor_name if visit else "",
        follow_up_note=note, satisfaction=Satisfaction(case.satisfaction).label if case.satisfaction else "",
        resolved_at=case.resolved_at, status=CaseStatus(case.status).label, sensitive="sensitive" in case.flags,
        lead_assignee=side.staff.get(lead.assignee_id, "") if lead else "", lead_deadline=lead.deadline if lead else None,
        performance_note=_performance_note(case, performed),
    )


async def entries(start: datetime, end: datetime) -> list[LedgerEntry]:
    cases = await Case.filter(created_at__gte=start, created_at__lt=end).order_by("id")
    side = await _side(cases)
    return [entry(c, side) for c in cases]


async def for_cases(cases: list[Case]) -> list[LedgerEntry]:
    side = await _side(cases)
    return [entry(c, side) for c in cases]
