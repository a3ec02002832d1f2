"""每周排查 and 专项排查 through chat and the scheduler: the prompt at the org file's day and time (once, however
many engines tick), 零报告 and findings that go on to a report, one reminder, then the unanswered listed for
their village and the center; campaigns a leader starts for an area."""

from __future__ import annotations

import re

import pytest

from core.enums import Platform
from core.models import Case, GroupChat, Screening
from core.org_import import import_org
from scheduler.embedded import EmbeddedScheduler
from tests.bot.harness import Harness
from tests.conftest import DEMO_ORG, cst

GRID_WORKERS = ("周小梅", "吴大伟", "郑丽", "冯建", "陈秀英")


@pytest.fixture
async def h(org, domain) -> Harness:
    return Harness(domain)


async def tick(h: Harness) -> None:
    await EmbeddedScheduler(h.bot, h.registry).tick()


async def texts(h: Harness, name: str, marker: str) -> list[str]:
    return [s.text for s in await h.inbox(name) if s.text and marker in s.text]


async def group_texts(h: Harness) -> list[str]:
    refs = set()
    for g in await GroupChat.all():
        refs |= set((await g.refs()).values())
    return [s.text for ch in h.channels.values() for s in ch.sent if s.to in refs and s.text]


async def test_every_grid_worker_is_prompted_once_on_monday_morning_by_any_number_of_engines(h: Harness, clock) -> None:
    clock.set(cst(2026, 11, 23, 8, 59))
    await tick(h)
    assert await texts(h, "周小梅", "排查提醒") == []
    clock.set(cst(2026, 11, 23, 9, 0))
    await tick(h)
    await EmbeddedScheduler(h.bot, h.registry).tick()  # a second engine
    for name in GRID_WORKERS:
        prompts = await texts(h, name, "排查提醒")
        assert len(prompts) == 1, name
        assert "11月23日当周矛盾纠纷排查" in prompts[0] and "11-25 18:00" in prompts[0]
    assert await texts(h, "何永和", "排查提醒") == []  # a village mediator is not prompted
    assert await texts(h, "林晓", "排查提醒") == []


async def test_zero_report_and_a_finding_that_becomes_a_report(h: Harness, clock) -> None:
    await tick(h)
    assert "零报告" in (await h.say("周小梅", "零报告")).texts[0]
    assert "无需重复" in (await h.say("周小梅", "零报告")).texts[0]
    seen = await h.say("吴大伟", "排查 荷花村第二网格两户因排水沟堵塞发生争吵", Platform.WECOM)
    assert any("发现第 1 条" in t for t in seen.texts)
    assert seen.cards and seen.cards[-1].card.kind == "draft"  # type: ignore[union-attr]
    await h.click("吴大伟", "确认上报")
    assert await Case.filter(content__contains="排水沟堵塞").count() == 1
    seen = await h.say("郑丽", "零报告", Platform.DINGTALK)
    assert "已记录" in seen.texts[0]
    rows = {s.staff_id: s for s in await Screening.all().prefetch_related("staff")}
    by_name = {s.staff.name: s.status for s in rows.values()}
    assert by_name == {"周小梅": "zero", "吴大伟": "found", "郑丽": "zero", "冯建": "open", "陈秀英": "open"}


async def test_the_unanswered_are_reminded_once_then_listed_for_village_and_center_never_in_groups(
        h: Harness, clock) -> None:
    await tick(h)
    await h.say("周小梅", "零报告")
    await h.say("吴大伟", "排查 两户因排水沟堵塞发生争吵")
    clock.set(cst(2026, 11, 24, 18, 1))  # one working day after the prompt
    await tick(h)
    await tick(h)
    assert await texts(h, "周小梅", "排查催报") == []
    for name in ("郑丽", "冯建", "陈秀英"):
        assert len(await texts(h, name, "排查催报")) == 1, name
    await h.say("冯建", "零报告")
    clock.set(cst(2026, 11, 25, 18, 1))
    await tick(h)
    await tick(h)
    assert len(await texts(h, "郑丽", "排查逾期")) == 1
    assert await texts(h, "冯建", "排查逾期") == []
    village = await texts(h, "许桂兰", "排查未报")
    assert len(village) == 1 and "桂香村第一网格(网格员 郑丽)" in village[0] and "陈秀英" not in village[0]
    assert "陈秀英" in (await texts(h, "孔凡东", "排查未报"))[0]
    assert await texts(h, "何永和", "排查未报") == []  # every grid of 荷花村 answered
    center = await texts(h, "林晓", "排查未报")
    assert len(center) == 1
    assert "应报 5 个网格,已报 3 个(零报告 2,有发现 1),未报 2 个,报送率 60.0%" in center[0]
    assert not [t for t in await group_texts(h) if "排查" in t]
    assert "没有待报送" in (await h.say("郑丽", "零报告", Platform.DINGTALK)).texts[0]  # closed: nothing recorded
    assert (await Screening.get(staff__name="郑丽")).status == "missed"


