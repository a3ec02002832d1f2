"""The audit trail: every change appends an event chained to the previous one by hash."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class AuditEvent(Model):
    id = fields.IntField(primary_key=True)
    seq = fields.IntField(unique=True)
    at = fields.DatetimeField()
    actor_id = fields.IntField(null=True)
    actor_name = fields.CharField(max_length=64, default="")
    source = fields.CharField(max_length=16)
    action = fields.CharField(max_length=48)
    entity = fields.CharField(max_length=24)
    entity_id = fields.IntField()
    case_id = fields.IntField(null=True, db_index=True)
    before: dict[str, object] = fields.JSONField(default=dict)
    after: dict[str, object] = fields.JSONField(default=dict)
    prev_hash = fields.CharField(max_length=64)
    hash = fields.CharField(max_length=64)

    class Meta:
        table = "audit_event"


class AuditHead(Model):
    """The last link of the chain, locked while appending, so verification notices a removed tail."""

    id = fields.IntField(primary_key=True)
    seq = fields.IntField(default=0)
    hash = fields.CharField(max_length=64, default="")

    class Meta:
        table = "audit_head"
