"""《矛盾纠纷调处三级四步登记表》 as .docx: one form per case, or every case of a period one per page.

Modelled on the registration-and-handover rule of the 衢江区《构建"大调解"机制的实施意见》 (seeds/001: "三级
四步"机制实行逐级报告登记移交制度, from the grid mediator upward) and the layout of published 人民调解受理登记表
(a header form, then one row per step): step | unit and time | handlers | what was tried | result and handover.
"""

from __future__ import annotations

from docx.document import Document as DocumentObject

from bot.documents import docx as d
from bot.reports.redact import parties_line, redact
from bot.reports.register_rows import day, step_row
from core.reports.register import Register


def add_register(doc: DocumentObject, reg: Register, mode: str, *, new_page: bool = False, titled: bool = True) -> None:
    if titled:
        d.title(doc, "矛盾纠纷调处三级四步登记表", 18, before=new_page)
    d.para(doc, f"编号:{reg.number}    登记日期:{day(reg.created_at)}", indent=False, align="right", size=d.TABLE_SIZE)
    d.form(doc, [
        ("纠纷类别", reg.category), ("纠纷等级", reg.severity),
        ("来源", reg.source), ("涉及人数", str(reg.people) if reg.people else "—"),
        ("发生地点*", reg.place),
        ("当事人*", parties_line(reg.parties, mode)),
        ("纠纷简要情况*", redact(reg.content, reg.parties, mode)),
    ])
    d.spacer(doc)
    d.table(doc, ["步骤", "调处单位及时间", "调处人", "调处情况", "调处结果及移交"],
            [step_row(s, reg.parties, mode) for s in reg.steps], (16, 34, 24, 42, 40))
    d.spacer(doc)
    ended = f"{reg.result}({day(reg.resolved_at)}办结)" if reg.resolved_at and reg.result else reg.status
    d.para(doc, f"最终处理结果:{ended}", indent=False, size=d.TABLE_SIZE)
    d.para(doc, "填表人:____________    审核人:____________    (盖章)", indent=False, align="right",
           size=d.TABLE_SIZE)


def case_docx(reg: Register, mode: str) -> bytes:
    doc = d.new_document()
    add_register(doc, reg, mode)
    return d.to_bytes(doc)


def batch_docx(regs: list[Register], mode: str, heading: str) -> bytes:
    doc = d.new_document()
    d.title(doc, heading, 18)
    d.para(doc, f"共 {len(regs)} 件,每件一表。", indent=False, align="center")
    for reg in regs:
        add_register(doc, reg, mode, new_page=True)
    if not regs:
        d.para(doc, "本期无须登记的矛盾纠纷。", indent=False, align="center")
    return d.to_bytes(doc)
