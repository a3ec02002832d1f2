"""One notice to every grid worker of a county (the Monday screening reminder, a roster, a digest) through the
real WeCom channel to a fake WeCom, before and after a change, in one run.

    .venv/bin/python bench/broadcast.py [--before COMMIT] [--rounds 3] [--townships 10]

Each tree (the one at --before, exported with `git archive`; and this one) runs in its own process on its own
scratch PostgreSQL database holding the generated county (bench/orggen.py: 10 townships, 300 grid workers),
alternating round by round. The notice is written to the outbox for every grid worker, then delivery passes run
until every row is sent. Printed: the wall time from the first pass to the last row sent, the sending process's
CPU (time.process_time; the fake WeCom runs in this parent process, not in the measured one), the SQL statements
the driver sent, and the calls the fake WeCom took.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if "--child" not in sys.argv:  # a child imports the tree under test, from PYTHONPATH
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import PG, ROOT, scratch_db  # noqa: E402

CORP, AGENT, SECRET = "wwbench", 1000002, "benchsecret"
TEXT = "【排查提醒】本周矛盾纠纷排查开始,请于周五前完成网格内走访并在系统中登记。"


async def child(args: argparse.Namespace) -> dict[str, Any]:
    from datetime import datetime

    from tortoise import Tortoise

    import integrations.registry  # noqa: F401  the platforms, in their registered order
    from bench.handling_cpu import SqlCounter
    from bench.orggen import county
    from bot.channel import ChannelRegistry
    from bot.outbox import enqueue
    from bot.types import Outbound, Target
    from core.clock import DISPLAY_TZ, ManualClock
    from core.db import create_schema_for_tests, tortoise_config
    from core.models import Identity, OutboxMessage
    from core.org_import import import_org
    from integrations.wecom.api import WeComAPI
    from integrations.wecom.channel import WeComChannel
    from integrations.wecom.config import load_wecom
    from scheduler.delivery import deliver_due

    counter = SqlCounter()
    counter.install()
    org = county(args.townships)
    await Tortoise.init(config=tortoise_config(args.url))
    await create_schema_for_tests()
    await import_org(org.yaml_text)
    clock = ManualClock(datetime(2026, 11, 23, 9, 0, tzinfo=DISPLAY_TZ))  # a Monday
    settings = load_wecom(corp_id=CORP, agent_id=AGENT, secret=SECRET, token="benchtoken",
                          aes_key="abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", api_base=args.api)
    api = WeComAPI(settings)
    registry = ChannelRegistry()
    registry.register(WeComChannel(api))
    await api.token()  # the token is fetched once a process: not part of what is measured
    people = await Identity.filter(platform="wecom", external_id__in=org.grid_workers).values_list("staff_id", flat=True)
    await enqueue([Outbound(target=Target(staff_id=int(p)), text=TEXT) for p in people], clock.now())
    counter.count, counter.on = 0, True
    cpu, wall, sent, passes = time.process_time(), time.perf_counter(), 0, 0
    while sent < len(people) and passes < 50:
        sent += await deliver_due(registry, clock)
        passes += 1
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    counter.on = False
    unsent = await OutboxMessage.exclude(status="sent").count()
    await api.aclose()
    await Tortoise.close_connections()
    return {"rows": len(people), "sent": sent, "unsent": unsent, "passes": passes, "cpu": cpu, "wall": wall,
            "sql": counter.count}


def run_child(tree: Path, url: str, api: str, args: argparse.Namespace) -> dict[str, Any]:
    env = dict(os.environ, PYTHONPATH=str(tree), MAOTIAO_LOG_LEVEL="WARNING")
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", url, "--api", api,
           "--townships", str(args.townships)]
    done = subprocess.run(cmd, env=env, cwd=tree, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{tree} failed:\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


async def parent(args: argparse.Namespace) -> None:
    from aiohttp.test_utils import TestServer

    from bench.handling_cpu import export
    from integrations.sandbox.wecom import FakeWeCom

    tmp = Path(tempfile.mkdtemp(prefix="bench-broadcast-"))
    trees = {"before": export(args.before, tmp / "before"), "after": ROOT}
    fake = FakeWeCom(CORP, SECRET, AGENT, rate_per_minute=10**6, rate_per_hour=10**6)
    results: dict[str, list[dict[str, Any]]] = {"before": [], "after": []}
    async with TestServer(fake.app(), host="127.0.0.1") as server:
        api = str(server.make_url("/cgi-bin/"))
        for r in range(args.rounds):  # alternating, so that both trees see the same load
            for name, tree in trees.items():
                calls = len(fake.calls)
                async with scratch_db(args.pg) as dsn:
                    result = await asyncio.to_thread(run_child, tree, dsn, api, args)
                result["calls"] = len(fake.calls) - calls - 1  # less the child's one gettoken
                results[name].append(result)
                print(f"  round {r + 1} {name}: {result['rows']} rows, {result['wall'] * 1000:.0f} ms, CPU "
                      f"{result['cpu'] * 1000:.0f} ms, {result['sql']} statements, {result['calls']} calls to WeCom, "
                      f"{result['unsent']} unsent, load {os.getloadavg()[0]:.1f}", flush=True)
    shutil.rmtree(tmp, ignore_errors=True)
    print(f"\none notice to every grid worker ({results['after'][0]['rows']}), WeCom; before = {args.before}; "
          f"best of {args.rounds} alternating rounds\n")
    print("| tree | wall | CPU | CPU a row | SQL statements | calls to WeCom | unsent |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    best = {name: min(rs, key=lambda x: x["cpu"]) for name, rs in results.items()}
    for name, b in best.items():
        print(f"| {name} | {b['wall'] * 1000:.0f} ms | {b['cpu'] * 1000:.0f} ms | {b['cpu'] * 1000 / b['rows']:.2f} ms "
              f"| {b['sql']} | {b['calls']} | {b['unsent']} |")
    print(f"\nafter / before: CPU ×{best['after']['cpu'] / best['before']['cpu']:.2f}, "
          f"wall ×{best['after']['wall'] / best['before']['wall']:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", default="main")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--townships", type=int, default=10)
    parser.add_argument("--pg", default=PG)
    parser.add_argument("--api", help=argparse.SUPPRESS)
    parser.add_argument("--child", dest="url", help=argparse.SUPPRESS)  # the tree under test's database
    args = parser.parse_args()
    if args.url is None:
        asyncio.run(parent(args))
        return
    print(json.dumps(asyncio.run(child(args)), ensure_ascii=False))  # the parent reads the last line


if __name__ == "__main__":
    main()
