"""重点人员: people a grid needs to keep an eye on (精神障碍, 长期上访, 社区矫正 …), each with the grid worker
responsible and a follow-up cadence; their follow-ups (随访, kept as 走访 logs) and the reports that name them.
Names and categories are personal data: shown to the person responsible and the leaders only."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from core.models.case import Case
from core.models.grid import VisitLog
from core.models.org import Region, Staff


class KeyPerson(Model):
    """One registered person. `due_at` is the next follow-up and the claim column of its reminder (cleared by
    the job that reminds, set again by the next follow-up)."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=32)
    category = fields.CharField(max_length=32)
    grid: fields.ForeignKeyRelation[Region] = fields.ForeignKeyField(
        "models.Region", related_name=False, on_delete=fields.RESTRICT)
    grid_id: int
    worker: fields.ForeignKeyRelation[Staff] = fields.ForeignKeyField(
        "models.Staff", related_name=False, on_delete=fields.RESTRICT)
    worker_id: int
    every_days = fields.IntField()
    due_at = fields.DatetimeField(null=True, db_index=True)
    next_follow_up_at = fields.DatetimeField()  # shown; unlike due_at never cleared by the reminder
    last_follow_up_at = fields.DatetimeField(null=True)
    active = fields.BooleanField(default=True)
    created_by: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "models.Staff", related_name=False, null=True, on_delete=fields.SET_NULL)
    created_by_id: int | None
    created_at = fields.DatetimeField()

    class Meta:
        table = "key_person"


class KeyPersonFollowUp(Model):
    """随访: one follow-up of a registered person, its words kept in the 走访 log it also counts as."""

    id = fields.IntField(primary_key=True)
    person: fields.ForeignKeyRelation[KeyPerson] = fields.ForeignKeyField(
        "models.KeyPerson", related_name="follow_ups", on_delete=fields.CASCADE)
    person_id: int
    visit: fields.ForeignKeyRelation[VisitLog] = fields.ForeignKeyField(
        "models.VisitLog", related_name=False, on_delete=fields.CASCADE)
    visit_id: int
    at = fields.DatetimeField()

    class Meta:
        table = "key_person_follow_up"


class KeyPersonCase(Model):
    """A report whose words name a registered person of its region: linked when the case is made. `tell_at`
    is the claim column of the notice to the grid worker of the person (cleared by the job that sends it)."""

    id = fields.IntField(primary_key=True)
    person: fields.ForeignKeyRelation[KeyPerson] = fields.ForeignKeyField(
        "models.KeyPerson", related_name="cases", on_delete=fields.CASCADE)
    person_id: int
    case: fields.ForeignKeyRelation[Case] = fields.ForeignKeyField(
        "models.Case", related_name=False, on_delete=fields.CASCADE)
    case_id: int
    at = fields.DatetimeField()
    tell_at = fields.DatetimeField(null=True, db_index=True)

    class Meta:
        table = "key_person_case"
        unique_together = (("person", "case"),)
