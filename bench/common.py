"""What the benchmarks share: a scratch PostgreSQL database, `maotiao serve` and `maotiao worker` in
subprocesses configured as deploy/ runs them, percentiles, the memory and CPU time of a process, and the
share of PostgreSQL backends waiting on a lock."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parent.parent
PG = "postgres://postgres@127.0.0.1:5432/test"
# The WeCom app the benchmarks' serves are configured with (and their fake WeCom and simulated members use).
CORP, AGENT, SECRET, TOKEN = "wwbench", 1000002, "benchsecret", "benchtoken"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
API_SECRET = "bench-secret-0123456789"  # the intake API key's secret (label `bench`)


def pg(url: str) -> str:
    return url.replace("postgres://", "postgresql://")


@asynccontextmanager
async def scratch_db(server: str = PG, template: str | None = None) -> AsyncIterator[str]:
    """A new PostgreSQL database for one benchmark run, dropped afterwards; a copy of the scratch database
    `template` (its URL; nobody may be connected to it) when given."""
    name = f"bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(pg(server))
    copy = f' TEMPLATE "{template.rsplit("/", 1)[1]}"' if template else ""
    await admin.execute(f'CREATE DATABASE "{name}"{copy}')
    try:
        yield server.rsplit("/", 1)[0] + "/" + name
    finally:
        if os.environ.get("BENCH_KEEP_DB"):  # to look into a run's rows afterwards
            print(f"kept the scratch database {name}")
        else:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def base_env(dsn: str, port: int, **extra: str) -> dict[str, str]:
    keep = ("MAOTIAO_DELIVERY_CONCURRENCY",)  # tuning knobs a run may set
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("MAOTIAO_", "WECOM_", "DINGTALK_")) or k in keep}
    env.update(MAOTIAO_DB_URL=dsn, MAOTIAO_HTTP_PORT=str(port), MAOTIAO_LOG_LEVEL="WARNING",
               MAOTIAO_AUDIT_KEY="bench-audit-key-0123456789abcdef0123456789",
               NO_PROXY="127.0.0.1,localhost", PYTHONPATH=str(ROOT), **extra)
    return env


def flush_redis() -> str:
    """The Redis database runs with workers use (BENCH_REDIS_URL), emptied: its URL."""
    import redis

    url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
    redis.Redis.from_url(url).flushdb()
    return url


def production_env(dsn: str, port: int, redis: str, wecom_api: str, **extra: str) -> dict[str, str]:
    """A process as deploy/ runs it: Redis (serves then never send; workers do), the intake API and WeCom's
    credentials with its API at `wecom_api`."""
    return base_env(dsn, port, MAOTIAO_API_KEYS=f"bench:{API_SECRET}", MAOTIAO_REDIS_URL=redis,
                    WECOM_CORP_ID=CORP, WECOM_AGENT_ID=str(AGENT), WECOM_SECRET=SECRET, WECOM_TOKEN=TOKEN,
                    WECOM_AES_KEY=AES_KEY, WECOM_API_BASE=wecom_api, **extra)


def import_org(env: dict[str, str], yaml_text: str, workdir: Path) -> None:
    path = workdir / "org.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    subprocess.run([sys.executable, "-m", "maotiao", "org", "import", str(path)], env=env, check=True,
                   capture_output=True)


class Maotiao:
    """A `maotiao <command>` process, its output in `workdir/<command>.log`."""

    command = ""

    def __init__(self, env: dict[str, str], workdir: Path) -> None:
        self.log = workdir / f"{self.command}.log"
        with open(self.log, "w") as log:
            self.proc = subprocess.Popen([sys.executable, "-m", "maotiao", self.command], env=env, cwd=workdir,
                                         stdout=log, stderr=subprocess.STDOUT)

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.proc.pid)

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class Worker(Maotiao):
    command = "worker"


class Serve(Maotiao):
    command = "serve"

    def __init__(self, env: dict[str, str], workdir: Path) -> None:
        self.port = int(env["MAOTIAO_HTTP_PORT"])
        super().__init__(env, workdir)

    async def ready(self) -> None:
        async with httpx.AsyncClient() as c:
            for _ in range(1200):  # two minutes: a loaded 2-core machine starts slowly
                try:
                    if (await c.get(f"http://127.0.0.1:{self.port}/healthz")).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.1)
        raise SystemExit("serve did not come up:\n" + self.log.read_text()[-3000:])

    def memory_mib(self) -> tuple[float, float]:
        """(resident now, peak resident) of the serve process."""
        values = {}
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0]) / 1024
        return values["VmRSS"], values["VmHWM"]


def postgres_cpu() -> float:
    """CPU seconds every PostgreSQL process on this machine has spent so far (a difference is what a phase cost)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue  # the process ended
        if "(postgres)" in text:
            fields = text.rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class LockSampler:
    """Samples the database's backends (other than its own) every 20 ms until stopped: the share of the active
    ones waiting on a lock (and the statements they wait in, `waits`), and the CPU time the backends spent meanwhile (from /proc, every 10th sample and at
    the end; a backend that ends between two readings loses at most 200 ms of its CPU)."""

    def __init__(self, dsn: str) -> None:
        self.dsn, self.active, self.waiting = dsn, 0, 0
        self.waits: Counter[str] = Counter()  # the first words of a waiting statement → samples
        self._stop = asyncio.Event()
        self._first: dict[int, float] = {}
        self._last: dict[int, float] = {}

    async def run(self) -> None:
        conn = await asyncpg.connect(pg(self.dsn))
        name = self.dsn.rsplit("/", 1)[1]
        try:
            tick = 0
            while not self._stop.is_set():
                rows = await conn.fetch("SELECT pid, state, wait_event_type, left(query, 70) AS query FROM "
                                        "pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", name)
                busy = [r for r in rows if r["state"] == "active"]
                self.active += len(busy)
                waiting = [r["query"] for r in busy if r["wait_event_type"] == "Lock"]
                self.waiting += len(waiting)
                self.waits.update(waiting)
                if tick % 10 == 0:
                    self._read_cpu([r["pid"] for r in rows], first=tick == 0)
                tick += 1
                await asyncio.sleep(0.02)
            self._read_cpu(list(self._last), first=False)
        finally:
            await conn.close()

    def _read_cpu(self, pids: list[int], *, first: bool) -> None:
        for pid in pids:
            try:
                now = cpu_seconds(pid)
            except (OSError, IndexError):
                continue  # the backend ended
            self._first.setdefault(pid, now if first else 0.0)  # a backend that started meanwhile: all of it
            self._last[pid] = now

    def stop(self) -> None:
        self._stop.set()

    @property
    def share(self) -> float:
        return self.waiting / self.active if self.active else 0.0

    @property
    def cpu(self) -> float:
        """CPU seconds the database's backends spent while sampled."""
        return sum(self._last[pid] - self._first[pid] for pid in self._last)


async def unfinished(conn: asyncpg.Connection) -> tuple[int, int]:
    """(stored callbacks not handled yet, outbox messages not sent yet that are due now)."""
    row = await conn.fetchrow(
        "SELECT (SELECT count(*) FROM inbound_event WHERE status = 'received'), (SELECT count(*) FROM "
        "outbox_message WHERE status IN ('pending', 'sending') AND next_attempt_at <= now())")
    assert row is not None
    return int(row[0]), int(row[1])


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else float("nan")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
