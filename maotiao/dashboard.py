"""The 综合信息指挥室 screen at /dashboard: a read-only page for the center's big screen and leaders'
phones, behind a center account.

- Off unless MAOTIAO_DASHBOARD_PASSWORD_HASH is set (`maotiao dashboard hash-password` makes one): every
  /dashboard route is a 404 then. A malformed hash stops `serve` at start, naming the variable.
- The password is checked against its scrypt hash in constant time; five failures from one address in 15
  minutes answer 429 until the window passes (counted in the database, so two `serve` processes share it;
  the address is stored only as a keyed hash).
- A session is a signed cookie (HMAC-SHA256 with a key derived from the configured hash, so every process
  accepts it and changing the password ends every session), HttpOnly, SameSite=Strict, Path=/dashboard,
  Secure over HTTPS, valid MAOTIAO_DASHBOARD_SESSION_HOURS (12).
- The page polls /dashboard/api/summary (core/reports/screen.py: counts, village names, categories and case
  numbers — nothing about parties), cached per process for a few seconds.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from importlib import resources
from typing import Any

from aiohttp import web
from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.clock import SystemClock
from core.config import config_error
from core.enums import Platform
from core.fonts import font_path
from core.models import LoginAttempt
from core.reports import screen
from core.services.base import Domain
from integrations.plugin import SignIn

COOKIE = "maotiao_dashboard"
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
CACHE_SECONDS = 5.0
MAX_LOGIN_BODY = 2048
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return "$".join(["scrypt", str(SCRYPT_N), str(SCRYPT_R), str(SCRYPT_P), base64.b64encode(salt).decode(),
                     base64.b64encode(digest).decode()])


def hash_password_cli() -> int:
    """`maotiao dashboard hash-password`: the password from the terminal (asked twice) or from stdin."""
    import getpass
    import sys

    if sys.stdin.isatty():
        first, second = getpass.getpass("密码: "), getpass.getpass("再输入一次: ")
        if first != second:
            print("两次输入不一致", file=sys.stderr)
            return 2
    else:
        first = sys.stdin.readline().rstrip("\n")
    if len(first) < 8:
        print("密码至少 8 位", file=sys.stderr)
        return 2
    print(f"MAOTIAO_DASHBOARD_PASSWORD_HASH={hash_password(first)}")
    return 0


@dataclass(frozen=True)
class PasswordHash:
    n: int
    r: int
    p: int
    salt: bytes
    digest: bytes
    text: str

    @classmethod
    def parse(cls, text: str) -> PasswordHash:
        parts = text.strip().split("$")
        if len(parts) != 6 or parts[0] != "scrypt":
            raise ValueError("not a scrypt hash: make one with `maotiao dashboard hash-password`")
        n, r, p = (int(x) for x in parts[1:4])
        if n < 2**12 or n & (n - 1) or not 1 <= r <= 32 or not 1 <= p <= 16:
            raise ValueError("scrypt parameters out of range")
        salt, digest = base64.b64decode(parts[4], validate=True), base64.b64decode(parts[5], validate=True)
        if len(salt) < 8 or len(digest) < 16:
            raise ValueError("salt or digest too short")
        return cls(n, r, p, salt, digest, text.strip())

    def verify(self, password: str) -> bool:
        got = hashlib.scrypt(password.encode(), salt=self.salt, n=self.n, r=self.r, p=self.p, dklen=len(self.digest),
                             maxmem=256 * self.n * self.r * self.p)
        return hmac.compare_digest(got, self.digest)

    @property
    def session_key(self) -> bytes:
        return hmac.new(self.text.encode(), b"maotiao-dashboard-session", hashlib.sha256).digest()


class DashboardSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MAOTIAO_DASHBOARD_", env_file=".env", extra="ignore")

    password_hash: str = ""
    session_hours: int = Field(default=12, ge=1, le=24 * 7)
    cookie_secure: bool = False  # also Secure over plain HTTP (behind a TLS proxy)

    @field_validator("password_hash")
    @classmethod
    def _hash(cls, value: str) -> str:
        if value.strip():
            PasswordHash.parse(value)
        return value.strip()


def load_dashboard_settings() -> DashboardSettings:
    try:
        return DashboardSettings()
    except ValidationError as exc:
        raise config_error("MAOTIAO_DASHBOARD_", "dashboard configuration", exc) from None


class Sessions:
    def __init__(self, key: bytes, hours: int) -> None:
        self.key, self.seconds = key, hours * 3600

    def _sign(self, payload: str) -> str:
        return base64.urlsafe_b64encode(hmac.new(self.key, payload.encode(), hashlib.sha256).digest()).decode().rstrip("=")

    def issue(self) -> str:
        payload = f"{int(time.time()) + self.seconds}.{secrets.token_urlsafe(12)}"
        return f"{payload}.{self._sign(payload)}"

    def valid(self, token: str | None) -> bool:
        if not token or len(token) > 200 or token.count(".") != 2:
            return False
        expires, nonce, sig = token.split(".")
        if not hmac.compare_digest(self._sign(f"{expires}.{nonce}"), sig):
            return False
        return expires.isdigit() and int(expires) > time.time()


@dataclass
class State:
    domain: Domain
    password: PasswordHash
    sessions: Sessions
    settings: DashboardSettings
    cached: tuple[float, dict[str, Any]] | None = None
    sign_ins: dict[str, SignIn] = field(default_factory=dict)  # platform value → its 免登 (dashboard_signin.py)
    public_url: str = ""


STATE = web.AppKey("dashboard", State)


def _page(name: str) -> str:
    return resources.files("maotiao").joinpath(f"static/{name}").read_text(encoding="utf-8")


def json_response(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=lambda d: json.dumps(d, ensure_ascii=False),
                             headers={"Cache-Control": "no-store"})


def client_key(request: web.Request, state: State) -> str:
    return hmac.new(state.sessions.key, (request.remote or "?").encode(), hashlib.sha256).hexdigest()[:32]


async def page(request: web.Request) -> web.Response:
    return web.Response(text=_page("dashboard.html"), content_type="text/html",
                        headers={"Cache-Control": "no-store", "X-Frame-Options": "DENY",
                                 "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; "
                                                            "script-src 'self' 'unsafe-inline'; frame-ancestors 'none'"})


async def font(_: web.Request) -> web.FileResponse:
    return web.FileResponse(font_path(), headers={"Cache-Control": "public, max-age=86400"})


async def json_body(request: web.Request) -> dict[str, Any] | None:
    """A small JSON object body, read whole; None when it is too long or not one."""
    if request.content_length is not None and request.content_length > MAX_LOGIN_BODY:
        return None
    raw = b""
    while len(raw) <= MAX_LOGIN_BODY:  # a read returns what has arrived: keep reading to the end or the limit
        chunk = await request.content.read(MAX_LOGIN_BODY + 1 - len(raw))
        if not chunk:
            break
        raw += chunk
    if len(raw) > MAX_LOGIN_BODY:
        return None
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return body if isinstance(body, dict) else None


def text_field(body: dict[str, Any] | None, name: str, limit: int = 256) -> str | None:
    value = body.get(name) if body else None
    return value if isinstance(value, str) and 0 < len(value) <= limit and "\x00" not in value else None


async def attempts_left(request: web.Request, state: State) -> tuple[str, bool]:
    """The caller's key and whether it may try to sign in (five failures in 15 minutes lock it)."""
    key = client_key(request, state)
    now = SystemClock().now()  # real time: a sandbox's moved clock must not reopen the window
    await LoginAttempt.filter(key=key, at__lt=now - timedelta(days=1)).delete()
    return key, await LoginAttempt.filter(key=key, ok=False, at__gte=now - FAILURE_WINDOW).count() < MAX_FAILURES


