"""The fake WeCom's web sign-in (网页授权, 免登) for the dashboard: the authorize page and the code exchange.

- GET /connect/oauth2/authorize (open.weixin.qq.com; developer.work.weixin.qq.com/document/path/91022): the
  member signed in on this fake (`signed_in`) is sent back to redirect_uri with ?code=…&state=…; the wrong appid
  or scope is an error page.
- GET /cgi-bin/auth/getuserinfo?access_token=…&code=… (91023) → {errcode: 0, userid, user_ticket?} for a member,
  {errcode: 0, openid} for someone outside the corp; a code is good once, for five minutes, else 40029.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from urllib.parse import urlencode

from aiohttp import web

CODE_SECONDS = 300


@dataclass(kw_only=True)
class WeComLogin:
    signed_in: str | None = None  # the userid signed in to WeCom in the fake's browser
    login_codes: dict[str, tuple[str, float]] = field(default_factory=dict)  # code → (userid, expires)
    outsiders: set[str] = field(default_factory=set)  # people who are not members: getuserinfo gives an openid
    corp_id: str  # FakeWeCom's

    def now(self) -> float:  # FakeWeCom's clock
        raise NotImplementedError

    def _refused(self, request: web.Request) -> web.Response | None:  # FakeWeCom's token and outage checks
        raise NotImplementedError

    def login_routes(self, app: web.Application) -> None:
        app.router.add_get("/connect/oauth2/authorize", self.authorize)
        app.router.add_get("/cgi-bin/auth/getuserinfo", self.getuserinfo)

    def login_code(self, user: str) -> str:
        """The one-time code WeCom's authorize page hands the browser of `user`."""
        code = secrets.token_hex(16)
        self.login_codes[code] = (user, self.now() + CODE_SECONDS)
        return code

    async def authorize(self, request: web.Request) -> web.StreamResponse:
        q = request.query
        if q.get("appid") != self.corp_id or q.get("scope") != "snsapi_base" or not q.get("redirect_uri"):
            return web.Response(status=400, text="参数错误", content_type="text/plain")
        if self.signed_in is None:
            return web.Response(text="请在企业微信中打开", content_type="text/plain")
        back = q["redirect_uri"]
        sep = "&" if "?" in back else "?"
        raise web.HTTPFound(back + sep + urlencode({"code": self.login_code(self.signed_in), "state": q.get("state", "")}))

    async def getuserinfo(self, request: web.Request) -> web.Response:
        if (refused := self._refused(request)) is not None:
            return refused
        found = self.login_codes.pop(request.query.get("code", ""), None)  # good once
        if found is None or found[1] < self.now():
            return web.json_response({"errcode": 40029, "errmsg": "invalid code"})
        user = found[0]
        if user in self.outsiders:
            return web.json_response({"errcode": 0, "errmsg": "ok", "openid": f"o{secrets.token_hex(8)}"})
        return web.json_response({"errcode": 0, "errmsg": "ok", "userid": user, "user_ticket": secrets.token_hex(16)})
