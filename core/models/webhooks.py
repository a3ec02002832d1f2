"""Status updates owed to the system an API case came from (12345, 四平台): persisted like the outbox, sent
with retries by scheduler/webhooks.py, each with a stable event id the receiver can dedupe on."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class StatusWebhook(Model):
    id = fields.IntField(primary_key=True)
    event_id = fields.CharField(max_length=64, unique=True)  # sent as X-Maotiao-Event-Id on every try
    api_client = fields.CharField(max_length=32)  # the intake API key's label: whose webhook it goes to
    case_id = fields.IntField(db_index=True)
    kind = fields.CharField(max_length=16)  # accepted / dispatched / resolved / closed / reopened / escalated
    payload: dict[str, Any] = fields.JSONField()
    status = fields.CharField(max_length=16, default="pending")  # pending / sending / sent / dead
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField(db_index=True)
    last_error = fields.TextField(default="")
    created_at = fields.DatetimeField()
    sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "status_webhook"
