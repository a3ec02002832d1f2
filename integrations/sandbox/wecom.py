"""A fake WeCom API server on loopback, speaking the documented protocol: tokens that expire,
message/send with WeCom's per-member limits (the excess dropped silently), template cards with single-use
response codes that expire, update_template_card, media upload and media/get with 3-day media ids, group chats
(appchat/create, get and send: only chats this app created; wecom_appchat.py), group-robot webhooks, agent/get
(visibility). `serve` uses it when no credentials are given.

Every rule names its source: the API docs at developer.work.weixin.qq.com/document/path/<n> (90236 发送应用消息,
94888 更新模版卡片消息, 90253/90254 上传/获取临时素材, 90455 全局错误码, 90245 创建群聊会话, 98914 获取群聊会话,
获取应用 agent/get)
and ../shared/PLATFORMS.md."""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.web_request import FileField

from integrations.sandbox.wecom_appchat import AppChats
from integrations.sandbox.wecom_login import WeComLogin

_TASK_ID = re.compile(r"^[0-9A-Za-z_\-@]{1,128}$")
CODE_TTL = 72 * 3600  # response_code: one use, within 72 hours (94888)
MEDIA_TTL = 3 * 24 * 3600  # temporary media ids live 3 days (90253/90254)
MAX_CONTENT_BYTES = 2048  # text/markdown content, else 45002 (90236)
MAX_MEMBERS_A_CALL = 1000  # touser "a|b|…" (90236)



def _form_problem(card: dict[str, Any]) -> str | None:
    """multiple_interaction (90236 多项选择型): select_list 1–3 drop-downs with distinct question_keys (≤ 1024 bytes),
    each option_list 1–10 options with distinct ids (≤ 128 bytes) and a text; a submit_button key ≤ 1024 bytes.
    The card type has no button_list, horizontal_content_list or sub_title_text (sent anyway: refused here)."""
    selects = card.get("select_list")
    if not isinstance(selects, list) or not 1 <= len(selects) <= 3:
        return "select_list must hold 1 to 3 selectors"
    keys = [str(q.get("question_key", "")) for q in selects if isinstance(q, dict)]
    if len(keys) != len(selects) or len(set(keys)) != len(keys) or any(not k or len(k.encode()) > 1024 for k in keys):
        return "select_list question_key missing, repeated or too long"
    for q in selects:
        options = q.get("option_list")
        if not isinstance(options, list) or not 1 <= len(options) <= 10:
            return "option_list must hold 1 to 10 options"
        ids = [str(o.get("id", "")) for o in options if isinstance(o, dict) and o.get("text")]
        if len(ids) != len(options) or len(set(ids)) != len(ids) or any(not i or len(i.encode()) > 128 for i in ids):
            return "option id missing, repeated or over 128 bytes, or an option without text"
    submit = card.get("submit_button")
    if not isinstance(submit, dict) or not submit.get("key") or len(str(submit["key"]).encode()) > 1024:
        return "submit_button key missing or too long"
    if any(k in card for k in ("button_list", "horizontal_content_list", "sub_title_text")):
        return "multiple_interaction takes no button_list, horizontal_content_list or sub_title_text"
    return None


