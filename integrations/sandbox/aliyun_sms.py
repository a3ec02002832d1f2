"""A fake Alibaba Cloud SMS endpoint (dysmsapi SendSms, RPC style) on loopback: it checks what the real one
checks that our code can get wrong — the HMAC-SHA1 signature over the sorted, percent-encoded parameters, the
AccessKey, a fresh SignatureNonce, the Timestamp within 15 minutes, the approved 签名 and 模板, a mainland mobile,
and template parameters that are valid JSON of at most 35 characters each (help.aliyun.com SendSms: 变量
长度限制) — and keeps what it accepted, for tests and the sandbox page."""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web

from integrations.aliyun_sms.config import AliyunSmsSettings
from integrations.aliyun_sms.sign import verify

MAX_PARAM = 35
CLOCK_SKEW = timedelta(minutes=15)
MOBILE = re.compile(r"^1\d{10}$")


@dataclass
class FakeAliyunSms:
    access_key_id: str = "LTAIsandbox0000001"
    access_key_secret: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    sign_name: str = "矛调中心"
    template_code: str = "SMS_480000001"
    sent: list[dict[str, Any]] = field(default_factory=list)  # {"phone", "params", "out_id"}
    refused: list[str] = field(default_factory=list)  # the codes answered to what it refused
    url: str = ""
    _nonces: set[str] = field(default_factory=set)
    _runner: web.AppRunner | None = None

    def settings(self) -> AliyunSmsSettings:
        return AliyunSmsSettings(access_key_id=self.access_key_id, access_key_secret=self.access_key_secret,
                                 sign_name=self.sign_name, template_code=self.template_code, endpoint=self.url)

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/", self.send_sms)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def aclose(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def _refuse(self, code: str, message: str, status: int = 400) -> web.Response:
        self.refused.append(code)
        return web.json_response({"Code": code, "Message": message, "RequestId": secrets.token_hex(8)},
                                 status=status)

    def _check(self, p: dict[str, str]) -> web.Response | None:
        if p.get("AccessKeyId") != self.access_key_id:
            return self._refuse("InvalidAccessKeyId.NotFound", "Specified access key is not found.", 404)
        if p.get("SignatureMethod") != "HMAC-SHA1" or p.get("SignatureVersion") != "1.0":
            return self._refuse("InvalidParameter", "SignatureMethod/SignatureVersion")
        if not verify(self.access_key_secret, "POST", p):
            return self._refuse("SignatureDoesNotMatch", "Specified signature is not matched with our calculation.")
        try:
            at = datetime.strptime(p.get("Timestamp", ""), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        except ValueError:
            return self._refuse("InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted.")
        if abs(datetime.now(UTC) - at) > CLOCK_SKEW:
            return self._refuse("InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.")
        nonce = p.get("SignatureNonce", "")
        if not nonce or nonce in self._nonces:
            return self._refuse("SignatureNonceUsed", "Specified signature nonce was used already.")
        self._nonces.add(nonce)
        if p.get("Action") != "SendSms" or p.get("Version") != "2017-05-25":
            return self._refuse("InvalidAction.NotFound", "Specified api is not found.", 404)
        return None

    def _business(self, p: dict[str, str]) -> tuple[str, str] | None:
        if p.get("SignName") != self.sign_name:
            return "isv.SMS_SIGNATURE_ILLEGAL", "该账号下找不到对应签名"
        if p.get("TemplateCode") != self.template_code:
            return "isv.SMS_TEMPLATE_ILLEGAL", "该账号下找不到对应模板"
        if not MOBILE.match(p.get("PhoneNumbers", "")):
            return "isv.MOBILE_NUMBER_ILLEGAL", "手机号码格式错误"
        try:
            params = json.loads(p.get("TemplateParam", ""))
        except ValueError:
            return "isv.INVALID_JSON_PARAM", "JSON参数不合法"
        if not isinstance(params, dict) or any(len(str(v)) > MAX_PARAM for v in params.values()):
            return "isv.PARAM_LENGTH_LIMIT", "参数超出长度限制"
        return None

    async def send_sms(self, request: web.Request) -> web.Response:
        p = {k: str(v) for k, v in (await request.post()).items()}
        denied = self._check(p)
        if denied is not None:
            return denied
        wrong = self._business(p)
        if wrong is not None:  # business errors come back as HTTP 200 with the code
            self.refused.append(wrong[0])
            return web.json_response({"Code": wrong[0], "Message": wrong[1], "RequestId": secrets.token_hex(8)})
        self.sent.append({"phone": p["PhoneNumbers"], "params": json.loads(p["TemplateParam"]),
                          "out_id": p.get("OutId", "")})
        return web.json_response({"Code": "OK", "Message": "OK", "BizId": secrets.token_hex(10),
                                  "RequestId": secrets.token_hex(8)})
