"""应急处置: an emergency opened on a case that raised a 红色预警 (or that a leader declared), its 预案 checklist
and response team as they stood when it opened, and every report sent about it (首报, 续报, 终报)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from core.models.case import Case
from core.models.org import Staff


class Emergency(Model):
    """One emergency on a case, open until a leader closes it. `next_report_at` is the claim column of the next
    timed 续报 (moved on by the job that sends it, cleared when the emergency closes)."""

    id = fields.IntField(primary_key=True)
    case: fields.ForeignKeyRelation[Case] = fields.ForeignKeyField(
        "models.Case", related_name=False, on_delete=fields.RESTRICT)
    case_id: int
    grade = fields.CharField(max_length=8)  # red | orange
    status = fields.CharField(max_length=8, default="open", db_index=True)  # open | closed
    checklist: list[str] = fields.JSONField(default=list)
    team: list[str] = fields.JSONField(default=list)  # who was dispatched (names), as the plan resolved
    report_minutes = fields.IntField(default=120)
    next_report_at = fields.DatetimeField(null=True, db_index=True)
    reports = fields.IntField(default=0)  # reports sent so far, 首报 included
    opened_at = fields.DatetimeField()
    opened_by: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "models.Staff", related_name=False, null=True, on_delete=fields.SET_NULL)
    opened_by_id: int | None
    closed_at = fields.DatetimeField(null=True)
    closed_by: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "models.Staff", related_name=False, null=True, on_delete=fields.SET_NULL)
    closed_by_id: int | None
    summary = fields.TextField(default="")

    class Meta:
        table = "emergency"


class EmergencyReport(Model):
    """A report about an emergency: 首报 when it opens, timed 续报, 续报 written on site in chat, 终报."""

    id = fields.IntField(primary_key=True)
    emergency: fields.ForeignKeyRelation[Emergency] = fields.ForeignKeyField(
        "models.Emergency", related_name="report_rows", on_delete=fields.CASCADE)
    emergency_id: int
    seq = fields.IntField()
    kind = fields.CharField(max_length=8)  # first | timed | onsite | final
    text = fields.TextField()
    author: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "models.Staff", related_name=False, null=True, on_delete=fields.SET_NULL)
    author_id: int | None
    at = fields.DatetimeField()

    class Meta:
        table = "emergency_report"
        unique_together = (("emergency", "seq"),)
