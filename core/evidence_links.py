"""Signed, short-lived links to kept evidence files, minted per recipient when a card is rendered for a person
who may see the case, and checked by `serve`'s /evidence route (maotiao/evidence.py).

A link is `<public URL>/evidence?token=<media>.<case>.<staff>.<expiry>.<HMAC-SHA256>`, the HMAC keyed with a
key derived from MAOTIAO_LINK_SECRET over all four numbers. So a link cannot be guessed, altered (another
file, another case, another person, a later expiry) or used after it expires; the route also checks again,
when it is opened, that the person it was minted for may still see the case. The token travels as the
`token` query parameter, which the log redaction (maotiao/logredact.py) blanks in every log line.

The same signer mints links to a case's read-only page (`<public URL>/case?token=<case>.<staff>.<expiry>.<HMAC>`,
maotiao/case_page.py): 查看详情 on a card, the detail link of a mirrored to-do. Those are signed with a key
derived for that purpose only, so an evidence token never opens a page nor the other way round.

Expiry is measured on the wall clock, not a case clock (the sandbox moves that one): it bounds how long a
link that left its chat stays usable. Links exist only with a public URL (MAOTIAO_PUBLIC_URL): without one,
cards list the evidence without links.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from core.config import load_settings

PATH = "/evidence"
_TOKEN = re.compile(r"(\d{1,12})\.(\d{1,12})\.(\d{1,12})\.(\d{1,12})\.([A-Za-z0-9_-]{43})")
_CONTEXT = b"maotiao evidence link v1"
PAGE_PATH = "/case"
_PAGE_TOKEN = re.compile(r"(\d{1,12})\.(\d{1,12})\.(\d{1,12})\.([A-Za-z0-9_-]{43})")
_PAGE_CONTEXT = b"maotiao case page link v1"
MAX_PAGE_LIFETIME = timedelta(days=120)  # no page link lives longer, whatever deadline it was minted for
ACT_PATH = "/act"
_ACT_TOKEN = re.compile(r"(\d{1,12})\.(\d{1,12})\.([a-z][a-z0-9]{1,15})\.(\d{1,12})\.([A-Za-z0-9_-]{43})")
_ACT_CONTEXT = b"maotiao action page link v1"
_FORM = re.compile(r"([0-9a-f]{24})\.([A-Za-z0-9_-]{43})")
ACT_LIFETIME = timedelta(days=30)  # a card's buttons stay usable about as long as a task runs


@dataclass(frozen=True)
class Claim:
    media_id: int
    case_id: int
    staff_id: int
    expires: int  # Unix seconds


@dataclass(frozen=True)
class PageClaim:
    case_id: int
    staff_id: int
    expires: int  # Unix seconds


@dataclass(frozen=True)
class ActClaim:
    """An action page: the person, the card it shows (0: the person's own page), the platform they act from."""

    staff_id: int
    link_id: int
    platform: str
    expires: int  # Unix seconds


class LinkSigner:
    def __init__(self, secret: str, base_url: str, lifetime: timedelta) -> None:
        if not secret:
            raise ValueError("an evidence link needs a secret")
        self._key = hmac.new(secret.encode(), _CONTEXT, hashlib.sha256).digest()  # this purpose only
        self._page_key = hmac.new(secret.encode(), _PAGE_CONTEXT, hashlib.sha256).digest()
        self._act_key = hmac.new(secret.encode(), _ACT_CONTEXT, hashlib.sha256).digest()
        self.base_url = base_url.rstrip("/")
        self.lifetime = lifetime

    def _sig(self, payload: str, key: bytes | None = None) -> str:
        digest = hmac.new(key or self._key, payload.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def token(self, media_id: int, case_id: int, staff_id: int, now: datetime | None = None) -> str:
        expires = int(((now or datetime.now(UTC)) + self.lifetime).timestamp())
        payload = f"{media_id}.{case_id}.{staff_id}.{expires}"
        return f"{payload}.{self._sig(payload)}"

    def url(self, media_id: int, case_id: int, staff_id: int, now: datetime | None = None) -> str:
        return f"{self.base_url}{PATH}?token={quote(self.token(media_id, case_id, staff_id, now))}"

    def verify(self, token: str, now: datetime | None = None) -> Claim | None:
        """The claim of a genuine, unexpired token; None for anything else (no reason is given)."""
        match = _TOKEN.fullmatch(token)
        if match is None:
            return None
        media, case, staff, expires, sig = match.groups()
        if not hmac.compare_digest(sig, self._sig(f"{media}.{case}.{staff}.{expires}")):
            return None
        if int(expires) <= (now or datetime.now(UTC)).timestamp():
            return None
        return Claim(int(media), int(case), int(staff), int(expires))


    def page_token(self, case_id: int, staff_id: int, now: datetime | None = None,
                   until: datetime | None = None) -> str:
        """A case page for one person: for the link lifetime, or `until` (a to-do's deadline and after),
        never past MAX_PAGE_LIFETIME."""
        now = now or datetime.now(UTC)
        end = min(max(now + self.lifetime, until or now), now + MAX_PAGE_LIFETIME)
        payload = f"{case_id}.{staff_id}.{int(end.timestamp())}"
        return f"{payload}.{self._sig(payload, self._page_key)}"

    def page_url(self, case_id: int, staff_id: int, now: datetime | None = None,
                 until: datetime | None = None) -> str:
        return f"{self.base_url}{PAGE_PATH}?token={quote(self.page_token(case_id, staff_id, now, until))}"

    def verify_page(self, token: str, now: datetime | None = None) -> PageClaim | None:
        """The claim of a genuine, unexpired case page token; None for anything else."""
        match = _PAGE_TOKEN.fullmatch(token)
        if match is None:
            return None
        case, staff, expires, sig = match.groups()
        if not hmac.compare_digest(sig, self._sig(f"{case}.{staff}.{expires}", self._page_key)):
            return None
        if int(expires) <= (now or datetime.now(UTC)).timestamp():
            return None
        return PageClaim(int(case), int(staff), int(expires))


    def act_token(self, staff_id: int, link_id: int, platform: str, now: datetime | None = None) -> str:
        """An action page for one person (maotiao/action_page.py): their card `link_id`, or their own page (0),
        acting as their account on `platform`; valid for ACT_LIFETIME."""
        expires = int(((now or datetime.now(UTC)) + ACT_LIFETIME).timestamp())
        payload = f"{staff_id}.{link_id}.{platform}.{expires}"
        return f"{payload}.{self._sig(payload, self._act_key)}"

    def act_url(self, staff_id: int, link_id: int, platform: str, now: datetime | None = None) -> str:
        return f"{self.base_url}{ACT_PATH}?token={quote(self.act_token(staff_id, link_id, platform, now))}"

    def verify_act(self, token: str, now: datetime | None = None) -> ActClaim | None:
        match = _ACT_TOKEN.fullmatch(token)
        if match is None:
            return None
        staff, link, platform, expires, sig = match.groups()
        if not hmac.compare_digest(sig, self._sig(f"{staff}.{link}.{platform}.{expires}", self._act_key)):
            return None
        if int(expires) <= (now or datetime.now(UTC)).timestamp():
            return None
        return ActClaim(int(staff), int(link), platform, int(expires))

    def form_nonce(self, token: str) -> str:
        """A one-time id for one form on an action page: its submission is recorded under it, so sending the
        same form twice (a double tap, a reload) acts once. Bound to the page's token."""
        nonce = secrets.token_hex(12)
        return f"{nonce}.{self._sig(f'{token}|{nonce}', self._act_key)}"

    def verify_form(self, token: str, form: str) -> str | None:
        """The nonce of a form minted for this token, or None."""
        match = _FORM.fullmatch(form)
        if match is None or not hmac.compare_digest(match[2], self._sig(f"{token}|{match[1]}", self._act_key)):
            return None
        return match[1]


_UNSET = object()
_signer: LinkSigner | None | object = _UNSET


def use(signer: LinkSigner | None) -> None:
    """Set this process's signer (`serve` at start, tests); None: no links."""
    global _signer
    _signer = signer


def reset() -> None:
    global _signer
    _signer = _UNSET


def from_settings(secret: str, public_url: str, hours: int) -> LinkSigner | None:
    if not public_url or not secret:
        return None
    return LinkSigner(secret, public_url, timedelta(hours=hours))


def current() -> LinkSigner | None:
    """The signer, or None when links are off. A process that was not given one (a worker) reads the
    settings once: without both a public URL and a secret it makes no links (it never invents a key that
    `serve` would not accept)."""
    global _signer
    if _signer is _UNSET:
        settings = load_settings()
        _signer = from_settings(settings.link_secret, settings.public_url, settings.link_hours)
    return _signer if isinstance(_signer, LinkSigner) else None
