"""A case posted by another system (12345, 四平台, 信访) reaches the center like a chat report: its content is
classified by the same parser, the dispatchers get the center card, and 重大/涉敏/群体性 raise the warnings."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from core.config import load_settings
from core.models import Case, OutboxMessage, Region, Staff
from core.routing import dispatchers_for
from maotiao.server import build_app

HOTLINE = "hotline-secret-0123456789"
AS_HOTLINE = {"Authorization": f"Bearer {HOTLINE}"}
MASS_PETITION = "荷花村30余户村民因征地补偿款分配不公,多次聚集,扬言集体上访到市政府"


@pytest.fixture
async def client(org, domain) -> AsyncIterator[TestClient]:
    settings = load_settings(api_keys=f"hotline:{HOTLINE}")
    async with TestClient(TestServer(build_app(settings, domain))) as c:
        yield c


async def _queued() -> list[dict]:
    return [row.payload for row in await OutboxMessage.all().order_by("id")]


async def test_a_mass_petition_from_12345_is_classified_and_reaches_the_dispatcher_and_leaders(
        client: TestClient) -> None:
    resp = await client.post("/api/v1/cases", json={"content": MASS_PETITION, "location": "荷花村",
                                                    "external_id": "12345-0001"}, headers=AS_HOTLINE)
    assert resp.status == 201
    body = await resp.json()
    assert (body["category"], body["severity"]) == ("demolition", "major")
    assert {"group", "sensitive"} <= set(body["flags"])
    case = await Case.get(number=body["number"])
    dispatchers = {s.id for s in await dispatchers_for(await Region.get(id=case.handling_region_id))}
    queued = await _queued()
    cards = [p for p in queued if p.get("card") and p["target"]["staff_id"] in dispatchers]
    assert cards and all(case.number in str(p["card"]) for p in cards)
    warnings = [p for p in queued if p.get("text", "").startswith("【红色预警】")]
    assert warnings and all(p["urgent"] for p in warnings if p["target"]["kind"] != "group")
    assert all(case.number in p["text"] for p in warnings if p["target"]["kind"] != "group")


async def test_a_field_the_sender_states_wins_over_the_parser(client: TestClient) -> None:
    resp = await client.post("/api/v1/cases", json={"content": MASS_PETITION, "location": "荷花村",
                                                    "category": "land_homestead", "severity": "important",
                                                    "flags": []}, headers=AS_HOTLINE)
    body = await resp.json()
    assert (body["category"], body["severity"], body["flags"]) == ("land_homestead", "important", [])


async def test_a_resent_case_is_announced_once(client: TestClient) -> None:
    payload = {"content": "楼下烧烤店油烟扰民", "location": "荷花村", "external_id": "12345-0002"}
    first = await client.post("/api/v1/cases", json=payload, headers=AS_HOTLINE)
    queued = len(await _queued())
    again = await client.post("/api/v1/cases", json=payload, headers=AS_HOTLINE)
    assert (first.status, again.status) == (201, 200)
    assert queued > 0 and len(await _queued()) == queued


async def test_a_refused_case_queues_nothing(client: TestClient) -> None:
    resp = await client.post("/api/v1/cases", json={"content": "油烟扰民", "location": "不存在的村"},
                             headers=AS_HOTLINE)
    assert resp.status == 422 and await OutboxMessage.all().count() == 0 and await Staff.all().count() > 0
