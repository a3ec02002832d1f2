"""领导接访 / 下访 in chat on both platforms: the org file's weekly reception and one arranged in chat, 预约接访
up to the limit (the citizen's name masked for everyone but the leader and the center), the leader's reminders
the day before and that morning with who is booked, 带件下访 telling the cases' handlers, and 接访结果 in the
case's 查询 and 卷宗."""

from __future__ import annotations

from datetime import date

import pytest

from core.enums import Platform
from core.models import AuditEvent, Case, GroupChat, Reception, ReceptionItem
from core.reports import casefile
from scheduler.embedded import EmbeddedScheduler
from tests.bot.harness import Harness
from tests.conftest import cst

D, W = Platform.DINGTALK, Platform.WECOM


@pytest.fixture
async def h(org, domain) -> Harness:
    harness = Harness(domain)
    await harness.say("周小梅", "村民反映土地征收补偿款未发放到位")
    await harness.click("周小梅", "确认上报")
    await harness.click("林晓", "受理并交办")  # 2026-0001, handled by 钱伟 of 自然资源所
    return harness


def texts(sent: list) -> list[str]:
    return [s.text for s in sent if s.text]


async def test_weekly_reception_booked_and_leader_reminded_eve_and_morning(h: Harness, clock) -> None:
    seen = await h.say("林晓", "接访", D)
    assert any("11月25日(周三)上午 韩卫国 茶园乡矛调中心" in t and "已预约 0/10 人" in t for t in seen.texts), seen.texts
    seen = await h.say("林晓", "预约接访 11月25日 韩卫国 张某某 土地补偿款未到位 0001", D)
    assert any("已预约接访" in t and "2026-0001" in t for t in seen.texts), seen.texts
    seen = await h.say("林晓", "接访", W)
    assert any("张某某:土地补偿款未到位" in t for t in seen.texts)  # the center sees the name
    seen = await h.say("林晓", "接访", W, is_group=True, conversation="group-1")
    assert not any("张某某" in t for t in seen.texts) and any("张**" in t for t in seen.texts)  # never in a group
    seen = await h.say("赵敏", "接访")
    assert not any("张某某" in t for t in seen.texts) and any("张**" in t for t in seen.texts), seen.texts
    assert not any("张某某" in str(e.after) for e in await AuditEvent.all())  # the trail keeps the surname only

    engine = EmbeddedScheduler(h.bot, h.registry)
    clock.set(cst(2026, 11, 24, 16, 1))
    await engine.tick()
    await engine.tick()
    eve = [t for t in texts(await h.inbox("韩卫国")) if "【接访提醒】明天" in t]
    assert len(eve) == 1 and "张某某:土地补偿款未到位" in eve[0] and "2026-0001" in eve[0], eve
    clock.set(cst(2026, 11, 25, 7, 31))
    await engine.tick()
    await engine.tick()
    morning = [t for t in texts(await h.inbox("韩卫国")) if "【接访提醒】今天" in t]
    assert len(morning) == 1 and "已预约 1 人" in morning[0]
    clock.set(cst(2026, 11, 25, 9, 0))
    await engine.tick()
    chat = (await (await GroupChat.get(name="茶园乡矛调工作群")).refs())["wecom"]
    roster = next(s.text for s in h.channels[W].sent if s.to == chat and "11月25日" in (s.text or ""))
    assert "【今日领导接访】11月25日(周三)上午 韩卫国 茶园乡矛调中心,已预约 1 人" in roster, roster
    assert not any("张某某" in (s.text or "") for s in h.channels[W].sent if s.to == chat)
    assert not any("张某某" in t for t in texts(await h.inbox("赵敏")))


