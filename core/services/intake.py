"""受理 intake: a report becomes a case; 当场调处 records one settled on the spot; 补充 resubmits."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from core import org_memo, step_clock
from core.clock import local
from core.enums import CaseSource, CaseStatus, Category, Flag, Level, Platform, ResultType, Severity
from core.errors import InvalidInput
from core.events import CaseRepeated, CaseReported, CaseResubmitted, CaseSettled, DomainEvent
from core.models import Case, Region
from core.numbering import format_number, next_seq
from core.permissions import check_reporter
from core.policy import Policy, load_policy
from core.reports.kpi import REPEAT_WINDOW_DAYS
from core.reports.warning import Grade, case_grade
from core.services import emergencies, key_people
from core.services.base import Actor, Domain, Outcome, record, snapshot, transactional
from core.services.lookup import case_by_id, lock_case
from core.text import visible
from core.transitions import CaseAction, next_case_status

MAX_CONTENT = 5000
MAX_PARTIES = 50


@dataclass
class ReportInput:
    content: str
    category: Category = Category.OTHER
    severity: Severity = Severity.GENERAL
    flags: frozenset[Flag] = frozenset()
    people: int | None = None
    region_id: int | None = None  # where it happened; defaults to the reporter's own node
    location_text: str = ""
    parties: list[dict[str, str]] = field(default_factory=list)
    source: CaseSource = CaseSource.GRID_CHAT
    external_ref: str | None = None
    api_client: str | None = None  # the intake API key's label: only it may read the case back
    reporter_contact: dict[str, str] = field(default_factory=dict)
    first_receiver_id: int | None = None  # 首问责任人: the clerk who registered a walk-in or call


def _validate(data: ReportInput) -> None:
    text = data.content.strip()
    if not visible(text):  # zero-width characters alone are not a report
        raise InvalidInput("诉求内容不能为空")
    if len(text) > MAX_CONTENT:
        raise InvalidInput(f"诉求内容过长({len(text)} 字),请控制在 {MAX_CONTENT} 字以内")
    if data.people is not None and not 0 < data.people < 1_000_000:
        raise InvalidInput("涉及人数不合理")
    if len(data.parties) > MAX_PARTIES:
        raise InvalidInput(f"当事人最多 {MAX_PARTIES} 人")


async def _location(actor: Actor, data: ReportInput) -> Region:
    if data.region_id is not None:
        region = await org_memo.region_or_none(data.region_id)
        if region is None or not region.active:
            raise InvalidInput("地点不存在")
        return region
    if actor.staff_id is not None:
        staff = await org_memo.staff(actor.staff_id)
        if staff is not None and staff.region_id is not None:
            return await org_memo.region(staff.region_id)
    raise InvalidInput("请说明纠纷发生的地点(村/社区或网格)")


async def _new_case(d: Domain, actor: Actor, data: ReportInput, policy: Policy, status: CaseStatus) -> Case:
    _validate(data)
    region = await _location(actor, data)
    now = d.clock.now()
    year = local(now).year
    step = Level(region.level)
    recent = await Case.filter(region_id=region.id, category=data.category.value, created_at__lt=now,
                               created_at__gte=now - timedelta(days=REPEAT_WINDOW_DAYS)).exists()
    seq = await next_seq(year)  # last: nothing after this refuses the report (core/numbering.py)
    case = await Case.create(
        recent_repeat=recent,
        number=format_number(year, seq),
        year=year,
        seq=seq,
        source=data.source.value,
        external_ref=(data.external_ref or "").strip() or None,  # blank is no id, not one shared by all
        api_client=data.api_client,
        status=status.value,
        category=data.category.value,
        severity=data.severity.value,
        flags=sorted(f.value for f in data.flags),
        people=data.people,
        content=data.content.strip(),
        parties=data.parties,
        location_text=data.location_text,
        region_id=region.id,
        step=step.value,
        handling_region_id=region.id,
        step_started_at=now,
        step_due_at=d.calendar.shift(now, policy.step_limits[step]),
        step_limits={lv.value: str(dur) for lv, dur in policy.step_limits.items()},
        accept_remind_at=d.calendar.shift_limit(now, policy.accept_within, policy.office) if status is CaseStatus.REPORTED else None,
        reporter_id=actor.staff_id,
        reporter_contact=data.reporter_contact,
        first_receiver_id=data.first_receiver_id,
        created_at=now,
        updated_at=now,
    )
    await key_people.link_mentions(d, case)  # 重点人员 named in the report
    return case


@transactional
async def report(d: Domain, actor: Actor, data: ReportInput, *, source: Platform) -> Outcome:
    """A new dispute enters the center, waiting to be accepted (受理). Re-sent external refs are no-ops."""
    if data.external_ref and data.external_ref.strip():
        existing = await Case.get_or_none(source=data.source.value, external_ref=data.external_ref)
        if existing is not None:
            return Outcome(False, f"该事项已登记为案件 {existing.number}", case=existing)
    policy = await load_policy()
    case = await _new_case(d, actor, data, policy, CaseStatus.REPORTED)
    await record(d, actor, source, "report", case, {}, {"content_chars": len(case.content)})
    events: list[DomainEvent] = [CaseReported(case.id, actor_id=actor.staff_id)]
    if case_grade(case) is Grade.RED:  # 红色预警: the emergency opens at once, with the org file's 预案
        opened = await emergencies.open_emergency(d, Actor.system("红色预警"), case.id, grade=Grade.RED, source=source)
        events += opened.events
        case = await case_by_id(case.id)
    return Outcome(True, f"已登记,案件编号 {case.number}", case=case, events=events)


@transactional
async def settle_on_spot(
    d: Domain, actor: Actor, data: ReportInput, result_note: str, *, source: Platform
) -> Outcome:
    """当场调处: recorded as resolved at the grid, with a follow-up visit scheduled."""
    if not result_note.strip():
        raise InvalidInput("请填写调处结果")
    policy = await load_policy()
    case = await _new_case(d, actor, data, policy, CaseStatus.RESOLVED)
    now = d.clock.now()
    case.settled_on_spot = True
    case.result_type = ResultType.SETTLED.value
    case.result_note = result_note.strip()
    case.resolved_at = now
    case.resolved_level = case.step
    case.step_due_at = None
    case.follow_up_due_at = d.calendar.shift(now, policy.follow_up_after)
    await case.save()
    await record(d, actor, source, "settle_on_spot", case, {})
    event = CaseSettled(case.id, actor_id=actor.staff_id)
    return Outcome(True, f"已记录当场调处,案件编号 {case.number}", case=case, events=[event])


@transactional
async def resubmit(d: Domain, actor: Actor, case_id: int, addition: str, *, source: Platform) -> Outcome:
    """The reporter adds what the center asked for (退回补充) and sends it back."""
    case = await lock_case(case_id)
    check_reporter(actor, case)
    if not addition.strip():
        raise InvalidInput("请填写补充内容")
    before = snapshot(case)
    case.status = next_case_status(case.status, CaseAction.RESUBMIT).value
    case.content = f"{case.content}\n【补充】{addition.strip()}"
    policy = await load_policy()
    case.accept_remind_at = d.calendar.shift_limit(d.clock.now(), policy.accept_within, policy.office)  # anew
    await step_clock.resume(d, case)
    if len(case.content) > MAX_CONTENT * 2:
        raise InvalidInput("补充内容过长")
    case.updated_at = d.clock.now()
    await case.save()
    await record(d, actor, source, "resubmit", case, before, {"addition": addition.strip()})
    event = CaseResubmitted(case.id, actor_id=actor.staff_id)
    return Outcome(True, f"案件 {case.number} 已补充并重新提交", case=case, events=[event])


@transactional
async def link_repeat(d: Domain, actor: Actor, case_id: int, text: str, *, source: Platform) -> Outcome:
    """A new report confirmed by its reporter as the same matter: linked to the case, not duplicated."""
    case = await lock_case(case_id)
    if not text.strip():
        raise InvalidInput("内容不能为空")
    before = snapshot(case)
    case.repeat_count += 1
    case.content = f"{case.content}\n【重复上报 {local(d.clock.now()):%m-%d %H:%M} {actor.name}】{text.strip()}"[:MAX_CONTENT * 2]
    case.updated_at = d.clock.now()
    await case.save()
    await record(d, actor, source, "link_repeat", case, before, {"text": text.strip()[:500]})
    event = CaseRepeated(case.id, actor_id=actor.staff_id)
    return Outcome(True, f"已并入案件 {case.number}(该事项第 {case.repeat_count + 1} 次上报)", case=case, events=[event])
