"""The intake API under attack: another system's key, blank and raced external ids, NUL bytes and
invisible content. Runs on SQLite and again on PostgreSQL (where NUL used to be a 500)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from core.config import load_settings
from core.enums import Platform
from core.models import AuditEvent, Case
from core.services import intake
from maotiao.server import build_app
from tests.conftest import who

HOTLINE, PETITION = "hotline-secret-0123456789", "petition-secret-0123456789"
AS_HOTLINE = {"Authorization": f"Bearer {HOTLINE}"}
AS_PETITION = {"Authorization": f"Bearer {PETITION}"}
BODY = {"content": "楼下烧烤店油烟扰民,居民多次投诉", "location": "荷花村", "category": "environment",
        "external_id": "12345-20261123-0001"}


@pytest.fixture
async def client(org, domain) -> AsyncIterator[TestClient]:
    settings = load_settings(api_keys=f"hotline:{HOTLINE},petition:{PETITION}")
    async with TestClient(TestServer(build_app(settings, domain))) as c:
        yield c


async def test_a_key_reads_only_the_cases_it_sent(client: TestClient, domain) -> None:
    mine = await (await client.post("/api/v1/cases", json=BODY, headers=AS_HOTLINE)).json()
    assert (await client.get(f"/api/v1/cases/{mine['number']}", headers=AS_HOTLINE)).status == 200
    other = await client.get(f"/api/v1/cases/{mine['number']}", headers=AS_PETITION)
    assert other.status == 404 and mine["number"] in (await other.json())["message"]
    chat = await intake.report(domain, await who("周小梅"), intake.ReportInput("邻居吵架"), source=Platform.WECOM)
    assert (await client.get(f"/api/v1/cases/{chat.case.number}", headers=AS_HOTLINE)).status == 404


async def test_another_systems_external_id_reveals_nothing(client: TestClient) -> None:
    await client.post("/api/v1/cases", json={**BODY, "content": "张三家漏水 13800138000"}, headers=AS_HOTLINE)
    resp = await client.post("/api/v1/cases", json=BODY, headers=AS_PETITION)
    text = await resp.text()
    assert resp.status == 409 and (await resp.json())["field"] == "external_id"
    assert "2026-0001" not in text and "13800138000" not in text and "reported" not in text
    assert await Case.all().count() == 1


@pytest.mark.parametrize("blank", ["", "   ", "\t"])
async def test_a_blank_external_id_is_no_external_id(client: TestClient, blank: str) -> None:
    statuses = [(await client.post("/api/v1/cases", json={**BODY, "external_id": blank}, headers=AS_HOTLINE)).status
                for _ in range(3)]
    assert statuses == [201, 201, 201]
    assert await Case.filter(external_ref__isnull=True).count() == 3


async def test_twenty_identical_posts_at_once_make_one_case(client: TestClient) -> None:
    responses = await asyncio.gather(*(client.post("/api/v1/cases", json=BODY, headers=AS_HOTLINE)
                                       for _ in range(20)))
    statuses = sorted(r.status for r in responses)
    assert statuses == [200] * 19 + [201], statuses
    assert len({(await r.json())["number"] for r in responses}) == 1
    assert await Case.all().count() == 1
    assert await AuditEvent.filter(action="report").count() == 1


@pytest.mark.parametrize(("patch", "field"), [
    ({"content": "油烟\x00扰民"}, "content"),
    ({"location_text": "荷花村\x00 3 号"}, "location_text"),
    ({"external_id": "12345\x00-1"}, "external_id"),
    ({"parties": [{"name": "张\x00三"}]}, "parties.0.name"),
    ({"reporter": {"name": "李四", "phone": "1380013\x008000"}}, "reporter.phone"),
    ({"content": "油烟扰民\ud800"}, "content"),  # a lone surrogate cannot be stored either
])
async def test_nul_and_unencodable_text_is_refused_naming_the_field(client: TestClient, patch, field: str) -> None:
    raw = json.dumps({**BODY, **patch})  # ensure_ascii: \u0000 and \ud800 travel as JSON escapes
    resp = await client.post("/api/v1/cases", data=raw, headers={**AS_HOTLINE, "Content-Type": "application/json"})
    assert resp.status == 422, await resp.text()
    assert (await resp.json())["field"] == field
    assert await Case.all().count() == 0


@pytest.mark.parametrize("invisible", ["\u200b", "\u200b\u200c\u200d\u2060\ufeff", " \u3000\u200b ", "\u3164\u2800"])
async def test_invisible_content_is_not_a_report(client: TestClient, domain, invisible: str) -> None:
    resp = await client.post("/api/v1/cases", json={**BODY, "content": invisible}, headers=AS_HOTLINE)
    assert resp.status == 422 and (await resp.json())["field"] == "content"
    with pytest.raises(intake.InvalidInput):
        await intake.report(domain, await who("周小梅"), intake.ReportInput(invisible), source=Platform.WECOM)
    assert await Case.all().count() == 0

