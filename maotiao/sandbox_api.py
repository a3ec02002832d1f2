"""The sandbox page's JSON: personas, what each sees on their platform, typing and clicking through the
simulators (so it goes through the real callback / stream path), the clock, and the ledger."""

from __future__ import annotations

import base64
import json
import logging
import mimetypes
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from importlib import resources
from ipaddress import ip_address
from typing import Any
from urllib.parse import quote, urlsplit

from aiohttp import web

from core import evidence
from core.clock import OffsetClock, fmt_local
from core.config import Settings
from core.enums import CaseStatus, Category
from core.fonts import font_path
from core.masking import mask_numbers
from core.models import AuditEvent, Case, GroupChat, Identity, Staff, Task
from core.permissions import can_view
from core.services.base import actor_for
from core.workdays import WorkCalendar
from integrations import registry
from integrations.plugin import KeepsTodos
from integrations.sandbox.runtime import Sandbox
from maotiao import sandbox_clock

SANDBOX = web.AppKey("sandbox", Sandbox)
CLOCK = web.AppKey("clock", OffsetClock)
KICK = web.AppKey("kick", object)
HOSTS = web.AppKey("hosts", frozenset[str])
IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG")
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _hostname(value: str) -> str | None:
    try:
        parts = urlsplit(f"//{value}")
        parts.port  # noqa: B018  raises on a malformed port
    except ValueError:
        return None
    return parts.hostname


def host_allowed(host_header: str, names: frozenset[str]) -> bool:
    """DNS rebinding reaches us under a name the attacker controls, never under an IP address: accept IP
    literals, localhost and the name serve was told to listen on, nothing else."""
    host = _hostname(host_header)
    if not host:
        return False
    if host in names:
        return True
    try:
        ip_address(host)
    except ValueError:
        return False
    return True


def _same_origin(origin: str, request: web.Request) -> bool:
    default = {"http": 80, "https": 443}
    try:
        o, here = urlsplit(origin), urlsplit(f"//{request.host}")
        return (o.scheme == request.scheme and o.hostname is not None and o.hostname == here.hostname
                and (o.port or default.get(o.scheme)) == (here.port or default.get(request.scheme)))
    except ValueError:
        return False


