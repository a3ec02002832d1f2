"""三级四步登记 for a period as .xlsx: one row per step a case went through, and a summary by level. For outside
the center (outside=True, with the OUTSIDE party mode): a 涉敏 case's 简要情况 and 调处情况 say only
「涉敏,内容不外传」; its rows and the summary's counts stay."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from bot.reports.redact import parties_line, redact
from bot.reports.register_rows import when
from core.privacy import OUTSIDE_MODE, WITHHELD
from core.reports.register import LEVELS, STEP_NAMES, Register

HEADER = ["编号", "登记时间", "纠纷类别", "发生地点", "当事人", "简要情况", "步骤", "调处单位", "到达时间", "受理人",
          "调处人", "调处情况", "调处结果", "移交时间", "移交人", "移交至"]
SUMMARY = ["步骤", "到达件数", "本级化解件数", "上报件数", "在办件数"]
WIDTHS = {"A": 11, "B": 17, "C": 10, "D": 24, "E": 12, "F": 40, "G": 8, "H": 16, "I": 17, "J": 10, "K": 16,
          "L": 36, "M": 22, "N": 17, "O": 8, "P": 20}


def _text(value: str, reg: Register, mode: str, withheld: bool) -> str:
    if withheld:
        return WITHHELD if value else ""
    return redact(value, reg.parties, mode)


def register_xlsx(regs: list[Register], mode: str, *, outside: bool = False) -> bytes:
    """Parties as `mode` shows them; outside=True overrides it (no names) and withholds 涉敏 content."""
    mode = OUTSIDE_MODE if outside else mode
    wb = Workbook()
    ws = wb.active
    ws.title = "三级四步登记"
    ws.append(HEADER)
    counts = {lv: [0, 0, 0, 0] for lv in LEVELS}
    for reg in regs:
        withheld = outside and reg.sensitive
        place = redact(reg.place, reg.parties, mode) if outside else reg.place
        base = [reg.number, when(reg.created_at), reg.category, place, parties_line(reg.parties, mode),
                _text(reg.content, reg, mode, withheld)]
        for step in reg.steps:
            if not step.reached:
                continue
            c = counts[step.level]
            c[0] += 1
            if step.handed_over_at is not None:
                c[2] += 1
            elif reg.resolved_at is not None:
                c[1] += 1
            else:
                c[3] += 1
            ws.append(base + [step.name, step.unit, when(step.started_at), "、".join(step.received_by),
                              "、".join(step.handlers), _text(step.tried, reg, mode, withheld), step.result,
                              when(step.handed_over_at) if step.handed_over_at else "", step.handed_over_by,
                              step.handed_to])
    summary = wb.create_sheet("按层级汇总")
    summary.append(SUMMARY)
    for lv in LEVELS:
        summary.append([STEP_NAMES[lv], *counts[lv]])
    for sheet in wb.worksheets:
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    for col, width in WIDTHS.items():
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
