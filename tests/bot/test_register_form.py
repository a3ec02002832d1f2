"""登记表 from chat: a dispatcher or leader gets the case's 三级四步登记表 as a .docx, only for cases in scope."""

from __future__ import annotations

import base64
import io

import pytest
from docx import Document

from core.models import Case, Region
from tests.bot.harness import Harness


@pytest.fixture
async def h(org, domain) -> Harness:
    harness = Harness(domain)
    await harness.say("周小梅", "张三和李四两家因院墙滴水吵架")
    await harness.click("周小梅", "确认上报")
    await harness.click("林晓", "受理并交办")
    await Case.filter(number="2026-0001").update(parties=[{"name": "张三"}, {"name": "李四"}])
    return harness


def _text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    return "\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells])


async def _files(h: Harness, name: str) -> list[tuple[str, str]]:
    return [(s.file_name, _text(base64.b64decode(s.file_b64))) for s in await h.inbox(name) if s.file_name]


async def test_dispatcher_receives_the_register_form_as_a_docx_with_parties_masked(h: Harness) -> None:
    seen = await h.say("林晓", "登记表 0001")
    assert any("2026-0001" in t and "三级四步登记表" in t for t in seen.texts)
    files = await _files(h, "林晓")
    assert [f for f, _ in files] == ["三级四步登记表-2026-0001.docx"]
    text = files[0][1]
    for needle in ("矛盾纠纷调处三级四步登记表", "编号:2026-0001", "调处单位及时间", "院墙滴水"):
        assert needle in text, needle
    assert "张三" not in text and "张*" in text  # the center's default privacy setting: surname only


async def test_leader_in_scope_gets_it_and_an_officer_does_not(h: Harness) -> None:
    await h.say("唐志刚", "登记表 2026-0001")
    assert len(await _files(h, "唐志刚")) == 1
    seen = await h.say("赵敏", "登记表 0001")
    assert seen.texts == ["登记表由中心调度员或领导调阅"] and await _files(h, "赵敏") == []


async def test_a_case_outside_the_leaders_township_is_refused_like_a_missing_one(h: Harness) -> None:
    district = await Region.get(name="西溪区")
    await Case.filter(number="2026-0001").update(region_id=district.id, handling_region_id=district.id)
    outside = await h.say("唐志刚", "登记表 0001")
    missing = await h.say("唐志刚", "登记表 0099")
    assert outside.texts == ["找不到案件 2026-0001,或您无权查看"]
    assert missing.texts == ["找不到案件 2026-0099,或您无权查看"]
    assert await _files(h, "唐志刚") == []


async def test_without_a_number_the_format_is_shown_and_nothing_is_registered(h: Harness) -> None:
    seen = await h.say("林晓", "登记表")
    assert seen.texts == ["请在「登记表」后写案件编号,如:登记表 0042"]
    assert await Case.all().count() == 1  # not taken as a 一窗受理 登记


async def test_help_names_the_command_for_dispatchers(h: Harness) -> None:
    seen = await h.say("林晓", "帮助")
    assert sum("「登记表 0042」" in t for t in seen.texts) == 1
