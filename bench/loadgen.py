"""WeCom callbacks from a process of its own, open-loop (issue 20 #7: the benches must be honest).

Callback i is due at start + i / rate and is sent then, whatever the answers before it (no coordinated
omission); its latency is timed from when it was due, not from when it went out. The callbacks are spread
over the given URLs in turn, as a load balancer in front of several serves would. The bodies are encrypted
before the schedule starts, so the generator spends the schedule sending. Run by `generate()` in a
subprocess; it prints its result as JSON:

    {"latencies": [ms, …], "failed": n, "rate": achieved/s, "start": epoch seconds when callback 0 was due,
     "cpu": the generator's CPU seconds}
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import AES_KEY, AGENT, CORP, TOKEN  # noqa: E402
from integrations.sandbox.wecom_member import WeComMember  # noqa: E402

TEXTS = ["邻居家空调外机滴水到楼下,两户吵了几次", "隔壁装修噪音大,两家协商未果", "两户因为宅基地边界有争议",
         "工人反映老板拖欠工资两个月", "业主和物业因为物业费吵起来了", "顾客买到过期食品和店家发生纠纷",
         "两车剐蹭,双方对赔偿有争议", "夫妻因为家务琐事经常吵架"]
GIVE_UP = 60.0  # s: an answer later than this counts as none


async def _send(urls: list[str], users: list[str], rate: float, seconds: float, first_id: int) -> dict[str, Any]:
    member = WeComMember(CORP, AGENT, TOKEN, AES_KEY, urls[0], None)  # type: ignore[arg-type]  # encrypts only
    total = int(rate * seconds)
    bodies = [member.encrypt(member.text_xml(users[i % len(users)], f"{TEXTS[i % len(TEXTS)]}(补充{first_id + i})",
                                             msg_id=first_id + i)) for i in range(total)]
    latencies: list[float] = []
    failed = 0
    timeout = aiohttp.ClientTimeout(total=GIVE_UP)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=2000), timeout=timeout) as session:

        async def one(url: str, due: float, params: dict[str, str], body: str) -> None:
            nonlocal failed
            try:
                async with session.post(url, params=params, data=body.encode()) as resp:
                    await resp.read()
                    ok = resp.status == 200
            except (aiohttp.ClientError, TimeoutError):
                ok = False
            if ok:
                latencies.append((time.perf_counter() - due) * 1000)
            else:
                failed += 1

        print("start", flush=True)  # generate() starts its meters on this line
        start, wall = time.perf_counter(), time.time()
        tasks = []
        for i, (params, body) in enumerate(bodies):
            due = start + i / rate
            if (delay := due - time.perf_counter()) > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(urls[i % len(urls)], due, params, body)))
        sent = time.perf_counter() - start
        await asyncio.gather(*tasks)
    return {"latencies": latencies, "failed": failed, "rate": total / sent, "start": wall, "cpu": time.process_time()}


async def generate(urls: list[str], users: list[str], rate: float, seconds: float, first_id: int,
                   on_start: Callable[[], object] = lambda: None) -> dict[str, Any]:
    """`rate` callbacks a second for `seconds` from users in turn (message ids from `first_id`), sent by a
    process of its own; the caller's event loop keeps running meanwhile. `on_start` is called when the
    schedule starts (after the bodies are encrypted)."""
    args = json.dumps({"urls": urls, "users": users, "rate": rate, "seconds": seconds, "first_id": first_id})
    proc = await asyncio.create_subprocess_exec(sys.executable, __file__, args, stdout=asyncio.subprocess.PIPE,
                                                stderr=asyncio.subprocess.PIPE)
    assert proc.stdout is not None
    if await proc.stdout.readline() == b"start\n":
        on_start()
    out, err = await proc.communicate()
    if proc.returncode:
        raise SystemExit(f"the load generator failed:\n{err.decode()[-3000:]}")
    result: dict[str, Any] = json.loads(out)
    return result


if __name__ == "__main__":
    a = json.loads(sys.argv[1])
    print(json.dumps(asyncio.run(_send(a["urls"], a["users"], a["rate"], a["seconds"], a["first_id"]))))
