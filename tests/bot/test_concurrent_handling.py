"""Messages from one person handled at the same time (a burst, a retry racing the sweeper): none is lost,
and they build one draft, not two."""

from __future__ import annotations

import asyncio

from bot.engine import Bot
from bot.types import Inbound
from core.enums import Platform
from core.models import Draft


async def test_a_burst_from_one_person_lands_in_one_draft_with_every_message(org, domain) -> None:
    bot = Bot(domain)
    texts = [f"邻居吵架,补充情况第{i}条" for i in range(20)]  # each describes a dispute: any may come first
    rows = []
    for i, text in enumerate(texts):
        inbound = Inbound(platform=Platform.WECOM, event_id=f"msg:{i}", sender="zhouxm",
                          received_at=domain.clock.now(), text=text)
        rows.append((await bot.record(inbound), inbound))
    await asyncio.gather(*(bot.handle(row_id, inbound) for row_id, inbound in rows if row_id is not None))
    drafts = await Draft.filter(status="open")
    assert len(drafts) == 1, [d.texts for d in drafts]
    assert sorted(drafts[0].texts) == sorted(texts)
