"""The fake DingTalk's OpenAPI: what the bot calls, refusing, throttling and metering as DingTalk does.

Each rule names its source: PLATFORMS.md ("Checked against the official SDKs and docs"), the official SDK
`alibabacloud-dingtalk` (robot_1_0 / card_1_0 request and response models), DingTalk's help centre on the
monthly quota (help-detail-1061621972), and open-dingtalk/dingtalk-card-examples for cards."""

from __future__ import annotations

import asyncio
import itertools
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.web_request import FileField

from integrations.dingtalk.template import Template, ours, problems
from integrations.sandbox.dingtalk_login import FakeLogin
from integrations.sandbox.dingtalk_todo import FakeTodo

MAX_BATCH = 20  # batchSend userIds (robot_1_0.BatchSendOTORequest; PLATFORMS.md)
MAX_MSG_PARAM = 15_000  # group msgParam bytes (PLATFORMS.md); applied to batchSend as well (assumed)
QUOTA_CODE = "Forbidden.AccessDenied.ApiCountLimitForOrg"  # errcode 90020, per natural month (help centre)
QPS_CODE = "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi"  # HTTP 403 (PLATFORMS.md)


def _error(status: int, code: str, message: str) -> web.Response:
    """DingTalk's error body: HTTP 4xx/5xx with {code, message, requestid}."""
    return web.json_response({"code": code, "message": message, "requestid": secrets.token_hex(8)}, status=status)


