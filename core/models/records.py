"""Records a center is judged by, kept beside the case: who mediated it (人民调解员, apart from the task
assignee), the 会商研判 meetings with their 议定事项, and dashboard sign-in attempts (for rate limiting)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from core.models.case import Case
from core.models.org import Staff


class CaseMediator(Model):
    """A 人民调解员 who mediated a case (one lead 主调, any number assisting), counted for 以奖代补."""

    id = fields.IntField(primary_key=True)
    case: fields.ForeignKeyRelation[Case] = fields.ForeignKeyField(
        "models.Case", related_name="mediators", on_delete=fields.CASCADE
    )
    case_id: int
    staff: fields.ForeignKeyRelation[Staff] = fields.ForeignKeyField(
        "models.Staff", related_name=False, on_delete=fields.RESTRICT
    )
    staff_id: int
    lead = fields.BooleanField(default=False)
    created_at = fields.DatetimeField()

    class Meta:
        table = "case_mediator"
        unique_together = (("case", "staff"),)
        indexes = (("staff_id", "case_id"),)


class Meeting(Model):
    """A 会商研判 meeting: the weekly 党政联席周会商, the monthly 维稳形势分析会, or a special one."""

    id = fields.IntField(primary_key=True)
    kind = fields.CharField(max_length=24)  # weekly_joint, monthly_stability, special
    day = fields.DateField(db_index=True)
    number = fields.IntField()  # 第N期, per kind and year
    title = fields.CharField(max_length=200)
    place = fields.CharField(max_length=100, default="")
    chair: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "models.Staff", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    chair_id: int | None
    recorder: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "models.Staff", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    recorder_id: int | None
    attendees: list[int] = fields.JSONField(default=list)  # staff ids (出席)
    guests: list[str] = fields.JSONField(default=list)  # 列席, by name and unit
    agenda = fields.TextField(default="")  # frozen from the digest when the meeting was opened
    summary = fields.TextField(default="")  # what the meeting heard and discussed
    created_by_id = fields.IntField(null=True)
    created_at = fields.DatetimeField()
    closed_at = fields.DatetimeField(null=True)  # 散会: no more 议定事项 from chat; the 纪要 went out

    items: fields.ReverseRelation[MeetingItem]

    class Meta:
        table = "meeting"
        unique_together = (("kind", "day"),)


class MeetingItem(Model):
    """议定事项: what the meeting decided, whose it is and by when, tracked until done."""

    id = fields.IntField(primary_key=True)
    meeting: fields.ForeignKeyRelation[Meeting] = fields.ForeignKeyField(
        "models.Meeting", related_name="items", on_delete=fields.CASCADE
    )
    meeting_id: int
    seq = fields.IntField()
    content = fields.TextField()
    owner: fields.ForeignKeyRelation[Staff] = fields.ForeignKeyField(
        "models.Staff", related_name=False, on_delete=fields.RESTRICT
    )
    owner_id: int
    case: fields.ForeignKeyNullableRelation[Case] = fields.ForeignKeyField(
        "models.Case", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    case_id: int | None
    deadline = fields.DatetimeField()
    remind_at = fields.DatetimeField(null=True)  # cleared once the reminder went out
    overdue_at = fields.DatetimeField(null=True, db_index=True)  # the deadline; cleared once told it is overdue
    status = fields.CharField(max_length=16, default="open")  # open, done
    done_at = fields.DatetimeField(null=True)
    done_note = fields.TextField(default="")
    created_at = fields.DatetimeField()

    class Meta:
        table = "meeting_item"
        unique_together = (("meeting", "seq"),)
        indexes = (("status", "remind_at"), ("status", "deadline"))


class BacklogAssessment(Model):
    """积案月度评估: the monthly word of the 包案领导 on a backlog case — how far it has come, what comes next."""

    id = fields.IntField(primary_key=True)
    case: fields.ForeignKeyRelation[Case] = fields.ForeignKeyField(
        "models.Case", related_name=False, on_delete=fields.RESTRICT
    )
    case_id: int
    leader: fields.ForeignKeyRelation[Staff] = fields.ForeignKeyField(
        "models.Staff", related_name=False, on_delete=fields.RESTRICT
    )
    leader_id: int
    month = fields.CharField(max_length=7)  # 2026-05, local time: the month the assessment answers for
    progress = fields.TextField()
    next_step = fields.TextField()
    created_at = fields.DatetimeField()

    class Meta:
        table = "backlog_assessment"
        indexes = (("case_id", "created_at"),)


class LoginAttempt(Model):
    """A sign-in to the 综合信息指挥室 screen, by a hash of the client address (no address is stored)."""

    id = fields.IntField(primary_key=True)
    key = fields.CharField(max_length=64)
    ok = fields.BooleanField()
    at = fields.DatetimeField()

    class Meta:
        table = "login_attempt"
        indexes = (("key", "at"),)
