"""调解协议书 and 司法确认申请书 as .docx, filled from the case and the agreed terms sent in chat."""

from __future__ import annotations

import io
from datetime import datetime

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from tortoise.transactions import in_transaction

from bot.intake.parties import party_names
from core import audit
from core.clock import local
from core.enums import Platform
from core.models import Case, CaseDocument, Region, Staff

KINDS = {"agreement": "人民调解协议书", "confirmation": "司法确认申请书"}


def _parties(case: Case) -> list[str]:
    """The parties recorded at intake; for a case recorded before names were read from reports, the names its
    content gives; blanks to fill in by hand only when it names nobody."""
    names = [p.get("name", "") for p in case.parties if p.get("name")]
    return names or party_names(case.content) or ["(当事人甲)", "(当事人乙)"]


async def build_docx(case: Case, kind: str, terms: str, number: str, now: datetime) -> bytes:
    region = await Region.get(id=case.region_id)
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "SimSun"
    style.font.size = Pt(12)
    title = doc.add_paragraph(KINDS[kind])
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.runs[0].font.size = Pt(18)
    title.runs[0].bold = True
    doc.add_paragraph(f"编号:{number}").alignment = WD_ALIGN_PARAGRAPH.RIGHT
    parties = _parties(case)
    for i, name in enumerate(parties):
        doc.add_paragraph(f"当事人{'甲乙丙丁戊'[i] if i < 5 else i + 1}:{name}")
    doc.add_paragraph(f"纠纷发生地:{region.full_name.replace('/', '')}")
    doc.add_paragraph("纠纷主要事实、争议事项:")
    doc.add_paragraph(case.content)
    if kind == "agreement":
        doc.add_paragraph("经调解,自愿达成如下协议:")
        doc.add_paragraph(terms)
        doc.add_paragraph("履行方式、时限:按上述协议内容履行。")
        doc.add_paragraph("本协议一式三份,当事人各执一份,调解委员会留存一份。")
    else:
        doc.add_paragraph("申请事项:请求人民法院对双方达成的调解协议予以司法确认。")
        doc.add_paragraph(f"调解协议内容:{terms}")
    doc.add_paragraph("")
    for name in parties:
        doc.add_paragraph(f"当事人(签名):{name}            日期:")
    doc.add_paragraph("调解员(签名):                    人民调解委员会(盖章)")
    doc.add_paragraph(f"{local(now):%Y年%m月%d日}").alignment = WD_ALIGN_PARAGRAPH.RIGHT
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


async def create(case: Case, kind: str, terms: str, staff_id: int | None, now: datetime, *,
                 source: Platform = Platform.SYSTEM) -> CaseDocument:
    """Generate and keep the document; its audit event names who drew it up (the terms stay in the file)."""
    count = await CaseDocument.filter(case_id=case.id, kind=kind).count()
    prefix = "调协" if kind == "agreement" else "司确"
    number = f"{prefix}〔{case.year}〕{case.seq}-{count + 1}号"
    data = await build_docx(case, kind, terms, number, now)
    staff = await Staff.get_or_none(id=staff_id) if staff_id is not None else None
    async with in_transaction():
        doc = await CaseDocument.create(case_id=case.id, kind=kind, number=number,
                                        filename=f"{KINDS[kind]}-{case.number}-{count + 1}.docx",
                                        content=data, created_by_id=staff_id, created_at=now)
        await audit.append(at=now, actor_id=staff_id, actor_name=staff.name if staff else "系统", source=source.value,
                           action=f"create_{kind}", entity="case", entity_id=case.id, case_id=case.id, before={},
                           after={"document_id": doc.id, "kind": kind, "number": number}, region_id=case.region_id)
    return doc
