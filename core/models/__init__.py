"""All ORM models, registered with Tortoise as the app "models"."""

from core.models.audit import AuditChainHead, AuditEvent
from core.models.case import Case, Counter, EscalationRecord, Task
from core.models.deployment import DatabaseMark
from core.models.document import CaseDocument
from core.models.emergencies import Emergency, EmergencyReport
from core.models.grid import Absence, Screening, ScreeningRound, VisitLog
from core.models.intake import IntakeCorrection
from core.models.key_people import KeyPerson, KeyPersonCase, KeyPersonFollowUp
from core.models.media import ApiUsage, MediaFile
from core.models.mediation import MediationSession, Room, SessionParticipant
from core.models.messaging import CardLink, Conversation, Draft, InboundEvent, OutboxMessage, TaskMirror
from core.models.org import (
    CalendarDay,
    Department,
    GroupAddress,
    GroupChat,
    Identity,
    Liaison,
    OrgVersion,
    Region,
    RosterEntry,
    RosterSwap,
    Setting,
    Staff,
)
from core.models.receptions import Reception, ReceptionItem
from core.models.records import BacklogAssessment, CaseMediator, LoginAttempt, Meeting, MeetingItem
from core.models.referrals import JudicialConfirmation, Referral
from core.models.webhooks import StatusWebhook

__all__ = [
    "OrgVersion",
    "Absence",
    "Screening",
    "ScreeningRound",
    "VisitLog",
    "ApiUsage",
    "MediaFile",
    "AuditChainHead",
    "AuditEvent",
    "BacklogAssessment",
    "CardLink",
    "CaseDocument",
    "CaseMediator",
    "Emergency",
    "EmergencyReport",
    "Conversation",
    "Draft",
    "InboundEvent",
    "IntakeCorrection",
    "KeyPerson",
    "KeyPersonCase",
    "KeyPersonFollowUp",
    "OutboxMessage",
    "TaskMirror",
    "CalendarDay",
    "Case",
    "Counter",
    "DatabaseMark",
    "Department",
    "EscalationRecord",
    "GroupAddress",
    "GroupChat",
    "Identity",
    "JudicialConfirmation",
    "Liaison",
    "LoginAttempt",
    "MediationSession",
    "Meeting",
    "MeetingItem",
    "Referral",
    "Reception",
    "ReceptionItem",
    "Region",
    "Room",
    "RosterEntry",
    "RosterSwap",
    "SessionParticipant",
    "Setting",
    "Staff",
    "StatusWebhook",
    "Task",
]
