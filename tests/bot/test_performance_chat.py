"""协议履行 from chat: the mediator, the assignee or the center records how the agreement was performed; it
shows in the 人民调解台账 and the 卷宗, masked as each says; anyone else is refused and nothing changes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.reports.ledger import ledger_row
from core.models import AuditEvent, Case
from core.privacy import WITHHELD
from core.reports import casefile
from core.reports.mediation_ledger import entries
from tests.bot.harness import Harness

NUMBER = "2026-0001"


@pytest.fixture
async def h(org, domain) -> Harness:
    harness = Harness(domain)
    await harness.say("周小梅", "张三和李四两家因院墙滴水吵架")
    await harness.click("周小梅", "确认上报")
    await harness.click("林晓", "受理并交办")
    await Case.filter(number=NUMBER).update(parties=[{"name": "张三"}, {"name": "李四"}])
    return harness


async def _row(h: Harness, mode: str = "full", outside: bool = False) -> list[object]:
    now = h.domain.clock.now()
    [entry] = await entries(now - timedelta(days=30), now + timedelta(days=1))
    return ledger_row(entry, mode, outside=outside)


async def test_assignee_records_performance_and_it_shows_in_the_ledger_and_the_casefile(h: Harness) -> None:
    seen = await h.say("赵敏", "履行 0001 已履行 李四已赔偿张三修墙款800元")
    assert seen.texts == [f"已登记案件 {NUMBER} 的协议履行情况:已履行"]
    case = await Case.get(number=NUMBER)
    assert case.performance == "performed"
    assert (await _row(h))[10] == "已履行:李四已赔偿张三修墙款800元"
    assert (await _row(h, "surname"))[10] == "已履行:李*已赔偿张*修墙款800元"  # the ledger's privacy setting
    steps = [(s.action, s.note) for s in (await casefile.build(case)).steps]
    assert ("登记协议履行", "已履行:李四已赔偿张三修墙款800元") in steps


async def test_a_recorded_mediator_may_record_it_and_an_unrelated_officer_may_not(h: Harness) -> None:
    refused = await h.say("何永和", "履行 0001 部分履行")
    assert refused.texts == [f"只有案件 {NUMBER} 的调解员、承办人或中心可以登记协议履行情况"]
    assert (await Case.get(number=NUMBER)).performance is None
    await h.say("赵敏", "调解记录 0001 调解员 何永和")
    seen = await h.say("何永和", "履行 0001 部分履行,首期已付")
    assert seen.texts == [f"已登记案件 {NUMBER} 的协议履行情况:部分履行"]
    other = await h.say("孙婷", "履行 0001 已履行")
    assert other.texts == [f"只有案件 {NUMBER} 的调解员、承办人或中心可以登记协议履行情况"]
    assert (await Case.get(number=NUMBER)).performance == "partial"


async def test_the_same_state_again_is_news_only_with_a_note(h: Harness) -> None:
    await h.say("林晓", "履行 0001 部分履行 首期已付")
    again = await h.say("林晓", "履行 0001 部分履行")
    assert again.texts == [f"案件 {NUMBER} 的协议履行情况已是「部分履行」"]
    later = await h.say("林晓", "履行 0001 部分履行 第二期已付")
    assert later.texts == [f"已登记案件 {NUMBER} 的协议履行情况:部分履行"]
    assert await AuditEvent.filter(action="record_performance").count() == 2
    assert (await _row(h))[10] == "部分履行:第二期已付"  # the latest record


async def test_outside_the_center_a_sensitive_cases_note_is_withheld(h: Harness) -> None:
    await h.say("赵敏", "履行 0001 未履行 张三拒绝支付")
    await Case.filter(number=NUMBER).update(flags=["sensitive"])
    assert (await _row(h, "hidden", outside=True))[10] == f"未履行:{WITHHELD}"


@pytest.mark.parametrize(("text", "answer"), [
    ("履行 0001 差不多吧", "格式:履行 0042 已履行"),
    ("履行 0001", "格式:履行 0042 已履行"),
    ("履行 0099 已履行", "找不到案件 2026-0099"),
    ("履行 0001 已履行 " + "款" * 2001, "履行情况说明过长"),
])
async def test_what_cannot_be_recorded_is_answered_and_changes_nothing(h: Harness, text: str, answer: str) -> None:
    seen = await h.say("赵敏", text)
    assert len(seen.texts) == 1 and seen.texts[0].startswith(answer), seen.texts
    assert (await Case.get(number=NUMBER)).performance is None
    assert await AuditEvent.filter(action="record_performance").count() == 0


async def test_help_names_the_command_for_officers(h: Harness) -> None:
    seen = await h.say("赵敏", "帮助")
    assert sum("「履行 0042 已履行" in t for t in seen.texts) == 1
