"""The `maotiao` command as an administrator runs it, in a subprocess against a SQLite file."""

from __future__ import annotations

import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import DEMO_ORG

ROOT = Path(__file__).resolve().parent.parent


def run(args: list[str], env: dict[str, str], timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "maotiao", *args], env=env, cwd=env["HOME"], capture_output=True, text=True,
        timeout=timeout,
    )


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if not k.startswith("MAOTIAO_")}
    e.update(HOME=str(tmp_path), MAOTIAO_DB_URL=f"sqlite://{tmp_path / 'cli.sqlite3'}", PYTHONPATH=str(ROOT))
    return e


def test_org_import_reports_problems_and_changes_nothing(env, tmp_path) -> None:
    ok = run(["org", "import", str(DEMO_ORG)], env)
    assert ok.returncode == 0, ok.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text(DEMO_ORG.read_text(encoding="utf-8").replace("region: 荷花村第二网格", "region: 不存在网格"),
                   encoding="utf-8")
    result = run(["org", "import", str(bad)], env)
    assert result.returncode == 2
    assert "staff[1] (吴大伟): region '不存在网格' not found" in result.stderr
    assert "nothing changed" in result.stderr


def test_calendar_import(env, tmp_path) -> None:
    cal = tmp_path / "cal.csv"
    cal.write_text("date,kind,name\n2027-01-01,休,元旦\n2027-02-07,班,春节调休\n", encoding="utf-8")
    assert run(["calendar", "import", str(cal)], env).returncode == 0
    cal.write_text("2027-13-01,休\n", encoding="utf-8")
    result = run(["calendar", "import", str(cal)], env)
    assert result.returncode == 2 and "line 1" in result.stderr
    shipped = run(["calendar", "import", "2027"], env)  # the year's list shipped with maotiao
    assert shipped.returncode == 0 and "imported 13 calendar day(s)" in shipped.stdout
    assert "not yet checked against the State Council's notice" in shipped.stderr


def test_wrong_setting_fails_at_start_naming_it(env) -> None:
    result = run(["serve"], {**env, "MAOTIAO_HTTP_PORT": "http"})
    assert result.returncode != 0 and "MAOTIAO_HTTP_PORT" in result.stderr


def test_audit_verify_exits_nonzero_naming_the_altered_event(env, tmp_path) -> None:
    assert run(["org", "import", str(DEMO_ORG)], env).returncode == 0
    db_file = tmp_path / "cli.sqlite3"
    script = (
        "import asyncio\n"
        "from core import db\n"
        "from core.services import intake\n"
        "from core.services.base import Domain, actor_for\n"
        "from core.enums import Platform\n"
        "from core.models import Staff\n"
        "async def main():\n"
        f"    await db.init_db('sqlite://{db_file}')\n"
        "    a = await actor_for(await Staff.get(name='周小梅'))\n"
        "    for t in ('甲', '乙'):\n"
        "        await intake.report(Domain(), a, intake.ReportInput(t), source=Platform.CLI)\n"
        "    await db.close_db()\n"
        "asyncio.run(main())\n"
    )
    subprocess.run([sys.executable, "-c", script], env=env, check=True, timeout=60)
    assert run(["audit", "verify"], env).returncode == 0
    with sqlite3.connect(db_file) as conn:
        conn.execute("UPDATE audit_event SET action = 'nothing' WHERE seq = 2")
    result = run(["audit", "verify"], env)
    assert result.returncode == 1 and "#2" in result.stderr


def _ephemeral_floor() -> int:
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768  # Linux's default ip_local_port_range starts here


def _free_port() -> int:
    """A free port below the kernel's ephemeral range.

    A port from bind(0) is ephemeral: once closed, the kernel may hand it to the next bind(0) — such as one of the
    sandbox fakes the serve under test starts before it binds this port (a CI run failed that way). Ports below the
    ephemeral range are never handed out implicitly, so only an explicit bind can take one.
    """
    floor = _ephemeral_floor()
    rng = random.Random()
    for _ in range(200):
        port = rng.randrange(max(1024, floor - 12000), floor)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port below the ephemeral range")