@dataclass
class Stored:
    msgid: str
    to: str
    msgtype: str
    body: dict[str, Any]
    at: float
    response_code: str | None = None
    updates: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class FakeWeCom(AppChats, WeComLogin):
    corp_id: str
    secret: str
    agent_id: int
    rate_per_minute: int = 30  # per app per member; past either limit the message is dropped silently (90236)
    rate_per_hour: int = 1000
    token_ttl: int = 7200
    tokens: dict[str, float] = field(default_factory=dict)
    inbox: dict[str, list[Stored]] = field(default_factory=dict)  # userid → messages in order
    groups: dict[str, list[Stored]] = field(default_factory=dict)
    codes: dict[str, tuple[str, bool, float]] = field(default_factory=dict)  # code → (task_id, used, issued)
    task_ids: set[str] = field(default_factory=set)
    cards: dict[str, Stored] = field(default_factory=dict)  # task_id → card message
    sends: dict[str, list[float]] = field(default_factory=dict)
    fail_next: int = 0  # answer 503 this many times (platform outage)
    rate_limited: int = 0  # answer 45009 this many times (the app-wide API limit)
    slow_next: int = 0  # carry out this many calls but answer only after slow_seconds (the caller times out)
    slow_seconds: float = 5.0
    limited_count: int = 0  # how many sends were refused with 45009
    dropped_silently: int = 0  # sends past a member's limit: answered ok, never shown (as WeCom does)
    offset: float = 0.0  # seconds added to the clock (codes and media expire; tests move time on)
    duplicates_dropped: int = 0  # sends dropped by enable_duplicate_check
    recent: dict[str, list[tuple[str, Stored]]] = field(default_factory=dict)  # user → (digest, message)
    untrusted_ip: bool = False
    errcodes: list[int] = field(default_factory=list)  # answer the next calls with these errcodes (e.g. 50001)
    known_users: set[str] | None = None  # None: everyone exists
    media: dict[str, bytes] = field(default_factory=dict)
    # Called with each message as it is stored (a benchmark waits on arrivals instead of polling the inboxes).
    on_store: list[Callable[[Stored], None]] = field(default_factory=list)
    media_meta: dict[str, tuple[str, str, float]] = field(default_factory=dict)  # media_id → (mime, name, created)
    calls: list[str] = field(default_factory=list)
    agent_name: str = "矛调"
    visible_parties: list[int] = field(default_factory=lambda: [1])  # agent/get allow_partys; 1 is the root department
    visible_users: list[str] = field(default_factory=list)  # agent/get allow_userinfos
    chats: dict[str, dict[str, Any]] = field(default_factory=dict)  # chatid → chat_info of chats this app created
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/cgi-bin/gettoken", self.gettoken)
        app.router.add_post("/cgi-bin/message/send", self.message_send)
        app.router.add_post("/cgi-bin/message/update_template_card", self.update_card)
        app.router.add_post("/cgi-bin/appchat/create", self.appchat_create)
        app.router.add_post("/cgi-bin/appchat/send", self.appchat_send)
        app.router.add_post("/cgi-bin/webhook/send", self.webhook_send)
        app.router.add_post("/cgi-bin/media/upload", self.media_upload)
        app.router.add_get("/cgi-bin/media/get", self.media_get)
        app.router.add_get("/cgi-bin/agent/get", self.agent_get)
        app.router.add_get("/cgi-bin/appchat/get", self.appchat_get)
        self.login_routes(app)  # 免登 for the dashboard (wecom_login.py)
        return app

    @staticmethod
    def _err(code: int, msg: str) -> web.Response:
        return web.json_response({"errcode": code, "errmsg": msg})

    def now(self) -> float:
        return time.time() + self.offset

    def expire_tokens(self) -> None:
        for token in self.tokens:
            self.tokens[token] = 0.0

    async def gettoken(self, request: web.Request) -> web.Response:
        self.calls.append("gettoken")
        if request.query.get("corpid") != self.corp_id:
            return self._err(40013, "invalid corpid")
        if request.query.get("corpsecret") != self.secret:
            return self._err(40001, "invalid credential")
        token = secrets.token_hex(16)
        self.tokens[token] = self.now() + self.token_ttl
        return web.json_response({"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": self.token_ttl})

    def _refused(self, request: web.Request) -> web.Response | None:
        """What every API call but gettoken meets first: outages, the token, the trusted-IP list (60020: the
        server's IP is not on the app's 企业可信IP; gettoken itself is not refused — PLATFORMS.md, 90313)."""
        self.calls.append(request.path)
        if self.fail_next:
            self.fail_next -= 1
            return web.Response(status=503, text="upstream unavailable")
        if (problem := self._token_problem(request)) is not None:
            return problem
        if self.untrusted_ip:
            return self._err(60020, "not allow to access from your ip")
        if self.errcodes:
            return self._err(self.errcodes.pop(0), "as configured")
        return None

    async def _guard(self, request: web.Request) -> tuple[dict[str, Any] | None, web.Response | None]:
        if (refused := self._refused(request)) is not None:
            return None, refused
        try:
            body = await request.json()
        except ValueError:
            return None, self._err(47001, "data format error")
        return body, None

    def _over_member_limit(self, user: str) -> bool:
        """30 a minute, 1,000 an hour per member: past that WeCom answers ok and drops the message."""
        now = self.now()
        stamps = [t for t in self.sends.get(user, []) if now - t < 3600]
        self.sends[user] = stamps
        limits = ((60.0, self.rate_per_minute), (3600.0, self.rate_per_hour))
        if any(sum(1 for t in stamps if now - t < w) >= n for w, n in limits):
            return True
        stamps.append(now)
        return False

    def _check_card(self, card: dict[str, Any], *, fresh: bool = True) -> str | None:
        if card.get("card_type") not in ("button_interaction", "multiple_interaction"):
            return "only button_interaction and multiple_interaction are supported here"
        if not _TASK_ID.match(str(card.get("task_id", ""))) or (fresh and card["task_id"] in self.task_ids):
            return "task_id invalid or used"  # 42014 (94888: task_id unique per app)
        if card["card_type"] == "multiple_interaction":
            return _form_problem(card)
        buttons = card.get("button_list") or []
        if not 1 <= len(buttons) <= 6 or any(len(str(b.get("key", "")).encode()) > 1024 for b in buttons):
            return "button_list invalid"
        if len(card.get("horizontal_content_list") or []) > 6:
            return "horizontal_content_list too long"
        return None

    async def message_send(self, request: web.Request) -> web.Response:
        body, error = await self._guard(request)
        if error is not None:
            return error
        assert body is not None
        if body.get("agentid") != self.agent_id:
            return self._err(40056, "invalid agentid")
        recipients = self._recipients(body)
        if isinstance(recipients, web.Response):
            return recipients
        users, invalid = recipients
        msgtype = str(body.get("msgtype", ""))
        content = body.get(msgtype)
        if msgtype not in ("text", "markdown", "textcard", "template_card", "file", "image") or not isinstance(content, dict):
            return self._err(40008, "invalid message type")
        digest = hashlib.sha256(json.dumps([msgtype, content], sort_keys=True, ensure_ascii=False).encode()).hexdigest()
        earlier = [self._duplicate(u, digest, body) for u in users]
        if all(e is not None for e in earlier):  # enable_duplicate_check: the same message within the interval
            return self._repeat(earlier, invalid)
        if self.rate_limited:
            self.rate_limited -= 1
            self.limited_count += 1
            return self._err(45009, "api freq out of limit")
        if msgtype in ("text", "markdown") and len(str(content.get("content", "")).encode()) > MAX_CONTENT_BYTES:
            return self._err(45002, "content size out of limit")
        if msgtype == "template_card" and (problem := self._check_card(content)):
            return self._err(42014 if "task_id" in problem else 40058, problem)
        self.duplicates_dropped += sum(e is not None for e in earlier)
        fresh = [u for u, e in zip(users, earlier, strict=True) if e is None]
        answer: dict[str, Any] = {"errcode": 0, "errmsg": "ok", "invaliduser": invalid, "msgid": f"msg{next(self._ids)}"}
        self._deliver(fresh, msgtype, content, digest, answer)
        return await self._answer(answer)

    def _recipients(self, body: dict[str, Any]) -> tuple[list[str], str] | web.Response:
        """touser "a|b|…", at most 1,000 members (90236; the errcode past that is assumed: 40058, a bad parameter).
        Unknown members are named in invaliduser, lower case, and the rest still get the message; when every one
        is unknown the call fails with 81013 (90236)."""
        users = [u for u in str(body.get("touser", "")).split("|") if u]
        if not 1 <= len(users) <= MAX_MEMBERS_A_CALL:
            return self._err(40058, "touser must name 1 to 1000 members")
        invalid = "|".join(u.lower() for u in users if self.known_users is not None and u not in self.known_users)
        users = [u for u in users if self.known_users is None or u in self.known_users]
        if not users:
            return web.json_response({"errcode": 81013, "errmsg": "user & party & tag all invalid", "invaliduser": invalid})
        return users, invalid

    def _repeat(self, earlier: list[Stored | None], invalid: str) -> web.Response:
        self.duplicates_dropped += len(earlier)
        first = earlier[0]
        assert first is not None
        repeat: dict[str, Any] = {"errcode": 0, "errmsg": "ok", "invaliduser": invalid, "msgid": first.msgid}
        code = first.response_code
        if code and not self.codes[code][1]:  # assumed (README): the card's update code is given again while unused
            repeat["response_code"] = code
        return web.json_response(repeat)

    def _deliver(self, users: list[str], msgtype: str, content: dict[str, Any], digest: str,
                 answer: dict[str, Any]) -> None:
        """Each member's copy; past a member's limit it is dropped silently, the answer still ok (90236)."""
        shown = [u for u in users if not self._over_member_limit(u)]
        self.dropped_silently += len(users) - len(shown)
        code = None
        if msgtype == "template_card" and shown:
            self.task_ids.add(content["task_id"])
            code = answer["response_code"] = self.new_code(content["task_id"])
        for user in shown:
            stored = Stored(answer["msgid"], user, msgtype, content, self.now(), response_code=code)
            if code is not None:
                self.cards.setdefault(content["task_id"], stored)
            self.inbox.setdefault(user, []).append(stored)
            self.recent.setdefault(user, []).append((digest, stored))
            for listener in self.on_store:
                listener(stored)

    def _duplicate(self, user: str, digest: str, body: dict[str, Any]) -> Stored | None:
        if body.get("enable_duplicate_check") != 1:
            return None
        interval = min(4 * 3600, int(body.get("duplicate_check_interval") or 1800))
        now = self.now()
        return next((m for d, m in reversed(self.recent.get(user, [])) if d == digest and now - m.at < interval), None)

    async def _answer(self, answer: dict[str, Any]) -> web.Response:
        """The work is done; a slow platform may still fail to tell the caller in time."""
        if self.slow_next:
            self.slow_next -= 1
            await asyncio.sleep(self.slow_seconds)
        return web.json_response(answer)

    def new_code(self, task_id: str) -> str:
        code = secrets.token_urlsafe(24)
        self.codes[code] = (task_id, False, self.now())
        return code

    def _code_problem(self, code: str) -> tuple[int, str] | None:
        """One use within 72 hours (94888). Assumed (README): an unknown or expired code answers like a used one."""
        entry = self.codes.get(code)
        if entry is None or entry[1]:
            return 42022, "response_code has been used or invalid"
        if self.now() - entry[2] > CODE_TTL:
            return 42022, "response_code expired"
        if entry[0] not in self.cards:
            return 42016, "task_id to update not found"
        return None

    async def update_card(self, request: web.Request) -> web.Response:
        body, error = await self._guard(request)
        if error is not None:
            return error
        assert body is not None
        code = str(body.get("response_code", ""))
        problem = self._code_problem(code)
        if problem is not None:
            return self._err(*problem)
        task_id, _, issued = self.codes[code]
        self.codes[code] = (task_id, True, issued)
        stored = self.cards[task_id]
        if "template_card" in body:
            new = dict(body["template_card"])
            new["task_id"] = task_id
            if (shape := self._check_card(new, fresh=False)) is not None:
                return self._err(40058, shape)
            stored.body = new
        elif "button" in body:
            stored.body = {**stored.body, "button_list": [], "replaced": body["button"].get("replace_name", "")}
        stored.updates.append(body)
        return await self._answer({"errcode": 0, "errmsg": "ok", "invaliduser": []})

    def incoming_media(self, data: bytes, mime: str = "audio/amr", name: str = "voice.amr") -> str:
        """A file a member sent (photo, voice, video): its MediaId, valid for 3 days on media/get."""
        media_id = f"in{next(self._ids)}{secrets.token_hex(6)}"
        self.media[media_id] = data
        self.media_meta[media_id] = (mime, name, self.now())
        return media_id

    def _token_problem(self, request: web.Request) -> web.Response | None:
        token = request.query.get("access_token", "")
        if token not in self.tokens:
            return self._err(40014, "invalid access_token")
        if self.tokens[token] < self.now():
            return self._err(42001, "access_token expired")
        return None

    async def media_get(self, request: web.Request) -> web.Response:
        if (problem := self._token_problem(request)) is not None:
            return problem
        media_id = request.query.get("media_id", "")
        meta = self.media_meta.get(media_id)
        if meta is None or self.now() - meta[2] > MEDIA_TTL:
            return self._err(40007, "invalid media_id")
        mime, name, _ = meta
        return web.Response(body=self.media[media_id], content_type=mime,
                            headers={"Content-Disposition": f'attachment; filename="{name}"'})

    async def media_upload(self, request: web.Request) -> web.Response:
        if (problem := self._token_problem(request)) is not None:
            return problem
        form = await request.post()
        media = form.get("media")
        data = media.file.read() if isinstance(media, FileField) else b""
        if request.query.get("type") == "image" and not data.startswith(b"\x89PNG"):
            return self._err(40004, "invalid media")
        if not data:
            return self._err(40004, "empty media")
        media_id = f"media{next(self._ids)}"
        self.media[media_id] = data
        name = media.filename if isinstance(media, FileField) and media.filename else "upload"
        self.media_meta[media_id] = ("image/png" if request.query.get("type") == "image" else "application/octet-stream",
                                     name, self.now())
        return web.json_response({"errcode": 0, "errmsg": "ok", "type": "image", "media_id": media_id})

    async def agent_get(self, request: web.Request) -> web.Response:
        """agent/get (获取应用): name, visibility (allow_partys / allow_userinfos / allow_tags) and whether the
        app is disabled (close). A self-built app may read only itself: another agentid is 40056."""
        if (refused := self._refused(request)) is not None:
            return refused
        if request.query.get("agentid") != str(self.agent_id):
            return self._err(40056, "invalid agentid")
        return web.json_response({
            "errcode": 0, "errmsg": "ok", "agentid": self.agent_id, "name": self.agent_name, "description": "",
            "allow_userinfos": {"user": [{"userid": u} for u in self.visible_users]},
            "allow_partys": {"partyid": list(self.visible_parties)}, "allow_tags": {"tagid": []}, "close": 0,
            "redirect_domain": "", "report_location_flag": 0, "isreportenter": 0, "home_url": ""})

    async def webhook_send(self, request: web.Request) -> web.Response:
        body = await request.json()
        key = request.query.get("key", "")
        msgtype = str(body.get("msgtype", ""))
        self.groups.setdefault(f"webhook:{key}", []).append(
            Stored(f"msg{next(self._ids)}", key, msgtype, body.get(msgtype) or {}, self.now()))
        return self._err(0, "ok")

    def texts(self, user: str) -> list[str]:
        return [str(m.body.get("content", "")) for m in self.inbox.get(user, []) if m.msgtype in ("text", "markdown")]

    def card_messages(self, user: str) -> list[Stored]:
        return [m for m in self.inbox.get(user, []) if m.msgtype == "template_card"]
