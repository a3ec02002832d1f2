"""kill -9 of `serve` in the middle of a burst of WeCom callbacks, then a restart: every message that got
its 200 is handled, exactly once; the ones WeCom had to retry arrive once too."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx
from aiohttp.test_utils import TestServer

from integrations.sandbox.wecom import FakeWeCom
from integrations.sandbox.wecom_member import WeComMember
from tests.conftest import DEMO_ORG
from tests.integrations.wecom_rig import AES_KEY, AGENT, CORP, SECRET, TOKEN
from tests.reliability.serve_proc import serve_env
from tests.test_cli import _free_port

USERS = ["zhouxm", "wudw", "fengj"]


def _start(env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "maotiao", "serve"], env=env, cwd=cwd,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True)


async def _healthy(port: int) -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(150):
            try:
                if (await client.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.2)
    raise AssertionError("serve did not come up")


async def test_kill_dash_nine_mid_burst_loses_nothing_and_doubles_nothing(tmp_path) -> None:
    fake = FakeWeCom(CORP, SECRET, AGENT)
    async with TestServer(fake.app(), host="127.0.0.1") as fake_server:
        port = _free_port()
        db = tmp_path / "k9.sqlite3"
        env = serve_env(port, f"sqlite://{db}", str(fake_server.make_url("/cgi-bin/")), MAOTIAO_INBOUND_RETRY_SECONDS="1")
        await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "maotiao", "org", "import", str(DEMO_ORG)],
                                env=env, cwd=tmp_path, check=True, capture_output=True, timeout=60)
        proc = _start(env, tmp_path)
        await _healthy(port)
        acked: set[int] = set()
        pending: list[tuple[int, str]] = []
        async with httpx.AsyncClient() as client:
            member = WeComMember(CORP, AGENT, TOKEN, AES_KEY, f"http://127.0.0.1:{port}/wecom/callback", client)
            for i in range(60):
                user = USERS[i % len(USERS)]
                xml = member.text_xml(user, f"第{i}户反映邻居院墙滴水引发纠纷", msg_id=900000 + i)
                if i == 25:
                    proc.send_signal(signal.SIGKILL)  # mid-burst, without warning
                    proc.wait(timeout=10)
                try:
                    params, body = member.encrypt(xml)
                    resp = await client.post(member.callback_url, params=params, content=body.encode(), timeout=5)
                    if resp.status_code == 200:
                        acked.add(900000 + i)
                        continue
                except httpx.HTTPError:
                    pass
                pending.append((900000 + i, xml))  # WeCom will retry these
            proc = _start(env, tmp_path)
            await _healthy(port)
            for msg_id, xml in pending:  # WeCom's retries, now answered
                resp = await member.post(xml)
                assert resp is not None and resp.status_code == 200
                acked.add(msg_id)
            await asyncio.sleep(4)  # the sweeper handles what was stored but cut off by the kill
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
    assert len(acked) == 60 and pending  # some really were cut off by the kill
    with sqlite3.connect(db) as conn:
        events = dict(conn.execute("SELECT event_id, status FROM inbound_event").fetchall())
        texts = [t for (row,) in conn.execute("SELECT texts FROM draft") for t in __import__("json").loads(row)]
    assert {f"msg:{m}" for m in acked} <= set(events)
    assert set(events.values()) == {"handled"}, {k: v for k, v in events.items() if v != "handled"}
    for i in range(60):  # every message in a draft exactly once
        assert texts.count(f"第{i}户反映邻居院墙滴水引发纠纷") == 1, i
