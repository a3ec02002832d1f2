"""A fake 浙政钉 (专有钉钉) open-platform gateway on loopback. Every request but the custom robot's must carry
a valid HMAC signature (the official SDK's algorithm, integrations/zwdd/sign.py), a fresh timestamp, an
unused nonce and a known apiKey; it issues and expires app tokens, serves 免登 and scan-login codes (one use,
short-lived), and records work notifications, 待办, DING and group messages. Each rule names its source:
"SDK" = zwdd-sdk-java 1.2.0 (rnben/zwdd), "doc" = the platform text quoted in integrations/zwdd/README.md,
"assumed" = not documented anywhere public; the README's assumption list says why we chose it."""

from __future__ import annotations

import itertools
import json
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from integrations.zwdd import sign

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
MSG_TYPES = frozenset({"text", "link", "markdown", "oa", "action_card"})  # doc: 目前支持 text/link/markdown/oa/action_card
ROBOT_TYPES = frozenset({"text", "link", "markdown", "actionCard", "feedCard"})  # DingTalk custom robot
PARAMS = web.RequestKey("zwdd_params", dict[str, str])  # the verified parameters, first value of each name


def _same(expected: str, given: str) -> bool:
    """Constant-time, and safe for a forged header full of non-ASCII (str compare_digest would raise)."""
    return secrets.compare_digest(expected.encode(), given.encode("utf-8", "replace"))


