"""信访代办: the center names an agent with a feedback deadline; reminders; feedback; overdue goes to 督办."""

from __future__ import annotations

import pytest

from core.models import Case
from scheduler.embedded import EmbeddedScheduler
from tests.bot.harness import Harness
from tests.conftest import cst


@pytest.fixture
async def h(org, domain) -> Harness:
    harness = Harness(domain)
    await harness.say("周小梅", "村民对拆迁补偿不满,多次到区里反映")
    await harness.click("周小梅", "确认上报")
    return harness


async def texts(h: Harness, name: str) -> list[str]:
    return [s.text for s in await h.inbox(name) if s.text]


async def test_agent_deadline_reminder_and_feedback(h: Harness, clock) -> None:
    seen = await h.say("林晓", "代办 0001 宋涛 5天")
    assert any("信访代办员 宋涛" in t and "2026-11-30 18:00" in t for t in seen.texts)
    assert any("您被指定为案件 2026-0001 的信访代办员" in t for t in await texts(h, "宋涛"))
    clock.set(cst(2026, 11, 26, 18, 1))  # two working days before the deadline
    await EmbeddedScheduler(h.bot, h.registry).tick()
    assert any("代办提醒" in t for t in await texts(h, "宋涛"))
    assert "不是案件" in (await h.say("赵敏", "代办反馈 0001 乱填")).texts[0]
    await h.say("宋涛", "代办反馈 0001 已向群众反馈区征收办的答复:按标准补足差额")
    case = await Case.get(number="2026-0001")
    assert case.proxy_due_at is None and "补足差额" in case.proxy_feedback
    assert any("代办员已反馈" in t for t in await texts(h, "林晓"))
    clock.set(cst(2026, 12, 1, 10, 0))
    await EmbeddedScheduler(h.bot, h.registry).tick()
    assert not any("代办反馈已逾期" in t for t in await texts(h, "宋涛"))


async def test_no_feedback_by_the_deadline_goes_to_supervision(h: Harness, clock) -> None:
    await h.say("林晓", "代办 0001 宋涛 3天")
    clock.set(cst(2026, 11, 26, 18, 5))
    await EmbeddedScheduler(h.bot, h.registry).tick()
    assert any("代办反馈已逾期" in t for t in await texts(h, "宋涛"))
    assert (await Case.get(number="2026-0001")).supervised_at is not None
    assert any("信访代办反馈逾期" in t for t in await texts(h, "韩卫国"))


async def test_only_petition_agents_and_center(h: Harness) -> None:
    assert "不是信访代办员" in (await h.say("林晓", "代办 0001 赵敏")).texts[0]
    assert "权限" in (await h.say("赵敏", "代办 0001 宋涛")).texts[0]
