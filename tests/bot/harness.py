"""Drive whole conversations: people say things and click buttons; the outbox is delivered to fakes."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass

from bot.channel import ChannelRegistry
from bot.engine import Bot
from bot.types import Act, Card, CardAction, Inbound
from core.enums import Platform
from core.models import Identity, OutboxMessage, Staff
from core.services.base import Domain
from scheduler.delivery import deliver_due
from tests.bot.fakes import FakeChannel, Sent


@dataclass
class Seen:
    texts: list[str]
    cards: list[Sent]


class Harness:
    def __init__(self, domain: Domain) -> None:
        self.domain = domain
        self.bot = Bot(domain)
        self.channels = {p: FakeChannel(p) for p in (Platform.WECOM, Platform.DINGTALK)}
        self.registry = ChannelRegistry()
        for ch in self.channels.values():
            self.registry.register(ch)
        self._prefix = uuid.uuid4().hex[:6]
        self._ids = itertools.count(1)

    async def ident(self, name: str, platform: Platform | None = None) -> tuple[Platform, str]:
        staff = await Staff.get(name=name)
        idents = await Identity.filter(staff_id=staff.id).order_by("id")
        for i in idents:
            if platform is None or i.platform == platform.value:
                return Platform(i.platform), i.external_id
        raise AssertionError(f"{name} has no identity on {platform}")

    async def flush(self) -> None:
        for _ in range(20):
            if not await deliver_due(self.registry, self.domain.clock):
                break

    async def send(self, inbound: Inbound) -> None:
        await self.bot.receive(inbound)
        await self.flush()

    async def say(self, name: str, text: str, platform: Platform | None = None, **extra: object) -> Seen:
        p, uid = await self.ident(name, platform)
        mark = self.mark(name)
        inbound = Inbound(platform=p, event_id=f"{self._prefix}-{next(self._ids)}", sender=uid,
                          received_at=self.domain.clock.now(), text=text, **extra)  # type: ignore[arg-type]
        await self.send(inbound)
        return await self.since(name, mark)

    async def click(self, name: str, label: str, platform: Platform | None = None, kind: str | None = None) -> Seen:
        card = await self.latest_card(name, kind=kind, with_button=label)
        assert card is not None, f"{name} has no card with a {label} button"
        button = next(b for b in card.card.buttons if b.label == label)  # type: ignore[union-attr]
        p, uid = await self.ident(name, platform)
        mark = self.mark(name)
        await self.send(Inbound(platform=p, event_id=f"{self._prefix}-{next(self._ids)}", sender=uid,
                                received_at=self.domain.clock.now(), action=CardAction.decode(button.action)))
        return await self.since(name, mark)

    async def click_raw(self, name: str, act: Act, link_id: int) -> Seen:
        p, uid = await self.ident(name)
        mark = self.mark(name)
        await self.send(Inbound(platform=p, event_id=f"{self._prefix}-{next(self._ids)}", sender=uid,
                                received_at=self.domain.clock.now(), action=CardAction(act, link_id)))
        return await self.since(name, mark)

    def mark(self, name: str) -> dict[Platform, int]:
        return {p: len(ch.sent) for p, ch in self.channels.items()}

    async def inbox(self, name: str) -> list[Sent]:
        staff = await Staff.get(name=name)
        ids = {(Platform(i.platform), i.external_id) for i in await Identity.filter(staff_id=staff.id)}
        return [s for p, ch in self.channels.items() for s in ch.sent if (p, s.to) in ids]

    async def since(self, name: str, mark: dict[Platform, int]) -> Seen:
        staff = await Staff.get(name=name)
        ids = {(Platform(i.platform), i.external_id) for i in await Identity.filter(staff_id=staff.id)}
        new = [s for p, ch in self.channels.items() for s in ch.sent[mark[p]:] if (p, s.to) in ids]
        return Seen([s.text for s in new if s.text], [s for s in new if s.card])

    async def latest_card(self, name: str, kind: str | None = None, with_button: str | None = None) -> Sent | None:
        """The current state of the newest matching card (its last update wins)."""
        current: dict[int, Sent] = {}
        for s in await self.inbox(name):
            if s.card is not None and s.link_id is not None:
                current[s.link_id] = s
        for s in sorted(current.values(), key=lambda s: -(s.link_id or 0)):
            card: Card = s.card  # type: ignore[assignment]
            if kind and card.kind != kind:
                continue
            if with_button and not any(b.label == with_button for b in card.buttons):
                continue
            return s
        return None

    async def pending_outbox(self) -> int:
        return await OutboxMessage.filter(status__in=["pending", "sending"]).count()
