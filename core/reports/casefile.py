"""A case's 卷宗: everything an archive keeps of it, gathered in one place — the intake (受理登记), the
三级四步 register, the mediation sessions and the handling record (调解记录, from the audit trail), the
agreements and judicial confirmations as generated, the follow-up visits (回访记录) and the evidence the
reporters sent (证据材料: photos, voice, video, files, kept in the media store or not). Data only."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from core import evidence
from core.enums import Performance, Satisfaction
from core.evidence import Evidence
from core.models import AuditEvent, Case, CaseDocument, MediationSession, Room, SessionParticipant, Staff
from core.reports import mediation_ledger, register
from core.reports.mediation_ledger import LedgerEntry
from core.reports.register import Register

# the handling record an archive wants: who did what, when (internal bookkeeping left out)
ACTIONS = {
    "report": "上报", "settle_on_spot": "当场调处", "resubmit": "补充后重新上报", "accept": "受理",
    "return_to_reporter": "退回补充", "approve_plan": "领导审定处置方案", "dispatch": "交办", "sign": "签收",
    "progress": "反馈进展", "request_extension": "申请延期", "approve_extension": "同意延期", "deny_extension": "不同意延期",
    "return_task": "退回", "resolve_task": "任务办结", "resolve": "案件办结", "escalate": "上报上级", "supervise": "书记督办",
    "follow_up": "回访", "add_to_backlog": "列入积案", "strike_off": "积案销号", "assign_proxy": "指定信访代办",
    "proxy_feedback": "代办反馈", "record_mediation": "登记调解员", "record_performance": "登记协议履行",
    "link_repeat": "重复上报并案", "recategorize": "更正类别", "change_lead": "更换牵头",
    "assess_backlog": "积案月度评估", "book_reception": "预约领导接访", "attach_to_visit": "带件下访",
    "reception_outcome": "领导接访结果",
}
NOTE_KEYS = ("note", "tried", "reason", "addition", "text", "progress", "result")  # progress: 积案评估, result: 销号


@dataclass
class Session:
    starts_at: datetime
    ends_at: datetime
    room: str
    participants: list[tuple[str, str]]  # (name, 参加 / 请假 / 已邀请)
    parties_note: str
    outcome: str
    outcome_note: str


@dataclass
class Step:
    at: datetime
    who: str
    action: str
    note: str


@dataclass
class Visit:
    at: datetime
    who: str
    satisfaction: str
    note: str


@dataclass
class CaseFile:
    case: Case
    register: Register
    ledger: LedgerEntry
    reporter: str
    first_receiver: str
    sessions: list[Session] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    agreements: list[CaseDocument] = field(default_factory=list)
    confirmations: list[CaseDocument] = field(default_factory=list)
    visits: list[Visit] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)


RESPONSES = {"attend": "参加", "leave": "请假", "invited": "已邀请"}
OUTCOMES = {"agreement": "达成协议", "no_agreement": "未达成", "rescheduled": "改期"}


async def _sessions(case: Case) -> list[Session]:
    out = []
    for s in await MediationSession.filter(case_id=case.id).order_by("starts_at", "id"):
        room = await Room.get_or_none(id=s.room_id) if s.room_id else None
        people = await SessionParticipant.filter(session_id=s.id).prefetch_related("staff").order_by("id")
        out.append(Session(s.starts_at, s.ends_at, room.name if room else "", [(p.staff.name, RESPONSES.get(p.response, p.response))
                                                                             for p in people],
                           s.parties_note, OUTCOMES.get(s.outcome or "", "待调解"), s.outcome_note))
    return out


def _note(after: dict[str, object]) -> str:
    note = next((str(after[k]) for k in NOTE_KEYS if after.get(k)), "")
    performed = str(after.get("performance") or "")  # 登记协议履行: the state, then what was said
    if performed in Performance._value2member_map_:
        label = Performance(performed).label
        return label + (f":{note}" if note and note != label else "")
    return note


async def build(case: Case) -> CaseFile:
    events = await AuditEvent.filter(case_id=case.id).order_by("seq")
    steps, visits = [], []
    for ev in events:
        if ev.action not in ACTIONS or (ev.action == "dispatch" and ev.entity == "case"):
            continue  # a dispatch is one step per task (naming whom); the case's own record of it adds nothing
        after = dict(ev.after or {})
        note = f"交办给 {after['assignee']}" if ev.action == "dispatch" and after.get("assignee") else _note(after)
        steps.append(Step(ev.at, ev.actor_name, ACTIONS[ev.action], note))
        if ev.action == "follow_up":
            sat = str(after.get("satisfaction") or "")
            visits.append(Visit(ev.at, ev.actor_name, Satisfaction(sat).label if sat in Satisfaction._value2member_map_
                                else "", _note(after)))
    names = {s["id"]: s["name"] for s in await Staff.filter(id__in=[i for i in (case.reporter_id, case.first_receiver_id)
                                                                    if i]).values("id", "name")}
    docs = await CaseDocument.filter(case_id=case.id).order_by("id")
    return CaseFile(
        case=case, register=await register.for_case(case), ledger=(await mediation_ledger.for_cases([case]))[0],
        reporter=names.get(case.reporter_id or 0, ""), first_receiver=names.get(case.first_receiver_id or 0, ""),
        sessions=await _sessions(case), steps=steps, agreements=[d for d in docs if d.kind == "agreement"],
        confirmations=[d for d in docs if d.kind == "confirmation"], visits=visits,
        evidence=await evidence.for_case(case.id),
    )
