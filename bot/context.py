"""What a command handler gets: who wrote, from where, the domain, and where to put its replies."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeAlias

from bot.conversation import Waiting, clear_state, set_state
from bot.outbox import new_card
from bot.types import Inbound, Outbound, Target
from core.events import DomainEvent
from core.models import CardLink, Staff
from core.services.base import Actor, Domain, Outcome


@dataclass
class Ctx:
    domain: Domain
    inbound: Inbound
    staff: Staff
    actor: Actor
    out: list[Outbound] = field(default_factory=list)
    events: list[DomainEvent] = field(default_factory=list)
    new_links: set[int] = field(default_factory=set)

    @property
    def now(self) -> datetime:
        return self.domain.clock.now()

    def reply(self, text: str) -> None:
        self.out.append(Outbound(target=Target(staff_id=self.staff.id, platform=self.inbound.platform), text=text))

    def took(self, outcome: Outcome, *, say: bool = True) -> None:
        self.events.extend(outcome.events)
        if say:
            self.reply(outcome.message)

    async def card_to_me(self, kind: str, **ids: int | None) -> None:
        out = await new_card(kind, self.staff.id, self.now, platform=self.inbound.platform, **ids)  # type: ignore[arg-type]
        if out.card_link_id is not None:
            self.new_links.add(out.card_link_id)
        self.out.append(out)

    async def expect(self, state: Waiting, **data: object) -> None:
        await set_state(self.staff.id, state, dict(data), self.now)

    async def done(self) -> None:
        await clear_state(self.staff.id, self.now)


ActionHandler: TypeAlias = Callable[[Ctx, CardLink], Awaitable[None]]  # what a button press runs