async def test_reception_arranged_in_chat_takes_bookings_up_to_its_limit(h: Harness) -> None:
    seen = await h.say("林晓", "接访安排 唐志刚 11月26日下午 矛调中心 限1人", W)
    assert any("已安排领导接访" in t and "11月26日(周四)下午 唐志刚 矛调中心" in t for t in seen.texts), seen.texts
    await h.say("林晓", "预约接访 11月26日 唐志刚 李某 宅基地纠纷", W)
    seen = await h.say("唐志刚", "约访 11月26日 唐志刚 王某 邻里纠纷", D)  # a leader books one himself
    assert any("已约满" in t for t in seen.texts), seen.texts
    assert await ReceptionItem.filter(reception__leader__name="唐志刚").count() == 1
    seen = await h.say("赵敏", "预约接访 11月26日 唐志刚 王某 邻里纠纷")
    assert any("中心" in t for t in seen.texts) and await ReceptionItem.filter(citizen="王某").count() == 0
    seen = await h.say("林晓", "接访安排 唐志刚 11月26日下午 二楼接待室")
    assert any("已有安排" in t for t in seen.texts)
    seen = await h.say("林晓", "接访安排 唐志刚 2026-11-20 矛调中心")
    assert any("日期已过" in t for t in seen.texts)
    seen = await h.say("林晓", "接访安排 唐志刚 1月6日上午 矛调中心")  # in November: next January
    assert any("1月6日(周三)上午 唐志刚" in t for t in seen.texts), seen.texts
    seen = await h.say("林晓", "预约接访 11月27日 唐志刚 王某 邻里纠纷")
    assert any("没有这位领导的接访安排" in t for t in seen.texts)

    seen = await h.say("赵敏", "取消接访 11月26日下午 唐志刚")
    assert any("取消接访由" in t for t in seen.texts)
    seen = await h.say("韩卫国", "取消接访 11月26日下午 唐志刚")  # a leader of the center
    assert any("已取消接访" in t and "涉及 1 项" in t for t in seen.texts), seen.texts
    told = [t for t in texts(await h.inbox("林晓")) if "【接访取消】" in t]  # who booked 李某, to tell her
    assert len(told) == 1 and "11月26日(周四)下午 唐志刚" in told[0] and "李某" not in told[0]
    r = await Reception.get(leader__name="唐志刚", day=date(2026, 11, 26))
    assert (r.status, r.remind_eve_at, r.remind_day_at) == ("cancelled", None, None)
    seen = await h.say("林晓", "接访")
    assert not any("唐志刚" in t for t in seen.texts)


async def test_visit_with_cases_tells_handlers_and_outcome_reaches_query_and_casefile(h: Harness, clock) -> None:
    seen = await h.say("韩卫国", "下访 11月23日 荷花村 带件 0001", D)
    assert any("已安排下访" in t and "2026-0001" in t for t in seen.texts), seen.texts
    told = [t for t in texts(await h.inbox("钱伟")) if "【带件下访】" in t]
    assert len(told) == 1 and "2026-0001" in told[0] and "韩卫国" in told[0]
    seen = await h.say("韩卫国", "下访 11月23日 荷花村 带件 0001", W)
    assert any("没有新增案件" in t for t in seen.texts)
    assert len([t for t in texts(await h.inbox("钱伟")) if "【带件下访】" in t]) == 1
    assert not any("【带件下访】" in t for t in texts(await h.inbox("赵敏")))

    seen = await h.say("孙婷", "接访结果 0001 不是我的")
    assert seen.texts and "接访结果由" in seen.texts[0]
    seen = await h.say("韩卫国", "接访结果 0001 领导当场答复补偿标准,群众表示理解", W)
    assert any("已记录案件 2026-0001 的领导下访结果" in t for t in seen.texts), seen.texts
    seen = await h.say("林晓", "查询 0001")
    assert any("领导下访:11月23日(周一)全天 韩卫国 荷花村(结果:领导当场答复补偿标准" in t for t in seen.texts), seen.texts
    made = await casefile.build(await Case.get(number="2026-0001"))
    assert [s.action for s in made.steps if s.action in ("带件下访", "领导接访结果")] == ["带件下访", "领导接访结果"]
    seen = await h.say("韩卫国", "接访结果 0001 再来一次")
    assert any("没有已举行、尚未登记结果" in t for t in seen.texts)
    assert await Reception.filter(kind="visit").count() == 1
