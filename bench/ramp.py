"""ACKs under a rising WeCom callback rate, next to the decrypt+INSERT floor (issue 20 item 0).

    .venv/bin/python bench/ramp.py [--steps 200,350,500,650] [--seconds 5] [--code DIR] [--workers N]

The load generator runs in a process of its own, open-loop: each callback is sent at its scheduled time
whatever the answers before it, and its latency is timed from that scheduled time (no coordinated
omission). After the steps it prints the highest rate each server sustained (ACK p99 within 1 s, none past
5 s, the rate asked reached). The ramp goes step by step without a pause, so the handling backlog of one step is still there
in the next — the ACK must not care. Before the first step, 2 s at 50/s warm each server up (not measured). Each step prints the achieved rate, ACK p50/p99, how many answers took
more than WeCom's 5 s (or never came), the handling backlog left in the database, and serve's memory.
`--code DIR` runs `serve` from another checkout (e.g. `git worktree add /tmp/before <commit>`) to measure
before and after in one run, against the same floor. `--workers N` runs each `serve` a second time as deploy/
runs it, with Redis and N `maotiao worker` processes: serve then only stores and acknowledges, the workers
handle and send (scheduler/handoff.py).
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
from aiohttp.test_utils import TestServer

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import loadgen  # noqa: E402
from bench.common import (  # noqa: E402
    PG,
    Serve,
    Worker,
    base_env,
    cpu_seconds,
    flush_redis,
    free_port,
    import_org,
    pct,
    pg,
    scratch_db,
)
from bench.floor import wecom_floor  # noqa: E402
from bench.inbound import AES_KEY, AGENT, CORP, SECRET, TOKEN  # noqa: E402
from bench.orggen import county  # noqa: E402
from integrations.sandbox.wecom import FakeWeCom  # noqa: E402

WECOM_LIMIT = 5000.0  # ms: WeCom retries (and finally fails) a callback not answered within 5 s
SUSTAINED_P99 = 1000.0  # ms: the ACK p99 up to which a rate counts as sustained (issue 20 #7)
SUSTAINED_SHARE = 0.95  # of the rate asked that the generator must have reached for a step to count
WARM_RATE, WARM_SECONDS = 50, 2


async def backlog(dsn: str) -> int:
    conn = await asyncpg.connect(pg(dsn))
    try:
        return int(await conn.fetchval("SELECT count(*) FROM inbound_event WHERE status = 'received'"))
    finally:
        await conn.close()


def line(name: str, rate: int, r: dict[str, object], extra: str = "") -> str:
    lat = r["latencies"]
    assert isinstance(lat, list)
    past = sum(v > WECOM_LIMIT for v in lat) + int(r["failed"])  # type: ignore[call-overload]
    return (f"{rate:5d}/s {name:9} {float(r['rate']):8.1f} {pct(lat, 50):9.1f} {pct(lat, 99):9.1f} "  # type: ignore[arg-type]
            f"{past:7d}  load {float(r['load']):4.1f}  {extra}")  # type: ignore[arg-type]


def sustained(steps: list[int], results: list[dict[str, object]]) -> str:
    """The highest step of the ramp up to which every step was answered at p99 within SUSTAINED_P99, none past
    WeCom's 5 s, at the rate asked (a generator falling short is said, not counted)."""
    best = 0
    for rate, r in zip(steps, results, strict=False):
        lat = r["latencies"]
        assert isinstance(lat, list)
        ok = (pct(lat, 99) <= SUSTAINED_P99 and not int(r["failed"])  # type: ignore[call-overload]
              and not any(v > WECOM_LIMIT for v in lat))
        if not ok:
            return f"{best}/s (p99 past {SUSTAINED_P99:.0f} ms or an answer past 5 s at {rate}/s)"
        if float(r["rate"]) < SUSTAINED_SHARE * rate:  # type: ignore[arg-type]
            return f"{best}/s (at {rate}/s the generator reached only {float(r['rate']):.0f}/s)"  # type: ignore[arg-type]
        best = rate
    return f"at least {best}/s (the highest step; add steps to go further)"


async def ramp(url: str, users: list[str], steps: list[int], seconds: float, first_id: int,
               after: object = None) -> list[dict[str, object]]:
    # Warm-up, not measured: a serve in production has answered before (first use of the decryptor, the
    # recording pool's connections, the lazily imported modules); the floor gets the same.
    await loadgen.generate([url], users, WARM_RATE, WARM_SECONDS, first_id + 900_000)
    await asyncio.sleep(2)
    results = []
    for k, rate in enumerate(steps):
        r: dict[str, object] = await loadgen.generate([url], users, rate, seconds, first_id + k * 1_000_000)
        r["load"] = os.getloadavg()[0]  # the machine is shared: read every figure next to it
        if after is not None:
            r["after"] = await after()  # type: ignore[operator]
        results.append(r)
    return results


