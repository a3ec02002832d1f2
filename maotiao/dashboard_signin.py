"""免登 to the 指挥室 screen through a chat platform, beside the center account (maotiao/dashboard.py).

The page asks /dashboard/api/sign-in which platforms offer it (the registered plug-ins' SignIn, each knowing
its own authorize page and code exchange: integrations/<p>/signin.py). Going to /dashboard/sign-in/<p> sets a
signed one-use state cookie and sends the browser to the platform, which returns it to /dashboard?via=<p> with
a one-time code; the page posts {platform, code, state} to /dashboard/login/platform and serve asks the
platform whose code it is. A person signs in only as a known, active member of the center with a leader's,
secretary's, dispatcher's or administrator's role — anyone else is refused, and failures count toward the
same lock as wrong passwords. The user id never reaches the log."""

from __future__ import annotations

import hashlib
import hmac

from aiohttp import web

from core.enums import Role
from core.models import Identity, Staff
from integrations.plugin import SignInUnavailable
from maotiao.dashboard import (
    STATE,
    TOO_MANY,
    Sessions,
    State,
    attempted,
    attempts_left,
    json_body,
    json_response,
    start_session,
    text_field,
)

STATE_COOKIE = "maotiao_dashboard_signin"
STATE_SECONDS = 600
VIEWERS = (Role.LEADER.value, Role.SECRETARY.value, Role.DISPATCHER.value, Role.ADMIN.value)


def _states(state: State) -> Sessions:
    key = hmac.new(state.sessions.key, b"maotiao-dashboard-sign-in-state", hashlib.sha256).digest()
    states = Sessions(key, 1)
    states.seconds = STATE_SECONDS
    return states


def _back(request: web.Request, state: State, platform: str) -> str:
    base = state.public_url or f"{request.scheme}://{request.host}"
    return f"{base}/dashboard?via={platform}"


async def methods(request: web.Request) -> web.Response:
    state = request.app[STATE]
    return json_response({"methods": [{"platform": p, "label": s.label, "param": s.code_param, "in_app": s.in_app}
                                      for p, s in state.sign_ins.items()]})


async def go(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE]
    platform = request.match_info["platform"]
    sign_in = state.sign_ins.get(platform)
    if sign_in is None:
        return json_response({"error": "unknown", "message": "该平台未开通免登"}, 404)
    token = _states(state).issue()
    resp = web.Response(status=302, headers={"Location": sign_in.authorize_url(_back(request, state, platform), token),
                                             "Cache-Control": "no-store"})
    resp.set_cookie(STATE_COOKIE, token, max_age=STATE_SECONDS, path="/dashboard", httponly=True, samesite="Lax",
                    secure=request.secure or state.settings.cookie_secure)
    return resp


async def _staff(platform: str, user_id: str) -> Staff | None:
    identity = await Identity.get_or_none(platform=platform, external_id=user_id)
    return await Staff.get_or_none(id=identity.staff_id, active=True) if identity else None


async def login(request: web.Request) -> web.Response:
    state = request.app[STATE]
    key, allowed = await attempts_left(request, state)
    if not allowed:
        return json_response(TOO_MANY, 429)
    body = await json_body(request)
    platform, code, given = text_field(body, "platform", 32), text_field(body, "code"), text_field(body, "state")
    sign_in = state.sign_ins.get(platform or "")
    if sign_in is None or code is None or given is None:
        return json_response({"error": "invalid", "message": "登录信息不完整,请重新进入"}, 400)
    if given != request.cookies.get(STATE_COOKIE) or not _states(state).valid(given):
        return json_response({"error": "state", "message": "登录已过期,请重新进入"}, 400)
    try:
        user_id = await sign_in.user_id(code)
    except SignInUnavailable:
        return json_response({"error": "unavailable", "message": f"暂时无法向{sign_in.label}核实身份,请稍后再试或使用中心账号登录"},
                             502)
    staff = await _staff(platform or "", user_id) if user_id else None
    if staff is None or not set(staff.roles) & set(VIEWERS):
        await attempted(key, False)
        message = ("登录码无效或已使用,请重新进入" if user_id is None else
                   "您的账号不在本中心名单中" if staff is None else "指挥室大屏仅限中心工作人员和领导查看")
        return json_response({"error": "denied", "message": message}, 401 if user_id is None else 403)
    await attempted(key, True)
    resp = start_session(request, state, json_response({"ok": True, "name": staff.name}))
    resp.del_cookie(STATE_COOKIE, path="/dashboard")  # one use
    return resp


def routes(app: web.Application) -> None:
    app.router.add_get("/dashboard/api/sign-in", methods)
    app.router.add_get("/dashboard/sign-in/{platform}", go)
    app.router.add_post("/dashboard/login/platform", login)
