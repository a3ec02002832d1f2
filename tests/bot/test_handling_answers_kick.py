"""A handling pool starts the answers' delivery (its on_handled: serve's delivery kick, a worker's answers pass)
only after a handling that wrote something to send: not for an event another handler had already taken (the
sweeper, another process), and not for a handling that failed and wrote nothing."""

from __future__ import annotations

from bot.handling import Handling
from bot.types import Inbound
from core.enums import Platform
from core.models import InboundEvent
from tests.bot.harness import Harness


async def _stored(h: Harness, text: str) -> tuple[int, Inbound]:
    platform, uid = await h.ident("周小梅", Platform.WECOM)
    inbound = Inbound(platform=platform, event_id=f"kick-{text}", sender=uid, text=text,
                      received_at=h.domain.clock.now())
    row_id = await h.bot.record(inbound)
    assert row_id is not None
    return row_id, inbound


async def test_an_event_already_taken_by_another_handler_starts_no_answers_pass(org, domain) -> None:
    h = Harness(domain)
    kicks: list[int] = []
    pool = Handling(h.bot, lambda: kicks.append(1))
    row_id, inbound = await _stored(h, "查询 0001")
    pool.submit(row_id, inbound)
    await pool.drain()
    assert kicks == [1]  # handled here: its answer waits to be sent
    assert (await InboundEvent.get(id=row_id)).status == "handled"
    pool.submit(row_id, inbound)  # handed over again (a sweep, another worker's pass): already handled
    await pool.drain()
    assert kicks == [1]


async def test_a_handling_that_failed_starts_no_answers_pass(org, domain) -> None:
    h = Harness(domain)
    kicks: list[int] = []

    class Broken:
        async def handle(self, row_id: int, inbound: Inbound) -> list[object]:
            raise RuntimeError("boom")

    pool = Handling(Broken(), lambda: kicks.append(1))  # type: ignore[arg-type]
    row_id, inbound = await _stored(h, "查询 0002")
    pool.submit(row_id, inbound)
    await pool.drain()
    assert kicks == []
