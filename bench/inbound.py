"""Inbound: a generated county's grid workers posting to `maotiao serve` on PostgreSQL over loopback, each
figure next to a floor measured in the same run (bench/floor.py).

    .venv/bin/python bench/inbound.py [--rate 200] [--seconds 10] [--stories 60] [--db postgres://…/test]

1. WeCom: encrypted callbacks at a steady rate — achieved msg/s, ACK p50/p99, and how long serve then
   needs until every message is handled and every reply delivered.
2. DingTalk: Stream frames at the same rate through a fake gateway — ACK p50/p99 (push → ACK back).
3. End to end: whole stories (report → draft card → 确认上报 → dispatcher's card → 受理并交办 → officer's
   task card), several at once, each hop timed to the card's arrival at the fake WeCom; the floor is one
   message in → one card out.
Peak memory of serve is printed at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

import asyncpg
import httpx
from aiohttp.test_utils import TestServer

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    AES_KEY,
    AGENT,
    CORP,
    PG,
    SECRET,
    TOKEN,
    Serve,
    Worker,
    base_env,
    cpu_seconds,
    flush_redis,
    free_port,
    import_org,
    pct,
    pg,
    postgres_cpu,
    scratch_db,
    unfinished,
)
from bench.floor import dingtalk_floor, wecom_floor  # noqa: E402
from bench.loadgen import TEXTS  # noqa: E402
from bench.orggen import County, county  # noqa: E402
from bench.story import StoryDriver  # noqa: E402
from integrations.sandbox.dingtalk import FakeDingTalk, UserSim  # noqa: E402
from integrations.sandbox.wecom import FakeWeCom  # noqa: E402
from integrations.sandbox.wecom_member import WeComMember  # noqa: E402

DT_ID, DT_SECRET, DT_ROBOT = "dtbench", "dtsecret", "dtrobot"


def row(name: str, rate: float, lat: list[float], failed: int, extra: str = "") -> str:
    return f"{name:14} {rate:8.1f} {pct(lat, 50):8.2f} {pct(lat, 99):8.2f} {failed:7d} {extra}"


async def post_load(url: str, org: County, rate: int, seconds: float,
                    first_id: int = 10_000_000) -> tuple[list[float], int, float]:
    latencies: list[float] = []
    failures = 0
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=200)) as client:
        member = WeComMember(CORP, AGENT, TOKEN, AES_KEY, url, client)
        total = int(rate * seconds)
        bodies = [member.encrypt(member.text_xml(org.grid_workers[i % len(org.grid_workers)],
                                                 f"{TEXTS[i % len(TEXTS)]}(补充{i})", msg_id=first_id + i))
                  for i in range(total)]

        async def one(params: dict[str, str], body: str) -> None:
            nonlocal failures
            t = time.perf_counter()
            try:
                resp = await client.post(url, params=params, content=body.encode(), timeout=10)
            except httpx.HTTPError:
                failures += 1
                return
            if resp.status_code != 200:
                failures += 1
                return
            latencies.append((time.perf_counter() - t) * 1000)

        start = time.perf_counter()
        tasks = []
        for i, (params, body) in enumerate(bodies):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(params, body)))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - start
    return latencies, failures, total / elapsed


async def push_load(fake: FakeDingTalk, users: list[str], rate: int, seconds: float) -> tuple[list[float], int, float]:
    sim = UserSim(fake)
    total = int(rate * seconds)
    frames = []
    start = time.perf_counter()
    for i in range(total):
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        frames.append(await sim.text(users[i % len(users)], f"{TEXTS[i % len(TEXTS)]}(补充{i})"))
    elapsed = time.perf_counter() - start
    deadline = time.monotonic() + 30
    while any(not f.acked for f in frames) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    lat = [(f.acked_at - f.sent_at) * 1000 for f in frames if f.acked]
    return lat, sum(not f.acked for f in frames), total / elapsed


async def drained(dsn: str, limit: float = 300) -> float:
    """Seconds until every stored message is handled and the outbox has nothing left to send now."""
    start = time.monotonic()
    conn = await asyncpg.connect(pg(dsn))
    try:
        while time.monotonic() - start < limit:
            if sum(await unfinished(conn)) == 0:
                return time.monotonic() - start
            await asyncio.sleep(0.1)
    finally:
        await conn.close()
    return float("inf")


async def story_stages(dsn: str) -> list[str]:
    """Where the stories' time went, from the rows' own times: stored → handled (the worker's queue and the
    handling), handled → the reply's send started (the outbox's queue; a row's sent_at is its claim's time)."""
    conn = await asyncpg.connect(pg(dsn))
    try:
        sends = ("SELECT extract(epoch FROM next_attempt_at - created_at) * 1000 AS ms, id FROM outbox_message "
                 "WHERE status = 'sent'")
        waits = {
            "stored → handled": await conn.fetch(
                "SELECT extract(epoch FROM handled_at - received_at) * 1000 AS ms, id FROM inbound_event "
                "WHERE handled_at IS NOT NULL"),
            "handled → reply's send started": await conn.fetch(sends),
        }
        if await conn.fetchval("SELECT count(*) FROM information_schema.columns WHERE table_name = 'outbox_message' "
                               "AND column_name = 'answer'"):  # replies to people, without the broadcasts
            waits["  of which answers"] = await conn.fetch(f"{sends} AND answer")
    finally:
        await conn.close()
    lines = []
    for label, rows in waits.items():
        ms = [float(r["ms"]) for r in rows]
        slow = sorted(rows, key=lambda r: -float(r["ms"]))[:3]
        lines.append(f"{label:32} {pct(ms, 50):8.1f} {pct(ms, 99):8.1f}   slowest: "
                     + ", ".join(f"#{r['id']} {float(r['ms']):.0f}" for r in slow))
    return lines


async def main(db: str, rate: int, seconds: float, stories: int, concurrency: int, workers: int) -> None:
    org = county()
    work = Path(tempfile.mkdtemp(prefix="bench-inbound-"))
    fake = FakeWeCom(CORP, SECRET, AGENT)  # WeCom's real 30/min per member
    floor_fake = FakeWeCom(CORP, SECRET, AGENT, rate_per_minute=10_000)
    dt_fake, dt_floor_fake = FakeDingTalk(DT_ID, DT_SECRET, DT_ROBOT), FakeDingTalk("floorid", "floorsecret", DT_ROBOT)
    async with scratch_db(db) as dsn, TestServer(fake.app(), host="127.0.0.1") as wecom_srv, \
            TestServer(floor_fake.app(), host="127.0.0.1") as floor_wecom_srv, \
            TestServer(dt_fake.app(), host="127.0.0.1") as dt_srv, \
            TestServer(dt_floor_fake.app(), host="127.0.0.1") as dt_floor_srv:
        for f, srv in ((dt_fake, dt_srv), (dt_floor_fake, dt_floor_srv)):
            f.base_url = str(srv.make_url("")).rstrip("/")
            f.template("tpl.bench")  # the card template the org imported
        floor_api = str(floor_wecom_srv.make_url("/cgi-bin/"))
        async with TestServer(wecom_floor(dsn, TOKEN, AES_KEY, CORP, AGENT, floor_api, SECRET), host="127.0.0.1") as floor:
            floor_url = str(floor.make_url("/wecom/callback"))
            f_lat, f_fail, f_rate = await post_load(floor_url, org, rate, seconds)
            conn = await asyncpg.connect(pg(dsn))
            await conn.execute("CREATE TABLE floor_frames (id bigserial primary key, body text)")
            await conn.close()
            dingtalk_floor(dsn, dt_floor_fake.base_url, "floorid", "floorsecret")
            while not dt_floor_fake._sockets:
                await asyncio.sleep(0.05)
            fd_lat, fd_fail, fd_rate = await push_load(dt_floor_fake, org.grid_workers_dingtalk, rate, seconds)
            # floor end to end: one message in, one card out
            floor_e2e = []
            async with httpx.AsyncClient() as c:
                member = WeComMember(CORP, AGENT, TOKEN, AES_KEY, floor_url, c)
                for i in range(stories):
                    user = org.grid_workers[i % len(org.grid_workers)]
                    before, t0 = len(floor_fake.inbox.get(user, [])), time.time()
                    await member.text(user, TEXTS[i % len(TEXTS)])
                    while len(floor_fake.inbox.get(user, [])) == before:
                        await asyncio.sleep(0.002)
                    floor_e2e.append((floor_fake.inbox[user][-1].at - t0) * 1000)

        port = free_port()
        env = base_env(dsn, port, WECOM_CORP_ID=CORP, WECOM_AGENT_ID=str(AGENT), WECOM_SECRET=SECRET,
                       WECOM_TOKEN=TOKEN, WECOM_AES_KEY=AES_KEY, WECOM_API_BASE=str(wecom_srv.make_url("/cgi-bin/")),
                       DINGTALK_CLIENT_ID=DT_ID, DINGTALK_CLIENT_SECRET=DT_SECRET, DINGTALK_ROBOT_CODE=DT_ROBOT,
                       DINGTALK_CARD_TEMPLATE_ID="tpl.bench", DINGTALK_API_BASE=dt_fake.base_url,
                       DINGTALK_OAPI_BASE=dt_fake.base_url)
        import_org(env, org.yaml_text, work)
        if workers:  # as deploy/ runs it: serve stores and acknowledges, the workers handle and send
            env["MAOTIAO_REDIS_URL"] = flush_redis()
        serve = Serve(env, work)
        helpers = [Worker(env, work) for _ in range(workers)]
        try:
            await serve.ready()
            while not dt_fake._sockets:
                await asyncio.sleep(0.05)
            # 3. stories first, on a quiet server
            async with httpx.AsyncClient() as c:
                driver = StoryDriver(fake, WeComMember(CORP, AGENT, TOKEN, AES_KEY,
                                                       f"http://127.0.0.1:{port}/wecom/callback", c))
                queue = list(range(stories))
                timings = []

                async def lane(k: int) -> None:
                    while queue:
                        i = queue.pop()
                        worker = org.grid_workers[(i * 37 + k) % len(org.grid_workers)]
                        timings.append(await driver.run(worker, TEXTS[i % len(TEXTS)] + f"(第{i}起)"))

                def cpu() -> list[float]:  # serve, the workers, this process (driver and fakes), PostgreSQL
                    return [serve.cpu_seconds(), sum(w.cpu_seconds() for w in helpers), cpu_seconds(os.getpid()),
                            postgres_cpu()]

                cpu_before = cpu()
                t0 = time.perf_counter()
                await asyncio.gather(*(lane(k) for k in range(concurrency)))
                story_secs = time.perf_counter() - t0
                story_cpu = [after - before for after, before in zip(cpu(), cpu_before, strict=True)]
            stages = await story_stages(dsn)
            # 1. and 2. the steady loads
            s_lat, s_fail, s_rate = await post_load(f"http://127.0.0.1:{port}/wecom/callback", org, rate, seconds)
            w_drain = await drained(dsn)
            sd_lat, sd_fail, sd_rate = await push_load(dt_fake, org.grid_workers_dingtalk, rate, seconds)
            d_drain = await drained(dsn)
            rss, peak = serve.memory_mib()
        finally:
            serve.stop()
            for w in helpers:
                w.stop()
    ms = [lambda t: t.draft * 1000, lambda t: t.center * 1000, lambda t: t.officer * 1000, lambda t: t.total * 1000]
    print(f"county: {len(org.grid_workers)} grid workers, {len(org.officers)} officers; PostgreSQL; "
          f"{os.cpu_count()} cores; {rate} msg/s for {seconds:.0f} s; "
          + (f"serve with Redis and {workers} worker(s) (they handle and send)" if workers else "serve alone"))
    print(f"{'':14} {'msg/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'failed':>7}")
    print(row("WeCom floor", f_rate, f_lat, f_fail))
    print(row("WeCom serve", s_rate, s_lat, s_fail, f"all handled and sent {w_drain:.1f} s after the last"))
    print(row("Stream floor", fd_rate, fd_lat, fd_fail))
    print(row("Stream serve", sd_rate, sd_lat, sd_fail, f"all handled and sent {d_drain:.1f} s after the last"))
    print(f"ACK ratio serve/floor: WeCom p50 x{pct(s_lat, 50) / pct(f_lat, 50):.2f}, p99 x{pct(s_lat, 99) / pct(f_lat, 99):.2f}; "
          f"Stream p50 x{pct(sd_lat, 50) / pct(fd_lat, 50):.2f}, p99 x{pct(sd_lat, 99) / pct(fd_lat, 99):.2f}")
    print(f"end to end, {len(timings)} stories {concurrency} at a time ({story_secs:.1f} s), ms:")
    print(f"{'':30} {'p50':>8} {'p99':>8}")
    print(f"{'floor: message → card':30} {pct(floor_e2e, 50):8.1f} {pct(floor_e2e, 99):8.1f}")
    for label, f in zip(["report → draft card", "确认上报 → dispatcher card", "受理并交办 → officer card",
                         "report → officer card (all)"], ms, strict=True):
        values = [f(t) for t in timings]
        print(f"{label:30} {pct(values, 50):8.1f} {pct(values, 99):8.1f}")
    print(f"CPU over the stories, s: serve {story_cpu[0]:.2f}, worker(s) {story_cpu[1]:.2f}, this process (driver "
          f"and fakes) {story_cpu[2]:.2f}, PostgreSQL {story_cpu[3]:.2f}; {os.cpu_count()} cores × {story_secs:.1f} s "
          f"= {(os.cpu_count() or 1) * story_secs:.1f}")
    print(f"{'stages of the stories, ms':30} {'p50':>8} {'p99':>8}")
    print("\n".join(stages))
    draft = [t.draft * 1000 for t in timings]
    print(f"e2e ratio report → draft card / floor: p50 x{pct(draft, 50) / pct(floor_e2e, 50):.2f}, "
          f"p99 x{pct(draft, 99) / pct(floor_e2e, 99):.2f}")
    print(f"serve memory: {rss:.0f} MiB resident at the end, {peak:.0f} MiB peak")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default=PG)
    parser.add_argument("--rate", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--stories", type=int, default=60)
    parser.add_argument("--concurrency", type=int, default=6)
    parser.add_argument("--workers", type=int, default=0, help="run serve with Redis and this many workers")
    a = parser.parse_args()
    asyncio.run(main(a.db, a.rate, a.seconds, a.stories, a.concurrency, a.workers))
