"""Domain events → messages: the loop closes back to the reporter, the center and the officers.

One small handler per event type (HANDLERS) decides who is told and which new cards are made; the
bookkeeping they share — card links made in this batch, the cases touched, re-rendering every other card
of those cases at the end — lives in `notifications`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot import notify_emergency, notify_joint
from bot.cards import snapshot
from bot.conversation import Waiting, resubmit_prompt, set_state
from bot.mirror import mark, tasks_named
from bot.outbox import links_for_cases, new_card, refresh
from bot.types import Outbound, Target
from bot.warnings import on_new_case
from bot.webhooks import status_updates
from core import org_memo
from core.clock import fmt_local, local
from core.enums import OPEN_TASK_STATUSES, Category, Flag, Level, ReminderMethod, ResultType, Role, TaskStatus
from core.events import (
    BacklogAdded,
    BacklogAssessed,
    BacklogStruck,
    CaseAccepted,
    CaseClosed,
    CaseEscalated,
    CaseNeedsDispatch,
    CaseRecategorized,
    CaseReopened,
    CaseRepeated,
    CaseReported,
    CaseResolved,
    CaseResubmitted,
    CaseReturnedToReporter,
    CaseSettled,
    CaseSupervised,
    DomainEvent,
    EmergencyClosed,
    EmergencyOpened,
    EmergencyReported,
    ExtensionDecided,
    ExtensionRequested,
    LeadChanged,
    MediationRecorded,
    PerformanceRecorded,
    PlanApproved,
    PlanRequested,
    ProxyAssigned,
    ProxyFeedbackGiven,
    ProxyOverdueSupervised,
    SessionAnswered,
    SessionBooked,
    SessionDone,
    StepOverdueSupervised,
    TaskDispatched,
    TaskOverdueSupervised,
    TaskProgressed,
    TaskReleased,
    TaskResolved,
    TaskReturned,
    TaskSigned,
    TopStepSupervised,
)
from core.masking import mask_keeping_case_numbers
from core.models import (
    Case,
    GroupChat,
    Liaison,
    MediationSession,
    Region,
    RosterEntry,
    SessionParticipant,
    Staff,
    Task,
)
from core.regions import ancestor_at, ancestor_ids
from core.routing import dispatchers_for, escalation_watchers, nearest_with_role


def _text(staff_id: int, text: str) -> Outbound:
    """A notice to one person: it stays in their chat history, so phone and ID numbers in what others wrote
    (a reason, a result, a note) are masked; the case page shows them to those who may see the case."""
    return Outbound(target=Target(staff_id=staff_id), text=mask_keeping_case_numbers(text))


async def plan_deciders(case: Case, now: datetime) -> list[Staff]:
    """Who decides a 重要 case's plan: today's duty leader, else the village's liaison leader, else the
    leaders of the nearest level up that has any."""
    region = await Region.get(id=case.handling_region_id)
    chain = ancestor_ids(region)
    duty = await RosterEntry.filter(day=local(now).date(), duty="leader").prefetch_related("staff")
    for entry in duty:
        if entry.staff.active and Role.LEADER.value in entry.staff.roles and entry.staff.region_id in chain:
            return [entry.staff]
    village = await ancestor_at(await Region.get(id=case.region_id), Level.VILLAGE)
    liaison = await Liaison.get_or_none(village_id=village.id) if village else None
    if liaison and liaison.leader_id:
        leader = await Staff.get_or_none(id=liaison.leader_id, active=True)
        if leader:
            return [leader]
    for rid in reversed(chain):
        leaders = [s for s in await Staff.filter(region_id=rid, active=True) if Role.LEADER.value in s.roles]
        if leaders:
            return leaders
    return []


async def _department_name(task: Task) -> str:
    dep = await org_memo.department_or_none(task.department_id)
    return dep.name if dep else ""


@dataclass
class Batch:
    """What the handlers of one batch of events share."""

    now: datetime
    fresh: set[int]  # card links made for this batch (and by the caller): already current
    out: list[Outbound] = field(default_factory=list)
    after: list[Outbound] = field(default_factory=list)  # told once the touched cards are re-rendered

    def tell(self, staff_id: int, text: str) -> None:
        self.out.append(_text(staff_id, text))

    async def card(self, kind: str, staff_id: int, *, urgent: bool = False, **ids: int | None) -> Outbound:
        """A new card link (not re-rendered at the end of the batch); the caller places the message."""
        o = await new_card(kind, staff_id, self.now, urgent=urgent, **ids)  # type: ignore[arg-type]
        assert o.card_link_id is not None
        self.fresh.add(o.card_link_id)
        return o

    async def tell_center(self, holder: Region, text: str) -> None:
        for d in await dispatchers_for(holder):
            self.tell(d.id, text)

    async def center_cards(self, case: Case, holder: Region) -> None:
        for d in await dispatchers_for(holder):
            self.out.append(await self.card("center", d.id, case_id=case.id))


Handler = Callable[[Batch, Any, Case, Region], Awaitable[None]]  # (batch, event, its case, who holds it)


async def notifications(events: list[DomainEvent], now: datetime, skip_links: set[int]) -> list[Outbound]:
    """Who is told what about `events`, and the touched cases' cards re-rendered. The organisation (core/org_memo.py)
    and each case's data (bot/cards/snapshot.py: the events' writes are all in) are read once for all of it."""
    with org_memo.remembering(), snapshot.sharing():
        return await _notifications(events, now, skip_links)


async def _notifications(events: list[DomainEvent], now: datetime, skip_links: set[int]) -> list[Outbound]:
    b = Batch(now, set(skip_links))
    cases: dict[int, Case] = {}  # read once, shared with the cards: the events are all in
    for ev in events:
        handler = HANDLERS.get(type(ev))
        if handler is None:
            raise LookupError(f"no notification handler for {type(ev).__name__}")
        if ev.case_id not in cases:
            cases[ev.case_id] = await snapshot.case(ev.case_id)
        case = cases[ev.case_id]
        await handler(b, ev, case, await org_memo.region(case.handling_region_id))
    await mark(tasks_named(events), now)  # the tasks' copies in platforms' to-do lists follow (bot/mirror.py)
    await status_updates(events, now, cases)  # an API case's sender is told too (bot/webhooks.py)
    return b.out + await refresh(await links_for_cases(set(cases), b.fresh)) + b.after


async def _cards_only(b: Batch, ev: DomainEvent, case: Case, holder: Region) -> None:
    """Nobody is told: the case's cards are re-rendered with the rest of the batch."""


