"""The audit trail: every change appends an event chained to the previous one of its center by hash."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class AuditEvent(Model):
    """One change. `chain` is the center whose trail it belongs to (the township, or the district for a
    case above townships), 0 for changes that belong to no case. `seq` counts within the chain."""

    id = fields.IntField(primary_key=True)
    chain = fields.IntField(default=0, db_default=0)
    seq = fields.IntField()
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
        unique_together = (("chain", "seq"),)


class AuditChainHead(Model):
    """The last link of one chain, locked while appending: one lock per center, so two townships never
    wait on each other, and a removed tail shows against it until a checkpoint outside the database does."""

    chain = fields.IntField(primary_key=True, generated=False)
    seq = fields.IntField(default=0)
    hash = fields.CharField(max_length=64, default="")

    class Meta:
        table = "audit_chain_head"
