"""免登 to the 指挥室 screen through DingTalk and WeCom, against their fakes on loopback: the browser is sent to
the platform's authorize page with a signed state, comes back with a one-time code, and serve exchanges the code
for the person's user id with the platform (DingTalk: userAccessToken, users/me, getbyunionid; WeCom:
auth/getuserinfo). Only center staff and leaders get in; a used code, a forged state, an outsider or a platform
that cannot be asked changes nothing; the center account stays the fallback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from aiohttp.test_utils import TestClient, TestServer

from core.config import load_settings
from core.enums import Platform
from core.models import LoginAttempt
from integrations.dingtalk.config import load_dingtalk
from integrations.registry import Platforms, build_platforms
from integrations.sandbox.dingtalk import FakeDingTalk
from integrations.sandbox.wecom import FakeWeCom
from integrations.wecom.config import load_wecom
from maotiao.dashboard import COOKIE, hash_password
from maotiao.dashboard_signin import STATE_COOKIE
from maotiao.server import build_app

PASSWORD = "zhihuishi-2026"
DT, WC = Platform.DINGTALK.value, Platform.WECOM.value


@dataclass
class Rig:
    client: TestClient
    dingtalk: FakeDingTalk
    wecom: FakeWeCom
    web: httpx.AsyncClient  # the browser's trips to the platforms' pages


@asynccontextmanager
async def signin_rig(domain) -> AsyncIterator[Rig]:
    """serve's app with DingTalk and WeCom configured against their fakes (MAOTIAO_DASHBOARD_PASSWORD_HASH set)."""
    dt = FakeDingTalk("dingclient01", "dingsecret", "dingrobot01")  # type: ignore[call-arg]
    wc = FakeWeCom("wwcorp01", "wesecret", 1000002)  # type: ignore[call-arg]
    async with TestServer(dt.app(), host="127.0.0.1") as dt_server, TestServer(wc.app(), host="127.0.0.1") as wc_server:
        dt_base, wc_base = str(dt_server.make_url("")).rstrip("/"), str(wc_server.make_url("")).rstrip("/")
        platforms: Platforms = build_platforms({
            Platform.DINGTALK: load_dingtalk(client_id="dingclient01", client_secret="dingsecret", robot_code="dingrobot01",
                                             card_template_id="tpl.generic", api_base=dt_base, oapi_base=dt_base,
                                             login_base=dt_base),
            Platform.WECOM: load_wecom(corp_id="wwcorp01", agent_id=1000002, secret="wesecret", token="tok",
                                       aes_key="a" * 43, api_base=f"{wc_base}/cgi-bin/", oauth_base=wc_base)})
        try:
            async with TestClient(TestServer(build_app(load_settings(), domain, platforms.sign_ins),
                                             host="127.0.0.1")) as client, httpx.AsyncClient() as web:
                yield Rig(client, dt, wc, web)
        finally:
            await platforms.aclose()


@pytest.fixture
async def rig(org, domain, monkeypatch) -> AsyncIterator[Rig]:
    monkeypatch.setenv("MAOTIAO_DASHBOARD_PASSWORD_HASH", hash_password(PASSWORD))
    async with signin_rig(domain) as r:
        yield r


async def _through(rig: Rig, platform: str, user: str) -> tuple[str, str]:
    """Click 「…免登」 as `user`: our redirect, the platform's page, back to us → (code, state) the page posts."""
    fake: Any = rig.dingtalk if platform == DT else rig.wecom
    fake.signed_in = user
    ours = await rig.client.get(f"/dashboard/sign-in/{platform}", allow_redirects=False)
    assert ours.status == 302 and STATE_COOKIE in ours.cookies
    theirs = await rig.web.get(ours.headers["Location"].split("#")[0])
    assert theirs.status_code == 302
    back = urlsplit(theirs.headers["Location"])
    query = {k: v[0] for k, v in parse_qs(back.query).items()}
    assert back.path == "/dashboard" and query["via"] == platform
    return query["authCode" if platform == DT else "code"], query["state"]


async def _post(rig: Rig, platform: str, code: str, state: str):
    return await rig.client.post("/dashboard/login/platform", json={"platform": platform, "code": code, "state": state})


async def test_the_page_is_offered_each_configured_platform(rig: Rig) -> None:
    body = await (await rig.client.get("/dashboard/api/sign-in")).json()
    assert body["methods"] == [{"platform": WC, "label": "企业微信", "param": "code", "in_app": "wxwork"},
                               {"platform": DT, "label": "钉钉", "param": "authCode", "in_app": "DingTalk"}]
    ours = await rig.client.get(f"/dashboard/sign-in/{DT}", allow_redirects=False)
    q = parse_qs(urlsplit(ours.headers["Location"]).query)
    assert (q["client_id"], q["scope"], q["response_type"]) == (["dingclient01"], ["openid"], ["code"])
    assert q["redirect_uri"][0].endswith(f"/dashboard?via={DT}")
    header = ours.headers["Set-Cookie"]
    assert "HttpOnly" in header and "Path=/dashboard" in header and "Max-Age=600" in header