async def _case_reported(b: Batch, ev: CaseReported, case: Case, holder: Region) -> None:
    await b.center_cards(case, holder)
    b.out += await on_new_case(case)


async def _case_resubmitted(b: Batch, ev: CaseResubmitted, case: Case, holder: Region) -> None:
    await b.center_cards(case, holder)


async def _case_settled(b: Batch, ev: CaseSettled, case: Case, holder: Region) -> None:
    await b.tell_center(holder, f"网格当场调处一起矛盾纠纷,编号 {case.number},已纳入回访")


async def _case_accepted(b: Batch, ev: CaseAccepted, case: Case, holder: Region) -> None:
    if case.reporter_id:
        b.tell(case.reporter_id, f"您上报的矛盾纠纷 {case.number} 已受理")


async def _plan_requested(b: Batch, ev: PlanRequested, case: Case, holder: Region) -> None:
    for leader in await plan_deciders(case, b.now):
        b.out.append(await b.card("plan", leader.id, case_id=case.id))


async def _task_dispatched(b: Batch, ev: TaskDispatched, case: Case, holder: Region) -> None:
    task = await snapshot.task(ev.task_id, case.id)  # read with the case's other tasks, for its cards
    urgent = task.reminder_method == ReminderMethod.URGENT.value
    b.out.append(await b.card("task", task.assignee_id, urgent=urgent, case_id=case.id, task_id=task.id))
    for cc in task.cc:
        b.out.append(await b.card("cc", cc, case_id=case.id))
    assignee = await org_memo.known_staff(task.assignee_id)
    if task.reminder_method == ReminderMethod.SMS.value and not assignee.phone and task.dispatched_by_id:
        b.tell(task.dispatched_by_id, f"{assignee.name} 在组织名单中没有手机号,案件 {case.number} 的短信提醒"
                                      "将改为消息提醒(可在组织名单中补充 phone 后重新导入)")
    if case.reporter_id:
        dept = await _department_name(task)
        b.tell(case.reporter_id, f"您上报的 {case.number} 已交办:{dept}{assignee.name}")


async def _extension_requested(b: Batch, ev: ExtensionRequested, case: Case, holder: Region) -> None:
    for d in await dispatchers_for(holder):
        b.out.append(await b.card("extension", d.id, case_id=case.id, task_id=ev.task_id))


async def _extension_decided(b: Batch, ev: ExtensionDecided, case: Case, holder: Region) -> None:
    task = await snapshot.task(ev.task_id, case.id)
    verdict = "已同意" if ev.approved else "未同意" + (f",理由:{ev.reason}" if ev.reason else "")
    b.tell(task.assignee_id, f"案件 {case.number} 的延期申请{verdict}")


async def _task_returned(b: Batch, ev: TaskReturned, case: Case, holder: Region) -> None:
    await b.tell_center(holder, f"案件 {case.number} 被退回:{ev.reason}。请重新交办")


