"""A channel that records what the bot sends, standing in for a platform in bot-layer tests."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from bot.channel import Delivery, SendResult
from bot.types import Card
from core.enums import Platform

_ids = itertools.count(1)


@dataclass
class Sent:
    to: str  # platform user id or group ref
    text: str
    card: Card | None
    link_id: int | None
    update: bool
    urgent: bool
    file_name: str = ""
    file_b64: str = ""


@dataclass
class FakeChannel:
    platform: Platform
    sent: list[Sent] = field(default_factory=list)
    fail_next: int = 0  # transient failures to simulate
    invalid_users: set[str] = field(default_factory=set)

    async def send(self, delivery: Delivery) -> SendResult:
        if self.fail_next:
            self.fail_next -= 1
            return SendResult(False, error="platform 503")
        to = delivery.user_id or delivery.group_ref or ""
        if to in self.invalid_users:
            return SendResult(False, permanent=True, error=f"invalid user {to}")
        o = delivery.outbound
        self.sent.append(Sent(to, o.text, o.card, o.card_link_id, o.update, o.urgent, o.file_name, o.file_b64))
        external = None
        if o.card is not None and not o.update:
            external = f"{self.platform.value}-card-{next(_ids)}"
        return SendResult(True, external_id=external)