@dataclass
class FakeDingTalkAPI(FakeTodo, FakeLogin):
    client_id: str
    client_secret: str
    robot_code: str
    token_ttl: int = 7200
    tokens: dict[str, float] = field(default_factory=dict)
    inbox: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # userId → messages and cards
    groups: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    cards: dict[str, dict[str, Any]] = field(default_factory=dict)  # outTrackId → {user, params, updates}
    templates: dict[str, Template] = field(default_factory=dict)  # cardTemplateId → the imported template
    dings: list[dict[str, Any]] = field(default_factory=list)
    throttle: dict[str, int] = field(default_factory=dict)  # userId → times to answer "flow controlled"
    filtered: set[str] = field(default_factory=set)  # users batchSend filters out (e.g. they blocked the bot)
    media: dict[str, bytes] = field(default_factory=dict)  # media uploaded by the bot
    files: dict[str, tuple[bytes, str]] = field(default_factory=dict)  # downloadCode → (bytes, mime) sent by users
    fail_next: int = 0
    qps_limit: float | None = None  # calls per second per API for this app; past it HTTP 403 QpsLimit…
    quota: int | None = None  # metered calls this month; past it HTTP 403 ApiCountLimitForOrg
    metered: int = 0
    throttled: int = 0  # 403 QpsLimit answers given
    slow_next: int = 0  # carry out this many calls, then answer after slow_seconds (the caller times out)
    slow_seconds: float = 5.0
    drop_next: int = 0  # carry out this many calls, then cut the connection without an answer
    oapi_tokens: int = 0  # legacy tokens handed out (/gettoken)
    base_url: str = ""
    group_robots: dict[str, set[str]] = field(default_factory=dict)  # openConversationId → robotCodes in that group
    _calls: dict[str, list[float]] = field(default_factory=dict)
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    def api_routes(self, app: web.Application) -> None:
        app.router.add_post("/v1.0/oauth2/accessToken", self.access_token)
        app.router.add_post("/v1.0/robot/oToMessages/batchSend", self.batch_send)
        app.router.add_post("/v1.0/robot/groupMessages/send", self.group_send)
        app.router.add_post("/v1.0/card/instances/createAndDeliver", self.create_card)
        app.router.add_put("/v1.0/card/instances", self.update_card)
        app.router.add_post("/v1.0/card/instances", self.create_undelivered)
        app.router.add_post("/v1.0/robot/groups/robots/query", self.robots_in_group)
        app.router.add_post("/v1.0/robot/ding/send", self.ding)
        app.router.add_post("/v1.0/robot/messageFiles/download", self.file_download)
        app.router.add_get("/files/{token}", self.file_content)
        app.router.add_get("/gettoken", self.oapi_token)
        app.router.add_post("/media/upload", self.media_upload)
        self.todo_routes(app)  # 待办 and the unionId lookup (integrations/sandbox/dingtalk_todo.py)
        self.login_routes(app)  # 免登 for the dashboard (integrations/sandbox/dingtalk_login.py)

    def template(self, template_id: str, template: Template | None = None) -> None:
        """A template the org imported and published (ours by default)."""
        self.templates[template_id] = template or ours()

    def _limited(self, path: str) -> web.Response | None:
        """Throttling per app per API (403 QpsLimit…), then the monthly quota of metered calls (403
        ApiCountLimitForOrg; every OpenAPI call but the token is taken as metered — assumed)."""
        now = time.monotonic()
        if self.qps_limit is not None:
            recent = [t for t in self._calls.get(path, []) if now - t < 1.0]
            if len(recent) >= self.qps_limit:
                self._calls[path] = recent
                self.throttled += 1
                return _error(403, QPS_CODE, "触发限流,请稍后重试")
            self._calls[path] = [*recent, now]
        if self.quota is not None and self.metered >= self.quota:
            return _error(403, QUOTA_CODE, f"您的企业本月api调用量已超过限制,调用量:{self.metered + 1}次,"
                                           f"额度:{self.quota}次,请登录开发者后台-资源管理-查看用量明细")
        self.metered += 1
        return None

    def _authorized(self, request: web.Request) -> web.Response | None:
        if self.fail_next:
            self.fail_next -= 1
            return _error(503, "ServiceUnavailable", "busy")
        token = request.headers.get("x-acs-dingtalk-access-token", "")
        if self.tokens.get(token, 0) < time.time():
            return _error(401, "InvalidAuthentication", "token invalid")  # PLATFORMS.md: bad token
        return self._limited(request.path)

    async def _answer(self, request: web.Request, answer: dict[str, Any]) -> web.StreamResponse:
        """The work is done; a slow platform or a cut connection may still keep the answer from the caller."""
        if self.drop_next:
            self.drop_next -= 1
            if request.transport is not None:
                request.transport.close()
            return web.Response(status=200)
        if self.slow_next:
            self.slow_next -= 1
            await asyncio.sleep(self.slow_seconds)
        return web.json_response(answer)

    async def access_token(self, request: web.Request) -> web.Response:
        body = await request.json()
        if body.get("appKey") != self.client_id or body.get("appSecret") != self.client_secret:
            return _error(400, "InvalidAppKey", "bad app")
        token = secrets.token_hex(16)
        self.tokens[token] = time.time() + self.token_ttl
        return web.json_response({"accessToken": token, "expireIn": self.token_ttl})

    def known(self, user: str) -> bool:
        return bool(user) and not user.startswith("invalid")

    @staticmethod
    def _param(body: dict[str, Any]) -> dict[str, Any] | None:
        raw = body.get("msgParam")
        if not isinstance(raw, str) or len(raw.encode()) > MAX_MSG_PARAM:
            return None
        try:
            param = json.loads(raw)
        except ValueError:
            return None
        return param if isinstance(param, dict) else None

    async def batch_send(self, request: web.Request) -> web.StreamResponse:
        if (denied := self._authorized(request)) is not None:
            return denied
        body = await request.json()
        users = body.get("userIds") or []
        if body.get("robotCode") != self.robot_code or not 0 < len(users) <= MAX_BATCH:
            return _error(400, "InvalidParameter", "robotCode/userIds")
        param = self._param(body)
        if param is None:
            return _error(400, "InvalidParameter", "msgParam must be a JSON object of at most 15000 bytes")
        unknown = [u for u in users if not self.known(u)]
        if unknown:  # one unknown user refuses the whole call (PLATFORMS.md)
            return _error(400, "staffId.notExisted", f"staffId {unknown[0]} not existed")
        filtered, throttled = [], []
        for user in users:
            if user in self.filtered:
                filtered.append(user)
            elif self.throttle.get(user, 0) > 0:
                self.throttle[user] -= 1
                throttled.append(user)
            else:
                self.inbox.setdefault(user, []).append({"msgKey": body["msgKey"], "param": param, "at": time.time()})
        return await self._answer(request, {"processQueryKey": secrets.token_hex(8), "invalidStaffIdList": [],
                                            "filteredStaffIdList": filtered, "flowControlledStaffIdList": throttled})

    async def group_send(self, request: web.Request) -> web.StreamResponse:
        if (denied := self._authorized(request)) is not None:
            return denied
        body = await request.json()
        param = self._param(body)
        if param is None:
            return _error(400, "InvalidParameter", "msgParam must be a JSON object of at most 15000 bytes")
        self.groups.setdefault(body["openConversationId"], []).append(
            {"msgKey": body["msgKey"], "param": param, "at": time.time()})
        return await self._answer(request, {"processQueryKey": secrets.token_hex(8)})

    def _card_problem(self, template_id: str, params: Any) -> str | None:
        template = self.templates.get(template_id)
        if template is None:  # not imported or not published in this org (a real answer seen in the field)
            return "param.templateUnpublished"
        if not isinstance(params, dict):
            return "cardParamMap must be an object"
        found = problems(template, params)
        return "; ".join(found) if found else None

    async def create_card(self, request: web.Request) -> web.StreamResponse:
        if (denied := self._authorized(request)) is not None:
            return denied
        body = await request.json()
        params = (body.get("cardData") or {}).get("cardParamMap", {})
        if body.get("callbackType") != "STREAM":
            return _error(400, "InvalidParameter", "callbackType must be STREAM for Stream callbacks")
        problem = self._card_problem(str(body.get("cardTemplateId", "")), params)
        if problem is not None:
            code = problem if problem.startswith("param.") else "InvalidParameter"
            return _error(400, code, problem)
        space = str(body.get("openSpaceId", ""))
        user = space.rsplit(".", 1)[-1] if space.startswith("dtv1.card//IM_ROBOT.") else ""
        out_track = str(body.get("outTrackId", ""))
        if out_track in self.cards:  # assumed wording (README): one card per outTrackId
            return _error(400, "InvalidParameter", "outTrackId already exists")
        ok = self.known(user)
        if ok:
            self.cards[out_track] = {"user": user, "params": dict(params), "updates": 0,
                                     "template": str(body["cardTemplateId"])}
            self.inbox.setdefault(user, []).append({"card": out_track, "at": time.time()})
        return await self._answer(request, {"success": True, "result": {"outTrackId": out_track, "deliverResults": [
            {"spaceType": "IM_ROBOT", "spaceId": user, "success": ok, "errorMsg": "" if ok else "user not found"}]}})

    async def create_undelivered(self, request: web.Request) -> web.StreamResponse:
        """card_1_0.CreateCard (POST /v1.0/card/instances): a card instance made but put in no space (nobody
        sees it until /v1.0/card/instances/deliver). Same template rules as createAndDeliver."""
        if (denied := self._authorized(request)) is not None:
            return denied
        body = await request.json()
        params = (body.get("cardData") or {}).get("cardParamMap", {})
        problem = self._card_problem(str(body.get("cardTemplateId", "")), params)
        if problem is not None:
            return _error(400, problem if problem.startswith("param.") else "InvalidParameter", problem)
        out_track = str(body.get("outTrackId", ""))
        if not out_track or out_track in self.cards:
            return _error(400, "InvalidParameter", "outTrackId missing or already exists")
        self.cards[out_track] = {"user": "", "params": dict(params), "updates": 0,
                                 "template": str(body["cardTemplateId"])}
        return await self._answer(request, {"success": True, "result": out_track})

    def add_group(self, conversation: str, *robots: str) -> None:
        """A group the org made, with these robots added to it (ours by default)."""
        self.group_robots[conversation] = set(robots or (self.robot_code,))

    async def robots_in_group(self, request: web.Request) -> web.StreamResponse:
        """robot_1_0.GetBotListInGroup (POST /v1.0/robot/groups/robots/query {openConversationId}) →
        {chatbotInstanceVOList: [{robotCode, name, openRobotType}]}. An unknown conversation answers HTTP 400
        (assumed: the SDK documents no error codes; InvalidParameter is DingTalk's general 400 code)."""
        if (denied := self._authorized(request)) is not None:
            return denied
        body = await request.json()
        robots = self.group_robots.get(str(body.get("openConversationId", "")))
        if robots is None:
            return _error(400, "InvalidParameter", "openConversationId invalid")
        return await self._answer(request, {"chatbotInstanceVOList": [
            {"robotCode": r, "name": "矛调" if r == self.robot_code else r, "openRobotType": 1} for r in sorted(robots)]})

    def apply(self, out_track: str, params: Any) -> str | None:
        """Update a card's data by key (updateCardDataByKey), checked against its template."""
        card = self.cards.get(out_track)
        if card is None:
            return "card not found"
        problem = self._card_problem(card["template"], params)
        if problem is not None:
            return problem
        card["params"] = {**card["params"], **params}
        card["updates"] += 1
        return None

    async def update_card(self, request: web.Request) -> web.StreamResponse:
        if (denied := self._authorized(request)) is not None:
            return denied
        body = await request.json()
        problem = self.apply(str(body.get("outTrackId", "")), (body.get("cardData") or {}).get("cardParamMap", {}))
        if problem == "card not found":
            return _error(404, "CardNotFound", "no such card")
        if problem is not None:
            return _error(400, "InvalidParameter", problem)
        return await self._answer(request, {"success": True, "result": True})

    async def ding(self, request: web.Request) -> web.StreamResponse:
        if (denied := self._authorized(request)) is not None:
            return denied
        body = await request.json()
        if body.get("remindType") not in (1, 2, 3):  # robot_1_0 BatchSendOTO DING: 1 app, 2 SMS, 3 phone call
            return _error(400, "InvalidParameter.RemindType", "remindType 取值为 1(应用内)、2(短信)、3(电话)")
        self.dings.append(body)
        failed = {u: "user not found" for u in body.get("receiverUserIdList") or [] if not self.known(u)}
        return await self._answer(request, {"openDingId": secrets.token_hex(8), "failedList": failed})

    def incoming_file(self, data: bytes, mime: str = "image/jpeg") -> str:
        """A file a user sent the bot (picture, audio, file): its downloadCode."""
        code = f"dl{next(self._ids)}{secrets.token_hex(8)}"
        self.files[code] = (data, mime)
        return code

    async def file_download(self, request: web.Request) -> web.StreamResponse:
        """robot_1_0.RobotMessageFileDownload: {downloadCode, robotCode} → {downloadUrl} (PLATFORMS.md)."""
        if (denied := self._authorized(request)) is not None:
            return denied
        body = await request.json()
        code = str(body.get("downloadCode", ""))
        if body.get("robotCode") != self.robot_code or code not in self.files:
            return _error(400, "InvalidParameter", "downloadCode invalid")
        token = secrets.token_urlsafe(12)
        self.files[f"url:{token}"] = self.files[code]
        return await self._answer(request, {"downloadUrl": f"{self.base_url}/files/{token}"})

    async def file_content(self, request: web.Request) -> web.Response:
        found = self.files.get(f"url:{request.match_info['token']}")
        if found is None:
            return web.Response(status=404)
        return web.Response(body=found[0], content_type=found[1])

    async def oapi_token(self, request: web.Request) -> web.Response:
        if request.query.get("appkey") != self.client_id or request.query.get("appsecret") != self.client_secret:
            return web.json_response({"errcode": 40089, "errmsg": "invalid appkey or appsecret"})
        self.oapi_tokens += 1
        token = secrets.token_hex(16)
        self.tokens[token] = time.time() + self.token_ttl
        return web.json_response({"errcode": 0, "access_token": token, "expires_in": self.token_ttl})

    def _oapi_token_ok(self, request: web.Request) -> bool:
        return self.tokens.get(request.query.get("access_token", ""), 0) >= time.time()

    def _oapi_metered(self) -> web.Response | None:
        """A metered call on the older host: counted, or refused with errcode 90020 past the quota."""
        if self.quota is not None and self.metered >= self.quota:
            return web.json_response({"errcode": 90020, "errmsg": "您的企业本月api调用量已超过限制"})
        self.metered += 1
        return None

    async def media_upload(self, request: web.Request) -> web.Response:
        if not self._oapi_token_ok(request):
            return web.json_response({"errcode": 40014, "errmsg": "invalid token"})
        if (refused := self._oapi_metered()) is not None:
            return refused
        form = await request.post()
        media = form.get("media")
        data = media.file.read() if isinstance(media, FileField) else b""
        media_id = f"@lA{secrets.token_hex(8)}"
        self.media[media_id] = data
        return web.json_response({"errcode": 0, "errmsg": "ok", "type": "image", "media_id": media_id})

    # --- what a person sees ---------------------------------------------------------------------
    def texts(self, user: str) -> list[str]:
        out = []
        for m in self.inbox.get(user, []):
            param = m.get("param") or {}
            if "content" in param or "text" in param:
                out.append(str(param.get("content") or param.get("text")))
        return out

    def user_cards(self, user: str) -> list[tuple[str, dict[str, str]]]:
        return [(m["card"], self.cards[m["card"]]["params"]) for m in self.inbox.get(user, []) if "card" in m]

    def click_params(self, out_track: str, label: str) -> dict[str, Any]:
        """What a click on the labelled button sends back: the params the template binds (unbound: {})."""
        card = self.cards[out_track]
        template = self.templates[card["template"]]
        buttons = json.loads(card["params"].get(template.button_list) or "[]")
        button = next(b for b in buttons if b.get("text") == label)
        return {name: button.get(key, "") for name, key in template.button_params.items()}
