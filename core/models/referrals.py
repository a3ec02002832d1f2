"""诉调 / 警调 / 访调 / 检调 / 仲调对接: a case referred out to a partner body (a court's 诉前调解, the police, the
信访 bureau, the procuratorate, an arbitration commission) or referred in by one (诉前委派), with the partner's
deadline and what came of it; and the 司法确认 of an agreement once its application document was filed."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from core.models.case import Case
from core.models.org import Staff


class Referral(Model):
    """One docking with a partner body. `direction` out: the center sent the case (移送), in: the partner sent it
    (委派), and its deadline bounds the tasks of the case. `remind_at` is the claim column of the reminder before
    the deadline, cleared once the reminder went out or the outcome was recorded."""

    id = fields.IntField(primary_key=True)
    case: fields.ForeignKeyRelation[Case] = fields.ForeignKeyField(
        "models.Case", related_name="referrals", on_delete=fields.RESTRICT)
    case_id: int
    direction = fields.CharField(max_length=8)  # out | in
    kind = fields.CharField(max_length=16)  # court | police | petition | procuratorate | arbitration
    partner = fields.CharField(max_length=64)  # the partner body, as the org file names it
    due_at = fields.DatetimeField(null=True)
    remind_at = fields.DatetimeField(null=True, db_index=True)
    outcome = fields.TextField(default="")
    outcome_at = fields.DatetimeField(null=True)
    created_by: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "models.Staff", related_name=False, null=True, on_delete=fields.SET_NULL)
    created_by_id: int | None
    created_at = fields.DatetimeField()

    class Meta:
        table = "referral"


class JudicialConfirmation(Model):
    """司法确认 of the agreement of a case, after its application (司法确认申请书) was generated and filed: the
    answer of the court as the handler last recorded it."""

    id = fields.IntField(primary_key=True)
    case: fields.ForeignKeyRelation[Case] = fields.ForeignKeyField(
        "models.Case", related_name=False, unique=True, on_delete=fields.RESTRICT)
    case_id: int
    status = fields.CharField(max_length=16)  # accepted | confirmed | rejected
    note = fields.TextField(default="")
    updated_by: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "models.Staff", related_name=False, null=True, on_delete=fields.SET_NULL)
    updated_by_id: int | None
    updated_at = fields.DatetimeField()

    class Meta:
        table = "judicial_confirmation"
