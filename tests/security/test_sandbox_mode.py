"""Sandbox mode is explicit: the README's first command still gives a newcomer the sandbox, but a database
holding a real organisation is never served as one without --sandbox, a production database never, a
sandbox's never as production, and a real deployment does not start without its audit key."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DEMO_ORG
from tests.integrations.wecom_rig import AES_KEY, AGENT, CORP, SECRET, TOKEN
from tests.test_cli import _free_port, _wait_healthy, run

WECOM = {"WECOM_CORP_ID": CORP, "WECOM_AGENT_ID": str(AGENT), "WECOM_SECRET": SECRET, "WECOM_TOKEN": TOKEN,
         "WECOM_AES_KEY": AES_KEY, "WECOM_API_BASE": "http://127.0.0.1:9/cgi-bin/"}
AUDIT = {"MAOTIAO_AUDIT_KEY": "audit-key-for-the-mode-tests-0123456789"}


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if not k.startswith(("MAOTIAO_", "WECOM_", "DINGTALK_"))}
    e.update(HOME=str(tmp_path), MAOTIAO_DB_URL=f"sqlite://{tmp_path / 'm.sqlite3'}", NO_PROXY="127.0.0.1,localhost")
    return e


def _mark(env: dict[str, str]) -> str | None:
    with sqlite3.connect(env["MAOTIAO_DB_URL"].removeprefix("sqlite://")) as conn:
        row = conn.execute("SELECT mode FROM database_mark WHERE id = 1").fetchone()
    return row[0] if row else None


def _serve_briefly(env: dict[str, str], *args: str) -> str:
    """serve until healthy, then Ctrl-C; its output."""
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "maotiao", "serve", *args], env={**env, "MAOTIAO_HTTP_PORT": str(port)},
                            cwd=env["HOME"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        _wait_healthy(proc, port)
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=90)
    assert proc.returncode == 0, out
    return out


def test_a_fresh_database_becomes_a_sandbox_and_stays_one(env) -> None:
    out = _serve_briefly(env)
    assert "sandbox" in out and "demo organisation" in out
    assert _mark(env) == "sandbox"
    assert "sandbox" in _serve_briefly(env)  # the README's command, run again the next day


def test_an_imported_organisation_is_not_served_as_a_sandbox_without_the_flag(env) -> None:
    assert run(["org", "import", str(DEMO_ORG)], env).returncode == 0
    refused = run(["serve"], env)
    assert refused.returncode != 0 and "--sandbox" in refused.stderr and "Traceback" not in refused.stderr
    assert _mark(env) is None
    assert "sandbox" in _serve_briefly(env, "--sandbox")
    assert _mark(env) == "sandbox"


def test_a_production_database_is_never_a_sandbox(env) -> None:
    assert run(["org", "import", str(DEMO_ORG)], env).returncode == 0
    assert "sandbox" not in _serve_briefly({**env, **WECOM, **AUDIT}).lower()
    assert _mark(env) == "production"
    for args, extra in (([], {}), (["--sandbox"], {}), ([], {"MAOTIAO_SANDBOX": "1"})):
        refused = run(["serve", *args], {**env, **extra})
        assert refused.returncode != 0 and "production database" in refused.stderr, refused.stderr
    assert _mark(env) == "production"


def test_a_sandbox_database_is_never_production(env) -> None:
    _serve_briefly(env)
    refused = run(["serve"], {**env, **WECOM, **AUDIT})
    assert refused.returncode != 0 and "sandbox" in refused.stderr and "MAOTIAO_DB_URL" in refused.stderr


def test_credentials_and_the_sandbox_flag_together_are_refused(env) -> None:
    refused = run(["serve", "--sandbox"], {**env, **WECOM, **AUDIT})
    assert refused.returncode != 0 and "--sandbox" in refused.stderr
    assert _mark(env) is None


def test_a_real_deployment_needs_its_audit_key(env, tmp_path) -> None:
    refused = run(["serve"], {**env, **WECOM})
    assert refused.returncode != 0 and "MAOTIAO_AUDIT_KEY" in refused.stderr
    short = run(["serve"], {**env, **WECOM, "MAOTIAO_AUDIT_KEY": "short"})
    assert short.returncode != 0 and "at least 32" in short.stderr and "short" not in short.stderr.split(":", 1)[0]
    key_file = tmp_path / "audit.key"
    key_file.write_text("f" * 64 + "\n")
    out = _serve_briefly({**env, **WECOM, "MAOTIAO_AUDIT_KEY_FILE": str(key_file)})
    assert "demo organisation" not in out, "a production database was seeded with the demo"
    assert (tmp_path / "maotiao-audit.checkpoints").read_text().count("\n") >= 1


def test_an_implicit_sandbox_does_not_listen_on_the_network(env) -> None:
    refused = run(["serve"], {**env, "MAOTIAO_HTTP_HOST": "0.0.0.0"})
    assert refused.returncode != 0 and "--sandbox" in refused.stderr


def test_audit_verify_against_the_checkpoints_serve_wrote(env) -> None:
    """The operator's view: serve writes checkpoints; an attacker with the database truncates a chain and
    rolls its head back; `maotiao audit verify` exits 1 naming it, and 2 without the key."""
    prod = {**env, **WECOM, **AUDIT}
    assert run(["org", "import", str(DEMO_ORG)], env).returncode == 0
    script = ("import asyncio\n"
              "from core import db\nfrom core.services import intake\nfrom core.services.base import Domain, actor_for\n"
              "from core.enums import Platform\nfrom core.models import Staff\n"
              "async def main():\n"
              f"    await db.init_db({env['MAOTIAO_DB_URL']!r})\n"
              "    a = await actor_for(await Staff.get(name='周小梅'))\n"
              "    for t in ('甲', '乙', '丙'):\n"
              "        await intake.report(Domain(), a, intake.ReportInput(t), source=Platform.CLI)\n"
              "    await db.close_db()\n"
              "asyncio.run(main())\n")
    subprocess.run([sys.executable, "-c", script], env=prod, cwd=env["HOME"], check=True, timeout=60)
    _serve_briefly(prod)  # a checkpoint at start and one at stop
    ok = run(["audit", "verify"], prod)
    assert ok.returncode == 0 and "intact: 3 event(s)" in ok.stdout and "anchored" in ok.stdout, ok.stdout + ok.stderr
    with sqlite3.connect(env["MAOTIAO_DB_URL"].removeprefix("sqlite://")) as conn:
        chain, seq = conn.execute("SELECT chain, max(seq) FROM audit_event GROUP BY chain").fetchone()
        conn.execute("DELETE FROM audit_event WHERE chain = ? AND seq = ?", (chain, seq))
        conn.execute("UPDATE audit_chain_head SET seq = ?, hash = (SELECT hash FROM audit_event WHERE chain = ? AND "
                     "seq = ?) WHERE chain = ?", (seq - 1, chain, seq - 1, chain))
    broken = run(["audit", "verify"], prod)
    assert broken.returncode == 1 and f"#{seq} were removed" in broken.stderr, broken.stdout + broken.stderr
    assert run(["audit", "verify"], {**env, **WECOM}).returncode == 2
    assert run(["audit", "checkpoint"], prod).returncode == 0
    assert run(["audit", "verify"], prod).returncode == 1, "a later checkpoint blessed the truncation"
