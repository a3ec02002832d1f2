"""Memory: `maotiao serve`'s resident memory after start and after each of repeated bursts, next to the
150 MB aim (issue 20 #9).

    .venv/bin/python bench/memory.py [--rate 200] [--seconds 10] [--bursts 3] [--db postgres://…/test]

1. Sandbox: `serve` on an empty database with no platform credentials (its fake platforms run inside it):
   resident memory once /healthz answers.
2. Production-like: `serve` with WeCom and DingTalk connected to fakes in this process, on a generated
   county: resident memory once the Stream is connected, then after each burst (half the rate as WeCom
   callbacks, half as DingTalk Stream frames, at once) once every message is handled and every reply sent.
Environment variables such as MALLOC_ARENA_MAX pass through to serve, so a run can compare them.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiohttp.test_utils import TestServer  # noqa: E402

from bench import inbound  # noqa: E402
from bench.common import PG, Serve, base_env, free_port, import_org, scratch_db  # noqa: E402
from bench.orggen import county  # noqa: E402
from integrations.sandbox.dingtalk import FakeDingTalk  # noqa: E402
from integrations.sandbox.wecom import FakeWeCom  # noqa: E402

AIM_MB = 150.0  # issue 20 #9: 150 MB = 143 MiB
MIB = 1024 * 1024


def line(label: str, rss_mib: float, peak_mib: float, extra: str = "") -> str:
    mb = rss_mib * MIB / 1e6
    return (f"{label:34} {rss_mib:7.1f} MiB {mb:7.1f} MB  peak {peak_mib:6.1f} MiB  "
            f"{'≤' if mb <= AIM_MB else '>'} {AIM_MB:.0f} MB  {extra}")


async def settle_memory(serve: Serve, seconds: float = 2.0) -> tuple[float, float]:
    """Resident memory once start-up's or a burst's tail (an outbox kick, a log flush) has passed."""
    await asyncio.sleep(seconds)
    return serve.memory_mib()


async def sandbox(db: str) -> tuple[float, float]:
    work = Path(tempfile.mkdtemp(prefix="bench-memory-sandbox-"))
    async with scratch_db(db) as dsn:
        serve = Serve(base_env(dsn, free_port()), work)
        try:
            await serve.ready()
            return await settle_memory(serve)
        finally:
            serve.stop()


async def production(db: str, rate: int, seconds: float, bursts: int) -> list[tuple[str, float, float, str]]:
    org = county()
    work = Path(tempfile.mkdtemp(prefix="bench-memory-"))
    fake = FakeWeCom(inbound.CORP, inbound.SECRET, inbound.AGENT)
    dt_fake = FakeDingTalk(inbound.DT_ID, inbound.DT_SECRET, inbound.DT_ROBOT)
    rows: list[tuple[str, float, float, str]] = []
    async with scratch_db(db) as dsn, TestServer(fake.app(), host="127.0.0.1") as wecom_srv, \
            TestServer(dt_fake.app(), host="127.0.0.1") as dt_srv:
        dt_fake.base_url = str(dt_srv.make_url("")).rstrip("/")
        dt_fake.template("tpl.bench")
        port = free_port()
        env = base_env(dsn, port, WECOM_CORP_ID=inbound.CORP, WECOM_AGENT_ID=str(inbound.AGENT),
                       WECOM_SECRET=inbound.SECRET, WECOM_TOKEN=inbound.TOKEN, WECOM_AES_KEY=inbound.AES_KEY,
                       WECOM_API_BASE=str(wecom_srv.make_url("/cgi-bin/")), DINGTALK_CLIENT_ID=inbound.DT_ID,
                       DINGTALK_CLIENT_SECRET=inbound.DT_SECRET, DINGTALK_ROBOT_CODE=inbound.DT_ROBOT,
                       DINGTALK_CARD_TEMPLATE_ID="tpl.bench", DINGTALK_API_BASE=dt_fake.base_url,
                       DINGTALK_OAPI_BASE=dt_fake.base_url)
        import_org(env, org.yaml_text, work)
        serve = Serve(env, work)
        try:
            await serve.ready()
            while not dt_fake._sockets:
                await asyncio.sleep(0.05)
            rss, peak = await settle_memory(serve)
            rows.append(("after start", rss, peak, ""))
            url = f"http://127.0.0.1:{port}/wecom/callback"
            half = max(1, rate // 2)
            for n in range(bursts):
                (w_lat, w_fail, _), (d_lat, d_fail, _) = await asyncio.gather(
                    inbound.post_load(url, org, half, seconds, first_id=10_000_000 * (n + 1)),
                    inbound.push_load(dt_fake, org.grid_workers_dingtalk, half, seconds))
                drain = await inbound.drained(dsn)
                rss, peak = await settle_memory(serve)
                rows.append((f"after burst {n + 1} ({int(rate * seconds)} msgs)", rss, peak,
                             f"handled {len(w_lat) + len(d_lat)}, failed {w_fail + d_fail}, "
                             f"drained {drain:.0f} s after"))
        finally:
            serve.stop()
    return rows


async def main(db: str, rate: int, seconds: float, bursts: int) -> None:
    load_before = os.getloadavg()
    sb_rss, sb_peak = await sandbox(db)
    rows = await production(db, rate, seconds, bursts)
    arena = os.environ.get("MALLOC_ARENA_MAX", "unset")
    print(f"serve resident memory; {os.cpu_count()} cores; load average before {load_before[0]:.1f}, "
          f"after {os.getloadavg()[0]:.1f}; MALLOC_ARENA_MAX={arena}; bursts of {rate} msg/s for {seconds:.0f} s "
          f"(half WeCom, half DingTalk)")
    print(line("sandbox, after start", sb_rss, sb_peak))
    for label, rss, peak, extra in rows:
        print(line(f"production-like, {label}", rss, peak, extra))
    growth = rows[-1][1] - rows[1][1] if len(rows) > 2 else 0.0
    print(f"growth from burst 1 to burst {len(rows) - 1}: {growth:+.1f} MiB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default=PG)
    parser.add_argument("--rate", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--bursts", type=int, default=3)
    a = parser.parse_args()
    asyncio.run(main(a.db, a.rate, a.seconds, a.bursts))
