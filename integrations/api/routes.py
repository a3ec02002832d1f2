"""POST /api/v1/cases, GET /api/v1/cases/{number}, GET /api/v1/openapi.json — Bearer API keys."""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable
from datetime import datetime, time
from typing import Any

from aiohttp import web
from pydantic import ValidationError
from tortoise.exceptions import IntegrityError

from bot.intake import arrival
from bot.notify import notifications
from bot.outbox import enqueue
from core.clock import DISPLAY_TZ, fmt_local
from core.enums import CaseSource, CaseStatus, Platform
from core.errors import DomainError, InvalidInput, NotFound
from core.models import Case, Region, Task
from core.partners import load_referrals
from core.regions import find_region
from core.services import intake, referrals
from core.services.base import Actor, Domain, Outcome, unit_of_work
from core.text import find_unstorable
from integrations.api.openapi import document
from integrations.api.schema import CaseIn, CaseOut, TaskOut

DOMAIN_KEY = web.AppKey("domain", Domain)
KEYS_KEY = web.AppKey("api_keys", dict[str, str])
KICK_KEY = web.AppKey("kick_delivery", list[Callable[[], None]])  # serve's delivery loop, woken per new case
CALLER_KEY = web.RequestKey("caller", str)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _json(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=lambda d: json.dumps(d, ensure_ascii=False))


def _error(status: int, code: str, message: str, field: str | None = None) -> web.Response:
    return _json({"error": code, "message": message, "field": field}, status)


def _caller(request: web.Request) -> str | None:
    """The label of the key presented, compared in constant time with every configured secret."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None
    found = None
    for secret, label in request.app[KEYS_KEY].items():
        if secret and hmac.compare_digest(secret.encode(), token.encode()):
            found = label
    return found


@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path.startswith("/api/v1/") and request.path != "/api/v1/openapi.json":
        if not request.app[KEYS_KEY]:
            return _error(404, "api_disabled", "接口未启用:未配置 MAOTIAO_API_KEYS")  # nothing here, not an outage
        if "Authorization" not in request.headers:
            return _error(401, "unauthorized", "缺少 API 密钥(Authorization: Bearer …)")
        label = _caller(request)
        if label is None:
            return _error(401, "unauthorized", "API 密钥无效")
        request[CALLER_KEY] = label
    return await handler(request)


async def _case_out(case: Case) -> dict[str, Any]:
    region = await Region.get(id=case.region_id)
    tasks = await Task.filter(case_id=case.id).order_by("id").prefetch_related("assignee")
    return CaseOut(
        number=case.number,
        status=case.status,
        status_label=CaseStatus(case.status).label,
        source=case.source,
        category=case.category,
        severity=case.severity,
        flags=case.flags,
        location=region.full_name,
        step=case.step,
        created_at=case.created_at.isoformat(),
        result_type=case.result_type,
        result_note=case.result_note,
        tasks=[TaskOut(assignee=t.assignee.name, status=t.status, deadline=fmt_local(t.deadline)) for t in tasks],
        referrals=await referrals.case_lines(case.id, outcome=False),
    ).model_dump()


async def create_case(request: web.Request) -> web.Response:
    try:
        payload = json.loads(await request.read())
    except web.HTTPRequestEntityTooLarge:
        return _error(413, "too_large", "请求体过大,请精简内容或分开提交")
    except (json.JSONDecodeError, UnicodeDecodeError):
        return _error(400, "malformed_json", "请求体不是合法的 JSON")
    bad = find_unstorable(payload)
    if bad is not None:  # PostgreSQL refuses U+0000; no database stores a lone surrogate
        return _error(422, "invalid", f"字段 {bad} 含有无法保存的字符(U+0000 或孤立代理项)", bad)
    try:
        body = CaseIn.model_validate(payload)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or None
        return _error(422, "invalid", f"字段 {field} 无效:{first['msg']}", field)
    try:
        region = await find_region(body.location)
    except (NotFound, InvalidInput) as exc:
        return _error(422, "invalid", exc.message, "location")
    data = _report_input(body, region.id, request[CALLER_KEY])
    try:
        outcome = await _report(request, data, body)
    except DomainError as exc:
        return _error(422, exc.code, exc.message)
    assert outcome.case is not None
    if outcome.case.api_client != request[CALLER_KEY]:  # the same id sent by another system: say nothing of it
        return _error(409, "conflict", "该来源的 external_id 已被其他接入方使用,请换用本系统自己的编号", "external_id")
    if outcome.changed:
        for kick in request.app[KICK_KEY]:
            kick()
    return _json(await _case_out(outcome.case), 201 if outcome.changed else 200)


def _report_input(body: CaseIn, region_id: int, caller: str) -> intake.ReportInput:
    """The chat parser labels the content like a grid worker's report; a field the sender set wins."""
    given = body.model_fields_set
    labels = arrival.label(body.content,
                   category=body.category if "category" in given else None,
                   severity=body.severity if "severity" in given else None,
                   flags=frozenset(body.flags) if "flags" in given else None,
                   people=body.people)
    return intake.ReportInput(
        content=body.content,
        category=labels.category,
        severity=labels.severity,
        flags=labels.flags,
        people=labels.people,
        region_id=region_id,
        location_text=body.location_text,
        parties=[p.model_dump(exclude_none=True) for p in body.parties],
        source=CaseSource.ENTRUSTED if body.partner else CaseSource(body.source),
        external_ref=body.external_id,
        api_client=caller,
        reporter_contact=body.reporter.model_dump(exclude_none=True) if body.reporter else {},
    )