async def run_serve(db: str, root: str, org_yaml: str, users: list[str], steps: list[int], seconds: float,
                    api_base: str, drain_limit: float, workers: int = 0) -> list[dict[str, object]]:
    """The ramp against `serve` run from checkout `root`, on a database of its own; then its drain. With
    `workers`, serve has Redis and that many `maotiao worker` processes beside it."""
    async with scratch_db(db) as dsn:
        work = Path(tempfile.mkdtemp(prefix="bench-ramp-"))
        port = free_port()
        env = base_env(dsn, port, WECOM_CORP_ID=CORP, WECOM_AGENT_ID=str(AGENT), WECOM_SECRET=SECRET,
                       WECOM_TOKEN=TOKEN, WECOM_AES_KEY=AES_KEY, WECOM_API_BASE=api_base)
        env["PYTHONPATH"] = root
        import_org(env, org_yaml, work)
        if workers:
            env["MAOTIAO_REDIS_URL"] = flush_redis()
        serve = Serve(env, work)
        helpers = [Worker(env, work) for _ in range(workers)]
        try:
            await serve.ready()

            cpu = [(cpu_seconds(serve.proc.pid), sum(w.cpu_seconds() for w in helpers))]

            async def after() -> str:
                rss, _ = serve.memory_mib()
                cpu.append((cpu_seconds(serve.proc.pid), sum(w.cpu_seconds() for w in helpers)))
                (s0, w0), (s1, w1) = cpu[-2], cpu[-1]
                return (f"backlog {await backlog(dsn):6d}, RSS {rss:4.0f} MiB, serve CPU {s1 - s0:5.1f} s"
                        + (f", workers' {w1 - w0:5.1f} s" if helpers else ""))

            results = await ramp(f"http://127.0.0.1:{port}/wecom/callback", users, steps, seconds, 20_000_000, after)
            start, left = time.monotonic(), await backlog(dsn)
            while left and time.monotonic() - start < drain_limit:
                await asyncio.sleep(1)
                left = await backlog(dsn)
            rss, peak = serve.memory_mib()
            results.append({"drain": time.monotonic() - start, "rss": rss, "peak": peak, "left": left})
        finally:
            serve.stop()
            for w in helpers:
                w.stop()
    return results


async def main(db: str, steps: list[int], seconds: float, code: list[str], drain_limit: float,
               workers: int) -> None:
    org = county()
    users = org.grid_workers
    fake = FakeWeCom(CORP, SECRET, AGENT)
    async with TestServer(fake.app(), host="127.0.0.1") as wecom_srv:
        async with scratch_db(db) as dsn, \
                TestServer(wecom_floor(dsn, TOKEN, AES_KEY, CORP, AGENT), host="127.0.0.1") as floor:
            floor_results = await ramp(str(floor.make_url("/wecom/callback")), users, steps, seconds, 10_000_000)
        runs = [(root, n) for root in code for n in ([0, workers] if workers else [0])]
        serve_results = {run: await run_serve(db, run[0], org.yaml_text, users, steps, seconds,
                                              str(wecom_srv.make_url("/cgi-bin/")), drain_limit, run[1])
                         for run in runs}
    print(f"WeCom callback ramp, {seconds:.0f} s per step, generator in its own process, open-loop")
    print(f"{'step':7} {'':9} {'msg/s':>8} {'p50 ms':>9} {'p99 ms':>9} {'past 5s':>7}")
    names = {run: (f"serve{code.index(run[0])}" if len(code) > 1 else "serve") + (f"+{run[1]}w" if run[1] else "")
             for run in runs}
    for k, rate in enumerate(steps):
        print(line("floor", rate, floor_results[k]))
        for run in runs:
            print(line(names[run], rate, serve_results[run][k], str(serve_results[run][k].get("after", ""))))
    print(f"highest rate sustained (ACK p99 ≤ {SUSTAINED_P99:.0f} ms, none past 5 s): "
          f"floor {sustained(steps, floor_results)}; "
          + "; ".join(f"{names[run]} {sustained(steps, serve_results[run][:len(steps)])}" for run in runs))
    for run in runs:
        end = serve_results[run][-1]
        print(f"{names[run]} ({run[0]}): backlog drained {float(end['drain']):.0f} s after the ramp "  # type: ignore[arg-type]
              f"({end['left']} left); RSS then {float(end['rss']):.0f} MiB, peak {float(end['peak']):.0f} MiB")  # type: ignore[arg-type]


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default=PG)
    parser.add_argument("--steps", default="200,350,500,650")
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--code", action="append", help="checkout(s) to run serve from (default: this one)")
    parser.add_argument("--drain", type=float, default=300, help="seconds to wait for the backlog to drain")
    parser.add_argument("--workers", type=int, default=0,
                        help="also run each serve with Redis and this many workers (they handle; serve only ACKs)")
    a = parser.parse_args()
    asyncio.run(main(a.db, [int(s) for s in a.steps.split(",")], a.seconds,
                     a.code or [str(Path(__file__).resolve().parent.parent)], a.drain, a.workers))
