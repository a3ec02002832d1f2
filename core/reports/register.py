"""《矛盾纠纷调处三级四步登记表》: what each step (网格调 → 村级调 → 乡镇调 → 区级调) of a case did, built
from the case, its escalation records (逐级报告登记移交), its tasks and the acceptances in its audit trail.

One row per level. A level the case passed through shows its unit, when the case reached it, who took
it in (受理) and who handled it, what was tried, the result, and the handover to the next level; a level
it never reached (or jumped over: 重大 cases go straight up) says so. Data only: the renderers decide what
of the parties each document may show.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from core.enums import CaseSource, CaseStatus, Category, EscalationReason, Level, ResultType, Severity
from core.models import AuditEvent, Case, CaseMediator, EscalationRecord, Region, Staff, Task

LEVELS = (Level.GRID, Level.VILLAGE, Level.TOWNSHIP, Level.DISTRICT)
STEP_NAMES = {Level.GRID: "网格调", Level.VILLAGE: "村级调", Level.TOWNSHIP: "乡镇调", Level.DISTRICT: "区级调"}
REASONS = {EscalationReason.MANUAL: "本级调处未化解,上报", EscalationReason.TIMEOUT: "本级时限内未化解,按期上报",
           EscalationReason.MAJOR: "重大矛盾纠纷,提级处理", EscalationReason.LEADER: "领导决定提级"}
CHUNK = 500


@dataclass
class Step:
    level: Level
    reached: bool = False
    unit: str = ""
    started_at: datetime | None = None
    received_by: list[str] = field(default_factory=list)  # 受理
    handlers: list[str] = field(default_factory=list)  # 调处人: reporter at the grid, assignees, mediators
    tried: str = ""
    result: str = ""
    handed_over_at: datetime | None = None
    handed_over_by: str = ""
    handed_to: str = ""

    @property
    def name(self) -> str:
        return STEP_NAMES[self.level]


@dataclass
class Register:
    case_id: int
    number: str
    created_at: datetime
    category: str
    severity: str
    source: str
    place: str
    people: int | None
    parties: list[dict[str, str]]
    content: str
    reporter: str
    status: str
    result: str
    resolved_at: datetime | None
    sensitive: bool
    steps: list[Step]


@dataclass
class _Loaded:
    escalations: dict[int, list[EscalationRecord]]
    tasks: dict[int, list[Task]]
    accepts: dict[int, list[AuditEvent]]
    mediators: dict[int, list[int]]
    staff: dict[int, str]
    regions: dict[int, Region]


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i:i + CHUNK]


async def _load(cases: list[Case]) -> _Loaded:
    ids = [c.id for c in cases]
    escalations: dict[int, list[EscalationRecord]] = {}
    tasks: dict[int, list[Task]] = {}
    accepts: dict[int, list[AuditEvent]] = {}
    mediators: dict[int, list[int]] = {}
    for part in _chunks(ids):
        for m in await CaseMediator.filter(case_id__in=part).order_by("-lead", "id"):
            mediators.setdefault(m.case_id, []).append(m.staff_id)
        for e in await EscalationRecord.filter(case_id__in=part).order_by("at", "id"):
            escalations.setdefault(e.case_id, []).append(e)
        for t in await Task.filter(case_id__in=part).order_by("created_at", "id"):
            tasks.setdefault(t.case_id, []).append(t)
        for a in await AuditEvent.filter(case_id__in=part, entity="case", action="accept").order_by("at", "id"):
            accepts.setdefault(a.case_id or 0, []).append(a)
    staff_ids = {c.reporter_id for c in cases} | {t.assignee_id for ts in tasks.values() for t in ts}
    staff_ids |= {e.by_id for es in escalations.values() for e in es} | {i for ms in mediators.values() for i in ms}
    staff = {s["id"]: s["name"] for s in await Staff.filter(id__in=[i for i in staff_ids if i]).values("id", "name")}
    region_ids = {c.region_id for c in cases} | {e.from_region_id for es in escalations.values() for e in es}
    region_ids |= {e.to_region_id for es in escalations.values() for e in es}
    regions = {r.id: r for r in await Region.filter(id__in=list(region_ids))}
    return _Loaded(escalations, tasks, accepts, mediators, staff, regions)


def _within(at: datetime, start: datetime, end: datetime | None) -> bool:
    return start <= at and (end is None or at < end)


def _segment(step: Step, case: Case, got: _Loaded, start: datetime, end: datetime | None) -> None:
    step.reached, step.started_at = True, start
    step.received_by = list(dict.fromkeys(a.actor_name for a in got.accepts.get(case.id, [])
                                          if _within(a.at, start, end)))
    # tasks withdrawn by the escalation were still this step's work
    names = [got.staff.get(t.assignee_id, "?") for t in got.tasks.get(case.id, []) if _within(t.created_at, start, end)]
    if step.level is Level.GRID and case.reporter_id and case.source == CaseSource.GRID_CHAT.value:
        names.insert(0, got.staff.get(case.reporter_id, ""))
    step.handlers = [n for n in dict.fromkeys(names) if n]


def _final(step: Step, case: Case) -> None:
    if CaseStatus(case.status) in (CaseStatus.RESOLVED, CaseStatus.CLOSED) and case.result_type:
        step.tried = case.result_note
        step.result = ResultType(case.result_type).label + ("(当场调处)" if case.settled_on_spot else "")
    else:
        step.result = CaseStatus(case.status).label


def build_one(case: Case, got: _Loaded) -> Register:
    steps = {lv: Step(lv) for lv in LEVELS}
    records = got.escalations.get(case.id, [])
    first_level = Level(records[0].from_level) if records else Level(case.step)
    first_unit = records[0].from_region_id if records else case.handling_region_id
    bounds = [(first_level, first_unit, case.created_at)] + [(Level(e.to_level), e.to_region_id, e.at) for e in records]
    for i, (level, unit_id, start) in enumerate(bounds):
        step = steps[level]
        end = bounds[i + 1][2] if i + 1 < len(bounds) else None
        _segment(step, case, got, start, end)
        unit = got.regions.get(unit_id)
        step.unit = unit.name if unit else ""
        if i < len(records):
            e = records[i]
            step.tried = e.tried
            step.result = REASONS.get(EscalationReason(e.reason), "上报")
            step.handed_over_at, step.handed_over_by = e.at, got.staff.get(e.by_id or 0, "系统")
            to = got.regions.get(e.to_region_id)
            step.handed_to = f"{to.name}({Level(e.to_level).label})" if to else Level(e.to_level).label
        else:
            _final(step, case)
            # the recorded 调解员 mediated where the case ended
            step.handlers = list(dict.fromkeys(step.handlers + [got.staff.get(i, "") for i in got.mediators.get(case.id, [])]))
    region = got.regions.get(case.region_id)
    return Register(
        case_id=case.id, number=case.number, created_at=case.created_at, category=Category(case.category).label,
        severity=Severity(case.severity).label, source=CaseSource(case.source).label,
        place=region.full_name.replace("/", "") if region else case.location_text, people=case.people,
        parties=list(case.parties), content=case.content, reporter=got.staff.get(case.reporter_id or 0, ""),
        status=CaseStatus(case.status).label, result=ResultType(case.result_type).label if case.result_type else "",
        resolved_at=case.resolved_at, sensitive="sensitive" in case.flags,
        steps=[steps[lv] for lv in LEVELS],
    )


async def for_case(case: Case) -> Register:
    return build_one(case, await _load([case]))


async def for_period(start: datetime, end: datetime, *, escalated_only: bool = False) -> list[Register]:
    """Every case received in [start, end) that was not settled on the spot (those need no 登记表)."""
    cases = await Case.filter(created_at__gte=start, created_at__lt=end, settled_on_spot=False).order_by("created_at", "id")
    got = await _load(cases)
    return [build_one(c, got) for c in cases if not escalated_only or got.escalations.get(c.id)]
