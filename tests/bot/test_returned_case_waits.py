"""退回补充 never leaves a case stranded: after the 24 h the bot waits for a reply, the reporter can still add to
the case with 补充 0001 …; when they have not answered within the 受理 time limit, they are reminded (and the bot
waits for their reply again) and the center is told the case is still waiting on them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.enums import CaseStatus
from core.models import Case
from scheduler.embedded import EmbeddedScheduler
from tests.bot.harness import Harness


@pytest.fixture
async def h(org, domain) -> Harness:
    return Harness(domain)


async def _returned(h: Harness) -> Case:
    await h.say("周小梅", "三组两户因为院墙滴水吵了好几次")
    await h.click("周小梅", "确认上报")
    await h.click("林晓", "退回补充")
    await h.say("林晓", "请说明当事人和起因")
    return await Case.get(number="2026-0001")


async def test_the_reporter_adds_with_a_command_days_after_the_bot_stopped_waiting(h: Harness, clock) -> None:
    await _returned(h)
    clock.advance(timedelta(days=3))
    seen = await h.say("周小梅", "补充 0001 老王和老李,起因是院墙滴水")
    assert any("已补充并重新提交" in t for t in seen.texts), seen.texts
    case = await Case.get(number="2026-0001")
    assert case.status == CaseStatus.REPORTED and "院墙滴水" in case.content


async def test_someone_else_cannot_add_to_the_reporters_case(h: Harness) -> None:
    await _returned(h)
    seen = await h.say("林晓", "补充 0001 随便写点")
    assert not any("已补充" in t for t in seen.texts), seen.texts
    assert (await Case.get(number="2026-0001")).status == CaseStatus.RETURNED


async def test_an_unanswered_return_reminds_the_reporter_once_and_tells_the_center(h: Harness, clock) -> None:
    case = await _returned(h)
    reporter, center = h.mark("周小梅"), h.mark("林晓")
    clock.advance(timedelta(days=2))
    await EmbeddedScheduler(h.bot, h.registry).tick()
    await h.flush()
    told = (await h.since("周小梅", reporter)).texts
    assert any(f"补充 {case.number[-4:]}" in t and "请说明当事人和起因" in t for t in told), told
    assert any(case.number in t and "尚未补充" in t for t in (await h.since("林晓", center)).texts)
    again = h.mark("周小梅")
    await EmbeddedScheduler(h.bot, h.registry).tick()
    await h.flush()
    assert not (await h.since("周小梅", again)).texts  # once, not every tick
    await h.say("周小梅", "老王和老李,起因是院墙滴水")  # the reminder waits for the reply again
    assert (await Case.get(number="2026-0001")).status == CaseStatus.REPORTED
