"""Throughput with 1, 2 and 4 processes on this machine, as ratios measured in one run (issue 20 #8).

    .venv/bin/python bench/scaling.py [--processes 1,2,4] [--cases 300] [--clients 16] [--rate 120]
                                      [--seconds 10] [--redis URL]

A scratch PostgreSQL database with the generated county (10 townships), copied afresh for each N (a grid
worker's later messages join their open draft, so a database used before would make later runs do more),
one Redis database, a fake WeCom in
this process (its per-member limit lifted, and the serves' pacing with it: the limit is not what is measured).
For each N, N `serve` and N `worker` processes run as deploy/ runs them (production with Redis: serves
receive, handle and write replies to the outbox; only workers send), and measure:

(a) intake API cases/s: --cases reports through POST /api/v1/cases from --clients concurrent clients
    (bench/intake_api.py's `burst`), spread over the townships and the serves;
(b) WeCom callbacks handled end to end per second: --rate callbacks/s for --seconds from the county's grid
    workers, open-loop from a process of its own (bench/loadgen.py), spread over the serves in turn as a load
    balancer would. A callback is *handled end to end* when serve has handled its event (the grid worker's
    draft is written) and every outbox message that caused has been sent to the fake WeCom by a worker;
    the rate is callbacks / (time from the first callback's due time until the last one is, i.e. the
    event table has none unhandled and the outbox none unsent). The offered rate must be above what N
    processes handle, or the figure is the offered rate (printed as a warning). Also printed: the rate at
    which the events were handled (before delivery) and the ACK p99 timed from the schedule.

Next to each figure: the serves', the workers' and PostgreSQL's CPU time per item (the database's backends
from /proc), how much of a core each serve used, PostgreSQL's cores, how busy the whole machine was
(/proc/stat, other work included), the share of active backends waiting on a lock, os.getloadavg(), and which
of these bounds the figure.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import redis.asyncio as aioredis
from aiohttp.test_utils import TestServer

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    AGENT,
    CORP,
    PG,
    SECRET,
    LockSampler,
    Maotiao,
    Serve,
    Worker,
    free_port,
    import_org,
    pct,
    pg,
    production_env,
    scratch_db,
    unfinished,
)
from bench.inbound import drained  # noqa: E402
from bench.intake_api import TOWNSHIPS, burst  # noqa: E402
from bench.loadgen import generate  # noqa: E402
from bench.orggen import county  # noqa: E402
from integrations.sandbox.wecom import FakeWeCom  # noqa: E402

UNPACED = {"WECOM_PER_MEMBER_PER_MINUTE": "1000000", "WECOM_PER_MEMBER_PER_HOUR": "10000000"}
BUSY = 0.9  # a share of the machine's CPU (or of a serve's one core) above which we call it the bound
LOCKED = 0.5  # a share of active backends waiting on a lock above which a lock is the bound
WAIT = 600.0  # s: the longest a backlog may take to drain
IDLE = 5.0  # s: how long the processes' idle cost is measured


def machine_cpu() -> tuple[float, float]:
    """(busy, all) CPU seconds of the whole machine since boot, every core and every process (/proc/stat)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    tick = os.sysconf("SC_CLK_TCK")
    return (sum(fields) - idle) / tick, sum(fields) / tick


@dataclass
class Figures:
    serves: int
    rate: float  # items/s
    serve_ms: float  # CPU ms per item: all serves, all workers, the database's backends
    worker_ms: float
    pg_ms: float
    harness_ms: float  # CPU ms per item of this process (clients, fake WeCom) and the load generator
    serve_core: float  # share of one core each serve used (mean over the serves)
    pg_cores: float  # cores the database's backends used
    machine: float  # share of the machine's CPU that was busy (other work included)
    ours: float  # share of that busy CPU that was ours (serves, workers, PostgreSQL backends, harness)
    lock: float  # share of active backends waiting on a lock
    waited: str  # the statement most of them waited in
    load: float  # os.getloadavg()[0] at the end

    @property
    def ceiling(self) -> float:
        """Items/s these CPU costs would allow on this machine's cores with nothing else running: each serve
        gets at most one core (one Python process), and the deployment (serves, workers, PostgreSQL) all of
        them; the clients and WeCom are elsewhere in production."""
        deployment = (self.serve_ms + self.worker_ms + self.pg_ms) / 1000
        return min(self.serves / (self.serve_ms / 1000), (os.cpu_count() or 1) / deployment)

    @property
    def bound(self) -> str:
        if self.lock >= LOCKED:
            return "a lock"
        if self.machine >= BUSY:
            return "the machine's CPU"
        if self.serve_core >= BUSY:
            return "each serve's one core"
        return "none saturated"


