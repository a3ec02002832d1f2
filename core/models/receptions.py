"""领导接访 and 下访: a leader's reception (at a place on a day, citizens booked by the center: 预约接访) or visit
to a village (带件下访: cases taken along), each with its reminders' claim columns; and what each appointment
or case came to."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from core.models.case import Case
from core.models.org import Region, Staff


class Reception(Model):
    """One 接访 (kind reception: from the `receptions:` of the org file, or arranged in chat) or 下访 (kind visit).
    `remind_eve_at` (the day before) and `remind_day_at` (that morning) are cleared by the claim of each reminder."""

    id = fields.IntField(primary_key=True)
    kind = fields.CharField(max_length=16)  # reception | visit
    leader: fields.ForeignKeyRelation[Staff] = fields.ForeignKeyField(
        "models.Staff", related_name=False, on_delete=fields.RESTRICT)
    leader_id: int
    day = fields.DateField(db_index=True)
    half = fields.CharField(max_length=8, default="")  # am | pm | "" (the whole day)
    place = fields.CharField(max_length=100)
    region: fields.ForeignKeyNullableRelation[Region] = fields.ForeignKeyField(
        "models.Region", related_name=False, null=True, on_delete=fields.RESTRICT)
    region_id: int | None  # the village visited (下访), or the center's region
    capacity = fields.IntField(default=0)  # appointments one reception takes; 0 for a 下访
    status = fields.CharField(max_length=16, default="planned")  # planned | cancelled
    remind_eve_at = fields.DatetimeField(null=True, db_index=True)
    remind_day_at = fields.DatetimeField(null=True, db_index=True)
    created_by: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "models.Staff", related_name=False, null=True, on_delete=fields.SET_NULL)
    created_by_id: int | None  # None: from the org file's plan
    created_at = fields.DatetimeField()

    class Meta:
        table = "reception"
        unique_together = (("kind", "leader", "day", "half"),)


class ReceptionItem(Model):
    """One appointment (预约接访: a citizen and their matter, maybe a case) or one case taken on a 下访. The
    name of the citizen is personal data: shown to the leader and the center only, never in a group."""

    id = fields.IntField(primary_key=True)
    reception: fields.ForeignKeyRelation[Reception] = fields.ForeignKeyField(
        "models.Reception", related_name="items", on_delete=fields.CASCADE)
    reception_id: int
    case: fields.ForeignKeyNullableRelation[Case] = fields.ForeignKeyField(
        "models.Case", related_name=False, null=True, on_delete=fields.RESTRICT)
    case_id: int | None
    citizen = fields.CharField(max_length=50, default="")
    matter = fields.CharField(max_length=200, default="")
    outcome = fields.TextField(default="")
    outcome_at = fields.DatetimeField(null=True)
    booked_by: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "models.Staff", related_name=False, null=True, on_delete=fields.SET_NULL)
    booked_by_id: int | None
    created_at = fields.DatetimeField()

    class Meta:
        table = "reception_item"
