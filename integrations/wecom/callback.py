"""The WeCom callback URL: verify, decrypt, store once, answer 200 at once, handle after."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from aiohttp import web
from wechatpy.enterprise.crypto import WeChatCrypto
from wechatpy.enterprise.exceptions import InvalidCorpIdException
from wechatpy.exceptions import InvalidSignatureException

from bot.engine import Bot
from bot.handling import Handling
from integrations.wecom.config import WeComSettings
from integrations.wecom.inbound import MalformedMessage, parse_xml, to_inbound

log = logging.getLogger(__name__)
MAX_SKEW_SECONDS = 600
PATH = "/wecom/callback"


class WeComCallback:
    def __init__(self, settings: WeComSettings, bot: Bot, on_handled: Callable[[], None] = lambda: None) -> None:
        self.crypto = WeChatCrypto(settings.token, settings.aes_key, settings.corp_id)
        self.bot = bot
        self.handling = Handling(bot, on_handled)

    def setup(self, app: web.Application) -> None:
        app.router.add_get(PATH, self.verify_url)
        app.router.add_post(PATH, self.receive)

    @staticmethod
    def _params(request: web.Request) -> tuple[str, str, str] | None:
        q = request.query
        sig, ts, nonce = q.get("msg_signature", ""), q.get("timestamp", ""), q.get("nonce", "")
        if not (sig and ts.isdigit() and nonce):
            return None
        return sig, ts, nonce

    async def verify_url(self, request: web.Request) -> web.Response:
        """URL verification: answer with the bare decrypted echostr."""
        params = self._params(request)
        echostr = request.query.get("echostr", "")
        if params is None or not echostr:
            return web.Response(status=400, text="missing parameters")
        try:
            plain = self.crypto.check_signature(params[0], params[1], params[2], echostr)
        except (InvalidSignatureException, InvalidCorpIdException):
            return web.Response(status=403, text="bad signature")
        except Exception:  # malformed echostr: wechatpy raises base64/crypto errors
            return web.Response(status=400, text="bad echostr")
        return web.Response(text=plain.decode() if isinstance(plain, bytes) else str(plain))

    async def receive(self, request: web.Request) -> web.Response:
        params = self._params(request)
        if params is None:
            return web.Response(status=400, text="missing parameters")
        sig, ts, nonce = params
        if abs(time.time() - int(ts)) > MAX_SKEW_SECONDS:
            return web.Response(status=403, text="stale timestamp")
        body = await request.text()
        try:
            xml = self.crypto.decrypt_message(body, sig, ts, nonce)
        except (InvalidSignatureException, InvalidCorpIdException):
            return web.Response(status=403, text="bad signature or corp id")
        except Exception:  # not XML, no Encrypt, bad padding: all malformed input
            return web.Response(status=400, text="malformed body")
        try:
            inbound = to_inbound(parse_xml(xml))
        except MalformedMessage as exc:
            return web.Response(status=400, text=f"malformed message: {exc}")
        if inbound is None:
            return web.Response(text="")
        row_id = await self.bot.record(inbound)  # stored before we answer
        if row_id is not None:
            self.handling.submit(row_id, inbound)
        return web.Response(text="")

    async def drain(self) -> None:
        """Wait for handlers in flight (tests, shutdown)."""
        await self.handling.drain()
