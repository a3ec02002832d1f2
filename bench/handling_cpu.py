"""CPU time and SQL statements per handled message, through the bot's real handling path, before and after a
change, in one run.

    .venv/bin/python bench/handling_cpu.py [--before COMMIT] [--stories 40] [--db sqlite|postgres|both]
                                           [--profile out.prof]

Each tree (the one at --before, exported with `git archive`, default main; and this one) runs in its own
process on its own database (SQLite in memory, or a scratch PostgreSQL database) holding the generated
county (bench/orggen.py, 10 townships). Grid workers then tell whole stories through `Bot.receive`, as the
platforms' receivers hand them over: a report (→ draft card), 确认上报 (→ the case, the center card), the
dispatcher's 受理并交办, the officer's 签收, the officer's progress in words, and the worker's 查询. Only
`Bot.handle` is measured (the store before the ACK is the other helper's floor): process CPU time
(time.process_time) and the SQL statements the database driver sent, connection-pool housekeeping included.
The outbox is delivered to a recording channel between messages, so that the next click finds its card; that
delivery is measured on its own (CPU and statements per reply sent: the worker that handles also sends). The
first stories warm the caches and are not counted.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

if "--child" not in sys.argv:  # a child imports the tree under test, from PYTHONPATH
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import PG, ROOT, scratch_db  # noqa: E402

KINDS = ("report", "confirm", "accept", "sign", "progress", "query")
WARMUP = 5


def head(query: str) -> str:
    """A statement's verb and table, to see what repeats."""
    words = query.split()
    verb = words[0].upper() if words else ""
    table = next((words[i + 1] for i, w in enumerate(words[:-1]) if w.upper() in ("FROM", "INTO", "UPDATE")), "")
    return f"{verb} {table}".strip() if verb in ("SELECT", "INSERT", "UPDATE", "DELETE") else " ".join(words[:3])


def site() -> str:
    """Where in the project a statement comes from: the innermost project frames (--sites)."""
    import traceback

    frames = [f for f in traceback.extract_stack() if "/bench/" not in f.filename]  # the bench's own, whichever tree
    ours = [f"{Path(f.filename).stem}:{f.lineno}" for f in frames
            if "site-packages" not in f.filename and "/lib/python3" not in f.filename][-3:]
    return "  <- " + " < ".join(reversed(ours))


class SqlCounter:
    """Counts what the drivers send: asyncpg's execute paths (BEGIN/COMMIT and the pool's reset on release
    included) and aiosqlite's cursor executes."""

    def __init__(self) -> None:
        self.count = 0
        self.heads: Counter[str] = Counter()
        self.on = False
        self.sites = False
        self.kind = ""

    def seen(self, query: object) -> None:
        if self.on:
            self.count += 1
            self.heads[(self.kind + ": " if self.sites else "") + head(str(query)) + (site() if self.sites else "")] += 1

    def install(self) -> None:
        import aiosqlite
        import asyncpg.connection

        def wrap(cls: Any, name: str, only_bare: bool = False) -> None:
            original = getattr(cls, name)

            async def counted(inner: Any, query: object, *args: Any, **kwargs: Any) -> Any:
                if not (only_bare and args):  # asyncpg's execute with arguments goes through _execute
                    self.seen(query)
                return await original(inner, query, *args, **kwargs)

            setattr(cls, name, counted)

        wrap(asyncpg.connection.Connection, "execute", only_bare=True)
        for name in ("_execute", "_executemany"):
            wrap(asyncpg.connection.Connection, name)
        for name in ("execute", "executemany", "execute_fetchall", "executescript"):
            wrap(aiosqlite.Connection, name)


