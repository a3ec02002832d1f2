"""Inbound: encrypted WeCom callbacks at a steady rate against `maotiao serve` on PostgreSQL, next to a
floor measured in the same run (a bare aiohttp handler that only decrypts and inserts one row).

    .venv/bin/python bench/inbound.py [--rate 200] [--seconds 10] [--db postgres://postgres@127.0.0.1:5432/test]

Prints ACK latency p50/p99 and the achieved rate for both, and the ratio. Senders are the demo
organisation's WeCom users, so every message is a real report going into a draft.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import asyncpg
import httpx
from aiohttp import web
from aiohttp.test_utils import TestServer
from wechatpy.enterprise.crypto import WeChatCrypto

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from integrations.sandbox.wecom import FakeWeCom  # noqa: E402
from integrations.sandbox.wecom_member import WeComMember  # noqa: E402

CORP, AGENT, SECRET, TOKEN = "wwbench", 1000002, "benchsecret", "benchtoken"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
USERS = ["zhouxm", "wudw", "fengj", "heyh", "kongfd", "linx", "zhaom", "qianw", "liq", "huangl", "mal", "liangj"]


def floor_app(dsn: str) -> web.Application:
    crypto = WeChatCrypto(TOKEN, AES_KEY, CORP)
    app = web.Application()

    async def start(app: web.Application) -> None:
        app["pool"] = await asyncpg.create_pool(dsn, min_size=2, max_size=10)
        async with app["pool"].acquire() as c:
            await c.execute("CREATE TABLE IF NOT EXISTS floor_inbound (id bigserial primary key, body text)")

    async def stop(app: web.Application) -> None:
        await app["pool"].close()

    async def handle(request: web.Request) -> web.Response:
        q = request.query
        xml = crypto.decrypt_message(await request.text(), q["msg_signature"], q["timestamp"], q["nonce"])
        async with request.app["pool"].acquire() as c:
            await c.execute("INSERT INTO floor_inbound (body) VALUES ($1)", xml)
        return web.Response(text="")

    app.on_startup.append(start)
    app.on_cleanup.append(stop)
    app.router.add_post("/wecom/callback", handle)
    return app


async def load(url: str, rate: int, seconds: float) -> tuple[list[float], int, float]:
    latencies: list[float] = []
    failures = 0
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=200)) as client:
        member = WeComMember(CORP, AGENT, TOKEN, AES_KEY, url, client)
        total = int(rate * seconds)
        bodies = [member.encrypt(member.text_xml(USERS[i % len(USERS)], f"压测消息{i}", msg_id=10_000_000 + i))
                  for i in range(total)]

        async def one(params: dict[str, str], body: str) -> None:
            nonlocal failures
            t = time.perf_counter()
            try:
                resp = await client.post(url, params=params, content=body.encode(), timeout=10)
                if resp.status_code != 200:
                    failures += 1
                    return
            except httpx.HTTPError:
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


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else float("nan")


async def main(db: str, rate: int, seconds: float) -> None:
    scratch = f"bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(db.replace("postgres://", "postgresql://"))
    await admin.execute(f'CREATE DATABASE "{scratch}"')
    dsn = db.rsplit("/", 1)[0] + "/" + scratch
    fake = FakeWeCom(CORP, SECRET, AGENT, rate_per_minute=10_000)
    proc = None
    try:
        async with TestServer(fake.app(), host="127.0.0.1") as fake_server, \
                TestServer(floor_app(dsn.replace("postgres://", "postgresql://")), host="127.0.0.1") as floor:
            floor_lat, floor_fail, floor_rate = await load(str(floor.make_url("/wecom/callback")), rate, seconds)
            port = floor.port + 1
            env = {**os.environ, "MAOTIAO_DB_URL": dsn, "MAOTIAO_HTTP_PORT": str(port), "MAOTIAO_LOG_LEVEL": "WARNING",
                   "WECOM_CORP_ID": CORP, "WECOM_AGENT_ID": str(AGENT), "WECOM_SECRET": SECRET, "WECOM_TOKEN": TOKEN,
                   "WECOM_AES_KEY": AES_KEY, "WECOM_API_BASE": str(fake_server.make_url("/cgi-bin/")),
                   "NO_PROXY": "127.0.0.1,localhost"}
            subprocess.run([sys.executable, "-m", "maotiao", "org", "import", str(ROOT / "core/data/demo-org.yaml")],
                           env=env, check=True, capture_output=True)
            proc = subprocess.Popen([sys.executable, "-m", "maotiao", "serve"], env=env, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            async with httpx.AsyncClient() as c:
                for _ in range(100):
                    try:
                        if (await c.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200:
                            break
                    except httpx.HTTPError:
                        await asyncio.sleep(0.2)
            lat, fail, achieved = await load(f"http://127.0.0.1:{port}/wecom/callback", rate, seconds)
        print(f"target {rate} msg/s for {seconds:.0f} s on PostgreSQL, this machine ({os.cpu_count()} cores)")
        print(f"{'':8} {'msg/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'failed':>7}")
        print(f"{'floor':8} {floor_rate:8.1f} {pct(floor_lat, 50):8.2f} {pct(floor_lat, 99):8.2f} {floor_fail:7d}")
        print(f"{'serve':8} {achieved:8.1f} {pct(lat, 50):8.2f} {pct(lat, 99):8.2f} {fail:7d}")
        print(f"ratio serve/floor: p50 x{pct(lat, 50) / pct(floor_lat, 50):.2f}, p99 x{pct(lat, 99) / pct(floor_lat, 99):.2f}"
              f"; mean {statistics.mean(lat):.2f} ms")
    finally:
        if proc is not None:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=30)
        await admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="postgres://postgres@127.0.0.1:5432/test")
    parser.add_argument("--rate", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    asyncio.run(main(args.db, args.rate, args.seconds))
