"""A WeCom member, simulated: builds the callback XML exactly as WeCom does, encrypts it with the real
wechatpy crypto, POSTs it to our callback URL, and retries like WeCom (5 s timeout, up to 3 retries)."""

from __future__ import annotations

import itertools
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

import httpx
import xmltodict
from wechatpy.crypto import _get_signature
from wechatpy.enterprise.crypto import PrpCrypto, WeChatCrypto

WECOM_TIMEOUT = 5.0
WECOM_RETRIES = 3


def _cdata(value: str) -> str:
    return f"<![CDATA[{value}]]>"


@dataclass
class WeComMember:
    corp_id: str
    agent_id: int
    token: str
    aes_key: str
    callback_url: str
    client: httpx.AsyncClient
    attempts: list[int] = field(default_factory=list)  # HTTP statuses seen (0: timeout), for tests
    _ids: Any = field(default_factory=lambda: itertools.count(int(time.time() * 1000)))

    @property
    def crypto(self) -> WeChatCrypto:
        return WeChatCrypto(self.token, self.aes_key, self.corp_id)

    def _envelope(self, user: str, kind: str, inner: str, create_time: int | None = None) -> str:
        return (f"<xml><ToUserName>{_cdata(self.corp_id)}</ToUserName><FromUserName>{_cdata(user)}</FromUserName>"
                f"<CreateTime>{create_time or int(time.time())}</CreateTime><MsgType>{_cdata(kind)}</MsgType>"
                f"{inner}<AgentID>{self.agent_id}</AgentID></xml>")

    def text_xml(self, user: str, text: str, msg_id: int | None = None) -> str:
        inner = f"<Content>{_cdata(escape(text))}</Content><MsgId>{msg_id or next(self._ids)}</MsgId>"
        return self._envelope(user, "text", inner)

    def voice_xml(self, user: str, media_id: str) -> str:
        """A self-built app gets MediaId and Format only: `Recognition` is an Official Account feature."""
        inner = (f"<MediaId>{_cdata(media_id)}</MediaId><Format>{_cdata('amr')}</Format>"
                 f"<MsgId>{next(self._ids)}</MsgId>")
        return self._envelope(user, "voice", inner)

    def image_xml(self, user: str, media_id: str) -> str:
        inner = (f"<PicUrl>{_cdata('https://example.invalid/p.jpg')}</PicUrl><MediaId>{_cdata(media_id)}</MediaId>"
                 f"<MsgId>{next(self._ids)}</MsgId>")
        return self._envelope(user, "image", inner)

    def click_xml(self, user: str, task_id: str, key: str, response_code: str, create_time: int | None = None,
                  selected: dict[str, list[str]] | None = None) -> str:
        """A button click, or with `selected` a form card submitted (SelectedItems: QuestionKey + OptionIds)."""
        card_type = "multiple_interaction" if selected is not None else "button_interaction"
        items = "".join(
            f"<SelectedItem><QuestionKey>{_cdata(k)}</QuestionKey><OptionIds>"
            + "".join(f"<OptionId>{_cdata(i)}</OptionId>" for i in ids) + "</OptionIds></SelectedItem>"
            for k, ids in (selected or {}).items())
        inner = (f"<Event>{_cdata('template_card_event')}</Event><EventKey>{_cdata(key)}</EventKey>"
                 f"<TaskId>{_cdata(task_id)}</TaskId><CardType>{_cdata(card_type)}</CardType>"
                 f"<ResponseCode>{_cdata(response_code)}</ResponseCode>"
                 + (f"<SelectedItems>{items}</SelectedItems>" if selected is not None else ""))
        return self._envelope(user, "event", inner, create_time)

    def encrypt(self, plain_xml: str, *, timestamp: str | None = None) -> tuple[dict[str, str], str]:
        """Query parameters and POST body of one callback, as WeCom sends them."""
        ts = timestamp or str(int(time.time()))
        nonce = secrets.token_hex(8)
        packed = xmltodict.parse(self.crypto.encrypt_message(plain_xml, nonce, ts))["xml"]
        body = (f"<xml><ToUserName>{_cdata(self.corp_id)}</ToUserName><AgentID>{_cdata(str(self.agent_id))}"
                f"</AgentID><Encrypt>{_cdata(packed['Encrypt'])}</Encrypt></xml>")
        params = {"msg_signature": packed["MsgSignature"], "timestamp": ts, "nonce": nonce}
        return params, body

    async def post(self, plain_xml: str, *, retries: int = WECOM_RETRIES) -> httpx.Response | None:
        """Deliver like WeCom: the same encrypted request again after a timeout or a non-200."""
        params, body = self.encrypt(plain_xml)
        last: httpx.Response | None = None
        for _ in range(1 + retries):
            try:
                last = await self.client.post(self.callback_url, params=params, content=body.encode(),
                                              timeout=WECOM_TIMEOUT)
            except httpx.TimeoutException:
                self.attempts.append(0)
                continue
            self.attempts.append(last.status_code)
            if last.status_code == 200:
                return last
        return last

    async def verify_url(self) -> httpx.Response:
        ts, nonce = str(int(time.time())), secrets.token_hex(8)
        plain = secrets.token_hex(10)
        echostr = PrpCrypto(self.crypto.key).encrypt(plain, self.corp_id)
        echostr = echostr.decode() if isinstance(echostr, bytes) else echostr
        sig = _get_signature(self.token, ts, nonce, echostr)
        resp = await self.client.get(self.callback_url, params={"msg_signature": sig, "timestamp": ts,
                                                                "nonce": nonce, "echostr": echostr})
        resp.extensions["expected"] = plain
        return resp

    async def text(self, user: str, text: str) -> httpx.Response | None:
        return await self.post(self.text_xml(user, text))

    async def image(self, user: str, media_id: str) -> httpx.Response | None:
        return await self.post(self.image_xml(user, media_id))

    async def click(self, user: str, task_id: str, key: str, response_code: str,
                    selected: dict[str, list[str]] | None = None) -> httpx.Response | None:
        return await self.post(self.click_xml(user, task_id, key, response_code, selected=selected))
