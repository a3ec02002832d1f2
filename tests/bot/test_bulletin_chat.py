"""通报 from chat: a leader or the center gets a month's 考核通报 as a .docx by direct message; others are refused,
and a report that merely starts with 通报 is still a report."""

from __future__ import annotations

import base64
import io

import pytest
from docx import Document

from core.models import Case
from tests.bot.harness import Harness


@pytest.fixture
async def h(org, domain) -> Harness:
    harness = Harness(domain)
    await harness.say("周小梅", "张三和李四两家因院墙滴水吵架")
    await harness.click("周小梅", "确认上报")
    await harness.click("林晓", "受理并交办")
    await Case.filter(number="2026-0001").update(parties=[{"name": "张三"}, {"name": "李四"}])
    return harness


async def _files(h: Harness, name: str) -> list[tuple[str, str]]:
    out = []
    for s in await h.inbox(name):
        if s.file_name:
            doc = Document(io.BytesIO(base64.b64decode(s.file_b64)))
            text = [p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells]
            out.append((s.file_name, "\n".join(text)))
    return out


async def test_a_leader_gets_this_months_bulletin_without_party_names(h: Harness) -> None:
    seen = await h.say("韩卫国", "通报 本月")
    assert seen.texts == ["2026年11月考核通报随后以文件发送给您"]
    [(name, text)] = await _files(h, "韩卫国")
    assert name.startswith("考核通报-") and name.endswith(".docx")
    assert "通报" in text and "张三" not in text and "李四" not in text


@pytest.mark.parametrize(("text", "month"), [("通报", "2026年10月"), ("考核通报 上月", "2026年10月"),
                                             ("通报 2026年9月", "2026年9月"), ("通报 9月", "2026年9月")])
async def test_the_month_is_read_the_way_people_write_it(h: Harness, text: str, month: str) -> None:
    seen = await h.say("林晓", text)
    assert seen.texts == [f"{month}考核通报随后以文件发送给您"] and len(await _files(h, "林晓")) == 1


async def test_a_month_not_yet_begun_and_an_officer_are_refused(h: Harness) -> None:
    later = await h.say("林晓", "通报 2027年1月")
    assert later.texts == ["请写要调阅的月份,如「通报 上月」「通报 2026年11月」(尚未开始的月份没有通报)"]
    officer = await h.say("赵敏", "通报 上月")
    assert officer.texts == ["考核通报由中心和领导调阅"]
    assert await _files(h, "林晓") == [] and await _files(h, "赵敏") == []


async def test_a_report_that_starts_with_tongbao_is_still_a_report(h: Harness) -> None:
    before = await h.latest_card("周小梅", with_button="确认上报")
    seen = await h.say("周小梅", "通报一下,荷花村两户因宅基地界址吵起来了")
    assert not any("考核通报" in t for t in seen.texts) and await _files(h, "周小梅") == []
    draft = await h.latest_card("周小梅", with_button="确认上报")
    assert draft is not None and draft is not before  # a new draft to confirm, as for any report
