"""The JSON intake API for 12345 and other systems: keys, validation naming the field, idempotency."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from core.config import load_settings
from core.models import Case
from maotiao.server import build_app

SECRET = "s3cret-for-the-hotline"
AUTH = {"Authorization": f"Bearer {SECRET}"}
GOOD = {"content": "楼下烧烤店油烟扰民,居民多次投诉", "location": "荷花村", "category": "environment",
        "external_id": "12345-20261123-0001", "parties": [{"name": "张三", "phone": "13800138000"}]}


@pytest.fixture
async def client(org, domain) -> AsyncIterator[TestClient]:
    settings = load_settings(api_keys=f"hotline:{SECRET}")
    async with TestClient(TestServer(build_app(settings, domain))) as c:
        yield c


async def test_create_and_read_back(client: TestClient) -> None:
    resp = await client.post("/api/v1/cases", json=GOOD, headers=AUTH)
    assert resp.status == 201
    body = await resp.json()
    assert body["number"] == "2026-0001" and body["status"] == "reported" and body["status_label"] == "待受理"
    assert body["location"] == "西溪区/茶园乡/荷花村" and body["source"] == "hotline_12345"
    resp = await client.get(f"/api/v1/cases/{body['number']}", headers=AUTH)
    assert resp.status == 200 and (await resp.json())["category"] == "environment"
    case = await Case.get(number=body["number"])
    assert case.parties == [{"name": "张三", "phone": "13800138000"}] and case.reporter_id is None


async def test_resending_the_same_external_id_is_one_case(client: TestClient) -> None:
    first = await client.post("/api/v1/cases", json=GOOD, headers=AUTH)
    again = await client.post("/api/v1/cases", json=GOOD, headers=AUTH)
    assert (first.status, again.status) == (201, 200)
    assert (await first.json())["number"] == (await again.json())["number"]
    assert await Case.all().count() == 1


@pytest.mark.parametrize(
    ("headers", "status"),
    [({}, 401), ({"Authorization": "Bearer wrong"}, 401), ({"Authorization": f"Basic {SECRET}"}, 401)],
)
async def test_missing_or_wrong_key(client: TestClient, headers, status) -> None:
    resp = await client.post("/api/v1/cases", json=GOOD, headers=headers)
    assert resp.status == status and (await resp.json())["error"] == "unauthorized"
    assert (await client.get("/api/v1/cases/2026-0001", headers=headers)).status == status
    assert await Case.all().count() == 0


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        (b"{not json", 400, None),
        ("不是JSON".encode(), 400, None),
        (json.dumps({**GOOD, "priority": "high"}).encode(), 422, "priority"),
        (json.dumps({**GOOD, "content": "纠" * 100_000}).encode(), 422, "content"),
        (json.dumps({**GOOD, "content": ""}).encode(), 422, "content"),
        (json.dumps({k: v for k, v in GOOD.items() if k != "location"}).encode(), 422, "location"),
        (json.dumps({**GOOD, "location": "火星村"}).encode(), 422, "location"),
        (json.dumps({**GOOD, "category": "aliens"}).encode(), 422, "category"),
        (json.dumps({**GOOD, "people": -3}).encode(), 422, "people"),
        (json.dumps({**GOOD, "parties": [{"name": "张三", "ssn": "1"}]}).encode(), 422, "parties.0.ssn"),
        (json.dumps([GOOD]).encode(), 422, None),
    ],
)
async def test_bad_input_is_a_clear_4xx_and_changes_nothing(client: TestClient, body, status, field) -> None:
    resp = await client.post("/api/v1/cases", data=body, headers={**AUTH, "Content-Type": "application/json"})
    assert resp.status == status
    payload = await resp.json()
    assert payload["message"]
    if field:
        assert payload["field"] == field
    assert await Case.all().count() == 0


async def test_huge_body_is_refused(client: TestClient) -> None:
    resp = await client.post("/api/v1/cases", data=b"x" * (2 * 1024 * 1024), headers=AUTH)
    assert resp.status == 413
    assert await Case.all().count() == 0


async def test_unknown_case_is_404(client: TestClient) -> None:
    resp = await client.get("/api/v1/cases/2026-9999", headers=AUTH)
    assert resp.status == 404 and "2026-9999" in (await resp.json())["message"]


async def test_openapi_and_health(client: TestClient) -> None:
    doc = await (await client.get("/api/v1/openapi.json")).json()
    assert doc["openapi"].startswith("3.") and "/api/v1/cases" in doc["paths"]
    assert "content" in doc["components"]["schemas"]["CaseIn"]["properties"]
    assert (await (await client.get("/healthz")).json()) == {"status": "ok"}


async def test_api_disabled_without_keys_is_a_404_naming_the_setting_not_an_outage(org, domain) -> None:
    async with TestClient(TestServer(build_app(load_settings(api_keys=""), domain))) as c:
        resp = await c.post("/api/v1/cases", json=GOOD, headers=AUTH)
        assert resp.status == 404 and "MAOTIAO_API_KEYS" in (await resp.json())["message"]