def _refuse(status: int, message: str, request: web.Request) -> web.Response:
    log.warning("sandbox refused %s %s from %s (Host %r, Origin %r): %s", request.method, request.path,
                request.remote, request.host, request.headers.get("Origin"), message)
    return _json({"error": message}, status)


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The sandbox acts as anyone: only the browser on this machine's own page may drive it. Host against
    DNS rebinding; Origin, Sec-Fetch-Site and a JSON body (which a cross-site form or `text/plain` fetch cannot
    send without a preflight we never answer) against cross-site requests."""
    if not host_allowed(request.host, request.app[HOSTS]):
        return _refuse(403, "unexpected Host header", request)
    if request.method in STATE_CHANGING and request.path.startswith("/sandbox/"):
        origin = request.headers.get("Origin")
        if origin is not None and not _same_origin(origin, request):
            return _refuse(403, "cross-origin request", request)
        if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
            return _refuse(403, "cross-site request", request)
        if request.content_type != "application/json":
            return _refuse(415, "Content-Type must be application/json", request)
    return await handler(request)


def _json(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=lambda d: json.dumps(d, ensure_ascii=False))


async def page(_: web.Request) -> web.Response:
    html = resources.files("maotiao").joinpath("static/sandbox.html").read_text(encoding="utf-8")
    return web.Response(text=html, content_type="text/html")


async def font(_: web.Request) -> web.FileResponse:
    """The CJK font bundled with mplfonts, so the page reads well on machines without Chinese fonts."""
    return web.FileResponse(font_path())


ACTION_LABELS = {
    "report": "上报", "settle_on_spot": "当场调处", "resubmit": "补充后重新上报", "accept": "受理",
    "return_to_reporter": "退回补充", "approve_plan": "领导审定方案", "dispatch": "交办", "sign": "签收",
    "progress": "反馈进展", "request_extension": "申请延期", "approve_extension": "同意延期",
    "deny_extension": "不同意延期", "return_task": "退回", "release_task": "撤回任务", "resolve_task": "任务办结",
    "resolve": "案件办结", "escalate": "上报上级", "release_on_escalation": "上报后撤回任务",
    "needs_redispatch": "待重新交办", "supervise": "书记督办", "follow_up": "回访", "add_to_backlog": "列入积案",
    "strike_off": "积案销号", "recategorize": "更正类别", "change_lead": "更换牵头", "assess_backlog": "积案月度评估",
    "hold_step": "本级调处时限顺延", "book_reception": "预约领导接访", "attach_to_visit": "带件下访",
    "reception_outcome": "领导接访结果",
}


async def platforms(_: web.Request) -> web.Response:
    """Each platform's name as its users read it, by platform value (the page's tags and picker)."""
    return _json({p.platform.value: p.label for p in registry.PLUGINS})


async def personas(_: web.Request) -> web.Response:
    out = []
    for s in await Staff.filter(active=True).order_by("id").prefetch_related("department", "region"):
        idents = {i.platform: i.external_id for i in await Identity.filter(staff_id=s.id)}
        unit = s.department.name if s.department else (s.region.name if s.region else "")
        out.append({"id": s.id, "name": s.name, "roles": s.roles, "unit": unit, "platforms": idents})
    return _json(out)


async def chat(request: web.Request) -> web.Response:
    sb = request.app[SANDBOX]
    staff_id = int(request.query.get("staff", "0"))
    idents = {i.platform: i.external_id for i in await Identity.filter(staff_id=staff_id)}
    messages = [_chat_item(m) for p, fake in sb.fakes.items() if p.value in idents
                for m in fake.messages(idents[p.value])]
    messages += sb.typed.get(str(staff_id), [])
    messages.sort(key=lambda m: m["at"])
    groups = []
    for g in await GroupChat.filter(active=True).order_by("id"):
        refs = await g.refs()
        items = [_group_item(m) for p, fake in sb.fakes.items() for m in fake.group_messages(refs.get(p.value, ""))]
        groups.append({"name": g.name, "messages": sorted(items, key=lambda m: float(m["at"]))[-30:]})
    now = request.app[CLOCK].now()
    return _json({"messages": messages[-80:], "groups": groups, "now": fmt_local(now),
                  "quiet": await sandbox_clock.quiet_status(now), "platforms": list(idents)})


def _chat_item(m: dict[str, Any]) -> dict[str, Any]:
    """A document the bot sent becomes a download link (the page shows its name, never an empty bubble)."""
    file = m.get("file")
    if not file:
        return m
    link = f"/sandbox/media/{m['platform']}/{quote(file['media'], safe='')}?name={quote(file['name'], safe='')}"
    return {**m, "file": {"name": file["name"], "url": link}}


def _group_item(m: dict[str, Any]) -> dict[str, Any]:
    media_id = m.pop("media", "")
    return {**m, "image": f"/sandbox/media/{m['platform']}/{media_id}" if media_id else ""}


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        data = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(text="JSON body expected") from None
    if not isinstance(data, dict):
        raise web.HTTPBadRequest(text="JSON object expected")
    return data


async def media(request: web.Request) -> web.Response:
    """A chart shown in a group, or a document (?name=…) downloaded from a person's chat."""
    fake = request.app[SANDBOX].fake(request.match_info["platform"])
    data = fake.media(request.match_info["media_id"]) if fake is not None else None
    if data is None:
        raise web.HTTPNotFound()
    name = request.query.get("name", "").replace("/", "_").replace("\\", "_")[:120]
    if data.startswith(b"\x89PNG") or not name:
        return web.Response(body=data, content_type="image/png")
    kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return web.Response(body=data, content_type=kind, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name, safe='')}",
        "X-Content-Type-Options": "nosniff"})


async def say(request: web.Request) -> web.Response:
    sb = request.app[SANDBOX]
    data = await _body(request)
    staff_id, text, platform = int(data.get("staff", 0)), str(data.get("text", ""))[:5000], str(data.get("platform"))
    ident = await Identity.get_or_none(staff_id=staff_id, platform=platform)
    fake = sb.fake(platform)
    if ident is None or fake is None or not text.strip():
        return _json({"error": "该人员在此平台没有账号,或内容为空"}, 400)
    sb.typed.setdefault(str(staff_id), []).append({"platform": platform, "at": time.time(), "from": "me", "text": text})
    await fake.say(ident.external_id, text)
    return _json({"ok": True})


async def photo(request: web.Request) -> web.Response:
    """The persona sends the bot a picture (base64 in JSON, as the page's guard wants JSON), through the
    platform's real inbound path: it joins the draft or the case as evidence would from a phone."""
    sb = request.app[SANDBOX]
    data = await _body(request)
    staff_id, platform = int(data.get("staff", 0)), str(data.get("platform"))
    name = str(data.get("name", "photo.jpg"))[:80] or "photo.jpg"
    try:
        image = base64.b64decode(str(data.get("data", "")), validate=True)
    except ValueError:
        return _json({"error": "照片数据无法识别"}, 400)
    ident = await Identity.get_or_none(staff_id=staff_id, platform=platform)
    fake = sb.fake(platform)
    if ident is None or fake is None:
        return _json({"error": "该人员在此平台没有账号"}, 400)
    if not image.startswith(IMAGE_MAGIC):
        return _json({"error": "只能发送 JPEG 或 PNG 照片"}, 400)
    try:
        await fake.photo(ident.external_id, image, name)
    except NotImplementedError as exc:  # a platform whose people cannot send the bot pictures (yet)
        return _json({"error": str(exc)}, 400)
    sb.typed.setdefault(str(staff_id), []).append({"platform": platform, "at": time.time(), "from": "me",
                                                   "text": f"[照片] {name}"})
    return _json({"ok": True})


