"""Domain events → messages: the loop closes back to the reporter, the center and the officers."""

from __future__ import annotations

from datetime import datetime

from bot.conversation import set_state
from bot.outbox import links_for_cases, new_card, refresh
from bot.types import Outbound, Target
from bot.warnings import on_new_case
from core.clock import fmt_local, local
from core.enums import Level, ReminderMethod, ResultType, Role
from core.models import (
    Case,
    Department,
    Liaison,
    MediationSession,
    Region,
    RosterEntry,
    SessionParticipant,
    Staff,
    Task,
)
from core.regions import ancestor_at, ancestor_ids
from core.routing import dispatchers_for
from core.services.base import DomainEvent


def _text(staff_id: int, text: str) -> Outbound:
    return Outbound(target=Target(staff_id=staff_id), text=text)


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
    dep = await Department.get_or_none(id=task.department_id) if task.department_id else None
    return dep.name if dep else ""


async def notifications(events: list[DomainEvent], now: datetime, skip_links: set[int]) -> list[Outbound]:
    out: list[Outbound] = []
    fresh: set[int] = set(skip_links)
    touched: set[int] = set()

    async def card(kind: str, staff_id: int, **ids: int | None) -> None:
        o = await new_card(kind, staff_id, now, **ids)  # type: ignore[arg-type]
        assert o.card_link_id is not None
        fresh.add(o.card_link_id)
        out.append(o)

    for ev in events:
        touched.add(ev.case_id)
        case = await Case.get(id=ev.case_id)
        reporter = case.reporter_id
        holder = await Region.get(id=case.handling_region_id)
        if ev.kind in ("case_reported", "case_resubmitted"):
            for d in await dispatchers_for(holder):
                await card("center", d.id, case_id=case.id)
            if ev.kind == "case_reported":
                out += await on_new_case(case)
        elif ev.kind == "case_settled":
            for d in await dispatchers_for(holder):
                out.append(_text(d.id, f"网格当场调处一起矛盾纠纷,编号 {case.number},已纳入回访"))
        elif ev.kind == "case_accepted" and reporter:
            out.append(_text(reporter, f"您上报的矛盾纠纷 {case.number} 已受理"))
        elif ev.kind == "plan_requested":
            for leader in await plan_deciders(case, now):
                await card("plan", leader.id, case_id=case.id)
        elif ev.kind == "task_dispatched" and ev.task_id:
            task = await Task.get(id=ev.task_id)
            urgent = task.reminder_method == ReminderMethod.URGENT.value
            await card("task", task.assignee_id, case_id=case.id, task_id=task.id)
            out[-1].urgent = urgent
            for cc in task.cc:
                await card("cc", cc, case_id=case.id)
            if reporter:
                assignee = await Staff.get(id=task.assignee_id)
                dept = await _department_name(task)
                out.append(_text(reporter, f"您上报的 {case.number} 已交办:{dept}{assignee.name}"))
        elif ev.kind == "extension_requested" and ev.task_id:
            for d in await dispatchers_for(holder):
                await card("extension", d.id, case_id=case.id, task_id=ev.task_id)
        elif ev.kind == "extension_decided" and ev.task_id:
            task = await Task.get(id=ev.task_id)
            verdict = "已同意" if ev.data.get("approved") else "未同意"
            out.append(_text(task.assignee_id, f"案件 {case.number} 的延期申请{verdict}"))
        elif ev.kind == "task_returned":
            reason = ev.data.get("reason", "")
            for d in await dispatchers_for(holder):
                out.append(_text(d.id, f"案件 {case.number} 被退回:{reason}。请重新交办"))
        elif ev.kind == "task_released" and ev.task_id:
            task = await Task.get(id=ev.task_id)
            out.append(_text(task.assignee_id, f"案件 {case.number} 的任务已由中心撤回,无需继续办理"))
        elif ev.kind == "case_resolved" and reporter:
            result = ResultType(case.result_type).label if case.result_type else ""
            out.append(_text(reporter, f"您上报的 {case.number} 已办结:{result},{case.result_note}"))
        elif ev.kind == "case_escalated":
            for d in await dispatchers_for(holder):
                await card("center", d.id, case_id=case.id)
            for tid in ev.data.get("released_task_ids", []):
                task = await Task.get(id=tid)
                out.append(_text(task.assignee_id, f"案件 {case.number} 已上报{holder.name},您的任务已撤回"))
            if reporter:
                out.append(_text(reporter, f"您上报的 {case.number} 已上报至{holder.name}处理"))
        elif ev.kind == "case_returned_to_reporter" and reporter:
            note = ev.data.get("note", "")
            out.append(_text(reporter, f"您上报的 {case.number} 需要补充:{note}\n请直接回复补充内容。"))
            await set_state(reporter, "resubmit", {"case_id": case.id}, now)
        elif ev.kind == "case_repeated":
            for d in await dispatchers_for(holder):
                out.append(_text(d.id, f"案件 {case.number} 被再次上报(第 {case.repeat_count + 1} 次),已并入原案件"))
        elif ev.kind == "session_booked":
            sid = int(ev.data["session_id"])
            for p in await SessionParticipant.filter(session_id=sid, response="invited"):
                o = await new_card("invite", p.staff_id, now, case_id=case.id, session_id=sid)
                assert o.card_link_id is not None
                fresh.add(o.card_link_id)
                out.append(o)
        elif ev.kind == "session_answered" and not ev.data.get("attend"):
            session = await MediationSession.get(id=int(ev.data["session_id"]))
            who = await Staff.get(id=ev.actor_id) if ev.actor_id else None
            out.append(_text(session.booked_by_id, f"{who.name if who else ''} 请假,不能参加案件 {case.number} 的调解"))
        elif ev.kind == "proxy_assigned":
            due = fmt_local(case.proxy_due_at)
            out.append(_text(int(ev.data["agent_id"]), f"您被指定为案件 {case.number} 的信访代办员,请代为向上反映,"
                                                        f"并于 {due} 前向群众反馈结果(回复「代办反馈 {case.number[-4:]} 内容」)"))
        elif ev.kind == "proxy_feedback":
            for d in await dispatchers_for(holder):
                out.append(_text(d.id, f"案件 {case.number} 的信访代办员已反馈:{case.proxy_feedback}"))
        elif ev.kind == "case_reopened":
            for d in await dispatchers_for(holder):
                out.append(_text(d.id, f"案件 {case.number} 回访不满意,已重新打开,请重新交办"))
        elif ev.kind == "case_supervised":
            for task in await Task.filter(case_id=case.id, status__in=["pending", "signed"]):
                out.append(_text(task.assignee_id, f"案件 {case.number} 已列入书记督办,请抓紧办理"))
    out += await refresh(await links_for_cases(touched, fresh))
    return out
