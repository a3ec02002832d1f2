"""Documents kept with a case: 调解协议书 and 司法确认申请书, as generated."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from core.models.case import Case


class CaseDocument(Model):
    id = fields.IntField(primary_key=True)
    case: fields.ForeignKeyRelation[Case] = fields.ForeignKeyField(
        "models.Case", related_name="documents", on_delete=fields.RESTRICT
    )
    case_id: int
    kind = fields.CharField(max_length=24)  # agreement, confirmation
    number = fields.CharField(max_length=48, unique=True)
    filename = fields.CharField(max_length=128)
    content = fields.BinaryField()
    created_by_id = fields.IntField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "case_document"
