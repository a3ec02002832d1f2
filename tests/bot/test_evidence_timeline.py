"""The evidence a case carries is in its timeline wherever the timeline is shown: the 查询 reply and the
sandbox's ledger list each item with when it came, who sent it, what it is and whether it is kept."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp.test_utils import make_mocked_request

from core.models import Case, MediaFile
from maotiao import sandbox_api
from tests.bot.harness import Harness
from tests.conftest import staff_id


@pytest.fixture
async def h(org, domain) -> Harness:
    return Harness(domain)


async def _evidence(case: Case) -> None:
    at = datetime.now(UTC)
    common = {"platform": "wecom", "staff_id": case.reporter_id, "case_id": case.id, "next_attempt_at": at}
    await MediaFile.create(kind="image", ref="m1", status="stored", path="ab/x.jpg", received_at=at, **common)
    await MediaFile.create(kind="voice", ref="m2", status="failed", received_at=at + timedelta(minutes=1), **common)


async def test_query_lists_the_evidence_with_sender_kind_and_whether_it_is_kept(h: Harness) -> None:
    await h.say("周小梅", "邻居吵架")
    await h.click("周小梅", "确认上报")
    await _evidence(await Case.get(number="2026-0001"))
    reply = (await h.say("林晓", "查询 0001")).texts[0]
    assert "证据(2 项)" in reply
    lines = [line for line in reply.splitlines() if "周小梅" in line]
    assert lines[0].endswith("周小梅 照片(已保存)") and lines[1].endswith("周小梅 语音(已过期未能保存)")
    assert "evidence" not in reply and "无权查看" in (await h.say("吴大伟", "查询 0001")).texts[0]


async def test_the_sandbox_ledger_timeline_has_the_evidence_entries(h: Harness) -> None:
    await h.say("周小梅", "邻居吵架")
    await h.click("周小梅", "确认上报")
    await _evidence(await Case.get(number="2026-0001"))
    resp = await sandbox_api.ledger(make_mocked_request("GET", f"/sandbox/api/ledger?staff={await staff_id('林晓')}"))
    timeline = json.loads(resp.text)[0]["timeline"]  # type: ignore[arg-type]
    assert any(t.endswith("周小梅 发来证据:照片(已保存)") for t in timeline)
    assert timeline[-1].endswith("周小梅 发来证据:语音(已过期未能保存)")
