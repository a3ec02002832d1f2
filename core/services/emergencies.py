"""应急处置 (红色预警 / 群体性): an emergency opens on a case — by itself when the case raises a 红色预警, or when a
leader starts one — with the org file's 预案 for its grade: the checklist, the response team dispatched as
urgent tasks through the ordinary 交办, and 续报 to the party committee at the plan's cadence (timed, or written
by the people on site) until a leader closes it with a summary (终报). Who is told is the bot's business."""

from __future__ import annotations

from datetime import datetime, timedelta

from core import audit
from core.emergency_plans import GRADES, EmergencyPlan, load_plan
from core.enums import LIVE_TASK_STATUSES, CaseStatus, Platform, ReminderMethod, Role, TaskStatus
from core.errors import InvalidInput, NotFound, Refused
from core.events import CaseAccepted, DomainEvent, EmergencyClosed, EmergencyOpened, EmergencyReported
from core.models import Case, Department, Emergency, EmergencyReport, Region, Staff, Task
from core.regions import contains, staff_region
from core.reports.warning import Grade, case_grade
from core.routing import officers_of
from core.services import triage
from core.services.base import Actor, Domain, Outcome, note_text, record, region_path, snapshot, transactional
from core.services.lookup import lock_case
from core.transitions import CaseAction, next_case_status

COMMANDERS = (Role.LEADER, Role.SECRETARY)  # who starts and closes an emergency
REPORTERS = (Role.LEADER, Role.SECRETARY, Role.DISPATCHER)  # who else may add a 续报 (and the team on site)
KIND_LABELS = {"first": "首报", "timed": "续报", "onsite": "续报", "final": "终报"}


async def _audit(d: Domain, actor: Actor, source: Platform, action: str, row: Emergency,
                 after: dict[str, object]) -> None:
    await audit.append(at=d.clock.now(), actor_id=actor.staff_id, actor_name=actor.name, source=source.value,
                       action=action, entity="emergency", entity_id=row.id, case_id=row.case_id, before={},
                       after=after, region_id=None)


async def _in_scope(actor: Actor, case: Case) -> None:
    if actor.is_system:
        return
    path = await region_path(case.region_id)
    if actor.scope_path is None or not contains(actor.scope_path, path):
        raise Refused(f"案件 {case.number} 不在您的管辖范围内")


async def open_of(case_id: int) -> Emergency | None:
    return await Emergency.filter(case_id=case_id, status="open").order_by("-id").first()


async def progress_lines(case_id: int) -> list[str]:
    """Each task of the case as it stands: unit and person, status, the latest 反馈进展."""
    lines = []
    for t in await Task.filter(case_id=case_id).exclude(status=TaskStatus.RELEASED.value).order_by("id") \
            .prefetch_related("assignee", "department"):
        unit = t.department.name if t.department else ""
        said = f",最新进展:{t.last_progress}" if t.last_progress else ""
        lines.append(f"{unit}{t.assignee.name}:{TaskStatus(t.status).label}{said}")
    return lines


async def _person(name: str, region: Region) -> Staff | None:
    """A person the plan names: of the case's region tree when the name is shared."""
    found = await Staff.filter(name=name, active=True).order_by("id")
    for s in found:
        unit = await staff_region(s)
        if unit is not None and contains(unit.path, region.path):
            return s
    return found[0] if found else None


async def _team(plan: EmergencyPlan, case: Case) -> tuple[list[triage.Assignment], list[str]]:
    """The plan's names as assignments: a department of the case's region tree (its first officer), or a person.
    Names that match nobody are returned for the leader to see."""
    region = await Region.get(id=case.region_id)
    out: list[triage.Assignment] = []
    missing: list[str] = []
    for name in plan.team:
        deps = [dep for dep in await Department.filter(name=name, active=True)
                if contains((await Region.get(id=dep.region_id)).path, region.path)]
        officers = await officers_of(max(deps, key=lambda x: x.region_id)) if deps else []  # the nearest unit
        person = officers[0] if officers else await _person(name, region)
        if person is None:
            missing.append(name)
            continue
        out.append(triage.Assignment(person.id, cc=[], department_id=person.department_id if officers else None,
                                     reminder_method=ReminderMethod.URGENT))
    return out, missing


