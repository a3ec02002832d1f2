"""Platform-neutral message storage: inbound dedupe, conversation state, drafts, card links, the outbox."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class InboundEvent(Model):
    """Every platform delivery, stored before it is acknowledged. The unique key drops redeliveries."""

    id = fields.BigIntField(primary_key=True)
    platform = fields.CharField(max_length=16)
    event_id = fields.CharField(max_length=255)
    payload: dict[str, object] = fields.JSONField(default=dict)
    status = fields.CharField(max_length=16, default="received", db_index=True)  # received, handled, failed
    received_at = fields.DatetimeField()
    handled_at = fields.DatetimeField(null=True)
    error = fields.TextField(default="")
    # A worker's pass took it for its handling pool until then: another worker's pass leaves it alone meanwhile
    # (scheduler/handoff.py). Advisory: handling itself still takes the row under its lock, exactly once.
    claimed_until = fields.DatetimeField(null=True)

    class Meta:
        table = "inbound_event"
        unique_together = (("platform", "event_id"),)


class Conversation(Model):
    """What the bot is waiting for from one person (a reason, a case number, a name), across platforms."""

    staff_id = fields.IntField(primary_key=True)
    state = fields.CharField(max_length=32, default="idle")
    data: dict[str, object] = fields.JSONField(default=dict)
    updated_at = fields.DatetimeField()

    class Meta:
        table = "conversation"


class Draft(Model):
    """A report being put together by a grid worker over one or several messages."""

    id = fields.IntField(primary_key=True)
    staff_id = fields.IntField(db_index=True)
    status = fields.CharField(max_length=16, default="open")  # open, submitted, settled, cancelled
    texts: list[str] = fields.JSONField(default=list)
    attachments: list[dict[str, str]] = fields.JSONField(default=list)
    region_id = fields.IntField(null=True)
    case_id = fields.IntField(null=True)
    repeat_checked = fields.BooleanField(default=False)  # asked "the same matter as case N?" already
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "draft"


class CardLink(Model):
    """One card shown to one person about one case/task/draft, so it can be re-rendered after a change."""

    id = fields.IntField(primary_key=True)
    kind = fields.CharField(max_length=24)
    staff_id = fields.IntField(db_index=True)
    case_id = fields.IntField(null=True, db_index=True)
    task_id = fields.IntField(null=True)
    draft_id = fields.IntField(null=True, db_index=True)
    session_id = fields.IntField(null=True)  # a mediation session (invitation cards)
    platform = fields.CharField(max_length=16, null=True)
    external_id = fields.CharField(max_length=128, null=True)  # the platform's id of the card it shows
    response_code = fields.CharField(max_length=255, null=True)  # a platform's single-use code for updating the card
    active = fields.BooleanField(default=True)  # False: its actions are over; it is never re-rendered again
    # what the person's card last showed (bot/cards/shown.View): unchanged re-renders are not sent
    shown: dict[str, object] | None = fields.JSONField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "card_link"


class OutboxMessage(Model):
    """A message to deliver, persisted in the same transaction as the change that caused it."""

    id = fields.BigIntField(primary_key=True)
    payload: dict[str, object] = fields.JSONField()
    status = fields.CharField(max_length=16, default="pending")  # pending, sent, dead
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField()
    last_error = fields.TextField(default="")
    platform = fields.CharField(max_length=16, null=True)
    card_link_id = fields.IntField(null=True)
    created_at = fields.DatetimeField()
    sent_at = fields.DatetimeField(null=True)
    # An attempt that may have reached the platform (timed out, dropped, 5xx): retries ask it to dedupe.
    maybe_sent_at = fields.DatetimeField(null=True)
    # The answer to a person's own message or click, who is waiting for it: sent by a pass of its own right
    # after the handling, never behind a broadcast to hundreds (scheduler/delivery.deliver_answers).
    answer = fields.BooleanField(default=False, null=True)

    class Meta:
        table = "outbox_message"
        indexes = (("status", "next_attempt_at"), ("card_link_id", "id"), ("answer", "status", "id"))


class TaskMirror(Model):
    """A task kept in sync with its copy in the to-do list of its assignee on platforms that have one.

    One row per task, marked pending (its version raised) whenever the task changes. A delivery pass brings
    the copy on each platform to the state of the task at that moment, so repeated changes coalesce and the order of
    passes does not matter. A pass records its outcome only if no change came meanwhile (same version)."""

    id = fields.IntField(primary_key=True)
    task_id = fields.IntField(unique=True)
    status = fields.CharField(max_length=16, default="pending")  # pending, sending, synced, dead
    version = fields.IntField(default=1)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField(db_index=True)
    last_error = fields.TextField(default="")
    refs: dict[str, str] = fields.JSONField(default=dict)  # platform value → the id of its copy there
    updated_at = fields.DatetimeField()

    class Meta:
        table = "task_mirror"
