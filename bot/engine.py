"""The bot: store each platform delivery once, then handle it in one transaction with its replies."""

from __future__ import annotations

import logging
from dataclasses import asdict

from tortoise.exceptions import IntegrityError

from bot.context import Ctx
from bot.identity import admins_text, staff_for
from bot.notify import notifications
from bot.outbox import enqueue
from bot.router import route
from bot.types import MAX_TEXT, Inbound, Outbound, Target
from core import org_memo, org_version
from core.db import ingest_connection
from core.errors import DomainError
from core.models import InboundEvent
from core.prepared import Prepared
from core.services.base import Domain, actor_for, unit_of_work
from core.text import scrub

log = logging.getLogger(__name__)

# The event, locked, and the organisation's version in the same statement (the memo need not ask for it).
_CLAIM = Prepared(InboundEvent, lambda row_id: InboundEvent.select_for_update(skip_locked=True).filter(id=row_id)
                  .annotate(org_epoch=org_version.EPOCH, org_n=org_version.N), int, for_write=True)


class Bot:
    def __init__(self, domain: Domain) -> None:
        self.domain = domain

    async def record(self, inbound: Inbound) -> int | None:
        """Persist before acknowledging. Returns the event's row id, or None for a redelivery."""
        payload = asdict(inbound)
        payload["received_at"] = inbound.received_at.isoformat()
        try:  # scrubbed of U+0000 (PostgreSQL refuses it) whatever the platform adapter let through
            row = await InboundEvent.create(platform=inbound.platform.value, event_id=scrub(inbound.event_id),
                                            payload=scrub(payload), received_at=self.domain.clock.now(),
                                            using_db=ingest_connection())
        except IntegrityError:
            return None
        return int(row.id)

    async def handle(self, row_id: int, inbound: Inbound) -> list[Outbound]:
        """Handle a recorded event exactly once: replies are enqueued in the same transaction."""
        async with unit_of_work():  # the audit events go in last (core/services/base.py)
            # Locked by another handler (the sweeper racing a handling pool, another process): that one
            # handles it, or leaves it received for the sweeper if it fails; nobody waits for its lock.
            row = await _CLAIM.first(row_id)
            if row is None or row.status != "received":
                return []
            out = await self._handle(inbound, org_version.beside(row))
            await enqueue(out, self.domain.clock.now(), answer=True)  # the person waits: sent first
            row.status, row.handled_at = "handled", self.domain.clock.now()
            await row.save(update_fields=["status", "handled_at"])
        return out

    async def receive(self, inbound: Inbound) -> list[Outbound]:
        row_id = await self.record(inbound)
        return [] if row_id is None else await self.handle(row_id, inbound)

    async def _handle(self, inbound: Inbound, version: tuple[str, int] | None = None) -> list[Outbound]:
        with org_memo.remembering():  # one message's cards look up the same people and places
            org_memo.saw_version(version)
            return await self._handle_remembering(inbound)

    async def _handle_remembering(self, inbound: Inbound) -> list[Outbound]:
        now = self.domain.clock.now()
        staff = await staff_for(inbound.platform, inbound.sender, now)
        if staff is None:
            text = f"您好,您还不是本中心登记的工作人员,暂时无法使用。请联系{await admins_text()}将您加入组织名单。"
            return [Outbound(target=Target(platform=inbound.platform, user_id=inbound.sender), text=text)]
        ctx = Ctx(self.domain, inbound, staff, await actor_for(staff))
        if len(inbound.text) > MAX_TEXT:
            ctx.reply(f"消息过长({len(inbound.text)}字),请精简到{MAX_TEXT}字以内后再发送")
            return ctx.out
        try:
            await route(ctx)
        except DomainError as exc:
            ctx.reply(exc.message)
        ctx.out += await notifications(ctx.events, now, ctx.new_links)
        return ctx.out

