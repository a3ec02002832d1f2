"""预约调解 in chat: booking, clashes named, invitations with 参加/请假, the reminder, the outcome."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.models import MediationSession, SessionParticipant, Staff
from scheduler.embedded import EmbeddedScheduler
from tests.bot.harness import Harness
from tests.conftest import cst


@pytest.fixture
async def h(org, domain) -> Harness:
    harness = Harness(domain)
    await harness.say("周小梅", "两家因院墙滴水吵架")
    await harness.click("周小梅", "确认上报")
    await harness.click("林晓", "受理并交办")  # 赵敏 handles 2026-0001
    return harness


async def test_booking_invites_and_reminds(h: Harness, clock) -> None:
    seen = await h.say("赵敏", "预约 0001 11-25 14:00-16:00 第一调解室 何永和、刘老师 当事人:双方到场")
    assert any("已预约" in t and "第一调解室" in t for t in seen.texts)
    invite = await h.latest_card("何永和", kind="invite")
    assert invite is not None and [b.label for b in invite.card.buttons] == ["参加", "请假"]
    assert dict(invite.card.fields)["当事人"] == "双方到场"
    await h.click("刘老师", "请假")
    assert any("请假" in s.text for s in await h.inbox("赵敏"))
    await h.click("何永和", "参加")
    clock.set(cst(2026, 11, 25, 12, 1))
    await EmbeddedScheduler(h.bot, h.registry).tick()
    assert any("调解提醒" in s.text for s in await h.inbox("何永和"))
    assert not any("调解提醒" in s.text for s in await h.inbox("刘老师"))  # on leave
    clock.advance(timedelta(hours=5))
    seen = await h.say("赵敏", "调解结果 0001 达成协议 双方签字")
    assert any("达成协议" in t for t in seen.texts)
    session = await MediationSession.get()
    assert (session.status, session.outcome) == ("done", "agreement")


async def test_room_and_people_clashes_are_named_and_refused(h: Harness) -> None:
    await h.say("吴大伟", "两户因为养狗吵架")
    await h.click("吴大伟", "确认上报")
    await h.click("林晓", "受理并交办")  # 2026-0002, also 赵敏
    await h.say("赵敏", "预约 0001 11-25 14:00-16:00 第一调解室 何永和")
    seen = await h.say("赵敏", "预约 0002 11-25 15:00-17:00 第一调解室 孔凡东")
    assert any("第一调解室" in t and "2026-0001" in t for t in seen.texts), seen.texts
    seen = await h.say("赵敏", "预约 0002 11-25 15:00-17:00 第二调解室 何永和")
    assert any("何永和" in t and "2026-0001" in t for t in seen.texts)
    assert await MediationSession.all().count() == 1
    seen = await h.say("赵敏", "预约 0002 11-25 16:00-17:00 第二调解室 孔凡东")
    assert any("已预约" in t for t in seen.texts)


async def test_only_the_handlers_or_center_book(h: Harness) -> None:
    seen = await h.say("孙婷", "预约 0001 11-25 14:00-16:00 第一调解室 何永和")
    assert seen.texts and "权限" in seen.texts[0]
    assert await SessionParticipant.all().count() == 0
    seen = await h.say("赵敏", "预约 0001 11-25 14:00-16:00 会议室A 何永和")
    assert "可用调解室" in seen.texts[0]
    assert (await Staff.get(name="何永和")).active