async def attempted(key: str, ok: bool) -> None:
    await LoginAttempt.create(key=key, ok=ok, at=SystemClock().now())


def start_session(request: web.Request, state: State, resp: web.Response) -> web.Response:
    resp.set_cookie(COOKIE, state.sessions.issue(), max_age=state.sessions.seconds, path="/dashboard", httponly=True,
                    samesite="Strict", secure=request.secure or state.settings.cookie_secure)
    return resp


TOO_MANY = {"error": "too_many", "message": "尝试次数过多,请 15 分钟后再试"}


async def login(request: web.Request) -> web.Response:
    state = request.app[STATE]
    key, allowed = await attempts_left(request, state)
    if not allowed:
        return json_response(TOO_MANY, 429)
    password = text_field(await json_body(request), "password")
    if password is None:
        return json_response({"error": "invalid", "message": "请输入密码"}, 400)
    ok = await asyncio.to_thread(state.password.verify, password)
    await attempted(key, ok)
    if not ok:
        return json_response({"error": "denied", "message": "密码错误"}, 401)
    return start_session(request, state, json_response({"ok": True}))


async def logout(request: web.Request) -> web.Response:
    resp = json_response({"ok": True})
    resp.del_cookie(COOKIE, path="/dashboard")
    return resp


async def summary(request: web.Request) -> web.Response:
    state = request.app[STATE]
    if not state.sessions.valid(request.cookies.get(COOKIE)):
        return json_response({"error": "login", "message": "请先登录"}, 401)
    if state.cached is None or time.monotonic() - state.cached[0] > CACHE_SECONDS:
        state.cached = (time.monotonic(), (await screen.build(state.domain.clock.now())).as_json())
    return json_response(state.cached[1])


async def off(_: web.Request) -> web.Response:
    return web.Response(status=404, text="指挥室大屏未开启:未配置 MAOTIAO_DASHBOARD_PASSWORD_HASH", content_type="text/plain")


def setup(app: web.Application, domain: Domain, sign_ins: Mapping[Platform, SignIn] | None = None,
          public_url: str = "") -> None:
    """Wire /dashboard. Unconfigured: every route answers 404 (fail closed). The platforms' 免登 (sign_ins)
    is offered beside the center account (maotiao/dashboard_signin.py)."""
    settings = load_dashboard_settings()
    if not settings.password_hash:
        for path in ("/dashboard", "/dashboard/{tail:.*}"):
            app.router.add_route("*", path, off)
        return
    password = PasswordHash.parse(settings.password_hash)
    app[STATE] = State(domain, password, Sessions(password.session_key, settings.session_hours), settings,
                       sign_ins={p.value: s for p, s in (sign_ins or {}).items()}, public_url=public_url)
    app.router.add_get("/dashboard", page)
    app.router.add_get("/dashboard/font.otf", font)
    app.router.add_post("/dashboard/login", login)
    app.router.add_post("/dashboard/logout", logout)
    app.router.add_get("/dashboard/api/summary", summary)
    from maotiao import dashboard_signin  # it builds on this module

    dashboard_signin.routes(app)