async def _task_released(b: Batch, ev: TaskReleased, case: Case, holder: Region) -> None:
    task = await snapshot.task(ev.task_id, case.id)
    b.tell(task.assignee_id, f"案件 {case.number} 的任务已由中心撤回,无需继续办理")


async def _case_resolved(b: Batch, ev: CaseResolved, case: Case, holder: Region) -> None:
    if case.reporter_id:
        result = ResultType(case.result_type).label if case.result_type else ""
        b.tell(case.reporter_id, f"您上报的 {case.number} 已办结:{result},{case.result_note}")


async def _case_escalated(b: Batch, ev: CaseEscalated, case: Case, holder: Region) -> None:
    await b.center_cards(case, holder)
    told = {d.id for d in await dispatchers_for(holder)} | {ev.actor_id}
    for tid in ev.released_task_ids:
        task = await snapshot.task(tid, case.id)
        b.tell(task.assignee_id, f"案件 {case.number} 已上报{holder.name},您的任务已撤回")
        told.add(task.assignee_id)
    if case.reporter_id:
        b.tell(case.reporter_id, f"您上报的 {case.number} 已上报至{holder.name}处理")
        told.add(case.reporter_id)
    text = (f"【上报】案件 {case.number}({Category(case.category).label})已由{ev.from_level.label}上报至"
            f"{holder.name}({ev.to_level.label}级调处),请关注")
    for s in await escalation_watchers(case, holder):  # the receiving village and the liaison hear of it too
        if s.id not in told:
            b.tell(s.id, text)


async def _case_returned_to_reporter(b: Batch, ev: CaseReturnedToReporter, case: Case, holder: Region) -> None:
    if case.reporter_id:
        b.tell(case.reporter_id, resubmit_prompt(case.number, ev.note))
        await set_state(case.reporter_id, Waiting.RESUBMIT, {"case_id": case.id}, b.now)


async def _case_repeated(b: Batch, ev: CaseRepeated, case: Case, holder: Region) -> None:
    await b.tell_center(holder, f"案件 {case.number} 被再次上报(第 {case.repeat_count + 1} 次),已并入原案件")


async def _session_booked(b: Batch, ev: SessionBooked, case: Case, holder: Region) -> None:
    for p in await SessionParticipant.filter(session_id=ev.session_id, response="invited"):
        b.out.append(await b.card("invite", p.staff_id, case_id=case.id, session_id=ev.session_id))


async def _session_answered(b: Batch, ev: SessionAnswered, case: Case, holder: Region) -> None:
    if ev.attend:
        return
    session = await MediationSession.get(id=ev.session_id)
    who = await Staff.get(id=ev.actor_id) if ev.actor_id else None
    b.tell(session.booked_by_id, f"{who.name if who else ''} 请假,不能参加案件 {case.number} 的调解")


async def _proxy_assigned(b: Batch, ev: ProxyAssigned, case: Case, holder: Region) -> None:
    due = fmt_local(case.proxy_due_at)
    b.tell(ev.agent_id, f"您被指定为案件 {case.number} 的信访代办员,请代为向上反映,"
                        f"并于 {due} 前向群众反馈结果(回复「代办反馈 {case.number[-4:]} 内容」)")


async def _proxy_feedback(b: Batch, ev: ProxyFeedbackGiven, case: Case, holder: Region) -> None:
    await b.tell_center(holder, f"案件 {case.number} 的信访代办员已反馈:{case.proxy_feedback}")


async def _case_reopened(b: Batch, ev: CaseReopened, case: Case, holder: Region) -> None:
    why = f"。不满意的原因:{ev.reason}" if ev.reason else ""
    await b.tell_center(holder, f"案件 {case.number} 回访不满意,已重新打开,请重新交办{why}")
    for task in await snapshot.tasks_with(case.id, TaskStatus.RESOLVED):  # who handled it hears why
        b.tell(task.assignee_id, f"您办结的案件 {case.number} 回访不满意,已重新打开{why}")


async def _case_supervised(b: Batch, ev: CaseSupervised, case: Case, holder: Region) -> None:
    for task in await snapshot.tasks_with(case.id, *OPEN_TASK_STATUSES):  # 督办 insists: by phone call where it can
        b.out.append(Outbound(target=Target(staff_id=task.assignee_id), urgent=True, urgent_via="call",
                              text=f"案件 {case.number} 已列入书记督办,请抓紧办理"))
    if ev.actor_id is None:  # the system's 书记督办 comes with its reason, which tells the secretaries
        return
    by = await Staff.get(id=ev.actor_id)
    for sec in await nearest_with_role(await Region.get(id=case.region_id), Role.SECRETARY):
        if sec.id != ev.actor_id:
            b.tell(sec.id, f"【书记督办】案件 {case.number} 已由{by.name}列入书记督办,提交 {case.meeting_date} "
                           "党政联席周会商,请督办")