class Meter:
    """CPU, lock waits and wall time of the serves, workers and PostgreSQL from start() to finish()."""

    def __init__(self, dsn: str, serves: list[Serve], workers: list[Worker]) -> None:
        self.dsn, self.serves, self.workers = dsn, serves, workers

    def start(self) -> None:
        self.sampler = LockSampler(self.dsn)
        self.sampling = asyncio.create_task(self.sampler.run())
        self.cpu = [self._cpu(self.serves), self._cpu(self.workers)]
        self.machine, self.harness, self.t0 = machine_cpu(), time.process_time(), time.perf_counter()

    @staticmethod
    def _cpu(procs: list[Serve] | list[Worker]) -> float:
        return sum(p.cpu_seconds() for p in procs)

    async def finish(self, items: int, elsewhere: float = 0.0) -> Figures:
        """`elsewhere`: CPU seconds of the harness spent in other processes (the load generator)."""
        wall = time.perf_counter() - self.t0
        serve, worker = self._cpu(self.serves) - self.cpu[0], self._cpu(self.workers) - self.cpu[1]
        harness = time.process_time() - self.harness + elsewhere
        busy, total = (now - then for now, then in zip(machine_cpu(), self.machine, strict=True))
        self.sampler.stop()
        await self.sampling
        database = self.sampler.cpu
        return Figures(len(self.serves), items / wall, serve / items * 1000, worker / items * 1000, database / items * 1000,
                       harness / items * 1000, serve / wall / len(self.serves), database / wall, busy / total,
                       (serve + worker + database + harness) / busy if busy else 0.0, self.sampler.share,
                       _most(self.sampler.waits), os.getloadavg()[0])


def _most(waits: Counter[str]) -> str:
    if not waits:
        return ""
    query, count = waits.most_common(1)[0]
    return f"{count / waits.total():.0%} in `{' '.join(query.split())}`"


@dataclass
class Callbacks:
    end_to_end: Figures
    handled: float  # events handled/s (before delivery)
    offered: float
    ack_p99: float  # ms, from when each callback was due
    late: int  # callbacks answered after WeCom's 5 s, or never
    replies: float  # outbox messages per callback


async def callbacks(dsn: str, meter: Meter, users: list[str], rate: float, seconds: float,
                    first_id: int) -> Callbacks:
    conn = await asyncpg.connect(pg(dsn))
    try:
        base = await conn.fetchval("SELECT coalesce(max(id), 0) FROM inbound_event")
        outbox = await conn.fetchval("SELECT coalesce(max(id), 0) FROM outbox_message")
        urls = [f"http://127.0.0.1:{s.port}/wecom/callback" for s in meter.serves]
        sending = asyncio.create_task(generate(urls, users, rate, seconds, first_id, meter.start))
        handled_at = None
        deadline = time.monotonic() + seconds + WAIT
        while time.monotonic() < deadline:
            await asyncio.sleep(0.1)
            received, unsent = await unfinished(conn)
            if not sending.done():
                continue
            handled_at = handled_at or (time.perf_counter() if received == 0 else None)
            if received == unsent == 0:
                break
        else:
            raise SystemExit(f"the callbacks did not drain in {WAIT:.0f} s")
        assert handled_at is not None
        items = await conn.fetchval("SELECT count(*) FROM inbound_event WHERE id > $1", base)
        replies = await conn.fetchval("SELECT count(*) FROM outbox_message WHERE id > $1", outbox)
        sent = await sending
        figures = await meter.finish(items, sent["cpu"])
    finally:
        await conn.close()
    late = sum(v > 5000 for v in sent["latencies"]) + sent["failed"]
    return Callbacks(figures, items / (handled_at - meter.t0), sent["rate"], pct(sent["latencies"], 99), late,
                     replies / items)


async def measure(n: int, dsn: str, env: dict[str, str], work: Path, args: argparse.Namespace, users: list[str],
                  first: int) -> tuple[Figures, Callbacks]:
    await aioredis.Redis.from_url(args.redis).flushdb()  # the rate-limit counters and queues of the last N
    serves: list[Serve] = []
    workers: list[Worker] = []
    try:
        for k in range(n):
            serves.append(Serve({**env, "MAOTIAO_HTTP_PORT": str(free_port())}, _own_dir(work, f"serve{k}")))
            workers.append(Worker(env, _own_dir(work, f"worker{k}")))
        for serve in serves:
            await serve.ready()
        ports = [s.port for s in serves]
        meter = Meter(dsn, serves, workers)
        # warm every connection pool and cache, and see every worker deliver
        await burst(ports, args.clients, args.clients, first)
        await callbacks(dsn, meter, users, 10 * n, 2, first)
        if dead := [p.log.name for p in (*serves, *workers) if p.proc.poll() is not None]:
            raise SystemExit(f"{dead} died")
        meter.start()  # idle: what the processes cost with nothing to do (sweeps, polling, timed jobs)
        await asyncio.sleep(IDLE)
        idle = await meter.finish(1)
        print(f"  {n} serve + {n} worker idle for {IDLE:.0f} s: serves {idle.serve_ms / 1000 / IDLE:.3f} cores, "
              f"workers {idle.worker_ms / 1000 / IDLE:.3f}, PostgreSQL {idle.pg_cores:.3f}", flush=True)
        before = await _outbox(dsn)
        meter.start()
        await burst(ports, args.cases, args.clients, first + args.clients)
        api = await meter.finish(args.cases)
        await drained(dsn, WAIT)  # the dispatchers' cards go out before the callbacks start
        print(f"  {n} serve + {n} worker: {(await _outbox(dsn) - before) / args.cases:.2f} outbox messages a case",
              flush=True)
        return api, await callbacks(dsn, meter, users, args.rate, args.seconds, first + 1000)
    finally:
        for proc in [*serves, *workers]:
            _stop(proc)


