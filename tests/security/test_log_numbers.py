"""No personal number reaches a log line: phone, ID and card numbers in every format core.masking knows are
masked in the message, the traceback and the stack of every record — also when a library logs them as
escapes (tortoise's SQL values, JSON ensure_ascii) — and a log line holding none is left as it was."""

from __future__ import annotations

import io
import json
import logging
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.masking import DIGIT_CHARS, NUMBER_CHARS, digits_of, has_personal_numbers
from core.number_samples import sample_numbers
from maotiao import logredact

MOBILE, LANDLINE, ID18, ID15 = "13812345678", "057186012345", "33010219800101123X", "330502900101123"
WRITTEN = {  # the report of the flow test too: one person's numbers as people type and dictate them
    "+86 138 1234 5678": MOBILE, "8613812345678": MOBILE, "１３８１２３４５６７８": MOBILE,
    "一三八一二三四五六七八": MOBILE, "幺三八.幺二三四.五六七八": MOBILE, "(0571)86012345": LANDLINE,
    "0571 86012345": LANDLINE, "330102 19800101 123X": ID18, "330102198001011２3x": ID18, ID15: ID15,
}
_SEPARATORS = "".join(sorted(NUMBER_CHARS - DIGIT_CHARS - set("XxＸｘ×")))
_ANY_ESCAPE = re.compile(r"\\+u([0-9a-fA-F]{4})")


def readable_numbers(log: str, numbers: set[str]) -> list[str]:
    """The numbers still readable in the log, judged without the masker: every escape decoded, every digit
    made ASCII, every separator dropped — then a plain substring search, line by line."""
    found = set()
    for line in log.splitlines():
        plain = _ANY_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), line)
        squeezed = "".join(digits_of(c) or (c.upper() if c in "xXｘＸ" else c) for c in plain
                           if c not in _SEPARATORS)
        found |= {n for n in numbers if n in squeezed}
    return sorted(found)


@pytest.fixture
def logged() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A logger whose one handler carries the redacting filter (the process-wide factory is not touched)."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(logredact.RedactingFilter())
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger = logging.getLogger(f"test_log_numbers.{id(out)}")
    logger.propagate, logger.level = False, logging.DEBUG
    logger.addHandler(handler)
    yield logger, out
    logger.removeHandler(handler)


def test_every_written_form_is_masked_in_message_args_and_traceback(logged: tuple[logging.Logger, io.StringIO]) -> None:
    logger, out = logged
    for written in WRITTEN:
        logger.debug("report %s from %r", f"联系{written}反映", {"content": written})
        logger.info(f"party said {written}")  # noqa: G004 - a message built before logging
    try:
        raise ValueError(f"bad row: {' / '.join(WRITTEN)}")
    except ValueError:
        logger.exception("import failed")
    text = out.getvalue()
    assert readable_numbers(text, set(WRITTEN.values())) == []
    assert "138****5678" in text and "330102********123X" in text and "ValueError" in text


def test_numbers_logged_as_escapes_are_masked(logged: tuple[logging.Logger, io.StringIO]) -> None:
    """tortoise logs `query: [values]` (a list's repr) and JSON fields dumped ensure_ascii."""
    logger, out = logged
    for written in WRITTEN:
        payload = json.dumps({"text": f"电话{written}"})
        logger.debug("%s: %s", "INSERT INTO outbox VALUES (?,?)", [f"电话{written}\u3000", payload])
        logger.debug("%s: %s", "INSERT", [payload])  # a JSON string inside a repr: \\uXXXX
    text = out.getvalue()
    assert "\\u" in text, "the escapes were not logged as escapes"
    assert readable_numbers(text, set(WRITTEN.values())) == []


