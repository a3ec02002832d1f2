"""诉调 / 警调 / 访调 / 检调 / 仲调对接: a case referred out to a partner body (移送) with its deadline and the
outcome the partner reported; a case referred in by one (委派), whose deadline bounds the case's tasks; and the
司法确认 status of an agreement once its application document was generated. Each reminder before a partner's
deadline is a claim on `Referral.remind_at` (scheduler/referral_jobs.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from core import audit
from core.clock import fmt_local
from core.durations import Duration, Unit
from core.enums import LIVE_TASK_STATUSES, CaseSource, Platform
from core.errors import InvalidInput, Refused
from core.models import Case, CaseDocument, JudicialConfirmation, Referral, Task
from core.partners import KINDS, Partner, load_referrals
from core.permissions import check_case
from core.services import intake
from core.services.base import Actor, Domain, Outcome, note_text, transactional
from core.services.lookup import lock_case

MAX_DAYS = 366
CONFIRMATIONS = {"accepted": "法院已受理", "confirmed": "已确认有效", "rejected": "已驳回"}


def kind_label(kind: str) -> str:
    return KINDS[kind][0] if kind in KINDS else kind


async def _may_handle(actor: Actor, case: Case, what: str) -> None:
    """The case's handlers (a live task) or the center that holds it."""
    live = [s.value for s in LIVE_TASK_STATUSES]
    if actor.staff_id is not None and await Task.filter(case_id=case.id, assignee_id=actor.staff_id,
                                                        status__in=live).exists():
        return
    try:
        await check_case(actor, "dispatch", case)
    except Refused:
        raise Refused(f"只有案件 {case.number} 的承办人或中心可以{what}") from None


async def _deadline(d: Domain, days: int | None, due_at: datetime | None = None
                    ) -> tuple[datetime | None, datetime | None]:
    """The partner's deadline (`days` calendar days from now, or the moment the partner gave) and the reminder
    before it (when still ahead)."""
    now = d.clock.now()
    if days is not None:
        if not 1 <= days <= MAX_DAYS:
            raise InvalidInput(f"对接期限应为 1 到 {MAX_DAYS} 天")
        due_at = d.calendar.shift(now, Duration(days, Unit.DAYS))
    if due_at is None:
        return None, None
    if not now < due_at <= d.calendar.shift(now, Duration(MAX_DAYS, Unit.DAYS)):
        raise InvalidInput(f"对接期限应在今后 {MAX_DAYS} 天以内")
    remind = d.calendar.shift(due_at, (await load_referrals()).remind_before, backwards=True)
    return due_at, remind if now < remind < due_at else None


async def _audit(d: Domain, actor: Actor, source: Platform, action: str, case: Case, entity: str, entity_id: int,
                 after: dict[str, Any]) -> None:
    await audit.append(at=d.clock.now(), actor_id=actor.staff_id, actor_name=actor.name, source=source.value,
                       action=action, entity=entity, entity_id=entity_id, case_id=case.id, before={}, after=after,
                       region_id=case.region_id)


def _due_text(due: datetime | None) -> str:
    return f",对方期限 {fmt_local(due)}" if due else ""


@transactional
async def refer_out(d: Domain, actor: Actor, case_id: int, partner: Partner, kind: str | None, days: int | None,
                    *, source: Platform) -> Outcome:
    """移送: the case goes to a partner body (诉前调解, 派出所 …) with the partner's deadline, if one was agreed."""
    case = await lock_case(case_id)
    await _may_handle(actor, case, "移送对接")
    kind = kind or partner.kind
    if await Referral.exists(case_id=case.id, direction="out", partner=partner.name, outcome_at__isnull=True):
        return Outcome(False, f"案件 {case.number} 已移送{partner.name},尚未登记结果", case=case)
    due, remind = await _deadline(d, days)
    row = await Referral.create(case_id=case.id, direction="out", kind=kind, partner=partner.name, due_at=due,
                                remind_at=remind, created_by_id=actor.staff_id, created_at=d.clock.now())
    await _audit(d, actor, source, "refer_out", case, "referral", row.id,
                 {"partner": partner.name, "kind": kind, "due_at": due})
    return Outcome(True, f"案件 {case.number} 已移送{partner.name}({kind_label(kind)}){_due_text(due)};"
                         f"对方处理后请发送「移送结果 {case.number} 结果」", case=case)


