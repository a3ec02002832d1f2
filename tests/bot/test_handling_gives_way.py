"""The handling pool starts its next event only once nothing a person is waiting on is in progress on its event
loop: a platform's acknowledgement, or the sending of handled messages' answers."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime

import pytest

from bot import handling
from bot.handling import Handling, acknowledging, answering
from bot.types import Inbound
from core.enums import Platform


class Recorder:
    def __init__(self) -> None:
        self.handled: list[int] = []

    async def handle(self, row_id: int, inbound: Inbound) -> list[object]:
        self.handled.append(row_id)
        return []


async def _turns(n: int = 50) -> None:
    for _ in range(n):  # every ready task of the loop gets its turns
        await asyncio.sleep(0)


@pytest.mark.parametrize("urgent", [acknowledging, answering], ids=["an acknowledgement", "answers being sent"])
async def test_handling_starts_its_next_event_only_after_what_people_wait_on(
        urgent: Callable[[], AbstractContextManager[None]], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(handling, "YIELD_AT_MOST", 30.0)
    bot = Recorder()
    pool = Handling(bot, concurrency=1)  # type: ignore[arg-type]
    inbound = Inbound(platform=Platform.WECOM, event_id="e1", sender="u1", text="你好",
                      received_at=datetime.now(UTC))
    with urgent():
        pool.submit(1, inbound)
        await _turns()
        assert bot.handled == []  # it waits while that is in progress
    await asyncio.wait_for(pool.drain(), 10)
    assert bot.handled == [1]
