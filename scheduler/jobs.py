"""Time-driven work. Each job takes an id, claims it with a conditional update (so two workers never
both act), re-reads state, does nothing if the state has moved on, and enqueues its messages in the
same transaction. What the domain decides when a clock runs out (三级四步, 书记督办) is a core verb
(core/services/timeouts.py); the job claims, calls it, has the bot announce its events, and enqueues."""

from __future__ import annotations

import logging

from tortoise.transactions import in_transaction

from bot.conversation import Waiting, resubmit_prompt, set_state
from bot.notify import notifications
from bot.outbox import new_card
from bot.types import Outbound, Target
from core.clock import fmt_local, local
from core.enums import OPEN_TASK_STATUSES, CaseStatus, Category, ReminderMethod, Severity
from core.models import BacklogAssessment, Case, MediationSession, Region, SessionParticipant, Staff, Task
from core.policy import load_policy
from core.routing import dispatchers_for
from core.services import timeouts
from core.services.base import Actor, Domain
from core.workdays import limit_label
from scheduler import emergency_jobs, key_people_jobs, reception_jobs, referral_jobs, screening_jobs
from scheduler.ab import enqueue
from scheduler.meeting_jobs import overdue_meeting_item, remind_meeting_item

log = logging.getLogger(__name__)
OPEN_TASKS = [s.value for s in OPEN_TASK_STATUSES]
SYSTEM = Actor.system("定时任务")


def _text(staff_id: int, text: str, urgent: bool = False) -> Outbound:
    return Outbound(target=Target(staff_id=staff_id), text=text, urgent=urgent)


async def remind_task(d: Domain, task_id: int) -> bool:
    now = d.clock.now()
    async with in_transaction():
        if not await Task.filter(id=task_id, status__in=OPEN_TASKS, remind_at__lte=now).update(
                remind_at=None, reminded_at=now):
            return False
        task = await Task.get(id=task_id).prefetch_related("case")
        urgent = task.reminder_method == ReminderMethod.URGENT.value
        text = f"【到期提醒】案件 {task.case.number} 将于 {fmt_local(task.deadline)} 到期,请抓紧办理"
        await enqueue([_text(task.assignee_id, text, urgent), *await _sms(task, task.case)], now)
    return True


async def _sms(task: Task, case: Case) -> list[Outbound]:
    """提醒方式 短信: also an SMS to the assignee's mobile, naming only the case number and category. Without a
    mobile the chat message alone goes (the dispatcher was told so at dispatch)."""
    if task.reminder_method != ReminderMethod.SMS.value:
        return []
    staff = await Staff.get(id=task.assignee_id)
    if not staff.phone:
        return []
    params = {"number": case.number, "category": Category(case.category).label}
    text = f"短信:案件 {case.number}({params['category']})"
    return [Outbound(target=Target(kind="phone", staff_id=staff.id), text=text, sms_params=params)]


async def overdue_task(d: Domain, task_id: int) -> bool:
    now = d.clock.now()
    async with in_transaction():
        task = await Task.filter(id=task_id, status__in=OPEN_TASKS, overdue_at__lte=now).first()
        if task is None:
            return False
        policy = await load_policy()
        grace = d.calendar.shift(task.deadline, policy.overdue_supervision)
        if not await Task.filter(id=task_id, overdue_at=task.overdue_at).update(
                overdue_at=None, overdue_notified_at=now, supervise_at=grace):
            return False
        case = await Case.get(id=task.case_id)
        overdue = Outbound(target=Target(staff_id=task.assignee_id), urgent=True, urgent_via="sms",
                           text=f"【逾期】案件 {case.number} 已超过截止时间 {fmt_local(task.deadline)},请尽快办结或申请延期")
        out = [overdue, *await _sms(task, case)]
        out += [_text(cc, f"【逾期】您抄送的案件 {case.number} 已超过截止时间,尚未办结") for cc in task.cc]
        await enqueue(out, now)
    return True


async def supervise_task(d: Domain, task_id: int) -> bool:
    """Still open after the grace period: 书记督办, on the next weekly joint meeting's agenda."""
    now = d.clock.now()
    async with in_transaction():
        if not await Task.filter(id=task_id, status__in=OPEN_TASKS, supervise_at__lte=now).update(supervise_at=None):
            return False
        outcome = await timeouts.supervise_overdue_task(d, SYSTEM, task_id)
        if not outcome.changed:
            return False
        await enqueue(await notifications(outcome.events, now, set()), now)
    return True