def _serve(env: dict[str, str], port: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "maotiao", "serve"], env={**env, "MAOTIAO_HTTP_PORT": str(port)}, cwd=env["HOME"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def test_serve_with_wecom_answers_url_verification(env) -> None:
    import asyncio

    import httpx

    from integrations.sandbox.wecom_member import WeComMember
    from tests.integrations.wecom_rig import AES_KEY, AGENT, CORP, SECRET, TOKEN

    port = _free_port()
    wecom = {"WECOM_CORP_ID": CORP, "WECOM_AGENT_ID": str(AGENT), "WECOM_SECRET": SECRET, "WECOM_TOKEN": TOKEN,
             "WECOM_AES_KEY": AES_KEY, "WECOM_API_BASE": "http://127.0.0.1:9/cgi-bin/",
             "MAOTIAO_AUDIT_KEY": "a" * 40}
    proc = _serve({**env, **wecom}, port)
    try:
        _wait_healthy(proc, port)

        async def verify() -> httpx.Response:
            async with httpx.AsyncClient() as client:
                member = WeComMember(CORP, AGENT, TOKEN, AES_KEY, f"http://127.0.0.1:{port}/wecom/callback", client)
                return await member.verify_url()

        resp = asyncio.run(verify())
        assert resp.status_code == 200 and resp.text == resp.extensions["expected"]
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=20)


def test_wrong_wecom_setting_names_the_variable(env) -> None:
    result = run(["serve"], {**env, "WECOM_CORP_ID": "ww1", "WECOM_AES_KEY": "short"})
    assert result.returncode != 0 and "WECOM_AES_KEY" in result.stderr


def _wait_healthy(proc: subprocess.Popen[str], port: int) -> None:
    deadline = time.monotonic() + 120  # a bound for a loaded machine, not a wait
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as resp:
                assert resp.status == 200
                return
        except OSError:
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            assert time.monotonic() < deadline, "serve did not come up in 120 s"
            time.sleep(0.2)


def test_serve_starts_with_embedded_defaults_and_stops_on_ctrl_c(env) -> None:
    port = _free_port()
    proc = _serve(env, port)
    try:
        _wait_healthy(proc, port)
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, out
    assert f"http://127.0.0.1:{port}/" in out and "demo organisation" in out


def _status(port: int, path: str) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def test_sigterm_turns_readyz_503_while_serve_still_answers_then_it_exits_0(env) -> None:
    port = _free_port()
    proc = _serve({**env, "MAOTIAO_SHUTDOWN_GRACE_SECONDS": "300"}, port)  # long: the test ends it (below)
    try:
        _wait_healthy(proc, port)
        assert _status(port, "/readyz") == 200
        proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 60  # a bound for a loaded machine, not a wait
        while _status(port, "/readyz") != 503:
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        assert proc.poll() is None and _status(port, "/healthz") == 200  # out of the pool, still answering
        proc.send_signal(signal.SIGTERM)  # a second signal cuts the grace short
        out, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, out
    assert "draining" in out


def test_worker_without_redis_says_what_to_do(env) -> None:
    result = run(["worker"], env)
    assert result.returncode != 0 and "MAOTIAO_REDIS_URL" in result.stderr


def test_report_command_writes_ledger_and_chart(env, tmp_path) -> None:
    from openpyxl import load_workbook

    assert run(["org", "import", str(DEMO_ORG)], env).returncode == 0
    xlsx, png = tmp_path / "ledger.xlsx", tmp_path / "chart.png"
    result = run(["report", "monthly", "--date", "2026-11-23", "--xlsx", str(xlsx), "--png", str(png)], env)
    assert result.returncode == 0, result.stderr
    assert "每月分析" in result.stdout and "2026年11月01日—11月30日" in result.stdout
    assert load_workbook(xlsx)["台账"]["A1"].value == "编号"
    assert png.read_bytes()[:4] == b"\x89PNG"


def test_roster_import_command_reports_rows(env, tmp_path) -> None:
    from openpyxl import Workbook

    assert run(["org", "import", str(DEMO_ORG)], env).returncode == 0
    wb = Workbook()
    wb.active.append(["日期", "值班领导", "值班人员"])
    wb.active.append(["2026-12-01", "不存在的人", "林晓"])
    wb.save(tmp_path / "r.xlsx")
    result = run(["roster", "import", str(tmp_path / "r.xlsx")], env)
    assert result.returncode == 2 and "第2行" in result.stderr and "nothing changed" in result.stderr


def test_groups_create_without_wecom_says_so_and_exits_nonzero(env) -> None:
    clean = {k: v for k, v in env.items() if not k.startswith("WECOM_")}
    result = run(["groups", "create", "--dry-run"], clean)
    assert result.returncode == 1
    assert "企业微信未配置" in result.stderr and "README「Going live」" in result.stderr