@dataclass
class FakeZwdd:
    app_key: str
    app_secret: str
    tenant_id: str
    users: dict[str, str] = field(default_factory=dict)  # accountId → name: the tenant's accounts
    clock: Callable[[], float] = time.time
    token_ttl: int = 7200  # doc: access_token 有效期为7200秒
    timestamp_window: float = 900.0  # assumed: ±15 min (a public PHP client signs 150 s ahead and works)
    auth_code_ttl: float = 300.0  # assumed: 5 min, as public DingTalk's 免登码
    daily_limit: int = 100  # doc: ISV 应用给同一用户发送消息一天不得超过100次
    robot_per_minute: int = 20  # DingTalk custom robot: "exceed 20 times per minute" (130101)
    tokens: dict[str, float] = field(default_factory=dict)  # token → expiry
    nonces: dict[str, float] = field(default_factory=dict)
    auth_codes: dict[str, tuple[str, str, float]] = field(default_factory=dict)  # code → (kind, accountId, expiry)
    inbox: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # accountId → work notifications
    dropped: list[dict[str, Any]] = field(default_factory=list)  # accepted but never shown to the user
    biz_msg_ids: set[str] = field(default_factory=set)
    todos: dict[str, dict[str, Any]] = field(default_factory=dict)  # taskUuid → 待办
    dings: list[dict[str, Any]] = field(default_factory=list)
    groups: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # chatId → messages
    robots: dict[str, tuple[str, str]] = field(default_factory=dict)  # robot access_token → (secret, chatId)
    robot_log: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    refusals: list[tuple[str, str]] = field(default_factory=list)  # (path, code) of every refusal
    fail_next: int = 0  # answer the next N signed calls with 503
    throttle_next: int = 0  # answer the next N signed calls with 429
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._gateway])
        routes = {
            "/gettoken.json": self.gettoken, "/rpc/oauth2/dingtalk_app_user.json": self.app_user,
            "/rpc/oauth2/getuserinfo_bycode.json": self.login_user, "/get_jsapi_token.json": self.jsapi_token,
            "/message/workNotification": self.work_notification, "/message/revoke": self.revoke,
            "/tc/v2/openapi/task/create.json": self.todo_create, "/tc/openapi/task/finish.json": self.todo_finish,
            "/tc/openapi/task/cancel.json": self.todo_cancel, "/gov/ding/isv/send.json": self.ding,
            "/robot/message/sendgroup": self.send_group,
        }
        for path, handler in routes.items():  # doc/SDK samples call the same APIs with GET and with POST
            app.router.add_route("GET", path, handler)
            app.router.add_route("POST", path, handler)
        app.router.add_post("/robot/send", self.robot_send)
        return app

    # --- set-up and what a person sees ----------------------------------------------------------------
    def issue_code(self, account_id: str, kind: str = "app") -> str:
        """What `dd.getAuthCode` in the 浙政钉 app (kind "app") or the scan-login redirect ("login") yields."""
        code = secrets.token_hex(20)
        self.auth_codes[code] = (kind, account_id, self.clock() + self.auth_code_ttl)
        return code

    def add_group(self, chat_id: str) -> None:
        """A group chat the app's robot is a member of."""
        self.groups.setdefault(chat_id, [])

    def add_robot(self, chat_id: str) -> tuple[str, str]:
        """A custom robot added to a group in its settings: (access_token, SEC… secret)."""
        token, secret = secrets.token_hex(32), "SEC" + secrets.token_hex(32)
        self.robots[token] = (secret, chat_id)
        self.robot_log[token] = []
        self.add_group(chat_id)
        return token, secret

    def texts(self, account_id: str) -> list[str]:
        out = []
        for entry in self.inbox.get(account_id, []):
            msg = entry["msg"]
            body = msg.get(msg["msgtype"], {})
            out.append(str(body.get("content") or body.get("text") or body.get("markdown")
                           or body.get("body", {}).get("content", "")))
        return out

    # --- the gateway: signature, timestamp, nonce, apiKey ----------------------------------------------
    @staticmethod
    def _reply(data: dict[str, Any], status: int = 200) -> web.Response:
        return web.json_response(data, status=status)

    def _refuse(self, path: str, status: int, code: str, message: str) -> web.Response:
        self.refusals.append((path, code))
        return self._reply({"success": False, "errorCode": code, "errorMsg": message, "errorLevel": "error",
                            "_RequestId": secrets.token_hex(15)}, status)  # assumed status; fields: SDK OapiResponse

    def _ok(self, data: Any) -> web.Response:
        return self._reply({"success": True, "content": {"success": True, "data": data, "responseCode": "0",
                                                         "responseMessage": "OK", "requestId": secrets.token_hex(15)}})

    def _biz_error(self, path: str, code: str, message: str) -> web.Response:
        self.refusals.append((path, code))  # doc: business errors as content.responseCode/responseMessage
        return self._reply({"success": True, "content": {"success": False, "responseCode": code,
                                                         "responseMessage": message}})

    @web.middleware
    async def _gateway(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        path = request.path
        if path == "/robot/send":
            return await handler(request)
        if self.fail_next:
            self.fail_next -= 1
            return self._refuse(path, 503, "ServiceUnavailable", "gateway busy")
        if self.throttle_next:
            self.throttle_next -= 1
            return self._refuse(path, 429, "Throttling", "请求过于频繁")  # assumed shape of a throttle answer
        headers = request.headers
        missing = [h for h in sign.REQUIRED_HEADERS if not headers.get(h)]
        if missing:  # SDK: AbstractRequest always sends these four (IP/MAC are optional in public clients)
            return self._refuse(path, 403, "MissingHeader", f"missing {', '.join(missing)}")
        if headers[sign.H_API_KEY] != self.app_key:
            return self._refuse(path, 403, "InvalidApiKey", "unknown apiKey")  # assumed code
        if (refused := self._check_time(path, headers[sign.H_TIMESTAMP])) is not None:
            return refused
        pairs = await self._pairs(request)
        expected = sign.signature(self.app_secret, sign.string_to_sign(
            request.method, headers[sign.H_TIMESTAMP], headers[sign.H_NONCE], path, sign.canonical_params(pairs)))
        if not _same(expected, headers[sign.H_SIGNATURE]):
            return self._refuse(path, 403, "OPF-B001-05-16-0009", "SignatureDoesNotMatch")  # doc: 常见错误
        if (refused := self._check_nonce(path, headers[sign.H_NONCE])) is not None:
            return refused
        request[PARAMS] = {name: value for name, value in reversed(pairs)}
        return await handler(request)

    def _check_time(self, path: str, stamp: str) -> web.Response | None:
        at = sign.parse_timestamp(stamp)
        if at is None or abs(at.timestamp() - self.clock()) > self.timestamp_window:
            return self._refuse(path, 403, "InvalidTimestamp", "timestamp expired or malformed")  # assumed
        return None

    def _check_nonce(self, path: str, nonce: str) -> web.Response | None:
        now = self.clock()
        for seen in [n for n, at in self.nonces.items() if now - at > 2 * self.timestamp_window]:
            del self.nonces[seen]
        if nonce in self.nonces:  # assumed: the SDK's nanoTime+random nonce exists to make each request unique
            return self._refuse(path, 403, "NonceUsed", "nonce already used")
        self.nonces[nonce] = now
        return None

    @staticmethod
    async def _pairs(request: web.Request) -> list[tuple[str, str]]:
        if request.method == "GET":  # SDK GetRequest: parameters in the query
            return list(request.query.items())
        if not (request.content_type or "").startswith("application/x-www-form-urlencoded"):
            return []  # SDK PostRequest: a UTF-8 form body; anything else signs no parameters
        return parse_qsl((await request.read()).decode("utf-8", "replace"), keep_blank_values=True)

    # --- token and 免登 ---------------------------------------------------------------------------------
    def _token_ok(self, token: str) -> bool:
        return self.tokens.get(token, 0.0) > self.clock()

    async def gettoken(self, request: web.Request) -> web.Response:
        params = {k.lower(): v for k, v in request[PARAMS].items()}  # SDK: appkey; a public wrapper: appKey
        if params.get("appkey") != self.app_key or params.get("appsecret") != self.app_secret:
            return self._biz_error(request.path, "INVALID_APP", "appkey与appsecret不匹配")  # assumed code
        now = self.clock()
        live = [t for t, exp in self.tokens.items() if exp > now]
        token = live[0] if live else "app_" + secrets.token_hex(16)
        self.tokens[token] = now + self.token_ttl  # doc: 有效期内重复获取返回相同结果，并自动续期
        return self._ok({"accessToken": token, "expiresIn": str(self.token_ttl)})  # doc: "expiresIn":"7200"

    def expire_tokens(self) -> None:
        self.tokens.clear()

    def _exchange(self, request: web.Request, kind: str, code_param: str) -> web.Response:
        params = request[PARAMS]
        if not self._token_ok(params.get("access_token", "")):
            return self._biz_error(request.path, "240133", "应用accessToken失效或不存在")  # doc: 错误码
        entry = self.auth_codes.pop(params.get(code_param, ""), None)  # doc: code 只能使用一次
        if entry is None or entry[0] != kind or entry[2] < self.clock() or entry[1] not in self.users:
            return self._biz_error(request.path, "240111", "code失效或不存在")  # doc: 错误码
        account = entry[1]
        return self._ok({"accountId": int(account), "lastName": self.users[account], "nickNameCn": self.users[account],
                         "employeeCode": f"GE_{account}", "tenantId": int(self.tenant_id), "realmId": int(self.tenant_id),
                         "account": f"user{account}", "namespace": "local", "clientId": self.app_key,
                         "tenantUserId": f"{self.tenant_id}${account}"})  # doc: 返回结果 fields

    async def app_user(self, request: web.Request) -> web.Response:
        return self._exchange(request, "app", "auth_code")  # SDK: OapiRpcOauth2DingtalkAppUserJsonRequest

    async def login_user(self, request: web.Request) -> web.Response:
        return self._exchange(request, "login", "code")  # SDK: OapiRpcOauth2GetuserinfoBycodeJsonRequest

    async def jsapi_token(self, request: web.Request) -> web.Response:
        if not self._token_ok(request[PARAMS].get("accessToken", "")):  # SDK field name: accessToken
            return self._biz_error(request.path, "240133", "应用accessToken失效或不存在")
        return self._ok({"accessToken": "jsapi_" + secrets.token_hex(12), "expiresIn": str(self.token_ttl)})

    # --- work notifications -----------------------------------------------------------------------------
    def _tenant_ok(self, request: web.Request) -> bool:
        return str(request[PARAMS].get("tenantId", "")) == self.tenant_id

    def _check_msg(self, path: str, raw: str, types: frozenset[str]) -> web.Response | dict[str, Any]:
        if len(raw.encode("utf-8")) > 2048:  # doc: 最长不超过2048个字节
            return self._biz_error(path, "MSG_TOO_LONG", "msg超过2048字节")
        try:
            msg = json.loads(raw)
        except ValueError:
            msg = None
        if not isinstance(msg, dict) or msg.get("msgtype") not in types or not isinstance(msg.get(msg["msgtype"]), dict):
            return self._biz_error(path, "INVALID_MSG", "msg格式错误")  # assumed code
        return msg

    async def work_notification(self, request: web.Request) -> web.Response:
        params, path = request[PARAMS], request.path
        if not self._tenant_ok(request):
            return self._biz_error(path, "TENANT_INVALID", "租户ID错误")  # assumed code
        biz_msg_id = params.get("bizMsgId", "")
        if not biz_msg_id:  # doc: bizMsgId 是否必填: 是
            return self._biz_error(path, "MISSING_PARAM", "bizMsgId不能为空")
        checked = self._check_msg(path, params.get("msg", ""), MSG_TYPES)
        if isinstance(checked, web.Response):
            return checked
        receivers = [r for r in params.get("receiverIds", "").split(",") if r]  # doc: 半角逗号分隔
        if not receivers or any(r not in self.users for r in receivers):
            return self._biz_error(path, "RECEIVER_NOT_FOUND", "接收人不存在")  # assumed: refuse unknown accountIds
        if biz_msg_id in self.biz_msg_ids:  # doc: 同样的ID调用多次会提示"重复"错误
            return self._biz_error(path, "DUPLICATE", "bizMsgId重复")
        self.biz_msg_ids.add(biz_msg_id)
        for account in receivers:
            self._deliver(account, biz_msg_id, checked)
        return self._reply({"success": True, "content": {"msgId": secrets.token_hex(16)}})  # doc: content = msgId

    def _deliver(self, account: str, biz_msg_id: str, msg: dict[str, Any]) -> None:
        now = self.clock()
        day = datetime.fromtimestamp(now, UTC).astimezone(sign.SHANGHAI).date()
        today = [e for e in self.inbox.get(account, []) if e["day"] == day]
        entry = {"bizMsgId": biz_msg_id, "msg": msg, "at": now, "day": day, "revoked": False}
        if any(e["msg"] == msg for e in today):  # doc: 相同消息的内容同一个用户一天只能接收一次 (silence assumed)
            self.dropped.append({**entry, "account": account, "reason": "same content today"})
        elif len(today) >= self.daily_limit:  # doc: 一天不得超过100次 (silence assumed)
            self.dropped.append({**entry, "account": account, "reason": "daily limit"})
        else:
            self.inbox.setdefault(account, []).append(entry)

    async def revoke(self, request: web.Request) -> web.Response:
        biz_msg_id = request[PARAMS].get("bizMsgId", "")
        hits = [e for entries in self.inbox.values() for e in entries if e["bizMsgId"] == biz_msg_id]
        for entry in hits:
            entry["revoked"] = True
        return self._ok(bool(hits))  # a public client reads content.data == "true"

    # --- 待办 ----------------------------------------------------------------------------------------
    async def todo_create(self, request: web.Request) -> web.Response:
        params, path = request[PARAMS], request.path
        required = ("subject", "creatorId", "assigneeId", "tenantId", "bizTaskId", "url", "mobileUrl")
        if missing := [n for n in required if not params.get(n)]:  # a public wrapper marks these @NonNull
            return self._biz_error(path, "MISSING_PARAM", f"缺少参数 {','.join(missing)}")
        if not self._tenant_ok(request) or params["creatorId"] not in self.users:
            return self._biz_error(path, "TENANT_INVALID", "租户或创建人错误")
        if params["assigneeId"] not in self.users:
            return self._biz_error(path, "RECEIVER_NOT_FOUND", "待办人不存在")
        for uuid, todo in self.todos.items():
            if todo["bizTaskId"] == params["bizTaskId"]:
                if todo["assigneeId"] != params["assigneeId"]:
                    return self._biz_error(path, "DUPLICATE", "bizTaskId重复")
                return self._ok({"taskUuid": uuid, "packageUuid": todo["packageUuid"]})  # assumed: idempotent
        uuid = f"task-{next(self._ids)}-{secrets.token_hex(6)}"
        self.todos[uuid] = {**{n: params[n] for n in required}, "dueTime": params.get("dueTime", ""),
                            "packageUuid": params.get("packageUuid") or f"pkg-{secrets.token_hex(6)}",
                            "status": "todo", "history": ["created"]}
        return self._ok({"taskUuid": uuid, "packageUuid": self.todos[uuid]["packageUuid"]})

    def _close_todo(self, request: web.Request, status: str) -> web.Response:
        params, path = request[PARAMS], request.path
        todo = self.todos.get(params.get("taskUuid", ""))
        if todo is None or not params.get("userId"):
            return self._biz_error(path, "TASK_NOT_FOUND", "待办不存在")  # assumed code
        if todo["status"] not in ("todo", status):
            return self._biz_error(path, "TASK_CLOSED", f"待办已{'完成' if todo['status'] == 'done' else '取消'}")
        todo["status"] = status  # assumed: repeating the same close is harmless
        todo["history"].append(status)
        return self._ok(True)

    async def todo_finish(self, request: web.Request) -> web.Response:
        return self._close_todo(request, "done")

    async def todo_cancel(self, request: web.Request) -> web.Response:
        return self._close_todo(request, "cancelled")

    def open_todos(self, account_id: str) -> list[dict[str, Any]]:
        return [t for t in self.todos.values() if t["assigneeId"] == account_id and t["status"] == "todo"]

    # --- DING and groups ----------------------------------------------------------------------------------
    async def ding(self, request: web.Request) -> web.Response:
        params, path = request[PARAMS], request.path
        try:
            creator = json.loads(params.get("creator", ""))["accountId"]
            receivers = [str(r["accountId"]) for r in json.loads(params.get("receivers", ""))]
            text = json.loads(params.get("body", ""))["text"]
        except (ValueError, KeyError, TypeError):  # public sample: creator/receivers/body as JSON
            return self._biz_error(path, "INVALID_PARAM", "DING参数格式错误")
        if params.get("notifyType") not in ("app", "sms") or params.get("textType") not in ("plaintext", "ciphertext"):
            return self._biz_error(path, "INVALID_PARAM", "notifyType/textType错误")  # sample: app|sms, plaintext|ciphertext
        if not self._tenant_ok(request) or str(creator) not in self.users:
            return self._biz_error(path, "TENANT_INVALID", "租户或发送人错误")
        if not receivers or any(r not in self.users for r in receivers):
            return self._biz_error(path, "RECEIVER_NOT_FOUND", "接收人不存在")
        ding_id = f"ding-{next(self._ids)}"
        self.dings.append({"dingId": ding_id, "creator": str(creator), "receivers": receivers, "text": text,
                           "notifyType": params["notifyType"], "at": self.clock()})
        return self._ok({"dingId": ding_id})

    async def send_group(self, request: web.Request) -> web.Response:
        params, path = request[PARAMS], request.path
        if params.get("appKey") != self.app_key or not self._tenant_ok(request):
            return self._biz_error(path, "TENANT_INVALID", "appKey或租户错误")
        if params.get("chatId") not in self.groups:
            return self._biz_error(path, "CHAT_NOT_FOUND", "群会话不存在或机器人不在群内")  # assumed
        kind = params.get("msgType", "")
        wrapped = json.dumps({"msgtype": kind, kind: json.loads(params.get("msgBody") or "null")}, ensure_ascii=False)
        checked = self._check_msg(path, wrapped, MSG_TYPES)
        if isinstance(checked, web.Response):
            return checked
        self.groups[params["chatId"]].append({"msg": checked, "at": self.clock(), "via": "app"})
        return self._reply({"success": True, "content": {"msgId": secrets.token_hex(16)}})

    async def robot_send(self, request: web.Request) -> web.Response:
        """The custom robot webhook: DingTalk's public protocol, errors as errcode/errmsg."""
        token, query = request.query.get("access_token", ""), request.query
        if token not in self.robots:
            return web.json_response({"errcode": 300001, "errmsg": "token is not exist"})
        secret, chat = self.robots[token]
        try:
            stamp = int(query.get("timestamp", ""))
        except ValueError:
            stamp = 0
        if abs(stamp / 1000 - self.clock()) > 3600:  # DingTalk: 与请求调用时间误差不能超过1小时
            return web.json_response({"errcode": 310000, "errmsg": "invalid timestamp"})
        if not _same(sign.robot_sign(secret, stamp), query.get("sign", "")):
            return web.json_response({"errcode": 310000, "errmsg": "sign not match"})
        recent = [m for m in self.robot_log[token] if self.clock() - m["at"] < 60]
        if len(recent) >= self.robot_per_minute:
            return web.json_response({"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"})
        try:
            msg = await request.json()
        except ValueError:
            msg = None
        if not isinstance(msg, dict) or msg.get("msgtype") not in ROBOT_TYPES:
            return web.json_response({"errcode": 40035, "errmsg": "缺少参数 json"})
        entry = {"msg": msg, "at": self.clock(), "via": "robot"}
        self.robot_log[token].append(entry)
        self.groups[chat].append(entry)
        return web.json_response({"errcode": 0, "errmsg": "ok"})
