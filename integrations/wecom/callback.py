"""The WeCom callback URL: verify, decrypt, store once, answer 200 at once, handle after.

Nothing is parsed before the signature is checked. WeCom's `msg_signature` is SHA-1 over the sorted
token, timestamp, nonce and the envelope's `Encrypt` field, so the query is checked for shape and age, the
body is read up to a small cap, `Encrypt` is cut out of it with one bounded pattern (base64 only), and the
signature is compared. Only a signed ciphertext is decrypted, and only its plaintext (at most the cap) is
parsed as XML. wechatpy's own `decrypt_message` parses the whole body with xmltodict first: one unsigned
1 MiB body held the event loop for seconds, so it is not used here.

Answers: malformed request 400, bad or stale signature or another corp 403, body over the cap 413, each with
one log line and no traceback. A signed message we cannot use (a card key that is not ours, a CreateTime out
of range) is answered 200 with a warning: it is WeCom's own delivery, and any other answer only makes WeCom
send it three more times.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web
from wechatpy.enterprise.crypto import PrpCrypto
from wechatpy.enterprise.exceptions import InvalidCorpIdException

from bot.engine import Bot
from bot.handling import Handling, Submitter, acknowledging
from integrations.wecom.config import WeComSettings
from integrations.wecom.inbound import MalformedMessage, parse_xml, to_inbound

log = logging.getLogger(__name__)
PATH = "/wecom/callback"
MAX_SKEW_SECONDS = 600  # for POST and the verification GET alike
# An envelope carries one message: a 4,000-character text is ~16 KiB once encrypted. Anything near the
# cap is not WeCom; nothing beyond it is read.
MAX_BODY = 64 * 1024
MAX_ECHOSTR = 1024
_SIGNATURE = re.compile(r"[0-9a-fA-F]{40}")
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_NONCE = re.compile(r"[\x21-\x7e]{1,128}")
_BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}")
_ENCRYPT = re.compile(rb"<Encrypt>\s*(?:<!\[CDATA\[([A-Za-z0-9+/=]+)\]\]>|([A-Za-z0-9+/=]+))\s*</Encrypt>")
# A verification echostr decrypts to a short random string (digits in WeCom's own requests); a message
# decrypts to XML. Only the former is ever echoed back.
_ECHO_PLAIN = re.compile(r"[0-9A-Za-z_\-]{1,128}")


class Refused(Exception):
    def __init__(self, status: int, reason: str, level: int = logging.INFO) -> None:
        super().__init__(reason)
        self.status, self.reason, self.level = status, reason, level


@dataclass(frozen=True)
class Query:
    signature: str
    timestamp: str
    nonce: str


def parse_query(request: web.Request, now: float) -> Query:
    """The three signed parameters, each of a bounded ASCII shape, and a timestamp within the window."""
    q = request.query
    sig, ts, nonce = q.get("msg_signature", ""), q.get("timestamp", ""), q.get("nonce", "")
    if not (sig and ts and nonce):
        raise Refused(400, "missing msg_signature, timestamp or nonce")
    if not (_SIGNATURE.fullmatch(sig) and _TIMESTAMP.fullmatch(ts) and _NONCE.fullmatch(nonce)):
        raise Refused(400, "malformed msg_signature, timestamp or nonce")
    if abs(now - int(ts)) > MAX_SKEW_SECONDS:
        raise Refused(403, f"stale timestamp {ts}", logging.WARNING)
    return Query(sig.lower(), ts, nonce)


def extract_encrypt(body: bytes) -> str:
    """The envelope's one Encrypt field, without parsing the XML around it."""
    found = _ENCRYPT.findall(body)
    if len(found) != 1:
        raise Refused(400, "no Encrypt field" if not found else "more than one Encrypt field")
    cdata, bare = found[0]
    value: bytes = cdata or bare
    return value.decode("ascii")


def signature(token: str, q: Query, encrypt: str) -> str:
    parts = sorted(p.encode("utf-8") for p in (token, q.timestamp, q.nonce, encrypt))
    return hashlib.sha1(b"".join(parts)).hexdigest()