async def nudge_task(d: Domain, task_id: int) -> bool:
    """签收不办: signed but no progress for a long time."""
    now = d.clock.now()
    async with in_transaction():
        task = await Task.filter(id=task_id, status="signed", nudge_at__lte=now).first()
        if task is None:
            return False
        policy = await load_policy()
        if not await Task.filter(id=task_id, nudge_at=task.nudge_at).update(
                nudge_at=d.calendar.shift(now, policy.signed_idle)):
            return False
        case = await Case.get(id=task.case_id)
        since = fmt_local(task.last_progress_at or task.signed_at)
        await enqueue([_text(task.assignee_id, f"【催办】案件 {case.number} 自 {since} 以来没有进展反馈,"
                                               f"请回复「{case.number[-4:]} 进展内容」")], now)
    return True


async def escalate_case(d: Domain, case_id: int) -> bool:
    """三级四步: unresolved past its step's limit, the case moves up one step (at the top: 书记督办)."""
    now = d.clock.now()
    async with in_transaction():
        outcome = await timeouts.step_timed_out(d, SYSTEM, case_id)
        if not outcome.changed:
            return False
        await enqueue(await notifications(outcome.events, now, set()), now)
    return True


async def follow_up_case(d: Domain, case_id: int) -> bool:
    """回访 due: the reporter (or, for cases from other systems, the center) gets the satisfaction card."""
    now = d.clock.now()
    async with in_transaction():
        if not await Case.filter(id=case_id, status=CaseStatus.RESOLVED.value, follow_up_due_at__lte=now).update(
                follow_up_due_at=None, follow_up_sent_at=now):
            return False
        case = await Case.get(id=case_id)
        if case.reporter_id is not None:
            who = [case.reporter_id]
        else:
            who = [s.id for s in await dispatchers_for(await Region.get(id=case.handling_region_id))][:1]
        out = [await new_card("follow_up", staff_id, now, case_id=case.id) for staff_id in who]
        await enqueue(out, now)
    return True


async def backlog_monthly(d: Domain) -> list[Outbound]:
    """积案: each 包案领导 is reminded of the monthly assessment of the cases they lead."""
    now = d.clock.now()
    cases = await Case.filter(backlog=True, backlog_struck_at=None).order_by("id")
    by_leader: dict[int, list[Case]] = {}
    for case in cases:
        if case.backlog_leader_id is not None:
            by_leader.setdefault(case.backlog_leader_id, []).append(case)
    out = []
    for leader_id, led in by_leader.items():
        lines = []
        for c in led:
            last = await BacklogAssessment.filter(case_id=c.id).order_by("-id").first()
            lines.append(f"· {c.number} {Category(c.category).label}(" + (f"上次评估 {last.month})" if last else "尚未评估)"))
        short = led[0].number[-4:]
        out.append(_text(leader_id, f"【积案月度评估】{local(now):%Y年%m月}请对您包案的积案开展评估:\n" + "\n".join(lines)
                         + f"\n请逐件回复「评估 编号 进展… 下一步…」,例如:评估 {short} 进展 已两次约谈双方 下一步 "
                           "请司法所出具法律意见;已化解的回复「销号 编号 化解结果」"))
    return out


async def remind_session(d: Domain, session_id: int) -> bool:
    """Before a booked mediation session: everyone who has not asked for leave is reminded."""
    now = d.clock.now()
    async with in_transaction():
        if not await MediationSession.filter(id=session_id, status="booked", remind_at__lte=now).update(remind_at=None):
            return False
        session = await MediationSession.get(id=session_id).prefetch_related("case", "room")
        text = (f"【调解提醒】案件 {session.case.number} 的调解将于 {fmt_local(session.starts_at)} "
                f"在{session.room.name if session.room else '中心'}开始")
        people = await SessionParticipant.filter(session_id=session_id).exclude(response="leave")
        await enqueue([_text(p.staff_id, text) for p in people], now)
    return True


async def proxy_remind(d: Domain, case_id: int) -> bool:
    now = d.clock.now()
    async with in_transaction():
        if not await Case.filter(id=case_id, proxy_remind_at__lte=now).update(proxy_remind_at=None):
            return False
        case = await Case.get(id=case_id)
        if case.proxy_agent_id is None or case.proxy_due_at is None:
            return False
        await enqueue([_text(case.proxy_agent_id, f"【代办提醒】案件 {case.number} 须于 {fmt_local(case.proxy_due_at)} "
                                                  "前向群众反馈结果")], now)
    return True