async def _ready_for_dispatch(d: Domain, actor: Actor, case: Case, source: Platform) -> list[DomainEvent]:
    """An emergency does not wait for 受理 or a plan: the case is taken on here (audited as such)."""
    status = CaseStatus(case.status)
    if status not in (CaseStatus.REPORTED, CaseStatus.ESCALATED, CaseStatus.AWAITING_APPROVAL):
        return []
    before = snapshot(case)
    if status is CaseStatus.AWAITING_APPROVAL:
        case.status = next_case_status(case.status, CaseAction.APPROVE_PLAN).value
        case.plan, case.plan_approved_by_id = "启动应急处置预案", actor.staff_id
    else:
        case.status = next_case_status(case.status, CaseAction.ACCEPT).value
    case.accepted_at = case.accepted_at or d.clock.now()
    case.accept_remind_at = None
    case.first_receiver_id = case.first_receiver_id or actor.staff_id
    await case.save()
    await record(d, actor, source, "accept", case, before, {"emergency": True})
    return [CaseAccepted(case.id, actor_id=actor.staff_id)] if status is CaseStatus.REPORTED else []


async def _add_report(d: Domain, row: Emergency, kind: str, text: str, author_id: int | None) -> EmergencyReport:
    row.reports += 1
    await row.save(update_fields=["reports", "next_report_at", "status", "closed_at", "closed_by_id", "summary"])
    return await EmergencyReport.create(emergency_id=row.id, seq=row.reports, kind=kind, text=text,
                                        author_id=author_id, at=d.clock.now())


async def _send_team(d: Domain, actor: Actor, case: Case, plan: EmergencyPlan,
                     source: Platform) -> tuple[list[DomainEvent], list[str], list[str]]:
    """The plan's team as urgent tasks through the ordinary 交办: (events, who was sent, names matching nobody)."""
    assignments, missing = await _team(plan, case)
    if not assignments:
        return [], [], missing
    events = await _ready_for_dispatch(d, actor, case, source)
    for a in assignments:
        a.content = f"【应急处置·{plan.grade.label}】请立即赶赴现场处置:{case.content}"
    dispatched = await triage.dispatch(d, actor, case.id, assignments, source=source)
    return events + dispatched.events, [(await t.assignee).name for t in dispatched.tasks], missing


def _team_note(team: list[str], missing: list[str]) -> str:
    sent = f",已向 {'、'.join(team)} 加急交办" if team else ",预案未指定应急队伍,请手动交办"
    return sent + (f";预案中的「{'、'.join(missing)}」未找到对应单位或人员,请手动交办" if missing else "")


async def _team_for_running(d: Domain, actor: Actor, case: Case, row: Emergency, source: Platform) -> Outcome:
    """启动应急 on an emergency a 红色预警 opened: the leader's word sends the plan's team (once)."""
    already = Outcome(False, f"案件 {case.number} 已在应急处置中,已报送 {row.reports} 次", case=case)
    if actor.is_system or row.team:
        return already
    events, team, missing = await _send_team(d, actor, case, await load_plan(Grade(row.grade)), source)
    if not team:
        return Outcome(False, already.message + _team_note(team, missing), case=case)
    row.team = team
    await row.save(update_fields=["team"])
    await _audit(d, actor, source, "emergency_team", row, {"team": team, "missing": missing})
    return Outcome(True, f"案件 {case.number} 应急处置{_team_note(team, missing)[1:]}", case=case, events=events)


@transactional
async def open_emergency(d: Domain, actor: Actor, case_id: int, *, grade: Grade | None = None,
                         source: Platform) -> Outcome:
    """启动应急: the plan's checklist, the 首报, 续报 due after the plan's cadence; a leader's start also sends the
    plan's team as urgent tasks. Opened by a 红色预警 (the system), the case keeps its way through 受理 and the
    ladder: the team goes when a leader says 启动应急 on it."""
    case = await lock_case(case_id)
    if not actor.is_system and not actor.has(*COMMANDERS):
        raise Refused("只有领导或书记可以启动应急处置")
    await _in_scope(actor, case)
    running = await open_of(case.id)
    if running is not None:
        return await _team_for_running(d, actor, case, running, source)
    if grade is None:
        found = case_grade(case)
        grade = found if found in GRADES else Grade.RED
    plan = await load_plan(grade)
    now = d.clock.now()
    events, team, missing = ([], [], []) if actor.is_system else await _send_team(d, actor, case, plan, source)
    row = await Emergency.create(case_id=case.id, grade=grade.value, checklist=plan.checklist, team=team,
                                 report_minutes=plan.minutes, next_report_at=now + timedelta(minutes=plan.minutes),
                                 opened_at=now, opened_by_id=actor.staff_id)
    first = await _add_report(d, row, "first", "\n".join(await progress_lines(case.id)), actor.staff_id)
    await _audit(d, actor, source, "open_emergency", row,
                 {"grade": grade.value, "team": team, "missing": missing, "report_minutes": plan.minutes})
    events.append(EmergencyOpened(case.id, row.id, first.id, actor_id=actor.staff_id))
    return Outcome(True, f"案件 {case.number} 已启动应急处置({grade.label}){_team_note(team, missing)},"
                         f"每 {plan.every.label}续报一次", case=case, events=events)


