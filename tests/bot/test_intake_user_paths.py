"""What a grid worker and the center see of the new intake: counts in words, negations, typos, the new
categories, and numbers that never reach a copied-in reader in any format."""

from __future__ import annotations

import pytest

from core.masking import digits_of
from core.models import Case, Task
from tests.bot.harness import Harness
from tests.bot.test_scenarios import fields

pytestmark = pytest.mark.db


@pytest.fixture
async def h(org, domain) -> Harness:
    return Harness(domain)


async def test_vague_counts_in_words_make_the_case_major_and_a_group(h: Harness) -> None:
    seen = await h.say("周小梅", "因为征地补偿标准太低四十几户村民聚集在村委会门口")
    draft = fields(seen.cards[-1])
    assert draft["类别"] == "征地拆迁" and draft["等级"] == "重大(群体性、涉稳)" and draft["人数"] == "41人"


async def test_a_denied_fight_stays_general(h: Harness) -> None:
    seen = await h.say("周小梅", "两户村民因为院墙吵了几句，双方没有动手，暂无人员受伤")
    draft = fields(seen.cards[-1])
    assert draft["类别"] == "邻里纠纷" and draft["等级"] == "一般"


async def test_a_typo_from_pinyin_input_is_read_as_meant(h: Harness) -> None:
    seen = await h.say("周小梅", "昏姻问题，女方要求离昏，男方不同意")
    assert fields(seen.cards[-1])["类别"] == "婚姻家庭"


async def test_food_poisoning_goes_to_market_supervision(h: Harness) -> None:
    await h.say("周小梅", "在镇上饭店吃了凉拌菜，回家以后全家拉肚子")
    await h.click("周小梅", "确认上报")
    await h.click("林晓", "受理并交办")
    case = await Case.get(number="2026-0001")
    task = await Task.get(case_id=case.id)
    assert case.category == "food_safety" and (await task.department).name == "市场监管所"


async def test_a_phone_in_chinese_numerals_and_a_spaced_id_never_reach_a_card(h: Harness) -> None:
    text = "村民李某电话一三八 一二三四 五六七八，身份证 330502 19900101 123X，反映邻居家漏水"
    await h.say("周小梅", text)
    await h.click("周小梅", "确认上报")
    await h.click("林晓", "受理并交办")
    cc = await h.latest_card("唐志刚", kind="cc")
    assert cc is not None
    content = fields(cc)["内容"]
    assert "1234" not in digits_of(content) and "19900101" not in digits_of(content)
    task = await h.latest_card("赵敏", kind="task")
    assert task is not None and "1234" not in digits_of(fields(task)["诉求内容"])  # the case page shows it in full
