"""The sandbox page's API acts as anyone: cross-site pages (CSRF) and DNS rebinding must not drive it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from core.clock import OffsetClock
from core.config import load_settings
from integrations.sandbox.runtime import start_sandbox
from maotiao import mode, sandbox_api


@pytest.fixture
async def page(org) -> AsyncIterator[tuple[TestClient, OffsetClock]]:
    await mode.claim(mode.SANDBOX)
    sandbox = await start_sandbox()
    sandbox.connect("http://127.0.0.1:9")
    clock = OffsetClock()
    app = web.Application()
    sandbox_api.setup(app, sandbox, clock, lambda: None, load_settings())
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        yield client, clock
    await sandbox.aclose()


def _here(client: TestClient) -> str:
    return f"127.0.0.1:{client.port}"


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8080", "127.0.0.1.nip.io", "", "[::1"])
async def test_a_foreign_host_header_is_refused(page, host: str) -> None:
    """DNS rebinding: the attacker's name resolves to 127.0.0.1, the browser sends Host: evil.example."""
    client, clock = page
    assert (await client.get("/sandbox/api/personas", headers={"Host": host})).status in (400, 403)
    resp = await client.post("/sandbox/api/clock", json={"hours": 24}, headers={"Host": host})
    assert resp.status in (400, 403) and clock.offset.total_seconds() == 0


@pytest.mark.parametrize("headers", [
    {"Origin": "http://evil.example"},
    {"Origin": "null"},
    {"Origin": "http://127.0.0.1:1"},  # another port: another origin
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},
])
async def test_a_cross_site_post_is_refused(page, headers: dict[str, str]) -> None:
    client, clock = page
    resp = await client.post("/sandbox/api/clock", json={"hours": 24}, headers=headers)
    assert resp.status == 403 and clock.offset.total_seconds() == 0


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"])
async def test_a_simple_request_body_is_refused(page, content_type: str) -> None:
    """What a cross-site form or a no-preflight fetch can send; JSON needs a preflight we never answer."""
    client, clock = page
    resp = await client.post("/sandbox/api/clock", data='{"hours": 24}', headers={"Content-Type": content_type})
    assert resp.status == 415 and clock.offset.total_seconds() == 0


async def test_the_page_itself_still_works(page) -> None:
    client, clock = page
    assert (await client.get("/sandbox/api/personas", headers={"Host": "localhost"})).status == 200
    resp = await client.post("/sandbox/api/clock", json={"hours": 24},
                             headers={"Origin": f"http://{_here(client)}", "Sec-Fetch-Site": "same-origin"})
    assert resp.status == 200 and clock.offset.total_seconds() == 24 * 3600
    assert "演示沙箱" in await (await client.get("/")).text()


async def test_the_clock_never_moves_on_a_production_database(page) -> None:
    from core.models import DatabaseMark

    client, clock = page
    await DatabaseMark.filter(id=1).update(mode=mode.PRODUCTION)
    resp = await client.post("/sandbox/api/clock", json={"hours": 24})
    assert resp.status == 409 and clock.offset.total_seconds() == 0


async def test_a_cross_site_page_cannot_send_a_photo_as_someone(page) -> None:
    client, _ = page
    resp = await client.post("/sandbox/api/photo", json={"staff": 1, "platform": "wecom", "data": ""},
                             headers={"Origin": "http://evil.example"})
    assert resp.status == 403


async def test_a_bad_clock_jump_is_refused_and_moves_nothing(page) -> None:
    client, clock = page
    for body in ({"jump": "next week"}, {"hours": "soon"}, {"hours": 0}, {"hours": 24 * 61}):
        resp = await client.post("/sandbox/api/clock", json=body)
        assert resp.status == 400 and "error" in await resp.json(), body
    assert clock.offset.total_seconds() == 0


async def test_a_document_downloads_under_its_name_and_the_name_cannot_add_headers(page) -> None:
    client, _ = page
    fake = client.server.app[sandbox_api.SANDBOX].fake("wecom")
    assert fake is not None
    fake.fake.media["doc1"] = b"PK\x03\x04 a docx"  # type: ignore[attr-defined]
    resp = await client.get("/sandbox/media/wecom/doc1", params={"name": "人民调解协议书.docx\r\nSet-Cookie: x=1"})
    assert resp.status == 200 and await resp.read() == b"PK\x03\x04 a docx"
    assert "Set-Cookie" not in resp.headers and resp.headers["Content-Disposition"].startswith("attachment; filename*=")
    assert resp.content_type == "application/octet-stream" or resp.content_type.endswith("document")


@pytest.mark.parametrize("selected", [["a"], {"a": ["d1"]}, {k: "1" for k in "abcd"}, {"a": "x" * 129}])
async def test_a_form_click_with_picks_not_of_a_card_is_refused(page, selected: object) -> None:
    client, _ = page
    resp = await client.post("/sandbox/api/click", json={"staff": 1, "platform": "wecom", "card": "c", "key": "k",
                                                         "selected": selected})
    assert resp.status == 400 and "selected" in (await resp.json())["error"]


async def test_the_panel_lists_nothing_before_anything_was_sent(page) -> None:
    client, _ = page
    assert await (await client.get("/sandbox/api/outside")).json() == {"sms": [], "todos": []}