def test_a_thousand_generated_formats_never_reach_the_log(logged: tuple[logging.Logger, io.StringIO]) -> None:
    logger, out = logged
    samples = sample_numbers(1000, seed=16)
    for sample in samples:
        logger.warning("当事人电话 %s,请回电", sample.text)
    lines = out.getvalue().splitlines()
    assert len(lines) == len(samples)
    for sample, line in zip(samples, lines, strict=True):
        assert not has_personal_numbers(line), (sample.text, line)
        assert sample.digits.rstrip("X") not in digits_of(line), (sample.text, line)


@pytest.mark.parametrize(
    "line",
    ["outbox 42 undeliverable: errcode 81013", "took 1.25 s",
     '127.0.0.1 [05/Mar/2026:12:00:01 +0800] "GET /api/v1/cases/2026-0001 HTTP/1.1" 200 15320 "-" "httpx/0.27"',
     "scheduler waiting for the database", "audit chain 3: head row at #1200 but the chain goes to #1203",
     "2026-03-05 12:00:01 roster sent", "INSERT: ['\\u8377\\u82b1\\u6751', 12]", "sandbox clock 2026-05-01", "client 192.168.100.200:8080 at 10.0.0.1",
     "POST /wecom/callback?msg_signature=188a2416309abca7025eb1c13812345671518ec05ab&nonce=89de67e2",
     "audit #12 hash 4eb68ecb9485cd05742208a8c12345678070b1fdd71dd7632a16aa00bb11cc22dd"],
)
def test_a_line_without_personal_numbers_is_left_as_it_was(line: str) -> None:
    assert logredact.redact(line) == line


def test_a_number_beside_an_access_log_status_or_case_path_is_still_masked() -> None:
    line = logredact.redact('192.168.100.200 "GET /api/v1/cases/2026-0001?phone=13812345678 HTTP/1.1" 200 '
                            "13912345678 微信abc13512345678def")
    assert line.startswith('192.168.100.200 "GET /api/v1/cases/2026-0001?') and '" 200 ' in line
    assert readable_numbers(line, {MOBILE, "13912345678", "13512345678"}) == [], line


