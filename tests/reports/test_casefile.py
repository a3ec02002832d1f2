"""The 卷宗: every record of a case, in archive order, one document per page, parties named, numbers masked."""

from __future__ import annotations

import io

from docx import Document

from bot.documents.casefile import casefile_docx
from core.models import MediaFile
from core.reports import casefile
from tests.documents.render import assert_chinese_renders, render
from tests.documents.story import walked_case

ORDER = ["受理登记表", "矛盾纠纷调处三级四步登记表", "调解记录", "调解协议书", "回访记录", "司法确认有关材料", "证据材料", "卷宗情况说明"]


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


async def test_casefile_lists_the_evidence_sent_with_the_case(org, domain, clock) -> None:
    case = await walked_case(domain, clock)
    at = case.created_at
    common = {"platform": "wecom", "staff_id": case.reporter_id, "case_id": case.id, "next_attempt_at": at}
    kept = await MediaFile.create(kind="image", ref="m1", status="stored", path="ab/x.jpg", received_at=at, **common)
    await MediaFile.create(kind="voice", ref="m2", status="failed", received_at=at, **common)
    cf = await casefile.build(case)
    assert [(e.kind, e.sender, e.kept) for e in cf.evidence] == [("照片", "周小梅", True), ("语音", "周小梅", False)]
    doc = Document(io.BytesIO(await casefile_docx(cf)))
    rows = [[c.text for c in r.cells] for t in doc.tables for r in t.rows]
    assert ["1", rows[-2][1], "周小梅", "照片", "已保存"] in rows and ["2", rows[-1][1], "周小梅", "语音", "已过期未能保存"] in rows
    assert any(r[1] == "证据材料" and r[3] == "2 项" for r in rows)  # in the 卷内目录
    assert f"存储编号 E{kept.id}" in _text(await casefile_docx(cf))


async def test_casefile_without_evidence_says_so(org, domain, clock) -> None:
    text = _text(await casefile_docx(await casefile.build(await walked_case(domain, clock))))
    assert "本案无随报证据材料" in text
