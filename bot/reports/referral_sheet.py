"""The 台账's 诉调对接 sheet: each docking with a partner body (移送 / 委派) made in the period, and each case whose
司法确认 application was filed in it, with the court's answer. A partner's outcome may name parties: it is
shown as the sheet's mode shows them, and for outside the center a 涉敏 case's outcome is withheld."""

from __future__ import annotations

from datetime import datetime

from openpyxl import Workbook

from bot.reports.redact import redact
from core.clock import fmt_local
from core.enums import Flag
from core.models import Case, CaseDocument, Referral
from core.privacy import WITHHELD
from core.services.referrals import confirmation_status, kind_label

HEADER = ["编号", "方向", "对接类型", "对接单位", "登记时间", "对方期限", "结果", "结果时间", "司法确认"]
WIDTHS = (11, 6, 9, 20, 17, 17, 40, 17, 14)


def _outcome(r: Referral, case: Case, mode: str, outside: bool) -> str:
    if not r.outcome_at:
        return "待对方反馈" if r.direction == "out" else ""
    if outside and Flag.SENSITIVE.value in case.flags:
        return WITHHELD
    return redact(r.outcome, case.parties, mode)


async def sheet(wb: Workbook, start: datetime, end: datetime, mode: str, *, outside: bool = False) -> None:
    ws = wb.create_sheet("诉调对接")
    ws.append(HEADER)
    rows = await Referral.filter(created_at__gte=start, created_at__lt=end).order_by("id")
    filed = {doc.case_id for doc in await CaseDocument.filter(kind="confirmation", created_at__gte=start,
                                                               created_at__lt=end).only("id", "case_id")}
    ids = {r.case_id for r in rows} | filed
    cases = {c.id: c for c in await Case.filter(id__in=ids)}
    confirmed = {i: await confirmation_status(i) or "" for i in ids}
    for r in rows:
        c = cases[r.case_id]
        ws.append([c.number, "移送" if r.direction == "out" else "委派", kind_label(r.kind), r.partner,
                   fmt_local(r.created_at), fmt_local(r.due_at) if r.due_at else "", _outcome(r, c, mode, outside),
                   fmt_local(r.outcome_at) if r.outcome_at else "", confirmed[c.id]])
    for i in sorted(filed - {r.case_id for r in rows}):
        ws.append([cases[i].number, "", "", "", "", "", "", "", confirmed[i]])
    for n, width in enumerate(WIDTHS):
        ws.column_dimensions[chr(ord("A") + n)].width = width
    ws.freeze_panes = "A2"
