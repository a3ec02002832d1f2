"""The 卷宗: every record of a case, in archive order, one document per page, parties named, numbers masked."""

from __future__ import annotations

import io

from docx import Document

from bot.documents.casefile import casefile_docx
from core.reports import casefile
from tests.documents.render import assert_chinese_renders, render
from tests.documents.story import walked_case

ORDER = ["受理登记表", "矛盾纠纷调处三级四步登记表", "调解记录", "调解协议书", "回访记录", "司法确认有关材料", "卷宗情况说明"]


def _text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    return "\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells])


async def test_casefile_holds_every_record_in_archive_order(org, domain, clock) -> None:
    cf = await casefile.build(await walked_case(domain, clock))
    data = await casefile_docx(cf)
    paragraphs = [p.text for p in Document(io.BytesIO(data)).paragraphs]
    titles = [t for t in paragraphs if t in ORDER]
    assert titles == ORDER
    text = _text(data)
    for needle in ("矛盾纠纷调处卷宗", "卷内目录", "张三与李四邻里纠纷", "〔2026〕调字第1号", "何永和、王律师",
                   "茶园乡人民调解委员会(调委会)", "第1次调解", "第一调解室", "王律师(已邀请)", "达成协议:李四家加装接水槽",
                   "已分别约谈双方", "调协〔2026〕1-1号", "李四家于12月5日前加装接水槽", "接水槽已装好,双方和好", "已履行",
                   "本案未申请司法确认", "网格员现场劝解"):
        assert needle in text, needle
    assert "13812345678" not in text and "330502198001011234" not in text


async def test_casefile_pdf_pages_and_contents(org, domain, clock) -> None:
    cf = await casefile.build(await walked_case(domain, clock))
    rendered = await render(await casefile_docx(cf), "casefile", pages=9)
    assert_chinese_renders(rendered, "矛盾纠纷调处卷宗", "卷内目录", "受理登记表", "调解协议书", "回访记录")
    assert rendered.pages >= 8  # cover, contents and each record on its own page
    assert "第 1 页 共" in rendered.text.replace("\r", "")
