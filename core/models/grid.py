"""The grid's routine: rounds of 排查 (weekly, and 专项排查 campaigns) with each grid worker's answer, 走访 /
巡查 logs, and 请假 for AB岗 (a person away hands new tasks and reminders to their backup)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from core.models.org import Region, Staff


class ScreeningRound(Model):
    """One round of 排查: the weekly one (opened by the scheduler on the day and at the time the org file gives) or a
    专项排查 campaign a leader started (topic, area, period). `close_at` is the claim column of its end."""

    id = fields.IntField(primary_key=True)
    kind = fields.CharField(max_length=16)  # weekly | campaign
    key = fields.CharField(max_length=64, unique=True)  # weekly:<Monday>:<root region id>: opened once
    topic = fields.CharField(max_length=200, default="")
    region: fields.ForeignKeyRelation[Region] = fields.ForeignKeyField(
        "models.Region", related_name=False, on_delete=fields.RESTRICT)
    region_id: int
    started_at = fields.DatetimeField(db_index=True)
    due_at = fields.DatetimeField()
    close_at = fields.DatetimeField(null=True, db_index=True)  # cleared by the job that closes the round
    created_by: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "models.Staff", related_name=False, null=True, on_delete=fields.SET_NULL)
    created_by_id: int | None

    class Meta:
        table = "screening_round"


class Screening(Model):
    """The answer of one grid worker to one round: open until 零报告 or a finding, missed when the round closes."""

    id = fields.IntField(primary_key=True)
    round: fields.ForeignKeyRelation[ScreeningRound] = fields.ForeignKeyField(
        "models.ScreeningRound", related_name="screenings", on_delete=fields.CASCADE)
    round_id: int
    staff: fields.ForeignKeyRelation[Staff] = fields.ForeignKeyField(
        "models.Staff", related_name=False, on_delete=fields.RESTRICT)
    staff_id: int
    grid: fields.ForeignKeyRelation[Region] = fields.ForeignKeyField(
        "models.Region", related_name=False, on_delete=fields.RESTRICT)
    grid_id: int
    status = fields.CharField(max_length=16, default="open")  # open | zero | found | missed
    findings = fields.IntField(default=0)
    answered_at = fields.DatetimeField(null=True)
    remind_at = fields.DatetimeField(null=True, db_index=True)  # cleared by the reminder's claim

    class Meta:
        table = "screening"
        unique_together = (("round", "staff"),)


class VisitLog(Model):
    """走访 / 巡查: one visit a grid worker recorded in one message. The text may name residents: it is shown
    to its author only. Digests and the 考核 bulletin count logs per grid."""

    id = fields.IntField(primary_key=True)
    staff: fields.ForeignKeyRelation[Staff] = fields.ForeignKeyField(
        "models.Staff", related_name=False, on_delete=fields.RESTRICT)
    staff_id: int
    grid: fields.ForeignKeyNullableRelation[Region] = fields.ForeignKeyField(
        "models.Region", related_name=False, null=True, on_delete=fields.RESTRICT)
    grid_id: int | None
    kind = fields.CharField(max_length=8)  # visit (走访) | patrol (巡查)
    text = fields.TextField()
    photos: list[int] = fields.JSONField(default=list)  # MediaFile ids
    at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "visit_log"


class Absence(Model):
    """请假 (AB岗): a person away from the first to the last day (Beijing dates, both included)."""

    id = fields.IntField(primary_key=True)
    staff: fields.ForeignKeyRelation[Staff] = fields.ForeignKeyField(
        "models.Staff", related_name=False, on_delete=fields.CASCADE)
    staff_id: int
    first_day = fields.DateField()
    last_day = fields.DateField(db_index=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "absence"
