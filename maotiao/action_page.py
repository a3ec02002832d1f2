"""GET/POST /act?token=…: the action page, for platforms whose messages cannot carry buttons (a work
notification opens a link, nothing more). The page is the card the bot would have sent, drawn as HTML, with
the buttons that card offers now and a box to answer in words; what is pressed or typed goes to the bot as
a click or a message from that person on that platform, through the same router, permissions and verbs as a
chat (so a card that is not theirs, a stale button or a forged action is refused exactly as in a chat).

The token (core/evidence_links.LinkSigner.act_token) names the person, the card (0 for their own page: the
cards that wait for them and the box to report or reply) and the platform, under an HMAC keyed for this
purpose only, for ACT_LIFETIME. Each form on a page carries a one-time id bound to the token: a submission
is recorded under it (bot.engine.Bot.record dedupes), so a double tap or a reload acts once. Every request
is checked again: the person active, their account on that platform still there, the card theirs.

One self-contained page for a phone: a viewport, inline styles, no script, no external asset.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from html import escape

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from bot.cards import render
from bot.engine import Bot
from bot.types import MAX_TEXT, Card, CardAction, Inbound, InvalidAction, Outbound
from core import evidence_links
from core.enums import Platform
from core.models import CardLink, Identity, Staff
from maotiao.case_page import STYLE

log = logging.getLogger(__name__)
BOT_KEY = web.AppKey("action_page_bot", Bot)
KICK_KEY = web.AppKey("action_page_kick", list[Callable[[], None]])
HEADERS = {"Cache-Control": "no-store, private", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
           "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
                                      "frame-ancestors 'none'"}
EXTRA_STYLE = ("form{display:inline}button{font-size:16px;padding:8px 14px;margin:4px 6px 4px 0;border-radius:6px;"
               "border:1px solid #c9cdd4;background:#fff}button.primary{background:#3370ff;color:#fff;border:0}"
               "button.danger{color:#f54a45}textarea{width:100%;box-sizing:border-box;font-size:16px;min-height:72px}"
               ".reply{background:#e8f3ff;border-radius:8px;padding:10px;margin:0 0 12px;white-space:pre-wrap}"
               "ul{padding-left:18px}")
HOME_CARDS = 10  # the person's own page lists this many of their latest cards that still have buttons


class _Refused(Exception):
    pass


def _refused() -> web.Response:
    return web.Response(status=403, text="链接无效或已过期", headers=HEADERS)


async def _who(token: str) -> tuple[evidence_links.LinkSigner, evidence_links.ActClaim, Staff, Identity]:
    signer = evidence_links.current()
    claim = signer.verify_act(token) if signer is not None else None
    if signer is None or claim is None or claim.platform not in {p.value for p in Platform}:
        raise _Refused
    staff = await Staff.get_or_none(id=claim.staff_id, active=True)
    ident = await Identity.get_or_none(staff_id=claim.staff_id, platform=claim.platform)
    if staff is None or ident is None:
        raise _Refused
    return signer, claim, staff, ident


async def _card(claim: evidence_links.ActClaim) -> tuple[CardLink, Card] | None:
    if not claim.link_id:
        return None
    link = await CardLink.get_or_none(id=claim.link_id)
    if link is None or link.staff_id != claim.staff_id:
        raise _Refused
    return link, await render(link)


def _buttons(card: Card, token: str, signer: evidence_links.LinkSigner) -> str:
    out = []
    for b in card.buttons:
        out.append(f"<form method=\"post\"><input type=\"hidden\" name=\"token\" value=\"{escape(token)}\">"
                   f"<input type=\"hidden\" name=\"form\" value=\"{signer.form_nonce(token)}\">"
                   f"<input type=\"hidden\" name=\"act\" value=\"{escape(b.action)}\">"
                   f"<button class=\"{escape(b.style)}\" type=\"submit\">{escape(b.label)}</button></form>")
    return "".join(out)


def _card_html(link: CardLink, card: Card, token: str, signer: evidence_links.LinkSigner) -> str:
    rows = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in card.fields)
    rows += "".join(f"<dt>{escape(u.label)}</dt><dd><a href=\"{escape(u.url)}\">{escape(u.text)}</a></dd>"
                    for u in card.links)
    sub = f"<div class=\"sub\">{escape(card.subtitle)}</div>" if card.subtitle else ""
    note = f"<p class=\"note\">{escape(card.note)}</p>" if card.note else ""
    buttons = _buttons(card, token, signer) if link.active and card.buttons else "<p class=\"note\">此卡片无需再操作</p>"
    return f"<h1>{escape(card.title)}</h1>{sub}<dl>{rows}</dl>{note}<div>{buttons}</div>"


async def _home_html(claim: evidence_links.ActClaim, signer: evidence_links.LinkSigner) -> str:
    links = await CardLink.filter(staff_id=claim.staff_id, active=True).order_by("-id").limit(HOME_CARDS * 3)
    items = []
    for link in links:
        card = await render(link)
        if not card.buttons:
            continue
        url = signer.act_url(claim.staff_id, link.id, claim.platform)
        items.append(f"<li><a href=\"{escape(url)}\">{escape(card.title)}</a> {escape(card.subtitle)}</li>")
        if len(items) >= HOME_CARDS:
            break
    listed = f"<ul>{''.join(items)}</ul>" if items else "<p class=\"note\">暂无待处理的卡片</p>"
    return f"<h1>我的待办</h1>{listed}"


def _text_box(token: str, signer: evidence_links.LinkSigner) -> str:
    return (f"<form method=\"post\" style=\"display:block\"><input type=\"hidden\" name=\"token\" value=\"{escape(token)}\">"
            f"<input type=\"hidden\" name=\"form\" value=\"{signer.form_nonce(token)}\">"
            f"<p class=\"note\">回复文字(如「0042 已约双方明天调解」「办结 0042 …」,或直接描述要上报的纠纷):</p>"
            f"<textarea name=\"text\" maxlength=\"{MAX_TEXT}\"></textarea>"
            "<button class=\"primary\" type=\"submit\">发送</button></form>")


async def _page(token: str, replies: list[str]) -> web.Response:
    signer, claim, _, _ = await _who(token)
    shown = await _card(claim)
    body = _card_html(*shown, token, signer) if shown else await _home_html(claim, signer)
    said = "".join(f"<div class=\"reply\">{escape(r)}</div>" for r in replies)
    html = ("<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><meta name=\"robots\" content=\"noindex\">"
            f"<title>矛调办理</title><style>{STYLE}{EXTRA_STYLE}</style></head><body>{said}{body}"
            f"{_text_box(token, signer)}<p class=\"note\">本页面仅供本人使用,请勿转发。</p></body></html>")
    return web.Response(text=html, content_type="text/html", charset="utf-8", headers=HEADERS)


async def get_page(request: web.Request) -> web.Response:
    try:
        return await _page(request.query.get("token", ""), [])
    except _Refused:
        return _refused()


def _replies(out: list[Outbound], staff_id: int) -> list[str]:
    return [o.text or (o.card.title if o.card else "") for o in out
            if o.target.staff_id == staff_id and (o.text or o.card) and not o.update]


async def post_page(request: web.Request) -> web.Response:
    try:
        form = await request.post()
    except (ValueError, HttpProcessingError):  # a multipart body without its boundary or with broken part headers
        return web.Response(status=400, text="表单无效,请刷新页面后重试", headers=HEADERS)
    token, nonce_form = str(form.get("token", "")), str(form.get("form", ""))
    act, text = str(form.get("act", "")), str(form.get("text", "")).strip()
    try:
        signer, claim, staff, ident = await _who(token)
    except _Refused:
        return _refused()
    nonce = signer.verify_form(token, nonce_form)
    if nonce is None or not (act or text):
        return web.Response(status=400, text="表单无效,请刷新页面后重试", headers=HEADERS)
    action = None
    if act:
        try:
            action = CardAction.decode(act)
        except InvalidAction:
            return web.Response(status=400, text="操作无效", headers=HEADERS)
        if action.link_id != claim.link_id:  # a page acts on its own card only
            return _refused()
    inbound = Inbound(platform=Platform(claim.platform), event_id=f"page:{nonce}", sender=ident.external_id,
                      received_at=datetime.now(UTC), text=text if action is None else "", action=action)
    bot = request.app[BOT_KEY]
    row_id = await bot.record(inbound)
    if row_id is None:
        replies = ["该操作已提交过,无需重复提交"]
    else:
        out = await bot.handle(row_id, inbound)
        for kick in request.app[KICK_KEY]:
            kick()
        replies = _replies(out, staff.id) or ["已提交"]
    log.info("action page: staff %s %s on card link %s", staff.id, "clicked" if action else "wrote", claim.link_id)
    try:
        return await _page(token, replies)
    except _Refused:
        return _refused()


def setup(app: web.Application, bot: Bot, kick: Callable[[], None]) -> None:
    app[BOT_KEY] = bot
    app[KICK_KEY] = [kick]
    app.router.add_get(evidence_links.ACT_PATH, get_page)
    app.router.add_post(evidence_links.ACT_PATH, post_page)
