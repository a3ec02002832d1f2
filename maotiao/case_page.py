"""GET /case?token=…: a case's read-only page, for the one person its link was minted for (查看详情 on a card, the
detail link of a 待办 mirrored to a platform's to-do list).

The token (core/evidence_links.LinkSigner.page_token) names the case, the person and an expiry under an HMAC
keyed from MAOTIAO_LINK_SECRET for this purpose only. The page is served only when the token is genuine and
unexpired and the person is active and may still see the case (core/permissions.can_open_evidence: viewers in
scope, and the officers it is dispatched to while their task is live); anything else is one bare 403.

What it shows: number, category, level, place, status, the tasks (who, state, deadline), the outcome, and the
三级四步 register (each step's unit and time, who took it in and handled it, what was tried, the handover —
the form 登记表 0042 sends as .docx, bot/documents/register.py). Parties' names are shortened as the center's
privacy setting says. Phone and ID numbers the report holds are shown in full here and nowhere else (cards and
notices mask them, bot/cards and bot/notify.py): the page is signed for one person who may see the case, and
the chat keeps no copy. Of a 涉敏 case the content only to those who handle it
(core/permissions.sees_sensitive_content). No reporter contact ever.
One self-contained HTML page for a phone: a viewport, inline styles, no script, no external asset.
"""

from __future__ import annotations

import logging
from html import escape

from aiohttp import web

from bot.cards.common import labels, place
from bot.reports.register_rows import step_row
from core import evidence_links
from core.clock import fmt_local
from core.enums import CaseStatus, ResultType, TaskStatus
from core.models import Case, Region, Staff, Task
from core.permissions import can_open_evidence, sees_sensitive_content
from core.privacy import Audience, hide_names, party_mode, party_names
from core.reports import register
from core.services import referrals
from core.services.base import actor_for

log = logging.getLogger(__name__)
HEADERS = {"Cache-Control": "no-store, private", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
           "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"}
STYLE = ("body{font-family:-apple-system,'PingFang SC','Microsoft YaHei',sans-serif;margin:0;padding:16px;"
         "background:#f5f6f7;color:#1f2329;font-size:16px;line-height:1.6}h1{font-size:20px;margin:0 0 4px}"
         ".sub{color:#646a73;margin-bottom:12px}h2{font-size:17px;margin:16px 0 6px}dl{background:#fff;border-radius:8px;padding:12px;margin:0 0 12px}"
         "dt{color:#646a73;font-size:14px}dd{margin:0 0 8px;word-break:break-all}.note{color:#8f959e;font-size:13px}")
HIDDEN = "涉敏案件,内容仅限承办人员查看"


def _refused() -> web.Response:
    return web.Response(status=403, text="链接无效或已过期", headers=HEADERS)


async def _allowed(claim: evidence_links.PageClaim) -> tuple[Case, Staff, bool] | None:
    case = await Case.get_or_none(id=claim.case_id)
    staff = await Staff.get_or_none(id=claim.staff_id)
    if case is None or staff is None or not staff.active:
        return None
    actor = await actor_for(staff)
    if not await can_open_evidence(actor, case):
        return None
    return case, staff, await sees_sensitive_content(actor, case)


async def _fields(case: Case, full: bool) -> list[tuple[str, str]]:
    region = await Region.get(id=case.region_id)
    category, level = labels(case.category, case.severity, case.flags)
    fields = [("状态", CaseStatus(case.status).label), ("类别", category), ("等级", level),
              ("地点", place(region.name, case.location_text if full else None))]
    if full:
        mode = await party_mode(Audience.CENTER)
        if case.parties:
            fields.append(("当事人", "、".join(party_names(case.parties, mode))))
        fields.append(("内容", hide_names(case.content, case.parties, mode)))
    else:
        fields.append(("内容", HIDDEN))
    tasks = await Task.filter(case_id=case.id).order_by("id").prefetch_related("assignee")
    for t in tasks:
        lead = "牵头," if t.is_lead else ""
        fields.append(("承办", f"{t.assignee.name}({lead}{TaskStatus(t.status).label}),截止 {fmt_local(t.deadline)}"))
    docking = await referrals.case_lines(case.id, outcome=full)  # 诉调对接, 司法确认: outcomes only in full
    fields += [("对接", hide_names(line, case.parties, await party_mode(Audience.CENTER))) for line in docking]
    if case.result_type:
        note = case.result_note if full else ""
        fields.append(("结果", ResultType(case.result_type).label + (f":{note}" if note else "")))
    return fields


async def _steps(case: Case, full: bool) -> list[tuple[str, str]]:
    """The 三级四步 register, one line a step; what was tried of a 涉敏 case only for those who handle it."""
    reg = await register.for_case(case)
    mode = await party_mode(Audience.CENTER)
    out = []
    for step in reg.steps:
        name, unit, handlers, tried, result = step_row(step, reg.parties, mode)
        if not step.reached:
            out.append((name, result))
            continue
        parts = [",".join(u for u in unit.split("\n") if u), f"调处人:{handlers}", f"调处情况:{tried if full else HIDDEN}",
                 result.replace("\n", ";")]
        out.append((name, ";".join(p for p in parts if p.strip() and not p.endswith(":—"))))
    return out


def _rows(fields: list[tuple[str, str]]) -> str:
    return "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in fields)


def _html(case: Case, fields: list[tuple[str, str]], steps: list[tuple[str, str]]) -> str:
    rows = _rows(fields) + "</dl><h2>三级四步登记</h2><dl>" + _rows(steps)
    return ("<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            "<meta name=\"robots\" content=\"noindex\">"
            f"<title>案件 {escape(case.number)}</title><style>{STYLE}</style></head><body>"
            f"<h1>矛盾纠纷 {escape(case.number)}</h1><div class=\"sub\">只读查看,办理请回到工作群或机器人对话</div>"
            f"<dl>{rows}</dl><p class=\"note\">本页面仅供本人查看,请勿转发;链接到期后失效。</p></body></html>")


async def case_page(request: web.Request) -> web.Response:
    signer = evidence_links.current()
    claim = signer.verify_page(request.query.get("token", "")) if signer is not None else None
    found = await _allowed(claim) if claim is not None else None
    if claim is None or found is None:
        return _refused()
    case, staff, full = found
    log.info("case page of case %s opened by staff %s's link", case.id, staff.id)
    return web.Response(text=_html(case, await _fields(case, full), await _steps(case, full)), content_type="text/html",
                        charset="utf-8",
                        headers=HEADERS)


def setup(app: web.Application) -> None:
    app.router.add_get(evidence_links.PAGE_PATH, case_page)
