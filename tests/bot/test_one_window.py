"""一窗受理 and 首问责任制: what reaches the center itself is registered in chat with its real source, and
the clerk who took it is its 首问责任人 on every card."""

from __future__ import annotations

import pytest

from core.enums import CaseSource
from core.models import Case
from tests.bot.harness import Harness


@pytest.fixture
async def h(org, domain) -> Harness:
    return Harness(domain)


@pytest.mark.parametrize(("word", "source"), [
    ("来电", CaseSource.PHONE), ("来访", CaseSource.WALK_IN), ("窗口来访", CaseSource.WALK_IN),
    ("信访", CaseSource.PETITION), ("上级交办", CaseSource.REFERRAL), ("12345", CaseSource.HOTLINE_12345),
])
async def test_a_registered_matter_keeps_its_source_and_its_first_receiver(
        h: Harness, word: str, source: CaseSource) -> None:
    seen = await h.say("林晓", f"登记 {word} 荷花村 张三反映邻居在过道堆放杂物,多次协商不成")
    case = await Case.get()
    assert case.source == source.value and case.first_receiver_id is not None
    assert any(case.number in t and "首问责任人:林晓" in t for t in seen.texts)
    center = await h.latest_card("林晓", kind="center")
    assert center is not None and dict(center.card.fields)["首问责任人"] == "林晓"
    assert dict(center.card.fields)["来源"] == source.label
    assert [b.label for b in center.card.buttons][:2] == ["受理并交办", "改派"]


async def test_the_first_receiver_stays_when_another_dispatcher_accepts(h: Harness) -> None:
    await h.say("邓华", "登记 来电 荷花村 李四反映邻居装修噪音扰民")  # the district took the call
    await h.click("林晓", "受理并交办")  # the township that holds the case accepts it
    card = await h.latest_card("林晓", kind="center")
    assert card is not None and dict(card.card.fields)["首问责任人"] == "邓华"


async def test_a_chat_report_names_whoever_accepted_it_as_first_receiver(h: Harness) -> None:
    await h.say("周小梅", "三组老王和老赵因为过道宽窄吵了好几天")
    await h.click("周小梅", "确认上报")
    await h.click("林晓", "受理并交办")
    card = await h.latest_card("林晓", kind="center")
    assert card is not None and dict(card.card.fields)["首问责任人"] == "林晓" and "来源" not in dict(card.card.fields)


@pytest.mark.parametrize(("text", "said"), [
    ("登记", "登记 来源 地点 内容"),
    ("登记 路过 荷花村 有人吵架", "登记 来源 地点 内容"),
    ("登记 来电", "登记 来源 地点 内容"),
    ("登记 来电 张三反映邻居吵架", "没有识别出纠纷发生的村/社区或网格"),
])
async def test_an_incomplete_registration_explains_and_registers_nothing(h: Harness, text: str, said: str) -> None:
    seen = await h.say("林晓", text)
    assert any(said in t for t in seen.texts) and await Case.all().count() == 0


async def test_a_grid_worker_cannot_register_for_the_center(h: Harness) -> None:
    seen = await h.say("周小梅", "登记 来电 荷花村 张三反映邻居吵架")
    assert any("只有中心工作人员" in t for t in seen.texts) and await Case.all().count() == 0


async def test_help_tells_center_staff_how_to_register(h: Harness) -> None:
    seen = await h.say("林晓", "帮助")
    assert any("登记 来源 地点 内容" in t for t in seen.texts)
    seen = await h.say("周小梅", "帮助")
    assert not any("登记 来源" in t for t in seen.texts)
