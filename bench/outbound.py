"""Outbound: thousands of task cards to hundreds of officers through `maotiao serve` (PostgreSQL) and a fake
WeCom that enforces the real per-member limit (30 messages a minute, 45009 beyond it).

    .venv/bin/python bench/outbound.py [--cards 10000] [--officers 500]

The cards are put in the outbox first (as a burst of dispatches would), then serve starts and delivers.
Printed: time from the first card to the last, the limit's theoretical minimum (a member's cards past 30
must wait for the next minute: (ceil(n/30) - 1) × 60 s), a floor (a bare sender posting the same cards
straight to the fake, 8 at a time, no database), 45009 answers (none expected: we pace ourselves),
cards lost, cards twice, and serve's peak memory.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx
from aiohttp.test_utils import TestServer
from tortoise import Tortoise

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import integrations.registry  # noqa: F401  declares the chat platforms
from bench.common import PG, Serve, base_env, free_port, scratch_db  # noqa: E402
from bench.orggen import county  # noqa: E402
from bot.types import Button, Card, Outbound, Target  # noqa: E402
from core import db  # noqa: E402
from core.clock import SystemClock  # noqa: E402
from core.models import Identity, OutboxMessage  # noqa: E402
from core.org_import import import_org  # noqa: E402
from integrations.sandbox.wecom import FakeWeCom  # noqa: E402

CORP, AGENT, SECRET, TOKEN = "wwbench", 1000002, "benchsecret", "benchtoken"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
PER_MINUTE = 30


def card(i: int) -> Card:
    return Card(kind="task", title=f"交办任务 2026-{i:04d}", subtitle="待签收",
                fields=[("类别", "邻里纠纷"), ("地点", "生成区"), ("期限", "12-01 18:00")],
                buttons=[Button(label="签收", action=f"sign:{i}", style="primary"), Button(label="退回", action=f"ret:{i}")])


async def fill_outbox(dsn: str, yaml_text: str, officers: list[str], cards: int) -> None:
    await db.upgrade(dsn)
    await db.init_db(dsn)
    try:
        await import_org(yaml_text)
        ids = dict(await Identity.filter(platform="wecom", external_id__in=officers).values_list("external_id", "staff_id"))
        now = SystemClock().now()
        rows = [OutboxMessage(payload=Outbound(target=Target(staff_id=ids[officers[i % len(officers)]]),
                                               card=card(i)).model_dump(mode="json"),
                              next_attempt_at=now, created_at=now) for i in range(cards)]
        await OutboxMessage.bulk_create(rows, batch_size=1000)
    finally:
        await Tortoise.close_connections()


async def floor(base: str, officers: list[str], cards: int) -> float:
    async with httpx.AsyncClient() as client:
        token = (await client.get(f"{base}gettoken", params={"corpid": CORP, "corpsecret": SECRET})).json()["access_token"]
        queue = list(range(cards))
        start = time.perf_counter()

        async def lane() -> None:
            while queue:
                i = queue.pop(0)
                body = {"touser": officers[i % len(officers)], "msgtype": "template_card", "agentid": AGENT,
                        "template_card": {"card_type": "button_interaction", "main_title": {"title": card(i).title},
                                          "task_id": f"floor{i}", "button_list": [{"text": "签收", "key": "k", "style": 1}]}}
                await client.post(f"{base}message/send", params={"access_token": token}, json=body)

        await asyncio.gather(*(lane() for _ in range(8)))
        return time.perf_counter() - start


async def main(db_url: str, cards: int, officers_wanted: int) -> None:
    org = county(townships=max(1, math.ceil(officers_wanted / 50)), villages=1, grids=1, officers=5)
    officers = org.officers[:officers_wanted]
    per_member = Counter(officers[i % len(officers)] for i in range(cards))
    limit_min = max((math.ceil(n / PER_MINUTE) - 1) * 60 for n in per_member.values())
    fake = FakeWeCom(CORP, SECRET, AGENT, rate_per_minute=PER_MINUTE)
    floor_fake = FakeWeCom(CORP, SECRET, AGENT, rate_per_minute=10**9, rate_per_hour=10**9)  # a bare sender
    work = Path(tempfile.mkdtemp(prefix="bench-outbound-"))
    async with scratch_db(db_url) as dsn, TestServer(fake.app(), host="127.0.0.1") as srv, \
            TestServer(floor_fake.app(), host="127.0.0.1") as floor_srv:
        floor_secs = await floor(str(floor_srv.make_url("/cgi-bin/")), officers, cards)
        await fill_outbox(dsn, org.yaml_text, officers, cards)
        env = base_env(dsn, free_port(), WECOM_CORP_ID=CORP, WECOM_AGENT_ID=str(AGENT), WECOM_SECRET=SECRET,
                       WECOM_TOKEN=TOKEN, WECOM_AES_KEY=AES_KEY, WECOM_API_BASE=str(srv.make_url("/cgi-bin/")))
        serve = Serve(env, work)
        try:
            await serve.ready()
            deadline = time.monotonic() + limit_min + 600
            while sum(len(b) for b in fake.inbox.values()) < cards and time.monotonic() < deadline:
                await asyncio.sleep(0.2)
            await asyncio.sleep(2)  # anything sent twice would show up now
            rss, peak = serve.memory_mib()
        finally:
            serve.stop()
    stored = [m for box in fake.inbox.values() for m in box]
    titles = Counter((m.to, m.body["main_title"]["title"]) for m in stored)
    span = max(m.at for m in stored) - min(m.at for m in stored) if stored else float("nan")
    print(f"{cards} cards to {len(officers)} officers ({max(per_member.values())} at most each), WeCom limit "
          f"{PER_MINUTE}/min per member; PostgreSQL")
    print(f"limit's theoretical minimum: {limit_min:.0f} s; floor (bare sender, no database): {floor_secs:.1f} s "
          f"= {cards / floor_secs:.0f} cards/s")
    print(f"serve: first to last card {span:.1f} s = {len(stored) / span:.0f} cards/s; "
          f"vs max(limit minimum, floor): x{span / max(limit_min, floor_secs):.2f}")
    print(f"delivered {len(stored)}, lost {cards - len(titles)}, twice {sum(n - 1 for n in titles.values())}, "
          f"45009 answers {fake.limited_count}, dropped silently past the member limit {fake.dropped_silently}")
    print(f"serve memory: {rss:.0f} MiB resident at the end, {peak:.0f} MiB peak")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default=PG)
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--officers", type=int, default=500)
    a = parser.parse_args()
    asyncio.run(main(a.db, a.cards, a.officers))
