"""What intake made of a report and what the center corrected it to: labelled examples for retraining."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from core.models.case import Case
from core.models.org import Staff


class IntakeCorrection(Model):
    """The center corrected the category or severity intake gave a report: a labelled example to retrain on"""

    # The text is kept with phone and ID numbers masked (core.masking): training needs no personal data.

    id = fields.IntField(primary_key=True)
    case: fields.ForeignKeyNullableRelation[Case] = fields.ForeignKeyField(
        "models.Case", related_name="intake_corrections", null=True, on_delete=fields.SET_NULL
    )
    case_id: int | None
    text = fields.TextField()
    predicted_category = fields.CharField(max_length=32)
    predicted_severity = fields.CharField(max_length=16)
    predicted_flags: list[str] = fields.JSONField(default=list)
    category = fields.CharField(max_length=32, db_index=True)
    severity = fields.CharField(max_length=16)
    flags: list[str] | None = fields.JSONField(null=True)  # None: the flags were not corrected
    model_version = fields.CharField(max_length=32, default="")
    by: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "models.Staff", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    by_id: int | None
    by_name = fields.CharField(max_length=64, default="")
    source = fields.CharField(max_length=16)
    at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "intake_correction"
