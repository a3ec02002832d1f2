"""What core verbs say happened: one frozen dataclass per kind of event, with typed fields.

The bot turns each event type into messages and card updates (bot/notify.py keeps one handler per type);
core never decides who is told. Every event names its case; `actor_id` is who acted (None: the system).
"""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass
from datetime import date

from core.enums import Level


@dataclass(frozen=True)
class DomainEvent:
    """Something that happened to a case."""

    case_id: int
    _: KW_ONLY
    actor_id: int | None = None


# --- intake: a dispute enters the center -------------------------------------------------------------


@dataclass(frozen=True)
class CaseReported(DomainEvent):
    """上报: a new case waits for the center to accept it."""


@dataclass(frozen=True)
class CaseSettled(DomainEvent):
    """当场调处: the grid settled it on the spot; only a follow-up visit remains."""


@dataclass(frozen=True)
class CaseResubmitted(DomainEvent):
    """The reporter added what the center asked for (退回补充) and sent it back."""


@dataclass(frozen=True)
class CaseRepeated(DomainEvent):
    """The same matter was reported again and linked to the case."""


# --- triage: the center accepts, asks, plans and dispatches -----------------------------------------


@dataclass(frozen=True)
class CaseAccepted(DomainEvent):
    """受理."""


@dataclass(frozen=True)
class PlanRequested(DomainEvent):
    """A 重要 case waits for a leader's plan before it can be dispatched."""


@dataclass(frozen=True)
class PlanApproved(DomainEvent):
    """The leader approved the plan: the case can be dispatched."""


@dataclass(frozen=True)
class CaseReturnedToReporter(DomainEvent):
    """退回补充: the reporter is asked for more information."""

    note: str


@dataclass(frozen=True)
class CaseRecategorized(DomainEvent):
    """改类: the center corrected the category before dispatch (kept as a labelled intake example)."""

    before: str
    after: str


@dataclass(frozen=True)
class TaskDispatched(DomainEvent):
    """交办: a task was created for an officer."""

    task_id: int


# --- handling: the officer's task --------------------------------------------------------------------


@dataclass(frozen=True)
class TaskSigned(DomainEvent):
    task_id: int


@dataclass(frozen=True)
class TaskProgressed(DomainEvent):
    task_id: int
    note: str


@dataclass(frozen=True)
class ExtensionRequested(DomainEvent):
    task_id: int


@dataclass(frozen=True)
class ExtensionDecided(DomainEvent):
    task_id: int
    approved: bool
    reason: str = ""  # why the center said no (the officer is told)


@dataclass(frozen=True)
class TaskReturned(DomainEvent):
    """退回: the officer sent a wrong assignment back, with a reason."""

    task_id: int
    reason: str


@dataclass(frozen=True)
class TaskReleased(DomainEvent):
    """撤回: the center (or the lead of a joint mediation) took the task back."""

    task_id: int


@dataclass(frozen=True)
class LeadChanged(DomainEvent):
    """更换牵头: the center made another open task of a 联合调处 the lead (牵头), who now closes the case last."""

    task_id: int
    previous_task_id: int | None


@dataclass(frozen=True)
class CaseNeedsDispatch(DomainEvent):
    """The last open task left the case: it waits to be dispatched again."""

    task_id: int


@dataclass(frozen=True)
class TaskResolved(DomainEvent):
    task_id: int


@dataclass(frozen=True)
class CaseResolved(DomainEvent):
    """The lead task's 办结 resolved the case."""

    task_id: int


# --- 三级四步 -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseEscalated(DomainEvent):
    """The case moved up one step; its open tasks were released."""

    from_level: Level
    to_level: Level
    to_region_id: int
    record_id: int
    released_task_ids: tuple[int, ...]


# --- aftercare: 书记督办, 回访, 积案 ----------------------------------------------------------------------


@dataclass(frozen=True)
class CaseSupervised(DomainEvent):
    """书记督办: on the agenda of the weekly joint meeting."""

    meeting_date: date


@dataclass(frozen=True)
class TaskOverdueSupervised(DomainEvent):
    """A task stayed open past the grace after its deadline: these secretaries supervise the case."""

    task_id: int
    secretary_ids: tuple[int, ...]


@dataclass(frozen=True)
class StepOverdueSupervised(DomainEvent):
    """The step's time ran out with a task overdue: these secretaries supervise the case (now a step up)."""

    secretary_ids: tuple[int, ...]
    level: Level  # the step whose time ran out


@dataclass(frozen=True)
class TopStepSupervised(DomainEvent):
    """The step's time ran out at the top of the ladder (no level left to move to): these secretaries supervise."""

    secretary_ids: tuple[int, ...]


@dataclass(frozen=True)
class ProxyOverdueSupervised(DomainEvent):
    """The 信访代办员 gave no feedback by the deadline: these secretaries supervise the case."""

    secretary_ids: tuple[int, ...]


@dataclass(frozen=True)
class CaseReopened(DomainEvent):
    """回访不满意: the case is open again."""

    reason: str = ""  # what the person visited was not satisfied with (the center and the officers are told)


@dataclass(frozen=True)
class CaseClosed(DomainEvent):
    """回访满意 or 基本满意: 结案."""


@dataclass(frozen=True)
class BacklogAdded(DomainEvent):
    """积案包案."""

    leader_id: int


@dataclass(frozen=True)
class BacklogStruck(DomainEvent):
    """积案销号."""


@dataclass(frozen=True)
class BacklogAssessed(DomainEvent):
    """积案月度评估: the 包案领导 recorded progress and the next step."""

    assessment_id: int


# --- 信访代办 -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProxyAssigned(DomainEvent):
    agent_id: int


@dataclass(frozen=True)
class ProxyFeedbackGiven(DomainEvent):
    """The 信访代办员 recorded the feedback given to the citizen."""


# --- mediation sessions and records ------------------------------------------------------------------


@dataclass(frozen=True)
class SessionBooked(DomainEvent):
    session_id: int


@dataclass(frozen=True)
class SessionAnswered(DomainEvent):
    """An invitee said they will attend, or asked for leave."""

    session_id: int
    attend: bool


@dataclass(frozen=True)
class SessionDone(DomainEvent):
    session_id: int


@dataclass(frozen=True)
class MediationRecorded(DomainEvent):
    """The mediators (and organisation, method, difficulty) were registered."""


@dataclass(frozen=True)
class PerformanceRecorded(DomainEvent):
    """协议履行 was registered."""


def event_types() -> list[type[DomainEvent]]:
    """Every concrete event type that has been defined (here or anywhere imported), parents first."""
    found: list[type[DomainEvent]] = []
    pending = list(DomainEvent.__subclasses__())
    while pending:
        cls = pending.pop(0)
        found.append(cls)
        pending += cls.__subclasses__()
    return found


# --- 应急处置: an emergency on a case (issue 22 #6) -------------------------------------------------------


@dataclass(frozen=True)
class EmergencyOpened(DomainEvent):
    """启动应急: the checklist to the leaders and the center, the 首报 to the party committee."""

    emergency_id: int
    report_id: int


@dataclass(frozen=True)
class EmergencyReported(DomainEvent):
    """续报: timed, or written by the people on site; to the party committee."""

    emergency_id: int
    report_id: int


@dataclass(frozen=True)
class EmergencyClosed(DomainEvent):
    """应急结束: the 终报 with the leader's summary."""

    emergency_id: int
    report_id: int