async def _may_report(actor: Actor, case: Case) -> None:
    if actor.is_system or (actor.has(*REPORTERS) and not await _refused(actor, case)):
        return
    live = [s.value for s in LIVE_TASK_STATUSES]
    if not await Task.exists(case_id=case.id, assignee_id=actor.staff_id, status__in=live):
        raise Refused(f"只有现场处置人员和领导可以续报案件 {case.number}")


async def _refused(actor: Actor, case: Case) -> bool:
    try:
        await _in_scope(actor, case)
    except Refused:
        return True
    return False


@transactional
async def add_report(d: Domain, actor: Actor, case_id: int, text: str, *, source: Platform) -> Outcome:
    """续报 from the people on site: to the party committee now; the next timed one a full cadence later."""
    case = await lock_case(case_id)
    await _may_report(actor, case)
    row = await open_of(case.id)
    if row is None:
        raise NotFound(f"案件 {case.number} 没有进行中的应急处置")
    text = note_text(text, "续报内容")
    row.next_report_at = d.clock.now() + timedelta(minutes=row.report_minutes)
    rep = await _add_report(d, row, "onsite", text, actor.staff_id)
    await _audit(d, actor, source, "emergency_report", row, {"seq": rep.seq, "kind": "onsite"})
    return Outcome(True, f"已报送案件 {case.number} 第 {rep.seq - 1} 次续报", case=case,
                   events=[EmergencyReported(case.id, row.id, rep.id, actor_id=actor.staff_id)])


def next_after(due: datetime, now: datetime, minutes: int) -> datetime:
    """The timed 续报 after the one due at `due`: on the cadence, never in the past (no backlog of catch-ups)."""
    step = timedelta(minutes=minutes)
    at = due + step
    return at if at > now else now + step


@transactional
async def timed_report(d: Domain, actor: Actor, emergency_id: int) -> Outcome:
    """The timed 续报, claimed: the first caller moves `next_report_at` on (a conditional update) and sends; any
    other finds it moved."""
    now = d.clock.now()
    row = await Emergency.filter(id=emergency_id, status="open", next_report_at__lte=now).first()
    if row is None or row.next_report_at is None:
        return Outcome(False, "续报已由其他进程发送或应急已结束")
    later = next_after(row.next_report_at, now, row.report_minutes)
    if not await Emergency.filter(id=row.id, status="open", next_report_at=row.next_report_at) \
            .update(next_report_at=later):  # the claim: a second caller finds the column moved on
        return Outcome(False, "续报已由其他进程发送或应急已结束")
    row.next_report_at = later
    rep = await _add_report(d, row, "timed", "\n".join(await progress_lines(row.case_id)), None)
    await _audit(d, actor, Platform.SYSTEM, "emergency_report", row, {"seq": rep.seq, "kind": "timed"})
    return Outcome(True, "续报已发送", events=[EmergencyReported(row.case_id, row.id, rep.id, actor_id=None)])


@transactional
async def close_emergency(d: Domain, actor: Actor, case_id: int, summary: str, *, source: Platform) -> Outcome:
    """应急结束: no more 续报; the 终报 carries the leader's summary and where each task stands."""
    case = await lock_case(case_id)
    if actor.is_system or not actor.has(*COMMANDERS):
        raise Refused("只有领导或书记可以结束应急处置")
    await _in_scope(actor, case)
    row = await open_of(case.id)
    if row is None:
        return Outcome(False, f"案件 {case.number} 没有进行中的应急处置", case=case)
    summary = note_text(summary, "处置情况总结")
    if len(summary) < 2:
        raise InvalidInput("请简要总结处置情况")
    now = d.clock.now()
    row.status, row.closed_at, row.closed_by_id, row.summary, row.next_report_at = \
        "closed", now, actor.staff_id, summary, None
    lines = "\n".join(await progress_lines(case.id))
    rep = await _add_report(d, row, "final", summary + (f"\n{lines}" if lines else ""), actor.staff_id)
    await _audit(d, actor, source, "close_emergency", row, {"reports": row.reports})
    hours = (now - row.opened_at).total_seconds() / 3600
    return Outcome(True, f"案件 {case.number} 应急处置已结束(历时 {hours:.1f} 小时,共报送 {row.reports} 次),终报已发送",
                   case=case, events=[EmergencyClosed(case.id, row.id, rep.id, actor_id=actor.staff_id)])
