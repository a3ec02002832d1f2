"""SendSms over httpx, signed (sign.py); the answer's Code decides sent, retried or given up."""

from __future__ import annotations

import json
import logging
import uuid
from datetime import UTC, datetime

import httpx

from bot.channel import SendResult
from integrations.aliyun_sms.config import AliyunSmsSettings
from integrations.aliyun_sms.sign import signature

log = logging.getLogger(__name__)
API_VERSION = "2017-05-25"
# Codes worth another try later (flow control per number/minute/day, the account's QPS); every other non-OK
# code is a wrong number, template, signature, key or balance, which a retry cannot fix.
TRANSIENT = ("Throttling", "isv.BUSINESS_LIMIT_CONTROL", "ServiceUnavailable", "InternalError")
RETRY_SECONDS = 60.0


class AliyunSms:
    """The bot's SMS sender (bot.channel.SmsSender)."""

    def __init__(self, settings: AliyunSmsSettings, client: httpx.AsyncClient | None = None) -> None:
        self.settings = settings
        self.client = client or httpx.AsyncClient(timeout=settings.timeout_seconds)

    def signed(self, phone: str, params: dict[str, str], out_id: str, now: datetime | None = None) -> dict[str, str]:
        s = self.settings
        form = {
            "AccessKeyId": s.access_key_id, "Action": "SendSms", "Format": "JSON", "RegionId": s.region_id,
            "SignatureMethod": "HMAC-SHA1", "SignatureNonce": uuid.uuid4().hex, "SignatureVersion": "1.0",
            "Timestamp": (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ"), "Version": API_VERSION,
            "PhoneNumbers": phone, "SignName": s.sign_name, "TemplateCode": s.template_code,
            "TemplateParam": json.dumps(params, ensure_ascii=False, separators=(",", ":")), "OutId": out_id[:64],
        }
        form["Signature"] = signature(s.access_key_secret, "POST", form)
        return form

    async def send_sms(self, phone: str, params: dict[str, str], key: str) -> SendResult:
        try:
            resp = await self.client.post(f"{self.settings.endpoint}/", data=self.signed(phone, params, key))
        except httpx.TimeoutException as exc:
            return SendResult(False, error=f"短信服务超时:{type(exc).__name__}", ambiguous=True)
        except httpx.HTTPError as exc:
            return SendResult(False, error=f"短信服务不可达:{type(exc).__name__}")
        try:
            body = resp.json()
        except ValueError:
            body = {}
        code = str(body.get("Code", "")) if isinstance(body, dict) else ""
        if resp.status_code == 200 and code == "OK":
            return SendResult(True, external_id=str(body.get("BizId", "")) or None)
        message = f"短信发送失败({code or resp.status_code}):{str(body.get('Message', resp.text[:200]))[:200]}"
        if resp.status_code >= 500 or code.startswith(TRANSIENT):
            return SendResult(False, error=message, retry_after=RETRY_SECONDS, ambiguous=resp.status_code >= 500)
        log.warning("SMS refused: %s", message)
        return SendResult(False, permanent=True, error=message)

    async def aclose(self) -> None:
        await self.client.aclose()