@transactional
async def record_referral_outcome(d: Domain, actor: Actor, case_id: int, text: str, *, source: Platform) -> Outcome:
    """移送结果: what the partner body made of the case, on its latest referral still waiting for one."""
    case = await lock_case(case_id)
    row = await Referral.filter(case_id=case.id, direction="out", outcome_at__isnull=True).order_by("-id").first()
    if row is None or row.created_by_id is None or row.created_by_id != actor.staff_id:
        await _may_handle(actor, case, "登记移送结果")  # the one who referred it may, even once off the case
    if row is None:
        raise InvalidInput(f"案件 {case.number} 没有待登记结果的移送,请先「移送 {case.number} 对接单位」")
    row.outcome = note_text(text, "移送结果")
    row.outcome_at = d.clock.now()
    row.remind_at = None
    await row.save(update_fields=["outcome", "outcome_at", "remind_at"])
    await _audit(d, actor, source, "referral_outcome", case, "referral", row.id, {"chars": len(row.outcome)})
    return Outcome(True, f"已登记案件 {case.number} 移送{row.partner}的结果", case=case)


@transactional
async def register_referred(d: Domain, actor: Actor, data: intake.ReportInput, partner: Partner, kind: str | None,
                            days: int | None, *, source: Platform, due_at: datetime | None = None) -> Outcome:
    """委派: a partner body sends a case (诉前委派 30 天 …); it is registered like any 一窗受理 matter and carries
    the partner and its deadline (`days` from now, or `due_at` as the partner's system gave it), which bounds the
    case's tasks."""
    due, remind = await _deadline(d, days, due_at)
    outcome = await intake.report(d, actor, replace(data, source=CaseSource.ENTRUSTED), source=source)
    case = outcome.case
    if not outcome.changed or case is None:
        return outcome
    kind = kind or partner.kind
    row = await Referral.create(case_id=case.id, direction="in", kind=kind, partner=partner.name, due_at=due,
                                remind_at=remind, created_by_id=actor.staff_id, created_at=d.clock.now())
    await _audit(d, actor, source, "referred_in", case, "referral", row.id,
                 {"partner": partner.name, "kind": kind, "due_at": due})
    outcome.message += f"({partner.name}{kind_label(kind)}委派{_due_text(due)})"
    return outcome


@transactional
async def record_confirmation(d: Domain, actor: Actor, case_id: int, status: str, note: str = "", *,
                              source: Platform) -> Outcome:
    """司法确认 status (法院已受理 / 已确认 / 驳回), once the application document was generated."""
    case = await lock_case(case_id)
    await _may_handle(actor, case, "登记司法确认情况")
    if status not in CONFIRMATIONS:
        raise InvalidInput("司法确认情况请写 已受理、已确认 或 驳回")
    if not await CaseDocument.exists(case_id=case.id, kind="confirmation"):
        raise InvalidInput(f"案件 {case.number} 还没有司法确认申请书,请先发送「司法确认 {case.number} 申请事项」生成")
    now = d.clock.now()
    row = await JudicialConfirmation.get_or_none(case_id=case.id)
    before = {"status": row.status} if row else {}
    if row is None:
        row = await JudicialConfirmation.create(case_id=case.id, status=status, note=note.strip()[:2000],
                                                updated_by_id=actor.staff_id, updated_at=now)
    else:
        row.status, row.note, row.updated_by_id, row.updated_at = status, note.strip()[:2000], actor.staff_id, now
        await row.save()
    await audit.append(at=now, actor_id=actor.staff_id, actor_name=actor.name, source=source.value,
                       action="judicial_confirmation", entity="judicial_confirmation", entity_id=row.id,
                       case_id=case.id, before=before, after={"status": status}, region_id=case.region_id)
    return Outcome(True, f"已登记案件 {case.number} 司法确认情况:{CONFIRMATIONS[status]}", case=case)


async def confirmation_status(case_id: int) -> str | None:
    """司法确认 as the case shows it: the court's answer, or 已申请 once the application exists."""
    row = await JudicialConfirmation.get_or_none(case_id=case_id)
    if row is not None:
        return CONFIRMATIONS.get(row.status, row.status)
    return "已申请" if await CaseDocument.exists(case_id=case_id, kind="confirmation") else None


def referral_line(r: Referral, *, outcome: bool = True) -> str:
    """One docking as a person reads it: 移送人民法院(诉调),期限 …,结果:… The outcome may name parties: the
    caller masks it for where it goes, or leaves it out (outcome=False: only whether there is one)."""
    due = f",期限 {fmt_local(r.due_at)}" if r.due_at else ""
    if r.direction == "in":
        return f"委派自{r.partner}({kind_label(r.kind)}){due}"
    said = (f"结果:{r.outcome}" if outcome else "已反馈结果") if r.outcome_at else "待对方反馈"
    return f"移送{r.partner}({kind_label(r.kind)}){due},{said}"


async def case_lines(case_id: int, *, outcome: bool = True) -> list[str]:
    """The case's dockings and its 司法确认, for 查询 and the case page."""
    lines = [referral_line(r, outcome=outcome) for r in await Referral.filter(case_id=case_id).order_by("id")]
    confirmation = await confirmation_status(case_id)
    return lines + ([f"司法确认:{confirmation}"] if confirmation else [])
