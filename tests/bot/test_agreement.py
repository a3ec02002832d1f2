"""调解协议书 and 司法确认申请书: generated from chat, kept with the case, delivered as a file."""

from __future__ import annotations

import base64
import io

import pytest
from docx import Document

from core.models import Case, CaseDocument
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
    return "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)


async def test_agreement_is_generated_kept_and_sent(h: Harness) -> None:
    seen = await h.say("赵敏", "协议 0001 李四家于12月1日前加装接水槽,张三不再追究")
    assert any("人民调解协议书" in t and "调协〔2026〕1-1号" in t for t in seen.texts)
    doc = await CaseDocument.get(case__number="2026-0001")
    text = _text(doc.content)
    for needle in ("人民调解协议书", "当事人甲:张三", "当事人乙:李四", "加装接水槽", "院墙滴水", "调协〔2026〕1-1号"):
        assert needle in text
    files = [s for s in await h.inbox("赵敏") if s.file_name]
    assert files and files[0].file_name.endswith(".docx")
    assert "加装接水槽" in _text(base64.b64decode(files[0].file_b64))


async def test_judicial_confirmation_application(h: Harness) -> None:
    await h.say("赵敏", "司法确认 0001 双方已签订调解协议,申请确认其效力")
    doc = await CaseDocument.get(kind="confirmation")
    assert "司法确认申请书" in _text(doc.content) and doc.number == "司确〔2026〕1-1号"


async def test_only_handlers_or_center_make_agreements(h: Harness) -> None:
    seen = await h.say("孙婷", "协议 0001 随便写")
    assert "只有案件 2026-0001 的承办人或中心" in seen.texts[0]
    assert await CaseDocument.all().count() == 0
