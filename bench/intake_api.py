"""Intake API throughput with one and with two `serve` processes on one PostgreSQL, before and after a change,
in one run.

    .venv/bin/python bench/intake_api.py [--before COMMIT] [--cases 400] [--clients 16] [--rounds 2] [--redis URL]

Each tree (the one at --before, exported with `git archive`, and this one) gets its own scratch database with
the generated county (10 townships); the serves run in production mode with Redis, as deploy/ runs them
(they then never deliver: the workers would). Then, alternating, one `serve` and two `serve`s take --cases reports
through POST /api/v1/cases from --clients concurrent clients, spread over the townships and (with two) over
both processes. Printed: cases/s (best of --rounds), the two-to-one ratio, the share of active
PostgreSQL backends that were waiting on a lock (sampled every 20 ms), which is what stops a second
process from helping, and the serves' CPU time per case, which bounds what two processes can do on the
cores they get. "Before" defaults to the commit before case numbers stopped being taken first in the
intake transaction.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    API_SECRET,
    PG,
    ROOT,
    LockSampler,
    Serve,
    cpu_seconds,
    free_port,
    production_env,
    scratch_db,
)
from bench.orggen import _town, county  # noqa: E402

TOWNSHIPS = 10


def default_before() -> str:
    """The commit before case numbers were first taken outside the intake's transaction."""
    added = subprocess.run(["git", "log", "--format=%H", "-S", "side_connection", "--", "core/numbering.py"],
                           cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    if not added:
        raise SystemExit("cannot find the commit that took case numbers outside the transaction: give --before")
    return f"{added[-1]}^"


def export(commit: str, into: Path) -> Path:
    into.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", commit], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


@dataclass
class Tree:
    name: str
    path: Path
    dsn: str
    workdir: Path

    redis: str
    dead_port: int

    def env(self, port: int) -> dict[str, str]:
        """Production as deploy/ runs it: a platform's credentials (its API on a port nobody answers: serve
        never sends with Redis set, the workers do, and none runs here) and Redis."""
        env = production_env(self.dsn, port, self.redis, f"http://127.0.0.1:{self.dead_port}/cgi-bin/")
        env["PYTHONPATH"] = str(self.path)
        return env

    def prepare(self, org_yaml: str) -> None:
        env = self.env(free_port())
        org = self.workdir / "org.yaml"
        org.write_text(org_yaml, encoding="utf-8")
        for cmd in (["db", "upgrade"], ["org", "import", str(org)]):
            subprocess.run([sys.executable, "-m", "maotiao", *cmd], env=env, cwd=self.workdir, check=True,
                           capture_output=True)


async def burst(ports: list[int], cases: int, clients: int, start: int) -> float:
    """cases/s for `cases` reports from `clients` concurrent clients, round-robin over townships and serves."""
    towns = [f"生成区/{_town(t)}" for t in range(TOWNSHIPS)]
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(cases):
        queue.put_nowait(start + i)

    async def client(k: int) -> None:
        port = ports[k % len(ports)]
        async with httpx.AsyncClient(timeout=60) as c:
            while True:
                try:
                    i = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                resp = await c.post(f"http://127.0.0.1:{port}/api/v1/cases",
                                    headers={"Authorization": f"Bearer {API_SECRET}"},
                                    json={"content": f"小区噪音纠纷,楼上装修扰民{i}", "location": towns[i % len(towns)],
                                          "external_id": f"bench-{i}"})
                if resp.status_code != 201:
                    raise SystemExit(f"intake answered {resp.status_code}: {resp.text}")

    started = time.perf_counter()
    await asyncio.gather(*(client(k) for k in range(clients)))
    return cases / (time.perf_counter() - started)


async def measure(tree: Tree, processes: int, args: argparse.Namespace, start: int) -> tuple[float, float, float]:
    serves = [Serve(tree.env(free_port()), _own_dir(tree.workdir, f"serve{n}")) for n in range(processes)]
    try:
        for serve in serves:
            await serve.ready()
        ports = [s.port for s in serves]
        await burst(ports, args.clients, args.clients, start)  # warm every connection pool and cache
        sampler = LockSampler(tree.dsn)
        sampling = asyncio.create_task(sampler.run())
        cpu = sum(cpu_seconds(s.proc.pid) for s in serves)
        try:
            rate = await burst(ports, args.cases, args.clients, start + args.clients)
        finally:
            sampler.stop()
            await sampling
        cpu = sum(cpu_seconds(s.proc.pid) for s in serves) - cpu
        return rate, sampler.share, cpu / args.cases * 1000
    finally:
        for serve in serves:
            serve.stop()


def _own_dir(base: Path, name: str) -> Path:
    path = base / name
    path.mkdir(exist_ok=True)
    return path


async def main(args: argparse.Namespace) -> None:
    before_commit = args.before or default_before()
    org = county(TOWNSHIPS).yaml_text
    tmp = Path(tempfile.mkdtemp(prefix="bench-intake-api-"))
    results: dict[tuple[str, int], list[tuple[float, float, float]]] = {}
    try:
        async with scratch_db(args.db) as before_dsn, scratch_db(args.db) as after_dsn:
            dead = free_port()
            trees = [Tree("before", export(before_commit, tmp / "before"), before_dsn, _own_dir(tmp, "w-before"),
                          args.redis, dead),
                     Tree("after", ROOT, after_dsn, _own_dir(tmp, "w-after"), args.redis, dead)]
            for tree in trees:
                tree.prepare(org)
            start = 0
            for _ in range(args.rounds):
                for tree in trees:
                    for processes in (1, 2):
                        got = await measure(tree, processes, args, start)
                        start += args.cases + args.clients
                        results.setdefault((tree.name, processes), []).append(got)
                        print(f"  {tree.name}, {processes} serve: {got[0]:.1f} cases/s, {got[1]:.0%} waiting on a "
                              f"lock, serve CPU {got[2]:.0f} ms a case, load {os.getloadavg()[0]:.1f}", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"\n{args.cases} API intakes, {args.clients} clients, {TOWNSHIPS} townships; before = {before_commit}; "
          f"best of {args.rounds}\n")
    print("| | 1 serve | 2 serve | 2 : 1 | backends waiting on a lock (1 / 2 serve) | serve CPU a case (1 / 2) |")
    print("|---|---:|---:|---:|---:|---:|")
    for name in ("before", "after"):
        one, two = max(results[(name, 1)]), max(results[(name, 2)])
        print(f"| {name} | {one[0]:.1f} cases/s | {two[0]:.1f} cases/s | ×{two[0] / one[0]:.2f} | "
              f"{one[1]:.0%} / {two[1]:.0%} | {one[2]:.0f} / {two[2]:.0f} ms |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default=PG)
    parser.add_argument("--before", help="commit to compare with (default: before case numbers were taken late)")
    parser.add_argument("--cases", type=int, default=400)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/8", help="a Redis database the run may use")
    asyncio.run(main(parser.parse_args()))
