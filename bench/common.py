"""What the benchmarks share: a scratch PostgreSQL database, `maotiao serve` in a subprocess, percentiles
and the memory of a process."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parent.parent
PG = "postgres://postgres@127.0.0.1:5432/test"


def pg(url: str) -> str:
    return url.replace("postgres://", "postgresql://")


@asynccontextmanager
async def scratch_db(server: str = PG) -> AsyncIterator[str]:
    """A new PostgreSQL database for one benchmark run, dropped afterwards."""
    name = f"bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(pg(server))
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server.rsplit("/", 1)[0] + "/" + name
    finally:
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


def import_org(env: dict[str, str], yaml_text: str, workdir: Path) -> None:
    path = workdir / "org.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    subprocess.run([sys.executable, "-m", "maotiao", "org", "import", str(path)], env=env, check=True,
                   capture_output=True)


class Serve:
    def __init__(self, env: dict[str, str], workdir: Path) -> None:
        self.port = int(env["MAOTIAO_HTTP_PORT"])
        self.log = workdir / "serve.log"
        with open(self.log, "w") as log:
            self.proc = subprocess.Popen([sys.executable, "-m", "maotiao", "serve"], env=env, cwd=workdir,
                                         stdout=log, stderr=subprocess.STDOUT)

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

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else float("nan")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