def test_a_failing_masker_blanks_every_digit_and_never_breaks_the_log_call(
        logged: tuple[logging.Logger, io.StringIO], monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(text: str) -> str:
        raise IndexError("masker bug")

    monkeypatch.setattr(logredact, "mask_numbers", broken)
    logger, out = logged
    logger.error("call %s or %s", "13812345678", "一三八一二三四五六七八")
    assert out.getvalue() == "ERROR call *********** or ***********\n"


def test_every_command_masks_numbers_through_the_record_factory(tmp_path: Path) -> None:
    """The factory masks every record of the process: a late handler, a logger that does not propagate, a
    traceback, a library's DEBUG line."""
    code = (
        "import logging, sys\n"
        "from maotiao import cli\n"
        "def fake_worker(settings):\n"
        "    own = logging.getLogger('own'); own.propagate = False\n"
        "    own.addHandler(logging.StreamHandler(sys.stdout))\n"
        "    logging.getLogger('tortoise.db_client').debug('%s: %s', 'INSERT', ['电话+86 138 1234 5678', 7])\n"
        "    own.warning('report: %s', {'content': '身份证330102 19800101 123X'})\n"
        "    try:\n"
        "        raise RuntimeError('座机(0571)86012345 老身份证330502900101123')\n"
        "    except RuntimeError:\n"
        "        logging.getLogger('x').exception('failed on 一三八一二三四五六七八')\n"
        "    return 0\n"
        "cli.run_worker = fake_worker\n"
        "cli.main(['worker'])\n"
    )
    from tests.security.test_log_secrets import _python

    result = _python(code, HOME=str(tmp_path), MAOTIAO_REDIS_URL="redis://127.0.0.1:1/0",
                     MAOTIAO_LOG_LEVEL="DEBUG")
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert "RuntimeError" in out and "138****5678" in out and "330102********123X" in out
    assert readable_numbers(out, {MOBILE, LANDLINE, ID18, ID15}) == [], out


async def test_a_whole_flow_at_debug_logs_no_personal_number(tmp_path: Path) -> None:
    """`maotiao serve` at DEBUG (tortoise logs every SQL statement with its values): a report naming one
    person's phone and ID numbers in ten formats arrives in WeCom chat and through the intake API, is
    confirmed and dispatched, and is read back; no number is readable anywhere in the log."""
    import asyncio
    import signal

    import httpx
    from aiohttp.test_utils import TestServer

    from integrations.sandbox.wecom import FakeWeCom
    from integrations.sandbox.wecom_member import WeComMember
    from tests.conftest import DEMO_ORG
    from tests.integrations.wecom_rig import AES_KEY, AGENT, CORP, SECRET, TOKEN
    from tests.reliability.serve_proc import serve_env
    from tests.security.test_log_secrets import API_SECRET, _serve, _until
    from tests.test_cli import _free_port

    report = "荷花村两户人家因为院墙滴水吵了好几天,当事人张三联系方式:" + ",".join(WRITTEN)
    wecom = FakeWeCom(CORP, SECRET, AGENT)
    async with TestServer(wecom.app(), host="127.0.0.1") as wecom_server:
        port = _free_port()
        env = serve_env(port, f"sqlite://{tmp_path / 'log.sqlite3'}", str(wecom_server.make_url("/cgi-bin/")),
                        MAOTIAO_LOG_LEVEL="DEBUG", MAOTIAO_API_KEYS=f"hotline:{API_SECRET}")
        await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "maotiao", "org", "import", str(DEMO_ORG)],
                                env=env, cwd=tmp_path, check=True, capture_output=True, timeout=60)
        log_path = tmp_path / "serve.log"
        proc = _serve(env, tmp_path, log_path)
        try:
            async with httpx.AsyncClient() as client:
                member = WeComMember(CORP, AGENT, TOKEN, AES_KEY, f"http://127.0.0.1:{port}/wecom/callback", client)

                async def up() -> bool:
                    try:
                        return (await client.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200
                    except httpx.HTTPError:
                        return False

                deadline = asyncio.get_running_loop().time() + 90
                while not await up():
                    assert asyncio.get_running_loop().time() < deadline, "serve never came up"
                    await asyncio.sleep(0.2)

                async def click(user: str, label: str) -> None:
                    await _until(lambda: any(b["text"] == label for m in wecom.card_messages(user)
                                             for b in m.body.get("button_list", [])), f"{user}: no {label}")
                    card = next(m for m in reversed(wecom.card_messages(user))
                                if any(b["text"] == label for b in m.body["button_list"]))
                    key = next(b["key"] for b in card.body["button_list"] if b["text"] == label)
                    await member.click(user, card.body["task_id"], key, wecom.new_code(card.body["task_id"]))

                await member.text("zhouxm", report)
                await click("zhouxm", "确认上报")
                await click("linx", "受理并交办")
                await _until(lambda: any("0001" in t for t in wecom.texts("zhouxm")), "no case number")
                auth = {"Authorization": f"Bearer {API_SECRET}"}
                posted = await client.post(f"http://127.0.0.1:{port}/api/v1/cases", headers=auth, json={
                    "content": report, "location": "荷花村", "external_id": "log-1",
                    "reporter": {"name": "张三", "phone": "+86 138 1234 5678"}})
                assert posted.status_code in (200, 201), posted.text
                number = posted.json()["number"]
                read = await client.get(f"http://127.0.0.1:{port}/api/v1/cases/{number}", headers=auth)
                assert read.status_code == 200
        finally:
            proc.send_signal(signal.SIGINT)
            await asyncio.to_thread(proc.wait, 30)
    text = log_path.read_text(encoding="utf-8")
    assert "DEBUG tortoise" in text and "荷花村两户人家" in text, "the report itself was never logged"
    assert "138****5678" in text and "330102********123X" in text, "the numbers were not logged masked"
    assert readable_numbers(text, set(WRITTEN.values())) == []
