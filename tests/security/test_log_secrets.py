"""No secret reaches the log: `maotiao serve` at DEBUG, connected to a fake WeCom and a fake DingTalk,
plays a case from report to a 协议书 sent as a DingTalk file (the older API's gettoken?appsecret=…), and
its whole log is searched for every secret it was given and every token and ticket it was issued."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from aiohttp.test_utils import TestServer

from integrations.sandbox.dingtalk import FakeDingTalk, UserSim
from integrations.sandbox.wecom import FakeWeCom
from integrations.sandbox.wecom_member import WeComMember
from tests.conftest import DEMO_ORG
from tests.integrations.wecom_rig import AES_KEY, AGENT, CORP, SECRET, TOKEN
from tests.reliability.serve_proc import serve_env
from tests.test_cli import _free_port

DING_ID, DING_SECRET, ROBOT = "dinglogtest", "ding-app-secret-0123456789", "robotlog"
API_SECRET = "api-key-secret-for-the-log-test"


class Issued(set[str]):
    """The fake forgets a Stream ticket once it is used; the test remembers every one it issued."""

    seen: set[str]

    def add(self, value: str) -> None:
        self.seen.add(value)
        super().add(value)


async def _until(what: Callable[[], object], why: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not what():
        assert time.monotonic() < deadline, why
        await asyncio.sleep(0.1)


def _serve(env: dict[str, str], cwd: Path, log_path: Path) -> subprocess.Popen[bytes]:
    with open(log_path, "w") as log:
        return subprocess.Popen([sys.executable, "-m", "maotiao", "serve"], env=env, cwd=cwd, stdout=log,
                                stderr=subprocess.STDOUT)


async def test_a_whole_flow_at_debug_logs_no_secret(tmp_path: Path) -> None:
    wecom, ding = FakeWeCom(CORP, SECRET, AGENT), FakeDingTalk(DING_ID, DING_SECRET, ROBOT)
    async with TestServer(wecom.app(), host="127.0.0.1") as wecom_server, \
            TestServer(ding.app(), host="127.0.0.1") as ding_server:
        ding.base_url = str(ding_server.make_url("")).rstrip("/")
        ding.tickets = issued = Issued()
        issued.seen = set()
        port = _free_port()
        env = serve_env(port, f"sqlite://{tmp_path / 'log.sqlite3'}", str(wecom_server.make_url("/cgi-bin/")),
                        MAOTIAO_LOG_LEVEL="DEBUG", MAOTIAO_API_KEYS=f"hotline:{API_SECRET}",
                        DINGTALK_CLIENT_ID=DING_ID, DINGTALK_CLIENT_SECRET=DING_SECRET, DINGTALK_ROBOT_CODE=ROBOT,
                        DINGTALK_CARD_TEMPLATE_ID="tpl.log", DINGTALK_API_BASE=ding.base_url,
                        DINGTALK_OAPI_BASE=ding.base_url)
        await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "maotiao", "org", "import", str(DEMO_ORG)],
                                env=env, cwd=tmp_path, check=True, capture_output=True, timeout=60)
        log_path = tmp_path / "serve.log"
        proc = _serve(env, tmp_path, log_path)
        try:
            async with httpx.AsyncClient() as client:
                await _until(lambda: ding.connections > 0, "serve never connected to the DingTalk Stream gateway")
                member = WeComMember(CORP, AGENT, TOKEN, AES_KEY, f"http://127.0.0.1:{port}/wecom/callback", client)

                async def click(user: str, label: str) -> None:
                    await _until(lambda: any(b["text"] == label for m in wecom.card_messages(user)
                                             for b in m.body.get("button_list", [])), f"{user}: no {label}")
                    card = next(m for m in reversed(wecom.card_messages(user))
                                if any(b["text"] == label for b in m.body["button_list"]))
                    key = next(b["key"] for b in card.body["button_list"] if b["text"] == label)
                    task_id = card.body["task_id"]
                    await member.click(user, task_id, key, wecom.new_code(task_id))

                await member.text("zhouxm", "荷花村两户人家因为院墙滴水吵了好几天")
                await click("zhouxm", "确认上报")
                await click("linx", "受理并交办")
                await _until(lambda: any("0001" in t for t in wecom.texts("zhouxm")), "no case number")
                await UserSim(ding).text("dt2101", "协议 0001 李四家加装接水槽")
                await _until(lambda: ding.media, "the agreement never went out as a DingTalk file")
                resp = await client.get(f"http://127.0.0.1:{port}/api/v1/cases/2026-0001",
                                        headers={"Authorization": f"Bearer {API_SECRET}"})
                assert resp.status_code in (200, 404)
        finally:
            proc.send_signal(signal.SIGINT)
            await asyncio.to_thread(proc.wait, 30)
    text = log_path.read_text(encoding="utf-8")
    assert "corpsecret=***" in text and "appsecret=***" in text, "the requests that carry secrets were not logged"
    secrets = {"WECOM_SECRET": SECRET, "WECOM_TOKEN": TOKEN, "WECOM_AES_KEY": AES_KEY,
               "DINGTALK_CLIENT_SECRET": DING_SECRET, "API key": API_SECRET}
    secrets |= {f"WeCom access_token {t[:4]}…": t for t in wecom.tokens}
    secrets |= {f"DingTalk token {t[:4]}…": t for t in ding.tokens}
    secrets |= {f"Stream ticket {t[:4]}…": t for t in issued.seen}
    assert wecom.tokens and ding.tokens and issued.seen
    leaked = [name for name, value in secrets.items() if value in text]
    assert leaked == [], f"in the log: {leaked}"


def _python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    import os

    base = {k: v for k, v in os.environ.items() if not k.startswith(("MAOTIAO_", "WECOM_", "DINGTALK_"))}
    return subprocess.run([sys.executable, "-c", code], env={**base, **env}, capture_output=True, text=True,
                          timeout=60)


def test_worker_and_cli_commands_redact_too(tmp_path: Path) -> None:
    """`maotiao worker` and every other command start with the same redaction, on every handler: one added
    later, one on a logger that does not propagate, and a traceback."""
    code = (
        "import logging, sys\n"
        "from maotiao import cli\n"
        "def fake_worker(settings):\n"
        "    late = logging.StreamHandler(sys.stdout)\n"
        "    own = logging.getLogger('own'); own.propagate = False; own.addHandler(late)\n"
        "    logging.getLogger('httpx').info('GET https://qyapi/cgi-bin/gettoken?corpid=c&corpsecret=%s', 'LEAK1')\n"
        "    own.warning('body %s', {'appSecret': 'LEAK2', 'x-acs-dingtalk-access-token': 'LEAK3'})\n"
        "    try:\n"
        "        raise RuntimeError('https://oapi/gettoken?appkey=k&appsecret=LEAK4')\n"
        "    except RuntimeError:\n"
        "        logging.getLogger('x').exception('failed with the configured %s', 'wecom-secret-LEAK5')\n"
        "    return 0\n"
        "cli.run_worker = fake_worker\n"
        "cli.main(['worker'])\n"
    )
    result = _python(code, HOME=str(tmp_path), MAOTIAO_REDIS_URL="redis://127.0.0.1:1/0",
                     WECOM_CORP_ID="ww1", WECOM_AGENT_ID="1", WECOM_SECRET="wecom-secret-LEAK5",
                     WECOM_TOKEN="tok", WECOM_AES_KEY=AES_KEY)
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert "corpsecret=***" in out and "RuntimeError" in out
    assert "LEAK" not in out, out
