"""All ORM models, registered with Tortoise as the app "models"."""

from core.models.audit import AuditEvent, AuditHead
from core.models.case import Case, Counter, EscalationRecord, Task
from core.models.org import (
    CalendarDay,
    Department,
    GroupChat,
    Identity,
    Liaison,
    Region,
    RosterEntry,
    Setting,
    Staff,
)

__all__ = [
    "AuditEvent",
    "AuditHead",
    "CalendarDay",
    "Case",
    "Counter",
    "Department",
    "EscalationRecord",
    "GroupChat",
    "Identity",
    "Liaison",
    "Region",
    "RosterEntry",
    "Setting",
    "Staff",
    "Task",
]
