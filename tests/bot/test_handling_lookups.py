"""What handling a message remembers of the organisation, and for how long (issue 20 #7): each message looks
people and places up once, the next message looks again, and the platform a person used last still gets
their notices though `last_seen_at` is no longer written on every message."""

from __future__ import annotations

from datetime import timedelta

import asyncpg
import pytest

from core.enums import Platform
from core.models import Identity, Staff
from core.org_import import import_org
from tests.bot.harness import Harness
from tests.conftest import BACKEND, DEMO_ORG, PG_URL


@pytest.fixture
async def h(org, domain) -> Harness:
    return Harness(domain)


async def _report(h: Harness, text: str) -> None:
    await h.say("周小梅", text, Platform.WECOM)
    await h.click("周小梅", "确认上报", Platform.WECOM)


async def test_a_dispatcher_dropped_by_a_reimport_gets_no_card_from_the_next_message(h: Harness) -> None:
    await _report(h, "三组老王和老赵因为过道宽窄吵了好几天")
    assert await h.latest_card("林晓", kind="center") is not None
    text = DEMO_ORG.read_text(encoding="utf-8")
    await import_org(text.replace("{name: 林晓, roles: [dispatcher, admin]", "{name: 林晓, roles: [admin]"))
    before = h.mark("林晓")
    await _report(h, "装修队老板欠了工人两万多工资")  # not the same matter: no repeat question
    assert (await h.since("林晓", before)).cards == []
    assert await h.latest_card("邓华", kind="center") is not None  # the next level up that has a dispatcher


async def _sql_elsewhere(sql: str) -> None:
    """A write by another process (PostgreSQL: its own connection, outside the ORM)."""
    if BACKEND != "postgres":
        await Staff._meta.db.execute_script(sql)
        return
    conn = await asyncpg.connect(PG_URL.replace("postgres://", "postgresql://"))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def test_a_person_switched_off_in_sql_between_two_messages_is_refused_at_the_second(h: Harness) -> None:
    first = await h.say("周小梅", "查询 0001", Platform.WECOM)
    assert not any("还不是本中心登记的工作人员" in t for t in first.texts)
    staff = await Staff.get(name="周小梅")
    await _sql_elsewhere(f"UPDATE staff SET active = false WHERE id = {staff.id}")
    second = await h.say("周小梅", "查询 0001", Platform.WECOM)
    assert any("还不是本中心登记的工作人员" in t for t in second.texts)


async def test_notices_go_to_the_platform_used_last_even_a_minute_apart(h: Harness, clock) -> None:
    await _report(h, "邻居家狗咬伤了小孩")  # on WeCom
    for platform in (Platform.DINGTALK, Platform.WECOM):  # back on WeCom a minute after DingTalk
        clock.advance(timedelta(minutes=1))
        await h.say("周小梅", "查询 0001", platform)
    await h.click("林晓", "受理并交办")
    told = {p for p, ch in h.channels.items() for s in ch.sent if s.to in ("zhouxm", "dt1001") and "已受理" in s.text}
    assert told == {Platform.WECOM}


async def test_last_seen_is_noted_again_once_it_is_minutes_old(h: Harness, clock) -> None:
    staff = await Staff.get(name="周小梅")
    await h.say("周小梅", "查询 0001", Platform.WECOM)
    first = (await Identity.get(staff_id=staff.id, platform="wecom")).last_seen_at
    clock.advance(timedelta(minutes=1))
    await h.say("周小梅", "查询 0001", Platform.WECOM)
    assert (await Identity.get(staff_id=staff.id, platform="wecom")).last_seen_at == first
    clock.advance(timedelta(minutes=5))
    await h.say("周小梅", "查询 0001", Platform.WECOM)
    assert (await Identity.get(staff_id=staff.id, platform="wecom")).last_seen_at == clock.now()