@pytest.mark.parametrize(("platform", "user"), [(DT, "dt3001"), (WC, "tangzg")])
async def test_a_leader_signs_in_through_the_platform_and_the_code_is_good_once(rig: Rig, platform: str,
                                                                                user: str) -> None:
    code, state = await _through(rig, platform, user)
    assert (await rig.client.get("/dashboard/api/summary")).status == 401
    ok = await _post(rig, platform, code, state)
    assert ok.status == 200 and (await ok.json())["name"] == "唐志刚"
    assert "SameSite=Strict" in ok.headers.getall("Set-Cookie")[0] and COOKIE in ok.cookies
    assert (await rig.client.get("/dashboard/api/summary")).status == 200
    await rig.client.post("/dashboard/logout")
    _, fresh_state = await _through(rig, platform, user)
    again = await _post(rig, platform, code, fresh_state)  # the same code a second time
    assert again.status == 401 and (await again.json())["message"] == "登录码无效或已使用,请重新进入"
    assert (await rig.client.get("/dashboard/api/summary")).status == 401


@pytest.mark.parametrize(("platform", "user", "status", "message"), [
    (DT, "dt2103", 403, "指挥室大屏仅限中心工作人员和领导查看"),  # 孙婷, an officer
    (WC, "zhouxm", 403, "指挥室大屏仅限中心工作人员和领导查看"),  # 周小梅, a grid worker
    (WC, "stranger", 403, "您的账号不在本中心名单中"),  # a member of the corp, not in the org file
])
async def test_anyone_but_center_staff_and_leaders_is_refused(rig: Rig, platform: str, user: str, status: int,
                                                               message: str) -> None:
    code, state = await _through(rig, platform, user)
    resp = await _post(rig, platform, code, state)
    assert resp.status == status and (await resp.json())["message"] == message and COOKIE not in resp.cookies
    assert (await rig.client.get("/dashboard/api/summary")).status == 401
    assert await LoginAttempt.filter(ok=False).count() == 1


async def test_outsiders_of_the_organisation_are_refused(rig: Rig) -> None:
    rig.dingtalk.outsiders.add("dt3001")
    code, state = await _through(rig, DT, "dt3001")
    assert (await _post(rig, DT, code, state)).status == 401
    rig.wecom.outsiders.add("tangzg")
    code, state = await _through(rig, WC, "tangzg")
    assert (await _post(rig, WC, code, state)).status == 401


async def test_a_forged_or_missing_state_is_refused_before_the_platform_is_asked(rig: Rig) -> None:
    code, state = await _through(rig, DT, "dt3001")
    for forged in (state[:-2] + "xx", "1.2.3"):
        resp = await _post(rig, DT, code, forged)
        assert resp.status == 400 and (await resp.json())["message"] == "登录已过期,请重新进入"
    rig.client.session.cookie_jar.clear()  # a state from someone else's browser: not this one's cookie
    assert (await _post(rig, DT, code, state)).status == 400
    assert code in rig.dingtalk.login_codes  # never exchanged
    for body in ({"platform": "nowhere", "code": code, "state": state}, {"platform": DT, "state": state}, {}):
        assert (await rig.client.post("/dashboard/login/platform", json=body)).status == 400
    assert (await rig.client.get("/dashboard/sign-in/nowhere", allow_redirects=False)).status == 404


async def test_a_platform_that_cannot_be_asked_is_a_502_and_the_password_still_works(rig: Rig) -> None:
    code, state = await _through(rig, WC, "tangzg")
    rig.wecom.fail_next = 2
    resp = await _post(rig, WC, code, state)
    assert resp.status == 502 and "暂时无法向企业微信核实身份" in (await resp.json())["message"]
    assert (await rig.client.get("/dashboard/api/summary")).status == 401
    assert (await rig.client.post("/dashboard/login", json={"password": PASSWORD})).status == 200
    assert (await rig.client.get("/dashboard/api/summary")).status == 200


async def test_without_platforms_the_center_account_is_the_only_way(org, domain, monkeypatch) -> None:
    monkeypatch.setenv("MAOTIAO_DASHBOARD_PASSWORD_HASH", hash_password(PASSWORD))
    async with TestClient(TestServer(build_app(load_settings(), domain))) as client:
        assert (await (await client.get("/dashboard/api/sign-in")).json()) == {"methods": []}
        resp = await client.post("/dashboard/login/platform", json={"platform": DT, "code": "x", "state": "1.2.3"})
        assert resp.status == 400