async def read_bounded(request: web.Request, limit: int = MAX_BODY) -> bytes:
    if request.content_length is not None and request.content_length > limit:
        raise Refused(413, f"body of {request.content_length} bytes")
    chunks: list[bytes] = []
    size = 0
    while chunk := await request.content.read(limit + 1 - size):
        size += len(chunk)
        if size > limit:
            raise Refused(413, f"body over {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


class WeComCallback:
    def __init__(self, settings: WeComSettings, bot: Bot, on_handled: Callable[[], None] = lambda: None,
                 clock: Callable[[], float] = time.time, handoff: Submitter | None = None) -> None:
        self.token = settings.token
        self.corp_id = settings.corp_id
        self.key = base64.b64decode(settings.aes_key + "=")
        self.bot = bot
        # handled here, or by the workers when serve only acknowledges (scheduler/handoff.py)
        self.handling: Submitter = handoff or Handling(bot, on_handled)
        self.clock = clock

    def setup(self, app: web.Application) -> None:
        app.router.add_get(PATH, self.verify_url)
        app.router.add_post(PATH, self.receive)

    def _check(self, q: Query, encrypt: str) -> None:
        if not hmac.compare_digest(signature(self.token, q, encrypt), q.signature):
            raise Refused(403, "bad signature", logging.WARNING)

    def _decrypt(self, encrypt: str) -> str:
        """A signed ciphertext; failing to decrypt it means our WECOM_AES_KEY or WECOM_CORP_ID is wrong."""
        try:
            return str(PrpCrypto(self.key).decrypt(encrypt, self.corp_id))
        except InvalidCorpIdException:
            raise Refused(403, "signed for another corp id (check WECOM_CORP_ID)", logging.WARNING) from None
        except Exception as exc:  # wechatpy raises base64, padding, struct and decoding errors alike
            raise Refused(400, f"signed but undecryptable ({type(exc).__name__}): check WECOM_AES_KEY",
                          logging.ERROR) from None

    @staticmethod
    def _refusal(request: web.Request, refused: Refused) -> web.Response:
        log.log(refused.level, "WeCom callback %s from %s refused (%d): %s", request.method, request.remote,
                refused.status, refused.reason)
        return web.Response(status=refused.status, text=refused.reason if refused.status != 413 else "too large")

    async def verify_url(self, request: web.Request) -> web.Response:
        """URL verification: answer with the bare decrypted echostr, and with nothing else."""
        try:
            q = parse_query(request, self.clock())
            echostr = request.query.get("echostr", "")
            if not (0 < len(echostr) <= MAX_ECHOSTR and _BASE64.fullmatch(echostr)):
                raise Refused(400, "missing or malformed echostr")
            self._check(q, echostr)
            plain = self._decrypt(echostr)
            if not _ECHO_PLAIN.fullmatch(plain):
                raise Refused(400, "echostr is not a verification string", logging.WARNING)
        except Refused as refused:
            return self._refusal(request, refused)
        return web.Response(text=plain)

    async def receive(self, request: web.Request) -> web.Response:
        with acknowledging():  # handling gives way to acknowledgements
            return await self._receive(request)

    async def _receive(self, request: web.Request) -> web.Response:
        try:
            q = parse_query(request, self.clock())
            encrypt = extract_encrypt(await read_bounded(request))
            self._check(q, encrypt)
            xml = self._decrypt(encrypt)
        except Refused as refused:
            return self._refusal(request, refused)
        try:  # from here on the message is WeCom's own: the plaintext is at most MAX_BODY
            inbound = to_inbound(parse_xml(xml))
        except (MalformedMessage, ValueError, OverflowError, OSError) as exc:
            log.warning("WeCom callback: a signed message could not be used and was dropped: %s",
                        str(exc)[:200])
            return web.Response(text="")
        if inbound is None:
            return web.Response(text="")
        row_id = await self.bot.record(inbound)  # stored before we answer
        if row_id is not None:
            self.handling.submit(row_id, inbound)
        return web.Response(text="")

    async def drain(self) -> None:
        """Wait for handlers in flight (tests, shutdown)."""
        await self.handling.drain()