async def _entrusted(domain: Domain, actor: Actor, data: intake.ReportInput, body: CaseIn) -> Outcome:
    """委派 by a partner body: registered with the partner and its deadline (core/services/referrals.py)."""
    partner = (await load_referrals()).find(body.partner or "")
    if partner is None:
        raise InvalidInput(f"找不到对接单位「{body.partner}」,请使用中心组织文件中的名称")
    due = datetime.combine(body.partner_deadline, time(18, 0), tzinfo=DISPLAY_TZ) if body.partner_deadline else None
    return await referrals.register_referred(domain, actor, data, partner, None, None, due_at=due,
                                             source=Platform.API)


async def _report(request: web.Request, data: intake.ReportInput, body: CaseIn) -> Outcome:
    """Report once per (source, external_id), announced like a chat report (the center's cards, the warnings)
    in the same transaction. Two identical posts at the same time both find nothing, and the database's
    unique key refuses the second insert: that one answers with the first one's case."""
    domain = request.app[DOMAIN_KEY]
    actor = Actor.system(f"接口:{request[CALLER_KEY]}")
    try:
        async with unit_of_work():
            outcome = await (_entrusted(domain, actor, data, body) if body.partner
                             else intake.report(domain, actor, data, source=Platform.API))
            now = domain.clock.now()
            await enqueue(await notifications(outcome.events, now, set()), now)
            return outcome
    except IntegrityError:
        existing = await Case.get_or_none(source=data.source.value, external_ref=data.external_ref) \
            if data.external_ref else None
        if existing is None:
            raise
        return Outcome(False, f"该事项已登记为案件 {existing.number}", case=existing)


async def get_case(request: web.Request) -> web.Response:
    """Only the cases this key's system sent (by the key's label): not chat reports, not other systems'."""
    case = await Case.get_or_none(number=request.match_info["number"], api_client=request[CALLER_KEY])
    if case is None:
        return _error(404, "not_found", f"找不到案件 {request.match_info['number']}")
    return _json(await _case_out(case))


async def openapi(_: web.Request) -> web.Response:
    return _json(document())


def setup(app: web.Application, domain: Domain, api_keys: dict[str, str]) -> None:
    """`api_keys`: {secret: label}, validated by core.config (no empty or short secret gets here)."""
    app[DOMAIN_KEY] = domain
    app[KEYS_KEY] = dict(api_keys)
    app[KICK_KEY] = []  # serve appends its delivery loop's wake-up (maotiao/runtime.py)
    app.middlewares.append(auth_middleware)
    app.router.add_post("/api/v1/cases", create_case)
    app.router.add_get("/api/v1/cases/{number}", get_case)
    app.router.add_get("/api/v1/openapi.json", openapi)