async def _task_overdue_supervised(b: Batch, ev: TaskOverdueSupervised, case: Case, holder: Region) -> None:
    for sec in ev.secretary_ids:
        b.after.append(await b.card("center", sec, case_id=case.id))
        b.after.append(_text(sec, f"【书记督办】案件 {case.number} 逾期未办结,已列入 {case.meeting_date} "
                                  "党政联席周会商,请督办"))
    category = Category(case.category).label
    b.after += await _groups(case, "supervision", f"【书记督办】案件 {case.number}({category})逾期未办结,已列入周会商")


async def _step_overdue_supervised(b: Batch, ev: StepOverdueSupervised, case: Case, holder: Region) -> None:
    for sec in ev.secretary_ids:
        b.tell(sec, f"【书记督办】案件 {case.number} 逾期且{ev.level.label}级时限已过,"
                    f"已上报{holder.name}并列入 {case.meeting_date} 党政联席周会商")


async def _top_step_supervised(b: Batch, ev: TopStepSupervised, case: Case, holder: Region) -> None:
    for sec in ev.secretary_ids:
        b.tell(sec, f"【书记督办】案件 {case.number} 在{Level(case.step).label}级调处时限内未化解,已无上级可上报,"
                    f"已列入 {case.meeting_date} 党政联席周会商,请督办")


async def _proxy_overdue_supervised(b: Batch, ev: ProxyOverdueSupervised, case: Case, holder: Region) -> None:
    b.after += [_text(sec, f"【书记督办】案件 {case.number} 的信访代办反馈逾期") for sec in ev.secretary_ids]


async def _groups(case: Case, feed: str, text: str) -> list[Outbound]:
    """Groups get numbers and categories only, never names or contacts; 涉敏 cases not at all."""
    if Flag.SENSITIVE.value in case.flags:
        return []
    groups = [g for g in await GroupChat.filter(active=True) if feed in g.receives]
    return [Outbound(target=Target(kind="group", group_id=g.id), text=text) for g in groups]


# --- 联合调处 (the notices themselves are in bot/notify_joint.py) --------------------------------------------


async def _task_dispatched_joint(b: Batch, ev: TaskDispatched, case: Case, holder: Region) -> None:
    await _task_dispatched(b, ev, case, holder)
    await notify_joint.partner_joined(b, ev, case)


async def _task_released_joint(b: Batch, ev: TaskReleased, case: Case, holder: Region) -> None:
    if not await notify_joint.released_by_lead(b, ev, case, holder):
        await _task_released(b, ev, case, holder)


HANDLERS: dict[type[DomainEvent], Handler] = {
    CaseReported: _case_reported,
    CaseSettled: _case_settled,
    CaseResubmitted: _case_resubmitted,
    CaseRepeated: _case_repeated,
    CaseAccepted: _case_accepted,
    PlanRequested: _plan_requested,
    PlanApproved: _cards_only,
    CaseReturnedToReporter: _case_returned_to_reporter,
    TaskDispatched: _task_dispatched_joint,
    CaseRecategorized: _cards_only,
    TaskSigned: _cards_only,
    TaskProgressed: _cards_only,
    ExtensionRequested: _extension_requested,
    ExtensionDecided: _extension_decided,
    TaskReturned: _task_returned,
    TaskReleased: _task_released_joint,
    LeadChanged: notify_joint.lead_changed,
    CaseNeedsDispatch: _cards_only,
    TaskResolved: _cards_only,
    CaseResolved: _case_resolved,
    CaseEscalated: _case_escalated,
    CaseSupervised: _case_supervised,
    TaskOverdueSupervised: _task_overdue_supervised,
    StepOverdueSupervised: _step_overdue_supervised,
    TopStepSupervised: _top_step_supervised,
    ProxyOverdueSupervised: _proxy_overdue_supervised,
    CaseReopened: _case_reopened,
    CaseClosed: _cards_only,
    BacklogAdded: notify_joint.backlog_added,
    BacklogStruck: notify_joint.backlog_struck,
    BacklogAssessed: notify_joint.backlog_assessed,
    ProxyAssigned: _proxy_assigned,
    ProxyFeedbackGiven: _proxy_feedback,
    SessionBooked: _session_booked,
    SessionAnswered: _session_answered,
    SessionDone: _cards_only,
    MediationRecorded: _cards_only,
    PerformanceRecorded: _cards_only,
    EmergencyOpened: notify_emergency.emergency_opened,
    EmergencyReported: notify_emergency.emergency_reported,
    EmergencyClosed: notify_emergency.emergency_closed,
}
