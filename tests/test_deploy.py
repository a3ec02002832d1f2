"""deploy/ is what a province copies: its compose file must describe two serves behind the proxy (checked on
/readyz), two workers, and URLs that match .env.example, whose every variable a setting reads. No docker engine
is needed: the files are parsed and compared."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from pydantic_settings import BaseSettings

from core.config import Settings
from integrations.aliyun_sms.config import AliyunSmsSettings
from integrations.dingtalk.config import DingTalkSettings
from integrations.wecom.config import WeComSettings
from integrations.zwdd.config import ZwddSettings
from maotiao.dashboard import DashboardSettings

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
README = DEPLOY.parent / "README.md"
_ASSIGNMENT = re.compile(r"^(?:#\s*)?([A-Z][A-Z0-9_]*)=(.*)$")


def _compose() -> dict[str, Any]:
    return dict(yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8")))


def _env_example() -> dict[str, str]:
    """Every variable the example assigns, including the commented-out optional ones."""
    found = {}
    for line in (DEPLOY / ".env.example").read_text(encoding="utf-8").splitlines():
        m = _ASSIGNMENT.match(line.strip())
        if m:
            found[m.group(1)] = m.group(2)
    return found


def _known_variables() -> set[str]:
    classes: list[type[BaseSettings]] = [Settings, DashboardSettings, WeComSettings, DingTalkSettings,
                                         ZwddSettings, AliyunSmsSettings]
    return {f"{cls.model_config.get('env_prefix', '')}{name}".upper() for cls in classes for name in cls.model_fields}


def _services(compose: dict[str, Any], command: str) -> dict[str, dict[str, Any]]:
    return {name: svc for name, svc in compose["services"].items() if svc.get("command") == [command]}


def test_compose_runs_two_serves_and_two_workers_from_one_image() -> None:
    compose = _compose()
    serves, workers = _services(compose, "serve"), _services(compose, "worker")
    assert len(serves) == 2 and len(workers) == 2
    for svc in [*serves.values(), *workers.values()]:
        assert svc["env_file"] == ".env" and svc["stop_signal"] == "SIGTERM"
        assert svc["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert compose["services"]["migrate"]["command"] == ["db", "upgrade"]


def test_both_serves_are_health_checked_on_readyz_and_behind_the_proxy() -> None:
    compose = _compose()
    serves = _services(compose, "serve")
    for svc in serves.values():
        assert any("/readyz" in part for part in svc["healthcheck"]["test"])
        assert "ports" not in svc  # reached through the proxy only
        port = svc["environment"]["MAOTIAO_HTTP_PORT"]
        grace = float(_env_example()["MAOTIAO_SHUTDOWN_GRACE_SECONDS"])
        drain = float(_env_example()["MAOTIAO_SHUTDOWN_DRAIN_SECONDS"])
        assert int(svc["stop_grace_period"].rstrip("s")) > grace + drain  # docker must not SIGKILL a drain
    proxy = compose["services"]["proxy"]
    assert set(proxy["depends_on"]) == set(serves)
    assert all(cond == {"condition": "service_healthy"} for cond in proxy["depends_on"].values())
    caddy = (DEPLOY / "Caddyfile").read_text(encoding="utf-8")
    upstreams = re.search(r"reverse_proxy ([^{]+)\{", caddy)
    assert upstreams and set(upstreams.group(1).split()) == {f"{name}:{port}" for name in serves}
    assert re.search(r"^\s*health_uri /readyz", caddy, re.MULTILINE)
    assert "{$MAOTIAO_PUBLIC_URL}" in caddy  # TLS for the 备案 domain the platforms call


def test_database_and_redis_urls_in_env_example_match_the_compose_services() -> None:
    compose, env = _compose(), _env_example()
    pg = compose["services"]["postgres"]["environment"]
    db = urlsplit(env["MAOTIAO_DB_URL"])
    assert db.scheme == "postgres" and db.hostname == "postgres" and db.port == 5432
    assert db.username == pg["POSTGRES_USER"] and db.path == "/" + pg["POSTGRES_DB"]
    redis = urlsplit(env["MAOTIAO_REDIS_URL"])
    assert redis.scheme == "redis" and redis.hostname == "redis" and "redis" in compose["services"]
    assert env["MAOTIAO_AUDIT_KEY_FILE"] == "/run/secrets/maotiao_audit_key"
    assert "maotiao_audit_key" in compose["secrets"]


def test_every_variable_in_env_example_is_read_by_a_setting() -> None:
    unknown = set(_env_example()) - _known_variables()
    assert not unknown, f"not read by any settings class: {sorted(unknown)}"


def test_env_example_lists_every_variable_of_the_readme_configuration_table() -> None:
    text = README.read_text(encoding="utf-8")
    table = text[text.index("## Configuration"):text.index("### WeCom (企业微信")]
    documented = set(re.findall(r"`((?:MAOTIAO|WECOM|DINGTALK)_[A-Z0-9_]+)`", table))
    assert documented and not documented - set(_env_example())
