"""`maotiao report KIND [--date D] [--xlsx FILE] [--png FILE]` and `maotiao roster import FILE.xlsx`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import date
from pathlib import Path

from bot.reports import chart, ledger
from bot.reports.markdown import render
from core.clock import SystemClock, local
from core.reports import digest, kpi
from core.reports.periods import Kind, period_of
from core.roster import RosterImportError, import_roster_xlsx


async def report(args: argparse.Namespace) -> int:
    now = SystemClock().now()
    day = date.fromisoformat(args.date) if args.date else local(now).date()
    kind = Kind(args.kind)
    built = await digest.build(kind, day, now)
    print(render(built))
    if args.xlsx:
        period = period_of(kind, day)
        extra = {"人员": await kpi.by_person(period.start, period.end),
                 "村社区": await kpi.by_village(period.start, period.end),
                 "层级": await kpi.by_level(period.start, period.end)}
        data = await ledger.xlsx(built, extra)
        await asyncio.to_thread(Path(args.xlsx).write_bytes, data)
        print(f"ledger written to {args.xlsx}", file=sys.stderr)
    if args.png:
        await asyncio.to_thread(Path(args.png).write_bytes, chart.png(built))
        print(f"chart written to {args.png}", file=sys.stderr)
    return 0


async def roster_import(args: argparse.Namespace) -> int:
    try:
        count = await import_roster_xlsx(await asyncio.to_thread(Path(args.file).read_bytes))
    except OSError as exc:
        raise SystemExit(f"cannot read {args.file}: {exc.strerror}") from None
    except RosterImportError as exc:
        print(f"roster import failed, nothing changed ({len(exc.problems)} problem(s)):", file=sys.stderr)
        for problem in exc.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 2
    print(f"imported {count} duty day(s)")
    return 0
