"""`maotiao serve` in a subprocess on a SQLite file, for black-box tests over HTTP."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import DEMO_ORG
from tests.integrations.wecom_rig import AES_KEY, AGENT, CORP, SECRET, TOKEN
from tests.test_cli import _free_port

API_KEY = "fuzz-secret-0123456789"
AUDIT_KEY = "audit-key-for-the-tests-0123456789abcdef"  # a real deployment refuses to start without one


class ServeProcess:
    def __init__(self, proc: subprocess.Popen[bytes], port: int, db: Path) -> None:
        self.proc, self.port, self.db = proc, port, db

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def count(self, table: str) -> int:
        with sqlite3.connect(self.db, timeout=30) as conn:
            return int(conn.execute(f"SELECT count(*) FROM \"{table}\"").fetchone()[0])  # noqa: S608 - test tables

    def state(self) -> tuple[int, ...]:
        """What a request could change: stored events, cases, tasks, drafts, audit events."""
        return tuple(self.count(t) for t in ("inbound_event", "case", "task", "draft", "audit_event"))

    def peak_rss_kib(self) -> int:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
        raise AssertionError("no VmHWM")

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise AssertionError("no VmRSS")


def serve_env(port: int, db_url: str, wecom_api_base: str, **extra: str) -> dict[str, str]:
    """The environment of a `maotiao serve` child: ours without MAOTIAO_/WECOM_/DINGTALK_, then WeCom's test app."""
    return {**{k: v for k, v in os.environ.items() if not k.startswith(("MAOTIAO_", "WECOM_", "DINGTALK_"))},
            "MAOTIAO_HTTP_PORT": str(port), "MAOTIAO_DB_URL": db_url, "WECOM_CORP_ID": CORP,
            "WECOM_AGENT_ID": str(AGENT), "WECOM_SECRET": SECRET, "WECOM_TOKEN": TOKEN, "WECOM_AES_KEY": AES_KEY,
            "WECOM_API_BASE": wecom_api_base, "NO_PROXY": "127.0.0.1,localhost", "MAOTIAO_AUDIT_KEY": AUDIT_KEY,
            **extra}


@contextmanager
def serve_process(workdir: Path, **extra_env: str) -> Iterator[ServeProcess]:
    """serve with WeCom credentials (its API on a dead port: deliveries just wait) and an API key."""
    port, dead = _free_port(), _free_port()
    db = workdir / "serve.sqlite3"
    env = serve_env(port, f"sqlite://{db}", f"http://127.0.0.1:{dead}/cgi-bin/", MAOTIAO_API_KEYS=f"fuzz:{API_KEY}",
                    MAOTIAO_LOG_LEVEL="WARNING", **extra_env)
    subprocess.run([sys.executable, "-m", "maotiao", "org", "import", str(DEMO_ORG)], env=env, cwd=workdir,
                   check=True, capture_output=True, timeout=60)
    with open(workdir / "serve.log", "w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "maotiao", "serve"], env=env, cwd=workdir, stdout=log,
                                stderr=subprocess.STDOUT)
    try:
        for _ in range(150):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
        else:
            raise AssertionError("serve did not come up: " + (workdir / "serve.log").read_text()[-2000:])
        yield ServeProcess(proc, port, db)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
