"""预约调解: mediation rooms from the org file, booked sessions and who was invited."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from core.models.case import Case
from core.models.org import Region, Staff


class Room(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=64, unique=True)
    region: fields.ForeignKeyNullableRelation[Region] = fields.ForeignKeyField(
        "models.Region", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    region_id: int | None
    active = fields.BooleanField(default=True)

    class Meta:
        table = "room"


class MediationSession(Model):
    id = fields.IntField(primary_key=True)
    case: fields.ForeignKeyRelation[Case] = fields.ForeignKeyField(
        "models.Case", related_name="sessions", on_delete=fields.RESTRICT
    )
    case_id: int
    room: fields.ForeignKeyNullableRelation[Room] = fields.ForeignKeyField(
        "models.Room", related_name="sessions", null=True, on_delete=fields.RESTRICT
    )
    room_id: int | None
    starts_at = fields.DatetimeField(db_index=True)
    ends_at = fields.DatetimeField()
    status = fields.CharField(max_length=16, default="booked")  # booked, done
    outcome = fields.CharField(max_length=16, null=True)  # agreement, no_agreement, rescheduled
    outcome_note = fields.TextField(default="")
    parties_note = fields.TextField(default="")  # which parties will attend
    remind_at = fields.DatetimeField(null=True, db_index=True)
    booked_by: fields.ForeignKeyRelation[Staff] = fields.ForeignKeyField(
        "models.Staff", related_name=False, on_delete=fields.RESTRICT
    )
    booked_by_id: int
    created_at = fields.DatetimeField()

    class Meta:
        table = "mediation_session"


class SessionParticipant(Model):
    id = fields.IntField(primary_key=True)
    session: fields.ForeignKeyRelation[MediationSession] = fields.ForeignKeyField(
        "models.MediationSession", related_name="participants", on_delete=fields.CASCADE
    )
    session_id: int
    staff: fields.ForeignKeyRelation[Staff] = fields.ForeignKeyField(
        "models.Staff", related_name=False, on_delete=fields.RESTRICT
    )
    staff_id: int
    response = fields.CharField(max_length=16, default="invited")  # invited, attend, leave

    class Meta:
        table = "session_participant"
        unique_together = (("session", "staff"),)
