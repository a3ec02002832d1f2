"""The 综合信息指挥室 screen's server side: off unless configured, a hashed center password, signed
HttpOnly/SameSite session cookies any process accepts, a shared failure limit, and no personal data."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer

from core.config import ConfigError, load_settings
from core.enums import Category, Flag, Platform
from core.models import Case, LoginAttempt
from core.services import aftercare, intake
from maotiao.dashboard import COOKIE, PasswordHash, Sessions, hash_password
from maotiao.server import build_app
from tests.conftest import who
from tests.core.flows import dispatched

PASSWORD = "zhihuishi-2026"
HASH = hash_password(PASSWORD)
W = Platform.WECOM


@pytest.fixture
async def client(org, domain, monkeypatch) -> AsyncIterator[TestClient]:
    monkeypatch.setenv("MAOTIAO_DASHBOARD_PASSWORD_HASH", HASH)
    async with TestClient(TestServer(build_app(load_settings(), domain))) as c:
        yield c


async def _login(client: TestClient, password: str = PASSWORD):
    return await client.post("/dashboard/login", json={"password": password})


async def test_off_unless_configured(org, domain, monkeypatch) -> None:
    monkeypatch.delenv("MAOTIAO_DASHBOARD_PASSWORD_HASH", raising=False)
    async with TestClient(TestServer(build_app(load_settings(), domain))) as c:
        for method, path in (("GET", "/dashboard"), ("GET", "/dashboard/api/summary"), ("POST", "/dashboard/login")):
            resp = await c.request(method, path, json={"password": "x"})
            assert resp.status == 404, path
        assert "未开启" in await (await c.get("/dashboard")).text()


def test_a_malformed_hash_stops_the_server_naming_the_variable(domain, monkeypatch) -> None:
    monkeypatch.setenv("MAOTIAO_DASHBOARD_PASSWORD_HASH", "plaintext-password")
    with pytest.raises(ConfigError, match="MAOTIAO_DASHBOARD_PASSWORD_HASH"):
        build_app(load_settings(), domain)


async def test_login_sets_a_strict_httponly_session_and_the_summary_needs_it(client: TestClient) -> None:
    assert (await client.get("/dashboard/api/summary")).status == 401
    page = await client.get("/dashboard")
    assert page.status == 200 and "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    wrong = await _login(client, "guess")
    assert wrong.status == 401 and COOKIE not in wrong.cookies
    ok = await _login(client)
    assert ok.status == 200
    header = ok.headers["Set-Cookie"]
    assert "HttpOnly" in header and "SameSite=Strict" in header and "Path=/dashboard" in header
    resp = await client.get("/dashboard/api/summary")
    assert resp.status == 200 and (await resp.json())["center"] == "茶园乡社会矛盾纠纷调处化解中心"
    await client.post("/dashboard/logout")
    assert (await client.get("/dashboard/api/summary")).status == 401


async def test_forged_tampered_and_expired_cookies_are_refused(client: TestClient) -> None:
    sessions = Sessions(PasswordHash.parse(HASH).session_key, 12)
    good = sessions.issue()
    expires, nonce, sig = good.split(".")
    other_key = Sessions(PasswordHash.parse(hash_password("another-one")).session_key, 12).issue()
    stale = Sessions(PasswordHash.parse(HASH).session_key, 12)
    stale.seconds = -10
    for token in (f"{int(expires) + 999}.{nonce}.{sig}", other_key, stale.issue(), "a.b", "x" * 500, ""):
        client.session.cookie_jar.update_cookies({COOKIE: token})
        assert (await client.get("/dashboard/api/summary")).status == 401, token[:40]
    client.session.cookie_jar.update_cookies({COOKIE: good})  # made by "another process" with the same hash
    assert (await client.get("/dashboard/api/summary")).status == 200


async def test_five_failures_lock_the_address_even_for_the_right_password(client: TestClient) -> None:
    for _ in range(5):
        assert (await _login(client, "wrong-password")).status == 401
    locked = await _login(client)
    assert locked.status == 429 and "15 分钟" in (await locked.json())["message"]
    assert await LoginAttempt.filter(ok=False).count() == 5
    assert all(len(a.key) == 32 and "127.0.0.1" not in a.key for a in await LoginAttempt.all())
    await LoginAttempt.all().update(at=datetime.now(UTC) - timedelta(minutes=16))
    assert (await _login(client)).status == 200


@pytest.mark.parametrize("body", [b"not json", b'{"password": 5}', b'{"password": "a\\u0000b"}', b"[]",
                                  b'{"password": "' + b"x" * 5000 + b'"}'])
async def test_junk_login_bodies_are_a_400(client: TestClient, body: bytes) -> None:
    resp = await client.post("/dashboard/login", data=body, headers={"Content-Type": "application/json"})
    assert resp.status == 400 and await LoginAttempt.all().count() == 0


async def test_the_screen_counts_and_never_shows_personal_data(client: TestClient, domain) -> None:
    zhou = await who("周小梅")
    secret = "王大锤 13812345678 身份证330502198001011234 院墙滴水"
    data = intake.ReportInput(secret, category=Category.NEIGHBOR, parties=[{"name": "王大锤", "phone": "13812345678"}])
    await intake.report(domain, zhou, data, source=W)
    case, _ = await dispatched(domain)
    await aftercare.supervise(domain, await who("韩卫国"), case.id, source=W)
    sensitive, _ = await dispatched(domain)
    await Case.filter(id=sensitive.id).update(flags=[Flag.SENSITIVE.value], parties=[{"name": "李秘密"}])
    await aftercare.supervise(domain, await who("韩卫国"), sensitive.id, source=W)
    await _login(client)
    body = await (await client.get("/dashboard/api/summary")).json()
    raw = json.dumps(body, ensure_ascii=False)
    for leak in ("王大锤", "13812345678", "330502", "院墙滴水", "李秘密", "过道", sensitive.number):
        assert leak not in raw, leak
    assert body["today"]["new"] == 3 and body["counts"]["open"] == 3 and body["counts"]["supervised"] == 2
    assert [s["number"] for s in body["supervised"]] == [case.number] and body["supervised_sensitive"] == 1
    town = body["tree"][0]
    assert town["name"] == "茶园乡" and {v["name"]: v["open"] for v in town["villages"]}["荷花村"] == 3
    assert body["trend"]["series"][0] == {"name": "邻里纠纷", "counts": [0] * 29 + [3]}


async def test_a_login_body_that_arrives_in_pieces_is_read_whole(client: TestClient) -> None:
    body = json.dumps({"password": PASSWORD}).encode()

    async def pieces():
        for i in range(0, len(body), 5):
            yield body[i:i + 5]

    resp = await client.post("/dashboard/login", data=pieces(), headers={"Content-Type": "application/json"})
    assert resp.status == 200


async def shaded_villages(domain) -> None:
    """Five 邻里纠纷 this week in 荷花村 (an 橙色 spike: the baseline is empty), two open cases of different
    kinds in 桂香村 (no spike), and one in 新河社区 already resolved (nothing open)."""
    for i in range(5):
        data = intake.ReportInput(f"荷花村第{i + 1}起邻里纠纷", category=Category.NEIGHBOR)
        await intake.report(domain, await who("周小梅"), data, source=W)
    for text, category in (("桂香村欠薪", Category.LABOR_WAGE), ("桂香村宅基地", Category.LAND_HOMESTEAD)):
        await intake.report(domain, await who("郑丽"), intake.ReportInput(text, category=category), source=W)
    await intake.report(domain, await who("冯建"), intake.ReportInput("新河社区噪音", category=Category.ENVIRONMENT), source=W)
    await Case.filter(content="新河社区噪音").update(status="resolved", resolved_at=domain.clock.now())


async def test_the_village_tree_carries_open_cases_and_warning_grades(client: TestClient, domain) -> None:
    await shaded_villages(domain)
    await _login(client)
    body = await (await client.get("/dashboard/api/summary")).json()
    town = body["tree"][0]
    villages = {v["name"]: (v["open"], v["warning"]) for v in town["villages"]}
    assert villages == {"荷花村": (5, "orange"), "桂香村": (2, None), "新河社区": (0, None)}
    assert town["open"] == 7
    assert [(w["village"], w["category"], w["label"], w["count"]) for w in body["warnings"]] == [
        ("荷花村", "邻里纠纷", "橙色预警", 5)]