async def click(request: web.Request) -> web.Response:
    sb = request.app[SANDBOX]
    data = await _body(request)
    staff_id, platform = int(data.get("staff", 0)), str(data.get("platform"))
    card, key = str(data.get("card", "")), str(data.get("key", ""))
    raw = data.get("selected") or {}  # a form card's drop-downs: question key → option id, small and flat
    if not isinstance(raw, dict) or len(raw) > 3 or not all(isinstance(v, str) and len(v) <= 128 for v in raw.values()):
        return _json({"error": "selected must map at most 3 keys to option ids"}, 400)
    selected = {str(k)[:64]: v for k, v in raw.items()}
    ident = await Identity.get_or_none(staff_id=staff_id, platform=platform)
    fake = sb.fake(platform)
    if ident is None or fake is None:
        return _json({"error": "unknown persona"}, 400)
    if not await fake.click(ident.external_id, card, key, selected or None):
        return _json({"error": "unknown card"}, 400)
    return _json({"ok": True})


async def clock(request: web.Request) -> web.Response:
    return await sandbox_clock.move(request, await _body(request), request.app[CLOCK], request.app[KICK])


async def ledger(request: web.Request) -> web.Response:
    staff = await Staff.get_or_none(id=int(request.query.get("staff", "0")))
    if staff is None:
        return _json([])
    actor = await actor_for(staff)
    mine = {t.case_id for t in await Task.filter(assignee_id=staff.id).only("id", "case_id")}
    out = []
    for case in await Case.all().order_by("-id").limit(200):
        if case.id not in mine and not await can_view(actor, case):
            continue
        events = await AuditEvent.filter(case_id=case.id).order_by("seq")
        timeline = [(e.at, f"{fmt_local(e.at)} {e.actor_name} {ACTION_LABELS.get(e.action, e.action)}") for e in events]
        timeline += [(m.received_at, f"{fmt_local(m.received_at)} {m.sender or '—'} 发来证据:{m.kind}({m.state})")
                     for m in await evidence.for_case(case.id)]
        out.append({"number": case.number, "status": CaseStatus(case.status).label,
                    "category": Category(case.category).label,
                    "timeline": [line for _, line in sorted(timeline, key=lambda t: t[0])]})
    return _json(out)


async def outside(request: web.Request) -> web.Response:
    """What left the chat platforms for the fakes around them: SMS the provider accepted (number masked, the
    template's parameters) and the to-do lists (待办) tasks are mirrored into, newest last."""
    sb = request.app[SANDBOX]
    names = {(i.platform, i.external_id): s.name
             for s in await Staff.all() for i in await Identity.filter(staff_id=s.id)}
    phones = {s.phone: s.name for s in await Staff.filter(phone__isnull=False)}
    sms = [{"to": phones.get(m["phone"], ""), "phone": mask_numbers(m["phone"]), "params": m["params"]}
           for m in (sb.sms.sent if sb.sms is not None else [])]
    todos = [{**t, "user": names.get((t["platform"], t["user"]), t["user"]),
              "due": fmt_local(datetime.fromtimestamp(t["due"] / 1000, UTC)) if isinstance(t["due"], int) else ""}
             for fake in sb.fakes.values() if isinstance(fake, KeepsTodos) for t in fake.todos()]
    return _json({"sms": sms[-30:], "todos": todos[-30:]})


def setup(app: web.Application, sandbox: Sandbox, offset_clock: OffsetClock, kick: object,
          settings: Settings, calendar: WorkCalendar | None = None) -> None:
    app[sandbox_clock.CALENDAR] = calendar or WorkCalendar()
    app[HOSTS] = frozenset({"localhost", settings.http_host.lower()})
    app.middlewares.append(guard)
    app[SANDBOX] = sandbox
    app[CLOCK] = offset_clock
    app[KICK] = kick
    app.router.add_get("/", page)
    app.router.add_get("/sandbox/font.otf", font)
    app.router.add_get("/sandbox/api/platforms", platforms)
    app.router.add_get("/sandbox/api/personas", personas)
    app.router.add_get("/sandbox/api/chat", chat)
    app.router.add_post("/sandbox/api/say", say)
    app.router.add_post("/sandbox/api/click", click)
    app.router.add_post("/sandbox/api/photo", photo)
    app.router.add_post("/sandbox/api/clock", clock)
    app.router.add_get("/sandbox/api/ledger", ledger)
    app.router.add_get("/sandbox/api/outside", outside)
    app.router.add_get("/sandbox/media/{platform}/{media_id}", media)
