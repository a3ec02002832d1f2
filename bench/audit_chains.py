"""Audited writes per second with one global audit chain (the floor: what every deployment had before
issue 16) and with a chain per township, on PostgreSQL, in one run.

`.venv/bin/python bench/audit_chains.py [--writes 400] [--clients 16] [--hold-ms 4]`

Each write is a transaction that appends one audit event to a case in one of two townships and then holds
the transaction open for --hold-ms (the rest of a verb's work, during which the head row stays locked).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from tortoise.transactions import in_transaction

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import integrations.registry  # noqa: F401  declares the chat platforms
from bench.common import ROOT, scratch_db  # noqa: E402
from core import audit, db  # noqa: E402
from core.enums import Platform  # noqa: E402
from core.models import Region, Staff  # noqa: E402
from core.org_import import import_org  # noqa: E402
from core.services import intake  # noqa: E402
from core.services.base import Domain, actor_for  # noqa: E402


async def _writes(cases: list[int], args: argparse.Namespace, one_chain: bool) -> float:
    real = audit.chain_for

    async def chain_zero(case_id: int | None, region_id: int | None = None) -> int:
        return 0

    if one_chain:
        audit.chain_for = chain_zero  # type: ignore[assignment]
    slots = asyncio.Semaphore(args.clients)

    async def write(i: int) -> None:
        async with slots, in_transaction():
            await audit.append(at=datetime.now(UTC), actor_id=None, actor_name="bench", source="cli", action="note",
                               entity="case", entity_id=cases[i % 2], case_id=cases[i % 2], before={}, after={})
            await asyncio.sleep(args.hold_ms / 1000)

    started = time.perf_counter()
    try:
        await asyncio.gather(*(write(i) for i in range(args.writes)))
    finally:
        audit.chain_for = real  # type: ignore[assignment]
    return args.writes / (time.perf_counter() - started)


async def main(args: argparse.Namespace) -> None:
    async with scratch_db() as url:
        await db.upgrade(url)
        await db.init_db(url)
        try:
            await import_org((ROOT / "tests" / "fixtures" / "two-towns.yaml").read_text(encoding="utf-8"))
            cases = []
            for town, who in (("石门镇", "石调度"), ("柳岸街道", "柳调度")):
                region = await Region.get(full_name=f"东湖区/{town}/新村")
                actor = await actor_for(await Staff.get(name=who))
                out = await intake.report(Domain(), actor, intake.ReportInput("bench", region_id=region.id),
                                          source=Platform.CLI)
                assert out.case is not None
                cases.append(out.case.id)
            floor = [await _writes(cases, args, True) for _ in range(2)]
            chains = [await _writes(cases, args, False) for _ in range(2)]
            assert (await audit.verify()).ok
        finally:
            await db.close_db()
    print(f"{args.writes} audited writes, {args.clients} clients, two townships, {args.hold_ms} ms held:")
    print(f"  one global chain (floor)  {max(floor):6.0f} writes/s")
    print(f"  a chain per township      {max(chains):6.0f} writes/s   ×{max(chains) / max(floor):.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--writes", type=int, default=400)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--hold-ms", type=float, default=4.0)
    asyncio.run(main(parser.parse_args()))
