"""The 台账 (.xlsx): the 人民调解台账 of the period (one row per case, the columns centers keep), the
dispatch details, and KPI sheets. Parties appear as the privacy setting says; numbers are always masked.
For outside the center (outside=True): no party names, and a 涉敏 case's 简要情况, 回访 note and 诉求内容 say
only 「涉敏,内容不外传」 — its row, and every count, stay."""

from __future__ import annotations

import io
from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from bot.reports import referral_sheet
from bot.reports.markdown import pct
from bot.reports.redact import parties_line, redact
from core.clock import fmt_local, local
from core.enums import CaseSource, CaseStatus, Category, Flag, ResultType, Satisfaction, Severity
from core.models import Case, Region, Task
from core.privacy import WITHHELD, Audience, party_mode
from core.reports.digest import Digest
from core.reports.kpi import Kpi
from core.reports.mediation_ledger import LedgerEntry, entries

LEDGER_HEADER = ["编号", "受理日期", "来源", "当事人", "纠纷类别", "简要情况", "调解员", "调解组织", "调解方式", "结果",
                 "协议履行", "回访", "满意度", "办结日期"]
LEDGER_WIDTHS = (11, 12, 12, 14, 11, 44, 14, 24, 11, 8, 10, 30, 9, 12)
BRIEF = 200  # 简要情况: the first characters of the report
CASE_HEADER = ["编号", "上报时间", "来源", "类别", "等级", "标记", "地点", "状态", "承办人", "截止时间", "办结时间",
               "办理结果", "满意度", "诉求内容"]
KPI_HEADER = ["名称", "受理数", "化解数", "化解率", "就地化解率", "交办任务", "按期办结率", "平均签收(小时)",
              "平均办结(天)", "满意率", "重复上报"]


def _day(value: object) -> str:
    return f"{local(value):%Y-%m-%d}" if isinstance(value, datetime) else ""


def _kpi_row(k: Kpi) -> list[object]:
    return [k.name, k.cases, k.settled, pct(k.settle_rate), pct(k.local_rate), k.tasks, pct(k.on_time_rate),
            k.sign_hours, k.close_days, pct(k.satisfaction_rate), k.repeats]


def ledger_row(e: LedgerEntry, mode: str, *, outside: bool = False) -> list[object]:
    withheld = outside and e.sensitive
    brief = WITHHELD if withheld else redact(e.content, e.parties, mode)
    brief = brief if len(brief) <= BRIEF else brief[:BRIEF] + "…"
    visit = ""
    if e.follow_up_at is not None:
        note = WITHHELD if withheld else redact(e.follow_up_note, e.parties, mode)
        visit = f"{_day(e.follow_up_at)} {e.follow_up_by}" + (f":{note}" if e.follow_up_note else "")
    performance = e.performance
    if e.performance and e.performance_note:
        performance += f":{WITHHELD if withheld else redact(e.performance_note, e.parties, mode)}"
    return [e.number, _day(e.accepted_at), e.source, parties_line(e.parties, mode), e.category, brief,
            "、".join(e.mediators), e.organisation, e.method, e.result or e.status, performance, visit,
            e.satisfaction, _day(e.resolved_at)]


def ledger_sheet(wb: Workbook, rows: list[LedgerEntry], mode: str, *, outside: bool = False) -> None:
    ws = wb.active
    ws.title = "台账"
    ws.append(LEDGER_HEADER)
    for e in rows:
        ws.append(ledger_row(e, mode, outside=outside))
    for i, width in enumerate(LEDGER_WIDTHS):
        ws.column_dimensions[chr(ord("A") + i)].width = width
    for row in ws.iter_rows(min_row=2, min_col=6, max_col=6):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"


def _request(c: Case, mode: str, outside: bool) -> str:
    """诉求内容 of the details sheet: parties as the sheet's mode shows them, like every other column."""
    return WITHHELD if outside and Flag.SENSITIVE.value in c.flags else redact(c.content, c.parties, mode)


async def _details_sheet(wb: Workbook, d: Digest, mode: str, outside: bool) -> None:
    ws = wb.create_sheet("交办明细")
    ws.append(CASE_HEADER)
    regions = {r.id: r.name for r in await Region.all()}
    cases = await Case.filter(created_at__gte=d.period.start, created_at__lt=d.period.end).order_by("id")
    leads = {t.case_id: t for t in await Task.filter(case_id__in=[c.id for c in cases], is_lead=True)
             .prefetch_related("assignee").order_by("id")}
    for c in cases:
        lead = leads.get(c.id)
        ws.append([
            c.number, fmt_local(c.created_at), CaseSource(c.source).label, Category(c.category).label,
            Severity(c.severity).label, "、".join(Flag(f).label for f in c.flags), regions.get(c.region_id, ""),
            CaseStatus(c.status).label, lead.assignee.name if lead else "", fmt_local(lead.deadline) if lead else "",
            fmt_local(c.resolved_at) if c.resolved_at else "",
            ResultType(c.result_type).label if c.result_type else "",
            Satisfaction(c.satisfaction).label if c.satisfaction else "", _request(c, mode, outside),
        ])


async def xlsx(d: Digest, extra_kpis: dict[str, list[Kpi]] | None = None, *, mode: str | None = None,
               outside: bool = False) -> bytes:
    """The center's 台账 (parties as `mode`, default the privacy setting), or with outside=True the copy that
    leaves the center (mode is then ignored: no names)."""
    wb = Workbook()
    mode = await party_mode(Audience.OUTSIDE) if outside else mode or await party_mode(Audience.CENTER)
    ledger_sheet(wb, await entries(d.period.start, d.period.end), mode, outside=outside)
    await _details_sheet(wb, d, mode, outside)
    await referral_sheet.sheet(wb, d.period.start, d.period.end, mode, outside=outside)  # 诉调对接, 司法确认
    sheets = {"总体": [d.total], "部门": d.departments, **(extra_kpis or {})}
    for title, kpis in sheets.items():
        sheet = wb.create_sheet(title)
        sheet.append(KPI_HEADER)
        for k in kpis:
            sheet.append(_kpi_row(k))
    for sheet in wb.worksheets:
        for cell in sheet[1]:
            cell.font = Font(bold=True)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
