"""WeCom callbacks are acknowledged however far the handling has fallen behind (issue 20): while every
handler is stuck, each callback is still stored and answered 200, the handling holds no more than its bound
in memory (the rest waits in the database), and once the handlers move again every event is handled
exactly once — also with the sweeper racing the handling pool for the same rows."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.engine import Bot
from bot.handling import Handling
from bot.types import Inbound, Outbound
from core.models import InboundEvent, OutboxMessage
from core.services.base import Domain
from scheduler.embedded import UNHANDLED_AFTER, sweep_inbound
from tests.integrations.wecom_rig import wecom_rig

CONCURRENCY, BACKLOG, MESSAGES = 2, 5, 24
STRANGERS = [f"stranger{i:02d}" for i in range(MESSAGES)]  # not on the roster: one fixed reply each


async def recipients() -> list[str]:
    """Who each reply in the outbox is for, oldest first."""
    payloads = await OutboxMessage.all().order_by("id").values_list("payload", flat=True)
    return [str(p["target"]["user_id"]) for p in payloads]  # type: ignore[index, call-overload]


class StuckBot(Bot):
    """Handles as the bot does, but only once the gate opens; counts the handlers waiting at it."""

    def __init__(self, domain: Domain) -> None:
        super().__init__(domain)
        self.gate = asyncio.Event()
        self.waiting = 0
        self.most_waiting = 0

    async def handle(self, row_id: int, inbound: Inbound) -> list[Outbound]:
        self.waiting += 1
        self.most_waiting = max(self.most_waiting, self.waiting)
        await self.gate.wait()
        self.waiting -= 1
        return await super().handle(row_id, inbound)


async def test_callbacks_are_acknowledged_while_handling_is_stuck_and_each_is_handled_once(org, domain) -> None:
    async with wecom_rig(domain, groups=False) as rig:
        bot = StuckBot(domain)
        handling = Handling(bot, concurrency=CONCURRENCY, backlog=BACKLOG)
        rig.callback.handling = handling

        answers = await asyncio.gather(*(rig.member.text(user, "你好") for user in STRANGERS))

        assert all(a is not None and a.status_code == 200 for a in answers)  # every one answered while stuck
        assert await InboundEvent.filter(status="received").count() == MESSAGES  # and stored before that
        assert handling.pending() <= BACKLOG + CONCURRENCY  # the rest waits in the database, not in memory
        assert bot.most_waiting <= CONCURRENCY  # no more handlers than the bound, however long the backlog
        assert await OutboxMessage.all().count() == 0

        # The sweeper (another loop, or another process) races the pool for the same rows once they are old.
        domain.clock.advance(UNHANDLED_AFTER + timedelta(seconds=1))
        bot.gate.set()
        await asyncio.gather(handling.drain(), sweep_inbound(Bot(domain), batch=MESSAGES // 2))
        await handling.drain()

        assert await InboundEvent.filter(status="handled").count() == MESSAGES
        assert sorted(await recipients()) == sorted(STRANGERS)  # one reply each: none lost, none twice


async def test_events_left_in_the_database_are_handled_in_arrival_order(org, domain) -> None:
    async with wecom_rig(domain, groups=False) as rig:
        bot = StuckBot(domain)
        handling = Handling(bot, concurrency=1, backlog=2)
        rig.callback.handling = handling
        for user in STRANGERS[:8]:  # one after another: their arrival order is known
            answer = await rig.member.text(user, "你好")
            assert answer is not None and answer.status_code == 200
        bot.gate.set()
        await handling.drain()
        assert await recipients() == STRANGERS[:8]


class _Outage:
    """core.models.InboundEvent as bot.handling sees it, its reads refused while `down` (a PostgreSQL restart)."""

    def __init__(self) -> None:
        self.down = False

    def filter(self, *args: object, **kwargs: object) -> object:
        if self.down:
            raise ConnectionRefusedError(111, "Connect call failed")
        return InboundEvent.filter(*args, **kwargs)


async def test_events_a_backlog_left_in_the_database_wait_out_an_outage_and_keep_their_order(
        org, domain, monkeypatch) -> None:
    async with wecom_rig(domain, groups=False) as rig:
        bot = StuckBot(domain)
        handling = Handling(bot, concurrency=1, backlog=2)
        rig.callback.handling = handling
        outage = _Outage()
        monkeypatch.setattr("bot.handling.InboundEvent", outage)
        for user in STRANGERS[:8]:  # one after another: their arrival order is known
            answer = await rig.member.text(user, "你好")
            assert answer is not None and answer.status_code == 200
        outage.down = True  # the queue in memory drains; reading back the rest finds the database away
        bot.gate.set()
        await handling.drain()
        assert await InboundEvent.filter(status="failed").count() == 0  # nothing given up on
        assert await InboundEvent.filter(status="received").count() == 8 - len(await recipients())
        assert len(await recipients()) < 8  # the outage did cut the handling off

        outage.down = False  # back: the next delivery brings the rest along, oldest first
        answer = await rig.member.text(STRANGERS[8], "你好")
        assert answer is not None and answer.status_code == 200
        await handling.drain()
        assert await recipients() == STRANGERS[:9]
        assert await InboundEvent.filter(status="handled").count() == 9
