"""The 考核通报: every section from the data, nothing of the parties, a group-safe summary, Chinese in PDF."""

from __future__ import annotations

import io
import re
from datetime import date

from docx import Document

from bot.documents.bulletin import bulletin_docx, produce
from core.enums import Flag
from core.models import Case
from core.reports import bulletin
from core.reports.periods import Kind
from core.services import aftercare
from tests.conftest import who
from tests.documents.render import assert_chinese_renders, render
from tests.reports.test_evaluation import W, _november, district  # noqa: F401  the fixture

PARTY = "张三丰"


def _text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    return "\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells])


async def _with_parties_and_supervision(domain, clock) -> None:
    await _november(domain, clock)
    await Case.all().update(parties=[{"name": PARTY}], content=f"{PARTY} 电话 13912345678 反映排水沟")
    open_cases = await Case.filter(status="dispatched").order_by("id")
    await aftercare.supervise(domain, await who("石书记"), open_cases[0].id, source=W)
    sensitive = await Case.filter(number="2026-0005").first()
    assert sensitive is not None
    await Case.filter(id=sensitive.id).update(flags=[Flag.SENSITIVE.value])
    await aftercare.supervise(domain, await who("石书记"), sensitive.id, source=W)


async def test_bulletin_sections_and_no_party_data(district, domain, clock) -> None:  # noqa: F811
    await _with_parties_and_supervision(domain, clock)
    b = await bulletin.build(Kind.MONTHLY, date(2026, 11, 15), clock.now())
    text = _text(bulletin_docx(b))
    for needle in ("考 核 通 报", "关于2026年11月矛盾纠纷调处化解工作\n考核情况的通报", "一、总体情况", "二、信访积案化解",
                   "三、考核排名", "(一)村(社区)", "(二)网格员", "(三)进驻部门", "(四)进驻人员", "四、红黑榜",
                   "五、人民调解“以奖代补”与金牌调解员", "六、书记督办事项", "七、工作要求", "石门司法所", "网格甲",
                   "以奖代补”共计 550 元", "另有涉敏督办事项 1 件"):
        assert needle in text, needle
    assert PARTY not in text and "13912345678" not in text and "139****5678" not in text
    supervised = [s.number for s in b.supervised]
    assert supervised and "2026-0005" not in supervised and supervised[0] in text
    assert re.search(r"红榜.*\n.*黑榜", text) or "红榜" in text


async def test_group_summary_is_safe_and_the_file_is_named(district, domain, clock) -> None:  # noqa: F811
    await _with_parties_and_supervision(domain, clock)
    made = await produce(Kind.MONTHLY, date(2026, 11, 15), clock.now())
    assert made.filename == "考核通报-2026年11月.docx"
    s = made.summary
    assert "考核通报" in s and "1减2降1升" in s and "进驻部门 红榜:石门司法所" in s and "另有涉敏 1 件" in s
    assert PARTY not in s and "139" not in s and "排水沟" not in s and "2026-0005" not in s


async def test_bulletin_prints_chinese_in_pdf(district, domain, clock) -> None:  # noqa: F811
    await _with_parties_and_supervision(domain, clock)
    made = await produce(Kind.MONTHLY, date(2026, 11, 15), clock.now())
    rendered = await render(made.docx, "bulletin-monthly", pages=4)
    assert_chinese_renders(rendered, "考核通报", "1减2降1升", "红黑榜", "石门司法所", "书记督办事项")
