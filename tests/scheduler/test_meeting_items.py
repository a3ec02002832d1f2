"""会商研判 议定事项 through the scheduler: the owner is reminded before the deadline and, once it has
passed, told (with the chair) — each once, however often the engine ticks."""

from __future__ import annotations

import pytest

from core import meetings
from core.enums import Platform
from core.meetings import MeetingKind
from core.models import GroupChat, MeetingItem
from scheduler.embedded import EmbeddedScheduler
from tests.bot.harness import Harness
from tests.conftest import cst, staff_id, who

W = Platform.WECOM


@pytest.fixture
async def h(org, domain) -> Harness:
    return Harness(domain)


async def tick(h: Harness) -> None:
    await EmbeddedScheduler(h.bot, h.registry).tick()


async def texts(h: Harness, name: str, marker: str) -> list[str]:
    return [s.text for s in await h.inbox(name) if s.text and marker in s.text]


async def _item(h: Harness, content: str = "拿出茶园村灌溉渠纠纷的调处方案") -> MeetingItem:
    leader = await who("韩卫国")
    opened = await meetings.open_meeting(h.domain, leader, MeetingKind.SPECIAL, h.domain.clock.now().date(),
                                         chair_id=await staff_id("韩卫国"), source=W)
    return await meetings.add_item(h.domain, leader, opened.meeting.id, content, await staff_id("赵敏"),
                                   cst(2026, 12, 4, 18), source=W)


async def test_owner_is_reminded_once_a_working_day_before_the_deadline(h: Harness, clock) -> None:
    await _item(h)
    clock.set(cst(2026, 12, 3, 17, 59))
    await tick(h)
    assert await texts(h, "赵敏", "议定事项提醒") == []
    clock.set(cst(2026, 12, 3, 18, 1))
    await tick(h)
    await tick(h)
    reminders = await texts(h, "赵敏", "议定事项提醒")
    assert len(reminders) == 1
    assert "专题调度会议定事项第 1 项:拿出茶园村灌溉渠纠纷的调处方案" in reminders[0]
    assert "2026年12月04日" in reminders[0]
    assert await texts(h, "韩卫国", "议定事项") == []  # the chair hears only of an overdue item


async def test_overdue_item_is_told_once_to_the_owner_and_the_chair_and_never_to_a_group(h: Harness, clock) -> None:
    await _item(h, "张三家院墙问题拿出方案,电话13812345678")
    clock.set(cst(2026, 12, 4, 18, 5))
    await tick(h)
    await tick(h)
    clock.set(cst(2026, 12, 5, 10, 0))
    await tick(h)
    owner = await texts(h, "赵敏", "议定事项逾期")
    chair = await texts(h, "韩卫国", "议定事项逾期")
    assert len(owner) == 1 and len(chair) == 1
    assert "责任人 赵敏" in chair[0] and "已超过完成时限" in owner[0]
    groups = {(await g.refs()).get("wecom") for g in await GroupChat.all()}
    assert not [s for s in h.channels[W].sent if s.to in groups and "议定事项" in s.text]


async def test_an_item_done_in_time_is_neither_reminded_nor_overdue(h: Harness, clock) -> None:
    item = await _item(h)
    await meetings.complete_item(h.domain, await who("赵敏"), item.id, "方案已报", source=W)
    clock.set(cst(2026, 12, 7, 10, 0))
    await tick(h)
    assert await texts(h, "赵敏", "议定事项") == []
    assert await texts(h, "韩卫国", "议定事项") == []
