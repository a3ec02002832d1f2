"""卷宗 (.docx, and .pdf through LibreOffice) of one case, in the order an archive expects.

Modelled on the published 人民调解卷宗 (a 封面 with 卷名, 卷号, 调解员, 调解日期, 立卷人, 立卷日期, 保管期限;
a 卷内目录 with 序号, 文书名称, 页号, 备注; then the documents in order: 受理登记表, … 调解记录, 调解协议书,
回访记录, 司法确认有关材料, 卷宗情况说明, 封底), with our 三级四步登记表 after the 受理登记表 and the evidence the
reporters sent (证据材料, where the model's 其他材料 go) before the 卷宗情况说明. Every document
starts on its own page and the 目录's page numbers are fields the word processor fills in. For the archive:
parties are named in full; phone and ID numbers are masked as in every generated document.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH

from bot.documents import docx as d
from bot.documents.register import add_register
from bot.reports.redact import mask_numbers, parties_line
from bot.reports.register_rows import day, when
from core.enums import Category
from core.models import CaseDocument
from core.policy import load_policy
from core.privacy import party_names
from core.reports.casefile import CaseFile

MODE = "full"  # the archive copy names the parties


@dataclass(frozen=True)
class Part:
    key: str
    title: str
    note: str


def _cover(doc: DocumentObject, cf: CaseFile, center: str) -> None:
    c, led = cf.case, cf.ledger
    d.spacer(doc)
    d.title(doc, center, 18)
    d.title(doc, "矛盾纠纷调处卷宗", 28)
    d.spacer(doc)
    label = Category(c.category).label
    label = label if label.endswith("纠纷") else f"{label}纠纷"
    names = "与".join(party_names(c.parties, MODE))
    d.form(doc, [
        ("卷名*", f"{names}{label}" if names else label),
        ("卷号*", f"〔{c.year}〕调字第{c.seq}号(案件编号 {c.number})"),
        ("调解员*", "、".join(led.mediators) or "—"),
        ("调解组织*", led.organisation or "—"),
        ("调解日期*", f"{day(led.accepted_at)} 至 {day(c.resolved_at) or '—'}"),
        ("立卷人", ""), ("立卷日期", ""),
        ("保管期限", ""), ("备注", "涉敏" if "sensitive" in c.flags else ""),
    ])


def _contents(doc: DocumentObject, parts: list[Part]) -> None:
    d.title(doc, "卷内目录", 18, before=True)
    t = d.table(doc, ["序号", "文书名称", "页号", "备注"], [[str(i + 1), p.title, "", p.note] for i, p in enumerate(parts)],
                (16, 90, 20, 30))
    for row, part in zip(t.rows[1:], parts, strict=True):
        d.page_of(row.cells[2], part.key)


def _start(doc: DocumentObject, part: Part, ident: int) -> None:
    p = d.title(doc, part.title, 18, before=True)
    d.bookmark(p, part.key, ident)


def _intake(doc: DocumentObject, cf: CaseFile) -> None:
    c, led = cf.case, cf.ledger
    d.form(doc, [
        ("受理日期", day(led.accepted_at)), ("登记日期", day(c.created_at)),
        ("纠纷类型", Category(c.category).label), ("案件来源", led.source),
        ("当事人*", parties_line(c.parties, MODE)),
        ("发生地点*", cf.register.place),
        ("纠纷简要情况*", mask_numbers(c.content)),
        ("上报人", cf.reporter or "—"), ("受理人", cf.first_receiver or "—"),
    ])
    d.spacer(doc)
    d.para(doc, "当事人(签名):____________    登记人(签名):____________", indent=False, align="right",
           size=d.TABLE_SIZE)


def _record(doc: DocumentObject, cf: CaseFile) -> None:
    if cf.sessions:
        for i, s in enumerate(cf.sessions, start=1):
            d.para(doc, f"第{i}次调解", indent=False, bold=True, size=d.TABLE_SIZE)
            d.form(doc, [
                ("时间*", f"{when(s.starts_at)} 至 {when(s.ends_at)[-5:]}"), ("地点*", s.room or "—"),
                ("参加人*", "、".join(f"{n}({r})" for n, r in s.participants) or "—"),
                ("当事人到场*", s.parties_note or "—"),
                ("调解结果*", s.outcome + (f":{mask_numbers(s.outcome_note)}" if s.outcome_note else "")),
            ])
            d.spacer(doc)
    else:
        d.para(doc, "本案未另行预约调解,调处经过见下表及三级四步登记表。", size=d.TABLE_SIZE)
    d.para(doc, "办理经过", indent=False, bold=True, size=d.TABLE_SIZE)
    rows: list[list[str]] = []
    for step in cf.steps:
        row = [when(step.at), step.who, step.action, mask_numbers(step.note)]
        if not rows or rows[-1] != row:  # a dispatch is recorded for the case and its task: one line
            rows.append(row)
    d.table(doc, ["时间", "经办人", "事项", "情况"], rows, (30, 22, 26, 78))
    d.spacer(doc)
    d.para(doc, "调解员(签名):____________    记录人(签名):____________", indent=False, align="right",
           size=d.TABLE_SIZE)


def _copy(doc: DocumentObject, stored: CaseDocument) -> None:
    """The generated document as it was kept, paragraph by paragraph (its own title dropped)."""
    source = Document(io.BytesIO(stored.content))
    for i, p in enumerate(source.paragraphs):
        if i == 0 or not p.text.strip():
            continue
        align = {WD_ALIGN_PARAGRAPH.RIGHT: "right", WD_ALIGN_PARAGRAPH.CENTER: "center"}.get(
            p.alignment or WD_ALIGN_PARAGRAPH.LEFT, "plain")
        d.para(doc, mask_numbers(p.text), indent=align == "plain", align=align, size=d.TABLE_SIZE)


def _agreements(doc: DocumentObject, docs: list[CaseDocument], missing: str) -> None:
    if not docs:
        d.para(doc, missing, size=d.TABLE_SIZE)
    for i, stored in enumerate(docs):
        if i:
            d.page_break(doc)
        _copy(doc, stored)  # it carries its own 编号


def _visits(doc: DocumentObject, cf: CaseFile) -> None:
    led = cf.ledger
    if not cf.visits:
        d.para(doc, "尚未回访。", size=d.TABLE_SIZE)
    performed = ("协议履行", led.performance or "—")
    if led.performance and led.performance_note:  # with what was said it takes the whole row
        performed = ("协议履行*", f"{led.performance}:{mask_numbers(led.performance_note)}")
    for v in cf.visits:
        d.form(doc, [("当事人*", parties_line(cf.case.parties, MODE)),
                     ("调解协议编号*", "、".join(a.number for a in cf.agreements) or "—"),
                     ("回访时间", when(v.at)), ("回访人", v.who),
                     ("满意度", v.satisfaction or "—"), performed,
                     ("回访情况*", mask_numbers(v.note) or "—")])
        d.spacer(doc)


def _evidence(doc: DocumentObject, cf: CaseFile) -> None:
    """The list of what was sent, with where it is: the files themselves are kept in the media store."""
    if not cf.evidence:
        d.para(doc, "本案无随报证据材料。", size=d.TABLE_SIZE)
        return
    d.table(doc, ["序号", "收到时间", "提交人", "类型", "保存情况"],
            [[str(i), when(e.received_at), e.sender or "—", e.kind, e.state] for i, e in enumerate(cf.evidence, start=1)],
            (14, 34, 26, 22, 60))
    kept = [f"E{e.media_id}" for e in cf.evidence if e.kept]
    where = f"已保存 {len(kept)} 项,原件存于本中心证据存储(存储编号 {'、'.join(kept)})" if kept else "均未能保存"
    d.para(doc, f"共 {len(cf.evidence)} 项,{where}。", size=d.TABLE_SIZE)


def _closing(doc: DocumentObject, cf: CaseFile) -> None:
    c = cf.case
    d.para(doc, f"本卷为案件 {c.number} 的调处材料,按受理登记、三级四步登记、调解记录、调解协议、回访记录、司法确认、证据材料的顺序"
                f"立卷。处理结果:{cf.register.result or cf.register.status}。", size=d.TABLE_SIZE)
    d.spacer(doc)
    d.para(doc, "立卷人:____________    检查人:____________    立卷时间:____年__月__日", indent=False, align="right",
           size=d.TABLE_SIZE)


def parts_of(cf: CaseFile) -> list[Part]:
    result = cf.register.result or cf.register.status
    return [
        Part("p_intake", "受理登记表", "必备"),
        Part("p_register", "矛盾纠纷调处三级四步登记表", "必备"),
        Part("p_record", "调解记录", f"{len(cf.sessions)} 次调解" if cf.sessions else "办理经过"),
        Part("p_agreement", "调解协议书", f"{len(cf.agreements)} 份" if cf.agreements else result),
        Part("p_visit", "回访记录", f"{len(cf.visits)} 次" if cf.visits else "尚未回访"),
        Part("p_confirm", "司法确认有关材料", f"{len(cf.confirmations)} 份" if cf.confirmations else "无"),
        Part("p_evidence", "证据材料", f"{len(cf.evidence)} 项" if cf.evidence else "无"),
        Part("p_closing", "卷宗情况说明", ""),
    ]


async def casefile_docx(cf: CaseFile) -> bytes:
    center = (await load_policy()).center_name
    doc = d.new_document()
    d.page_footer(doc)
    parts = parts_of(cf)
    _cover(doc, cf, center)
    _contents(doc, parts)
    bodies = {
        "p_intake": lambda: _intake(doc, cf),
        "p_register": lambda: add_register(doc, cf.register, MODE, titled=False),
        "p_record": lambda: _record(doc, cf),
        "p_agreement": lambda: _agreements(doc, cf.agreements, f"本案未形成书面调解协议(处理结果:{parts[3].note})。"),
        "p_visit": lambda: _visits(doc, cf),
        "p_confirm": lambda: _agreements(doc, cf.confirmations, "本案未申请司法确认。"),
        "p_evidence": lambda: _evidence(doc, cf),
        "p_closing": lambda: _closing(doc, cf),
    }
    for i, part in enumerate(parts, start=1):
        _start(doc, part, i)
        bodies[part.key]()
    return d.to_bytes(doc)
