"""Platforms are plug-ins: core/, bot/ and scheduler/ name none, and every chat platform has a registration."""

from __future__ import annotations

import re
from pathlib import Path

from core.enums import CHAT_PLATFORMS, Platform
from core.org_validate import parse_org
from integrations.registry import PLUGINS, missing_plugins

ROOT = Path(__file__).resolve().parent.parent
NEUTRAL = ("core", "bot", "scheduler")
# core/enums.py declares the values; a migration moves data stored under a platform's name.
DECLARED = {ROOT / "core" / "enums.py"}
NAMES = re.compile(r"wecom|dingtalk|企业微信|钉钉", re.IGNORECASE)
DEMO_ORG = ROOT / "core" / "data" / "demo-org.yaml"


def _mentions(path: Path, root: Path = ROOT) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [f"{path.relative_to(root)}:{n}: {line.strip()}" for n, line in enumerate(lines, 1) if NAMES.search(line)]


def test_core_bot_and_scheduler_name_no_platform() -> None:
    files = [p for d in NEUTRAL for p in sorted((ROOT / d).rglob("*.py"))
             if p not in DECLARED and "migrations" not in p.relative_to(ROOT).parts]
    assert files and [m for p in files for m in _mentions(p)] == []


def test_the_neutrality_check_sees_a_platform_named(tmp_path) -> None:
    bad = tmp_path / "x.py"
    bad.write_text("ref = group.WeCom_chatid\n# 发到钉钉\nok = 1\n", encoding="utf-8")
    assert [m.split(":")[1] for m in _mentions(bad, tmp_path)] == ["1", "2"]


def test_every_chat_platform_is_a_registered_plugin() -> None:
    assert missing_plugins() == []
    assert [p.platform for p in PLUGINS] == list(CHAT_PLATFORMS)
    assert all(p.label for p in PLUGINS) and Platform.API not in CHAT_PLATFORMS


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