async def _outbox(dsn: str) -> int:
    conn = await asyncpg.connect(pg(dsn))
    try:
        return int(await conn.fetchval("SELECT count(*) FROM outbox_message"))
    finally:
        await conn.close()


def _env(dsn: str, api_base: str, args: argparse.Namespace) -> dict[str, str]:
    env = production_env(dsn, free_port(), args.redis, api_base, **UNPACED)
    if args.inbound_retry:
        env["MAOTIAO_INBOUND_RETRY_SECONDS"] = str(args.inbound_retry)
    return env


def _stop(proc: Maotiao) -> None:
    if proc.proc.poll() is None:
        proc.stop()


def _own_dir(base: Path, name: str) -> Path:
    path = base / name
    path.mkdir(exist_ok=True)
    return path


def table(title: str, unit: str, rows: dict[int, list[Figures]]) -> None:
    best = {n: max(runs, key=lambda r: r.rate) for n, runs in sorted(rows.items())}
    one = best[min(best)]
    print(f"\n{title}\n")
    print(f"| processes | {unit} | ratio to 1 | CPU ms per item: serves / workers / PostgreSQL / harness "
          "| core used by each serve | PostgreSQL cores | machine busy (ours) | backends waiting on a lock | load "
          f"| bound | idle {os.cpu_count()}-core ceiling (ratio) |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|")
    for n, f in best.items():
        print(f"| {n} | {f.rate:.1f} | ×{f.rate / one.rate:.2f} | {f.serve_ms:.1f} / {f.worker_ms:.1f} / {f.pg_ms:.1f} "
              f"/ {f.harness_ms:.1f} | {f.serve_core:.0%} | {f.pg_cores:.2f} | {f.machine:.0%} ({f.ours:.0%}) "
              f"| {f.lock:.0%} | {f.load:.1f} | {f.bound} | {f.ceiling:.0f}/s (×{f.ceiling / one.ceiling:.2f}) |")
    for n, f in best.items():
        if f.waited:
            print(f"  lock waits with {n}: {f.waited}")


async def main(args: argparse.Namespace) -> None:
    processes = [int(p) for p in args.processes.split(",")]
    org = county(TOWNSHIPS)
    fake = FakeWeCom(CORP, SECRET, AGENT, rate_per_minute=10**6, rate_per_hour=10**7)
    work = Path(tempfile.mkdtemp(prefix="bench-scaling-"))
    api: dict[int, list[Figures]] = {}
    inbound: dict[int, list[Figures]] = {}
    try:
        async with scratch_db(args.db) as base, TestServer(fake.app(), host="127.0.0.1") as wecom:
            api_base = str(wecom.make_url("/cgi-bin/"))
            import_org(production_env(base, free_port(), args.redis, api_base, **UNPACED), org.yaml_text, work)
            first = 100_000_000
            for round_ in range(args.rounds):
                for n in processes if round_ % 2 == 0 else processes[::-1]:
                    async with scratch_db(args.db, template=base) as dsn:  # each N from the same state
                        a, c = await measure(n, dsn, _env(dsn, api_base, args), work, args, org.grid_workers, first)
                    first += 1_000_000
                    api.setdefault(n, []).append(a)
                    inbound.setdefault(n, []).append(c.end_to_end)
                    print(f"  {n} serve + {n} worker: API {a.rate:.1f} cases/s ({a.bound}); callbacks "
                          f"{c.end_to_end.rate:.1f}/s end to end, {c.handled:.1f}/s handled, offered "
                          f"{c.offered:.1f}/s, ACK p99 {c.ack_p99:.0f} ms, {c.late} past 5 s "
                          f"({c.end_to_end.bound}); {c.replies:.2f} replies a callback; load {os.getloadavg()[0]:.1f}", flush=True)
                    if c.end_to_end.rate >= 0.9 * c.offered:
                        print(f"  warning: {n} processes handled about what was offered; raise --rate", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"\n{os.cpu_count()} cores; {TOWNSHIPS} townships, {len(org.grid_workers)} grid workers; best of "
          f"{args.rounds}; N serve + N worker processes, one PostgreSQL, one Redis")
    table(f"(a) intake API, {args.cases} cases from {args.clients} clients", "cases/s", api)
    table(f"(b) WeCom callbacks handled end to end (reply sent), {args.rate}/s offered for {args.seconds:.0f} s",
          "callbacks/s", inbound)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default=PG)
    parser.add_argument("--processes", default="1,2,4")
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--rate", type=float, default=120)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--inbound-retry", type=int, help="MAOTIAO_INBOUND_RETRY_SECONDS (default: production's): "
                        "the workers' sweep handles a callback a serve has not handled after this long")
    parser.add_argument("--redis", default=os.environ.get("MAOTIAO_TEST_REDIS_URL", "redis://127.0.0.1:6379/14"))
    asyncio.run(main(parser.parse_args()))
