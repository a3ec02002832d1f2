"""Configuration errors name the variable; each package imports only what its layer may; only the settings
objects read the environment."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from core.config import ConfigError, load_early_settings, load_settings

ROOT = Path(__file__).resolve().parent.parent


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


SDKS = {"aiohttp", "httpx", "wechatpy", "dingtalk_stream", "arq", "redis", "requests", "websockets"}
APP = {"core", "bot", "integrations", "scheduler", "maotiao"}
PLATFORMS = {"wecom", "dingtalk", "zwdd"}  # integrations/<platform>/: each knows only its own platform


def _imports(path: Path) -> set[str]:
    """Every module a file imports, dotted in full and with each imported name (`from a.b import c` gives
    a.b and a.b.c), lazy imports inside functions included."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level:
            raise AssertionError(f"{path}: relative import (the layering check reads absolute ones only)")
    return names


def _forbidden(rel: str, module: str) -> bool:
    """Whether the file at `rel` (e.g. bot/router.py) may not import `module` (e.g. integrations.wecom.api)."""
    parts = module.split(".")
    layer = rel.split("/")[0]
    if layer == "core":  # the domain: no other package, no SDK
        return parts[0] in (APP - {"core"}) | SDKS
    if layer == "bot":  # platform-neutral: no platform, scheduler, entry point or SDK
        return parts[0] in {"integrations", "scheduler", "maotiao"} | SDKS
    if layer == "scheduler":  # platforms only through integrations/registry
        return parts[0] == "maotiao" or (parts[0] == "integrations" and parts[1:2] != ["registry"])
    if layer == "integrations":
        own = rel.split("/")[1]
        if parts[0] in ("scheduler", "maotiao"):
            return True
        if own in PLATFORMS and parts[0] == "integrations" and len(parts) > 1:
            if rel.endswith("/sandbox.py") and parts[1] == "sandbox":
                return False  # the plug-in's sandbox hook starts the platform's fake (called lazily, sandbox only)
            return parts[1] != own and parts[1] in PLATFORMS | {"sandbox", "registry"}
    return False


def _violations(root: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for layer in ("core", "bot", "scheduler", "integrations"):
        for p in sorted((root / layer).rglob("*.py")):
            rel = p.relative_to(root).as_posix()
            bad = sorted(m for m in _imports(p) if _forbidden(rel, m))
            if bad:
                found[rel] = bad
    return found


def test_every_package_imports_only_what_its_layer_may() -> None:
    """core: nothing but itself; bot: core; scheduler: bot, core and integrations/registry; a platform
    package: its own platform and the shared integrations modules (sandbox and registry may import all)."""
    assert _violations(ROOT) == {}


@pytest.mark.parametrize(("rel", "module"), [
    ("core/x.py", "httpx"), ("core/x.py", "redis.asyncio"), ("core/x.py", "bot.types"),
    ("core/x.py", "integrations.wecom.api"), ("core/x.py", "scheduler.jobs"), ("core/x.py", "maotiao.cli"),
    ("bot/x.py", "integrations.registry"), ("bot/x.py", "scheduler.delivery"), ("bot/x.py", "maotiao.mode"),
    ("bot/x.py", "aiohttp.web"), ("bot/x.py", "arq"),
    ("scheduler/x.py", "integrations.wecom.channel"), ("scheduler/x.py", "integrations.dingtalk"),
    ("scheduler/x.py", "maotiao.runtime"),
    ("integrations/wecom/x.py", "integrations.dingtalk.cards"), ("integrations/dingtalk/x.py", "integrations.zwdd"),
    ("integrations/zwdd/x.py", "integrations.wecom.api"), ("integrations/wecom/x.py", "integrations.sandbox.wecom"),
    ("integrations/wecom/x.py", "integrations.registry"), ("integrations/wecom/x.py", "scheduler.delivery"),
])
def test_the_layering_check_sees_each_forbidden_arrow(rel: str, module: str) -> None:
    assert _forbidden(rel, module)


@pytest.mark.parametrize(("rel", "module"), [
    ("core/x.py", "core.models"), ("core/x.py", "tortoise"), ("bot/x.py", "core.services"),
    ("scheduler/x.py", "integrations.registry"), ("scheduler/x.py", "bot.outbox"), ("scheduler/x.py", "arq"),
    ("integrations/wecom/x.py", "integrations.wecom.api"), ("integrations/wecom/x.py", "integrations.text"),
    ("integrations/wecom/x.py", "bot.types"), ("integrations/sandbox/x.py", "integrations.wecom.api"),
    ("integrations/registry.py", "integrations.dingtalk.channel"),
    ("integrations/wecom/sandbox.py", "integrations.sandbox.wecom"),
])
def test_the_layering_check_lets_allowed_arrows_through(rel: str, module: str) -> None:
    assert not _forbidden(rel, module)


def test_the_layering_check_reads_files(tmp_path) -> None:
    (tmp_path / "core").mkdir()
    (tmp_path / "core" / "x.py").write_text("import httpx\ndef f():\n    from integrations.wecom import api\n",
                                            encoding="utf-8")
    assert _violations(tmp_path) == {"core/x.py": ["httpx", "integrations.wecom", "integrations.wecom.api"]}


ENV_READERS_ALLOWED = {  # everything else takes its configuration from the settings objects
    "bot/documents/pdf.py",  # passes PATH on to the LibreOffice child process: not configuration
    "maotiao/runtime.py",  # passes its environment on to the `db upgrade` child, naming this serve's database
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
