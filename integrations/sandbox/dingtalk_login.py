"""The fake DingTalk's sign-in (免登) for the dashboard: the OAuth2 authorize page, the authCode exchange, "me",
and the unionId → userId lookup — each code good once, for a few minutes, as DingTalk documents.

- GET /oauth2/auth (login.dingtalk.com; 登录第三方网站): the person signed in on this fake (`signed_in`) is sent
  back to redirect_uri with ?authCode=…&state=…; a wrong client_id or response_type is an error page.
- POST /v1.0/oauth2/userAccessToken {clientId, clientSecret, code, grantType: authorization_code} → {accessToken,
  refreshToken, expireIn, corpId} (oauth2_1_0.GetUserToken); a used, unknown or expired code is HTTP 400.
- GET /v1.0/contact/users/me with the person's token → {nick, unionId, openId, stateCode} (contact_1_0.GetUser).
- POST /topapi/user/getbyunionid {unionid} on the older host → {errcode: 0, result: {contact_type, userid}};
  errcode 60121 for a unionId outside the organisation.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

CODE_SECONDS = 300


def _error(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"code": code, "message": message, "requestid": secrets.token_hex(8)}, status=status)


@dataclass(kw_only=True)
class FakeLogin:
    signed_in: str | None = None  # the userId signed in to DingTalk in the fake's browser
    login_codes: dict[str, tuple[str, float]] = field(default_factory=dict)  # authCode → (userId, expires)
    user_tokens: dict[str, str] = field(default_factory=dict)  # a person's accessToken → userId
    outsiders: set[str] = field(default_factory=set)  # userIds whose unionId is not in the organisation
    unions: dict[str, str] = field(default_factory=dict)  # userId → unionId (dingtalk_todo.FakeTodo's)

    client_id: str  # the app's (dingtalk_api.FakeDingTalkAPI)
    client_secret: str

    def union_of(self, user: str) -> str:  # dingtalk_todo.FakeTodo
        raise NotImplementedError

    def _oapi_token_ok(self, request: web.Request) -> bool:
        raise NotImplementedError

    def login_routes(self, app: web.Application) -> None:
        app.router.add_get("/oauth2/auth", self.authorize)
        app.router.add_post("/v1.0/oauth2/userAccessToken", self.user_access_token)
        app.router.add_get("/v1.0/contact/users/me", self.me)
        app.router.add_post("/topapi/user/getbyunionid", self.by_union)

    def auth_code(self, user: str) -> str:
        """The one-time code DingTalk's authorize page hands the browser once `user` agreed."""
        code = secrets.token_hex(16)
        self.login_codes[code] = (user, time.time() + CODE_SECONDS)
        return code

    async def authorize(self, request: web.Request) -> web.StreamResponse:
        q = request.query
        if q.get("client_id") != self.client_id or q.get("response_type") != "code" or not q.get("redirect_uri"):
            return web.Response(status=400, text="参数错误", content_type="text/plain")
        if self.signed_in is None:
            return web.Response(text="请使用钉钉扫码登录", content_type="text/plain")
        back = q["redirect_uri"]
        sep = "&" if "?" in back else "?"
        raise web.HTTPFound(back + sep + urlencode({"authCode": self.auth_code(self.signed_in), "state": q.get("state", "")}))

    async def user_access_token(self, request: web.Request) -> web.Response:
        body: dict[str, Any] = await request.json()
        if body.get("clientId") != self.client_id or body.get("clientSecret") != self.client_secret:
            return _error(400, "invalidClientId", "应用不存在或密钥错误")
        if body.get("grantType") != "authorization_code":
            return _error(400, "invalidGrantType", "grantType 错误")
        found = self.login_codes.pop(str(body.get("code") or ""), None)  # good once
        if found is None or found[1] < time.time():
            return _error(400, "invalidAuthCode", "authCode 无效或已过期")
        token = secrets.token_hex(16)
        self.user_tokens[token] = found[0]
        return web.json_response({"accessToken": token, "refreshToken": secrets.token_hex(16), "expireIn": 7200,
                                  "corpId": "dingcorp"})

    async def me(self, request: web.Request) -> web.Response:
        user = self.user_tokens.get(request.headers.get("x-acs-dingtalk-access-token", ""))
        if user is None:
            return _error(401, "InvalidAuthentication", "token invalid")
        return web.json_response({"nick": user, "unionId": self.union_of(user), "openId": f"open{user}",
                                  "stateCode": "86"})

    async def by_union(self, request: web.Request) -> web.Response:
        if not self._oapi_token_ok(request):
            return web.json_response({"errcode": 40014, "errmsg": "不合法的access_token"})
        union = str((await request.json()).get("unionid") or "")
        user = next((u for u, un in self.unions.items() if un == union), None)
        if user is None or user in self.outsiders:
            return web.json_response({"errcode": 60121, "errmsg": "找不到该用户"})
        return web.json_response({"errcode": 0, "errmsg": "ok", "result": {"contact_type": 0, "userid": user}})
