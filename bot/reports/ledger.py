"""The 台账 (.xlsx): one row per case of the period, plus KPI sheets. Phone and ID numbers masked."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from bot.reports.markdown import pct
from core.clock import fmt_local
from core.enums import CaseSource, CaseStatus, Category, Flag, ResultType, Satisfaction, Severity
from core.masking import mask_numbers
from core.models import Case, Region, Task
from core.reports.digest import Digest
from core.reports.kpi import Kpi

CASE_HEADER = ["编号", "上报时间", "来源", "类别", "等级", "标记", "地点", "状态", "承办人", "截止时间", "办结时间",
               "办理结果", "满意度", "诉求内容"]
KPI_HEADER = ["名称", "受理数", "化解数", "化解率", "就地化解率", "交办任务", "按期办结率", "平均签收(小时)",
              "平均办结(天)", "满意率", "重复上报"]


def _kpi_row(k: Kpi) -> list[object]:
    return [k.name, k.cases, k.settled, pct(k.settle_rate), pct(k.local_rate), k.tasks, pct(k.on_time_rate),
            k.sign_hours, k.close_days, pct(k.satisfaction_rate), k.repeats]


async def xlsx(d: Digest, extra_kpis: dict[str, list[Kpi]] | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "台账"
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
            Satisfaction(c.satisfaction).label if c.satisfaction else "", mask_numbers(c.content),
        ])
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
