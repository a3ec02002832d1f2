"""Configuration errors name the variable; core/ imports no platform, bot, scheduler or HTTP code."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from core.config import ConfigError, load_early_settings, load_settings

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {"bot", "integrations", "scheduler", "maotiao", "dingtalk_stream", "wechatpy", "httpx", "aiohttp",
             "arq", "requests", "websockets"}


def test_defaults(monkeypatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)
    for var in ("MAOTIAO_DB_URL", "MAOTIAO_REDIS_URL", "MAOTIAO_HTTP_PORT", "MAOTIAO_HTTP_HOST", "MAOTIAO_API_KEYS"):
        monkeypatch.delenv(var, raising=False)
    settings = load_settings()
    assert settings.db_url == "sqlite://maotiao.sqlite3" and settings.redis_url is None
    assert (settings.http_host, settings.http_port) == ("127.0.0.1", 8080)


@pytest.mark.parametrize(
    ("var", "value"),
    [("MAOTIAO_HTTP_PORT", "eighty"), ("MAOTIAO_HTTP_PORT", "70000"), ("MAOTIAO_DB_URL", "mysql://x"),
     ("MAOTIAO_REDIS_URL", "http://redis")],
)
def test_wrong_value_names_the_variable(monkeypatch, tmp_path, var: str, value: str) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(var, value)
    with pytest.raises(ConfigError, match=var):
        load_settings()


def test_dotenv_is_read(monkeypatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MAOTIAO_API_KEYS", raising=False)
    (tmp_path / ".env").write_text("MAOTIAO_API_KEYS=hotline:abcdefghijklmnop1, other:abcdefghijklmnop2\n", encoding="utf-8")
    assert load_settings().api_key_map == {"abcdefghijklmnop1": "hotline", "abcdefghijklmnop2": "other"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_core_imports_no_platform_bot_scheduler_or_http_code() -> None:
    offenders = {
        str(p.relative_to(ROOT)): sorted(_imports(p) & FORBIDDEN) for p in (ROOT / "core").rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_layering_check_sees_a_forbidden_import(tmp_path) -> None:
    bad = tmp_path / "x.py"
    bad.write_text("import httpx\nfrom integrations.wecom import api\n", encoding="utf-8")
    assert _imports(bad) & FORBIDDEN == {"httpx", "integrations"}


ENV_READERS_ALLOWED = {  # everything else takes its configuration from the settings objects
    "bot/documents/pdf.py",  # passes PATH on to the LibreOffice child process: not configuration
}


def test_environment_is_read_only_by_the_settings_objects() -> None:
    readers = {
        str(p.relative_to(ROOT))
        for package in ("core", "bot", "integrations", "scheduler", "maotiao")
        for p in (ROOT / package).rglob("*.py")
        if any(word in p.read_text(encoding="utf-8") for word in ("os.environ", "getenv("))
    }
    assert readers == ENV_READERS_ALLOWED


def test_early_settings_come_from_the_environment(monkeypatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MAOTIAO_OUTBOX_STALE_SECONDS", "7.5")
    monkeypatch.setenv("MAOTIAO_DELIVERY_CONCURRENCY", "2")
    early = load_early_settings()
    assert (early.outbox_stale_seconds, early.delivery_concurrency, early.inbound_retry_seconds) == (7.5, 2, 30)
    monkeypatch.setenv("MAOTIAO_DELIVERY_CONCURRENCY", "0")
    with pytest.raises(ConfigError, match="MAOTIAO_DELIVERY_CONCURRENCY"):
        load_early_settings()
