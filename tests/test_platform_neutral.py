"""Platforms are plug-ins: core/, bot/, scheduler/ and maotiao/ name none, every chat platform has a registration,
and a plug-in registered is served, redacted and faked without any other change."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.channel import Delivery, SendResult
from core.clock import OffsetClock
from core.config import load_settings
from core.enums import Platform, chat_platforms
from core.org_validate import parse_org
from core.services.base import Domain
from integrations import registry
from integrations.checklist import Check, Status
from integrations.plugin import DoctorContext, FakePlatform, PlatformPlugin, Runner, Serve, Wiring
from integrations.registry import PLUGINS, REGISTERED, missing_plugins
from integrations.sandbox.runtime import start_sandbox
from maotiao import logredact, sandbox_api
from maotiao.cli import configured_secrets
from maotiao.runtime import build_runtime

ROOT = Path(__file__).resolve().parent.parent
NEUTRAL = ("core", "bot", "scheduler")
# No exception: each platform's value is declared by its own package (a migration may still move data stored
# under a platform's name).
NAMES = re.compile(r"wecom|dingtalk|企业微信|钉钉|chatid|openConversation", re.IGNORECASE)
DEMO_ORG = ROOT / "core" / "data" / "demo-org.yaml"


def _mentions(path: Path, root: Path = ROOT) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [f"{path.relative_to(root)}:{n}: {line.strip()}" for n, line in enumerate(lines, 1) if NAMES.search(line)]


def test_core_bot_and_scheduler_name_no_platform() -> None:
    files = [p for d in NEUTRAL for p in sorted((ROOT / d).rglob("*.py"))
             if "migrations" not in p.relative_to(ROOT).parts]
    assert files and [m for p in files for m in _mentions(p)] == []


def test_the_neutrality_check_sees_a_platform_named(tmp_path) -> None:
    bad = tmp_path / "x.py"
    bad.write_text("ref = group.WeCom_chatid\n# 发到钉钉\nok = 1\n", encoding="utf-8")
    assert [m.split(":")[1] for m in _mentions(bad, tmp_path)] == ["1", "2"]


def test_every_chat_platform_is_a_registered_plugin() -> None:
    assert missing_plugins() == []
    assert [p.platform for p in PLUGINS] == list(chat_platforms())
    assert all(p.label for p in PLUGINS) and Platform.API not in chat_platforms()


def test_the_org_file_keys_each_plugin_declares_are_the_ones_read() -> None:
    people = "\n".join(f"  - {{name: 人{i}, roles: [officer], region: 区, {p.org_staff_key}: u{i}}}"
                       for i, p in enumerate(PLUGINS))
    groups = "".join(f", {p.org_group_key}: g{i}" for i, p in enumerate(PLUGINS))
    org, _ = parse_org(f"center: {{name: 中心}}\nregions:\n  - {{name: 区, level: district}}\nstaff:\n{people}\n"
                       f"groups:\n  - {{name: 群{groups}}}\n")
    assert [s.ids() for s in org.staff] == [{p.platform: f"u{i}"} for i, p in enumerate(PLUGINS)]
    assert org.groups[0].refs() == {p.platform: f"g{i}" for i, p in enumerate(PLUGINS)}


def test_the_demo_org_file_reads_as_before() -> None:
    org, warnings = parse_org(DEMO_ORG.read_text(encoding="utf-8"))
    first = org.staff[0]
    assert warnings == [] and (first.name, first.ids()) == ("周小梅", {Platform.WECOM: "zhouxm",
                                                                   Platform.DINGTALK: "dt1001"})
    assert org.groups[0].refs() == {Platform.WECOM: "chayuan01", Platform.DINGTALK: "cidCHAYUAN01"}


# The registry is the only list: outside the platforms' own packages, the code that serves, configures and
# fakes them iterates PLUGINS. logredact.py is the exception: its patterns describe where platforms put
# secrets on the wire (query names, a header), not which platforms there are.
ITERATES = [*sorted((ROOT / "maotiao").glob("*.py")), ROOT / "integrations" / "plugin.py",
            ROOT / "integrations" / "sandbox" / "runtime.py", ROOT / "integrations" / "groups.py"]
WIRE_FORMATS = {ROOT / "maotiao" / "logredact.py"}


def test_serve_the_cli_and_the_sandbox_name_no_platform() -> None:
    files = [p for p in ITERATES if p not in WIRE_FORMATS]
    assert len(files) > 10 and [m for p in files for m in _mentions(p)] == []


def test_the_registry_names_the_platforms_on_one_line() -> None:
    [line] = _mentions(ROOT / "integrations" / "registry.py")
    assert "REGISTERED = (" in line
    assert all((ROOT / "integrations" / name / "plugin.py").exists() for name in REGISTERED)


class _Settings:
    enabled = True
    secret = "dummy-platform-secret-4242"
    api_base = "http://127.0.0.1:9"


class _Channel:
    platform = Platform.API  # a Platform value no registered plug-in uses

    async def send(self, delivery: Delivery) -> SendResult:
        return SendResult(ok=True)


class _API:
    async def aclose(self) -> None:
        pass


class _Runner:
    def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass


@dataclass
class _Fake:
    settings: _Settings = field(default_factory=_Settings)
    server: str = ""

    def connect(self, server: str, client: httpx.AsyncClient) -> None:
        self.server = server

    def messages(self, user: str) -> list[dict[str, Any]]:
        return []

    def group_messages(self, ref: str) -> list[dict[str, Any]]:
        return []

    def media(self, media_id: str) -> bytes | None:
        return b"\x89PNG dummy" if media_id == "m1" else None

    async def say(self, user: str, text: str) -> None:
        pass

    async def photo(self, user: str, data: bytes, name: str) -> None:
        pass

    async def click(self, user: str, card: str, key: str, selected: dict[str, str] | None = None) -> bool:
        return False


async def _callback(_: web.Request) -> web.Response:
    return web.Response(text="")


def _attach(settings: _Settings, wiring: Wiring) -> Runner | None:
    wiring.app.router.add_post("/dummy/callback", _callback)
    return _Runner()


async def _sandbox(serve: Serve) -> FakePlatform:
    return _Fake()


async def _doctor(settings: _Settings, ctx: DoctorContext) -> list[Check]:
    return [Check("演示平台", "连接", Status.OK, f"{len(ctx.groups)} 个群")]


DUMMY = PlatformPlugin(platform=Platform.API, label="演示平台", name="Dummy", env_prefix="DUMMY_",
                       org_staff_key="dummy", org_group_key="dummy_chat", load=_Settings,
                       connect=lambda settings, rates: (_Channel(), _API()), secrets=lambda s: [s.secret],
                       attach=_attach, sandbox=_sandbox, doctor=_doctor)


def test_a_registered_plugin_has_its_secrets_redacted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "PLUGINS", (*PLUGINS, DUMMY))
    found = configured_secrets(load_settings())
    assert _Settings.secret in found
    logredact.register(*found)
    assert _Settings.secret not in logredact.redact(f"GET /token?x={_Settings.secret} 200")
    assert registry.credentials().endswith("/DUMMY_*") and registry.names().endswith(" and Dummy")


async def test_a_registered_plugin_is_connected_and_its_inbound_attached(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "PLUGINS", (DUMMY,))
    platforms = registry.build_platforms()
    assert platforms.connected and platforms.registry.label(Platform.API) == "演示平台"
    rt = build_runtime(load_settings(), Domain(), platforms)
    assert [type(r) for r in rt.streams] == [_Runner]
    assert "/dummy/callback" in {r.resource.canonical for r in rt.app.router.routes() if r.resource}
    await platforms.aclose()


async def test_a_registered_plugin_runs_its_fake_in_the_sandbox(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "PLUGINS", (DUMMY,))
    sandbox = await start_sandbox()
    sandbox.connect("http://127.0.0.1:9")
    fake = sandbox.fakes[Platform.API]
    assert isinstance(fake, _Fake) and fake.server == "http://127.0.0.1:9"
    assert sandbox.sms is not None  # the SMS provider's fake runs beside the platforms' (its secret redacted too)
    assert sandbox.secrets() == [_Settings.secret, sandbox.sms.access_key_secret]
    assert sandbox.settings == {Platform.API: fake.settings}
    app = web.Application()
    sandbox_api.setup(app, sandbox, OffsetClock(), lambda: None, load_settings())
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        assert await (await client.get("/sandbox/api/platforms")).json() == {"api": "演示平台"}
        assert await (await client.get("/sandbox/media/api/m1")).read() == b"\x89PNG dummy"
        assert (await client.get("/sandbox/media/other/m1")).status == 404
    await sandbox.aclose()


async def test_a_registered_plugin_is_checked_by_doctor(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    from maotiao import doctor

    monkeypatch.setattr(registry, "PLUGINS", (DUMMY,))
    settings = load_settings().model_copy(update={"db_url": f"sqlite://{tmp_path / 'd.sqlite3'}"})
    checks = await doctor.check_platforms(settings, doctor.load_platforms([]), False, [], OffsetClock())
    assert [(c.section, c.name, c.detail) for c in checks if c.section == "演示平台"] == [("演示平台", "连接", "0 个群")]
