"""委派 through the intake API: a court's system posts a case with `partner` and `partner_deadline`; the case
carries source 委派调解 and the court's deadline (which bounds its tasks), and an unknown partner or a deadline
without one is refused with the field named and nothing stored."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from core.config import load_settings
from core.enums import Platform
from core.models import Case, Referral
from core.services import triage
from maotiao.server import build_app
from tests.conftest import cst, staff_id, who

SECRET = "s3cret-for-the-court"
AUTH = {"Authorization": f"Bearer {SECRET}"}
BODY = {"content": "张三与李四民间借贷纠纷,诉前委派调解", "location": "荷花村", "external_id": "(2026)浙0102民诉前调1234号",
        "partner": "法院", "partner_deadline": "2026-11-27"}


@pytest.fixture
async def client(org, domain) -> AsyncIterator[TestClient]:
    settings = load_settings(api_keys=f"court:{SECRET}")
    async with TestClient(TestServer(build_app(settings, domain))) as c:
        yield c


async def test_a_case_the_court_posts_carries_its_source_and_deadline(client: TestClient, domain) -> None:
    resp = await client.post("/api/v1/cases", json=BODY, headers=AUTH)
    assert resp.status == 201
    body = await resp.json()
    assert body["source"] == "entrusted" and body["referrals"] == ["委派自西溪区人民法院(诉调),期限 2026-11-27 18:00"]
    row = await Referral.get()
    assert (row.direction, row.partner, row.due_at) == ("in", "西溪区人民法院", cst(2026, 11, 27, 18, 0))
    again = await client.post("/api/v1/cases", json=BODY, headers=AUTH)
    assert again.status == 200 and await Referral.all().count() == 1  # re-sent: one case, one referral
    case = await Case.get()
    lin = await who("林晓")
    await triage.accept(domain, lin, case.id, source=Platform.API)
    out = await triage.dispatch(domain, lin, case.id, [triage.Assignment(await staff_id("赵敏"))],
                                source=Platform.API)
    assert out.tasks[0].deadline == cst(2026, 11, 27, 18, 0)


@pytest.mark.parametrize(("change", "field"), [
    ({"partner": "居委会"}, None), ({"partner": None}, None), ({"partner_deadline": "2026-11-01"}, None),
])
async def test_an_unknown_partner_or_a_deadline_without_one_is_refused(
        client: TestClient, change: dict[str, object], field: str | None) -> None:
    body = {k: v for k, v in {**BODY, **change}.items() if v is not None}
    resp = await client.post("/api/v1/cases", json=body, headers=AUTH)
    assert resp.status == 422 and (await resp.json())["field"] == field
    assert await Case.all().count() == 0 and await Referral.all().count() == 0