async def test_the_org_file_sets_the_day_and_time(h: Harness, clock) -> None:
    text = re.sub(r"(?m)^screening: .*$", 'screening: {day: 周三, time: "14:30", answer_within: 1w}',
                  DEMO_ORG.read_text(encoding="utf-8"))
    assert "周三" in text
    await import_org(text)
    await tick(h)
    assert await texts(h, "周小梅", "排查提醒") == []
    clock.set(cst(2026, 11, 25, 14, 31))
    await tick(h)
    prompt = await texts(h, "周小梅", "排查提醒")
    assert len(prompt) == 1 and "11-26 18:00" in prompt[0]


async def test_a_leader_starts_a_campaign_for_an_area_and_every_grid_worker_there_must_answer(
        h: Harness, clock) -> None:
    clock.set(cst(2026, 11, 23, 8, 0))  # before the weekly prompt
    seen = await h.say("韩卫国", "发起专项排查 山塘水库周边矛盾隐患 荷花村 3天")
    assert "2 名网格员" in seen.texts[0] and "11-25 18:00" in seen.texts[0]
    number = re.search(r"编号 (\d+)", seen.texts[0]).group(1)  # type: ignore[union-attr]
    assert len(await texts(h, "周小梅", f"专项排查 {number} 零报告")) == 1
    assert len(await texts(h, "吴大伟", "山塘水库")) == 1
    assert await texts(h, "郑丽", "山塘水库") == []
    assert "零报告" in (await h.say("周小梅", "零报告")).texts[0]  # the only open round
    clock.set(cst(2026, 11, 24, 18, 1))  # a day before the end
    await tick(h)
    assert len(await texts(h, "吴大伟", "排查催报")) == 1
    clock.set(cst(2026, 11, 25, 18, 1))
    await tick(h)
    result = await texts(h, "韩卫国", "排查结果")
    assert len(result) == 1 and "应报 2 个网格,已报 1 个" in result[0] and "吴大伟" in result[0]


async def test_only_leaders_start_campaigns_and_bad_words_change_nothing(h: Harness) -> None:
    assert "只有领导" in (await h.say("周小梅", "发起专项排查 山塘水库 荷花村 3天")).texts[0]
    assert "格式" in (await h.say("韩卫国", "发起专项排查 山塘水库")).texts[0]
    assert "找不到地点" in (await h.say("韩卫国", "发起专项排查 山塘水库 月亮村 3天")).texts[0]
    assert "1 到 60 天" in (await h.say("韩卫国", "发起专项排查 山塘水库 荷花村 99天")).texts[0]
    assert await Screening.all().count() == 0
    seen = await h.say("赵敏", "排查 山塘水库有隐患")  # an officer has no screening: not taken for a report
    assert "没有待报送" in seen.texts[0] and not seen.cards


async def test_help_tells_grid_workers_and_leaders_how_to_answer_and_start(h: Harness) -> None:
    assert "「零报告」" in (await h.say("周小梅", "帮助")).texts[0]
    assert "发起专项排查 主题 区域 期限" in (await h.say("韩卫国", "帮助")).texts[0]


async def test_a_one_day_campaign_is_not_reminded_at_once(h: Harness, clock) -> None:
    await h.say("韩卫国", "发起专项排查 节前安全隐患 桂香村 1天")
    await tick(h)
    assert len(await texts(h, "郑丽", "节前安全隐患")) == 1  # the prompt only
    assert await texts(h, "郑丽", "排查催报") == []