async def proxy_overdue(d: Domain, case_id: int) -> bool:
    """No feedback to the citizen by the deadline: 督办."""
    now = d.clock.now()
    async with in_transaction():
        case = await Case.filter(id=case_id, proxy_due_at__lte=now).first()
        if case is None or not await Case.filter(id=case_id, proxy_due_at=case.proxy_due_at).update(proxy_due_at=None):
            return False
        out = []
        if case.proxy_agent_id:
            out.append(_text(case.proxy_agent_id, f"【逾期】案件 {case.number} 的信访代办反馈已逾期,已列入督办",
                             urgent=True))
        outcome = await timeouts.supervise_overdue_proxy(d, SYSTEM, case_id)
        if outcome.changed:
            out += await notifications(outcome.events, now, set())
        await enqueue(out, now)
    return True


async def remind_accept(d: Domain, case_id: int) -> bool:
    """受理时限: a report still waiting to be accepted; the center that holds it is reminded once."""
    now = d.clock.now()
    async with in_transaction():
        if not await Case.filter(id=case_id, status=CaseStatus.REPORTED.value, accept_remind_at__lte=now).update(
                accept_remind_at=None):
            return False
        case = await Case.get(id=case_id)
        policy = await load_policy()
        text = (f"【待受理提醒】案件 {case.number}({Category(case.category).label})已等待受理超过"
                f"{limit_label(policy.accept_within)},请尽快受理、交办或退回补充(发送「我的」查看待受理案件)")
        urgent = case.severity == Severity.MAJOR.value
        holder = await Region.get(id=case.handling_region_id)
        await enqueue([_text(s.id, text, urgent) for s in await dispatchers_for(holder)], now)
    return True


async def remind_resubmit(d: Domain, case_id: int) -> bool:
    """退回补充 unanswered past the 受理 time limit: the reporter is reminded once (and the bot waits for their
    reply again) and the center holding the case is told it still waits on them."""
    now = d.clock.now()
    async with in_transaction():
        if not await Case.filter(id=case_id, status=CaseStatus.RETURNED.value, accept_remind_at__lte=now).update(
                accept_remind_at=None):
            return False
        case = await Case.get(id=case_id)
        limit = limit_label((await load_policy()).accept_within)
        out = []
        if case.reporter_id is not None:
            out.append(_text(case.reporter_id, "【待补充提醒】" + resubmit_prompt(case.number, case.return_note)))
            await set_state(case.reporter_id, Waiting.RESUBMIT, {"case_id": case.id}, now)
        holder = await Region.get(id=case.handling_region_id)
        out += [_text(s.id, f"【待补充】案件 {case.number} 退回补充已超过{limit},上报人尚未补充")
                for s in await dispatchers_for(holder)]
        await enqueue(out, now)
    return True


async def remind_sign(d: Domain, task_id: int) -> bool:
    """签收时限: a dispatched task still unsigned; the officer and whoever dispatched it are told once."""
    now = d.clock.now()
    async with in_transaction():
        if not await Task.filter(id=task_id, status="pending", sign_remind_at__lte=now).update(sign_remind_at=None):
            return False
        task = await Task.get(id=task_id).prefetch_related("case", "assignee")
        limit = limit_label((await load_policy()).sign_within)
        urgent = task.reminder_method == "urgent"
        out = [_text(task.assignee_id, f"【签收提醒】案件 {task.case.number} 交办已超过{limit}尚未签收,"
                                       "请在任务卡片上点击「签收」", urgent)]
        if task.dispatched_by_id is not None:
            out.append(_text(task.dispatched_by_id, f"【未签收】案件 {task.case.number} 交办给{task.assignee.name}"
                                                    f"已超过{limit},尚未签收"))
        await enqueue(out, now)
    return True


JOBS = {
    "remind_task": remind_task,
    "overdue_task": overdue_task,
    "supervise_task": supervise_task,
    "nudge_task": nudge_task,
    "escalate_case": escalate_case,
    "follow_up_case": follow_up_case,
    "remind_session": remind_session,
    "proxy_remind": proxy_remind,
    "proxy_overdue": proxy_overdue,
    "remind_accept": remind_accept,
    "remind_resubmit": remind_resubmit,
    "remind_sign": remind_sign,
    "remind_meeting_item": remind_meeting_item,
    "overdue_meeting_item": overdue_meeting_item,
    **screening_jobs.JOBS,
    **referral_jobs.JOBS,
    **emergency_jobs.JOBS,
    **reception_jobs.JOBS,
    **key_people_jobs.JOBS,
}