async def child(args: argparse.Namespace) -> dict[str, Any]:  # noqa: C901 - one scripted story
    from datetime import datetime

    from tortoise import Tortoise

    import integrations.registry  # noqa: F401  the platforms, in their registered order
    from bench.orggen import county
    from bot.channel import ChannelRegistry
    from bot.engine import Bot
    from bot.types import CardAction, Inbound
    from core.clock import DISPLAY_TZ, ManualClock
    from core.db import create_schema_for_tests, tortoise_config
    from core.enums import Platform
    from core.org_import import import_org
    from core.services.base import Domain
    from core.workdays import WorkCalendar
    from scheduler.delivery import deliver_due
    from tests.bot.fakes import FakeChannel

    counter = SqlCounter()
    counter.install()
    counter.sites = args.sites
    org = county(10)
    await Tortoise.init(config=tortoise_config(args.url))
    await create_schema_for_tests()
    await import_org(org.yaml_text)
    clock = ManualClock(datetime(2026, 11, 23, 9, 0, tzinfo=DISPLAY_TZ))  # a Monday
    domain = Domain(clock=clock, calendar=WorkCalendar())
    bot = Bot(domain)
    channel = FakeChannel(Platform.WECOM)
    registry = ChannelRegistry()
    registry.register(channel)
    registry.register(FakeChannel(Platform.DINGTALK))
    ids = iter(range(1, 10**9))
    cpu: dict[str, list[float]] = {k: [] for k in KINDS}
    sql: dict[str, list[int]] = {k: [] for k in KINDS}
    delivery: list[tuple[float, int, int]] = []  # (CPU ms, statements, replies sent) after each message
    profile = cProfile.Profile(time.process_time) if args.profile else None  # CPU, not wall: a loaded machine

    async def send(kind: str, sender: str, counted: bool, text: str = "", action: CardAction | None = None) -> None:
        clock.advance(timedelta(seconds=7))
        inbound = Inbound(platform=Platform.WECOM, event_id=f"bench-{next(ids)}", sender=sender,
                          received_at=clock.now(), text=text, action=action)
        row_id = await bot.record(inbound)
        assert row_id is not None
        counter.count, counter.on, counter.kind = 0, counted, kind
        if profile is not None and counted:
            profile.enable()
        started = time.process_time()
        await bot.handle(row_id, inbound)
        spent = time.process_time() - started
        if profile is not None:
            profile.disable()
        counter.on = False
        if counted:
            cpu[kind].append(spent * 1000)
            sql[kind].append(counter.count)
        counter.count, counter.on, counter.kind = 0, counted, "deliver"
        started, sent = time.process_time(), 0
        for _ in range(20):
            n = await deliver_due(registry, clock)
            sent += n
            if not n:
                break
        counter.on = False
        if counted and sent:  # what sending the message's replies costs the same process, per reply
            delivery.append(((time.process_time() - started) * 1000, counter.count, sent))

    def button(user: str, label: str, number: str = "") -> CardAction:
        for sent in reversed(channel.sent):
            if sent.to != user or sent.card is None:
                continue
            if number and number not in json.dumps(sent.card.model_dump(), ensure_ascii=False):
                continue
            for b in sent.card.buttons:
                if b.label == label:
                    return CardAction.decode(b.action)
        raise SystemExit(f"{user} has no card with {label}")

    async def story(i: int, counted: bool) -> None:
        t, v, g = i % 10, (i // 10) % 6, (i // 60) % 5
        worker, dispatcher = f"g{t}x{v}x{g}", f"d{t}"
        await send("report", worker, counted, text=f"{v + 1}组老王和老赵因为过道宽窄吵了好几天,今天又在路口吵起来{i}")
        mark = len(channel.sent)
        await send("confirm", worker, counted, action=button(worker, "确认上报"))
        number = next((w for s in channel.sent[mark:] if s.to == worker
                       for w in s.text.replace(",", " ").replace(":", " ").split() if w[:4] == "2026"), "")
        if not number:  # asked whether it repeats a recent case: it is new
            await send("confirm", worker, False, action=button(worker, "不是,新上报"))
            number = next(w for s in channel.sent[mark:] if s.to == worker
                          for w in s.text.replace(",", " ").replace(":", " ").split() if w[:4] == "2026")
        number = number[:9]
        await send("accept", dispatcher, counted, action=button(dispatcher, "受理并交办", number))
        officer = next(s.to for s in reversed(channel.sent) if s.card is not None and s.card.kind == "task")
        await send("sign", officer, counted, action=button(officer, "签收", number))
        await send("progress", officer, counted, text=f"{number[5:]} 已约双方明天上午到村委会调解")
        await send("query", worker, counted, text=f"查询 {number[5:]}")

    for i in range(WARMUP):
        await story(i, False)
    cpu_start = time.process_time()
    for i in range(WARMUP, WARMUP + args.stories):
        await story(i, True)
    del cpu_start
    if profile is not None:
        profile.dump_stats(args.profile)
    await Tortoise.close_connections()
    return {"cpu": cpu, "sql": sql, "delivery": delivery, "heads": counter.heads.most_common(400 if args.sites else 40)}


def export(commit: str, into: Path) -> Path:
    into.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", commit], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def run_child(tree: Path, url: str, args: argparse.Namespace, profile: str = "") -> dict[str, Any]:
    env = dict(os.environ, PYTHONPATH=str(tree), MAOTIAO_LOG_LEVEL="WARNING")
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", url, "--stories", str(args.stories)]
    cmd += ["--sites"] if args.sites else []
    if profile:
        cmd += ["--profile", profile]
    done = subprocess.run(cmd, env=env, cwd=tree, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{tree} on {url.split(':')[0]} failed:\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else float("nan")


def median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2] if ordered else float("nan")


async def one_run(backend: str, tree: Path, args: argparse.Namespace, profile: str) -> dict[str, Any]:
    if backend == "sqlite":
        return run_child(tree, "sqlite://:memory:", args, profile)
    async with scratch_db(args.pg) as dsn:
        return run_child(tree, dsn, args, profile)


async def parent(args: argparse.Namespace) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="bench-handling-"))
    before = export(args.before, tmp / "before")
    backends = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    rows: list[str] = []
    for backend in backends:
        best: dict[str, tuple[float, dict[str, Any], float]] = {}
        for r in range(args.rounds):  # alternating, so that both trees see the same load
            for name, tree in (("before", before), ("after", ROOT)):
                profile = f"{args.profile}.{name}.{backend}" if args.profile and r == 0 else ""
                result = await one_run(backend, tree, args, profile)
                cpu = median([v for k in KINDS for v in result["cpu"][k]])
                load = os.getloadavg()[0]
                print(f"  {backend} {name} round {r + 1}: median CPU {cpu:.1f} ms a message, load {load:.1f}",
                      flush=True)
                if name not in best or cpu < best[name][0]:
                    best[name] = (cpu, result, load)
        for name in ("before", "after"):
            cpu, result, load = best[name]
            sql = mean([v for k in KINDS for v in result["sql"][k]])
            kinds = " | ".join(f"{median(result['cpu'][k]):.1f} / {mean(result['sql'][k]):.0f}" for k in KINDS)
            sent = sum(d[2] for d in result["delivery"]) or 1
            reply = f"{sum(d[0] for d in result['delivery']) / sent:.1f} / {sum(d[1] for d in result['delivery']) / sent:.1f}"
            rows.append(f"| {backend} | {name} | {cpu:.1f} ms | {sql:.1f} | {kinds} | {reply} | {load:.1f} |")
            if args.heads:
                print(f"  {backend} {name}, most frequent statements:")
                for head_, n in result["heads"]:
                    print(f"    {n / (args.stories * len(KINDS)):6.2f}/msg  {head_}")
    shutil.rmtree(tmp, ignore_errors=True)
    print(f"\n{args.stories} stories × {len(KINDS)} messages, 10 townships; before = {args.before}; "
          f"CPU: median a message, best of {args.rounds} alternating rounds\n")
    print("| db | tree | CPU / msg | SQL / msg | " + " | ".join(f"{k} CPU ms / SQL" for k in KINDS)
          + " | sending, a reply: CPU ms / SQL | load |")
    print("|---|---|---:|---:|" + "---:|" * len(KINDS) + "---:|---:|")
    for row in rows:
        print(row)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", default="main")
    parser.add_argument("--stories", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--pg", default=PG)
    parser.add_argument("--profile", default="", help="write cProfile stats of the measured handling here")
    parser.add_argument("--heads", action="store_true", help="print the most frequent statements")
    parser.add_argument("--sites", action="store_true", help="with --heads: where each statement comes from")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parsed = parser.parse_args()
    if parsed.child:
        parsed.url = parsed.child
        print(json.dumps(asyncio.run(child(parsed)), ensure_ascii=False))
    else:
        asyncio.run(parent(parsed))
