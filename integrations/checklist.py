"""One line of the `maotiao doctor` checklist: what was checked, how it went, and what to do when it did not.

Shared by the platform checks (integrations/<platform>/doctor.py) and the command (maotiao/doctor.py). The
texts are what an administrator reads, so they are Chinese; `advice` names the console page to open."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Status(Enum):
    OK = "✅"
    FAIL = "❌"  # the deployment will not work as configured: `maotiao doctor` exits non-zero
    WARN = "⚠️"  # works, but something needs attention soon (not a failure)
    OFF = "➖"  # not configured, or not checked because an earlier line failed


@dataclass(frozen=True)
class Check:
    section: str  # 企业微信, 钉钉, 数据库 …
    name: str  # what was checked
    status: Status
    detail: str = ""  # what was found
    advice: str = ""  # what to do about it (for ❌ and ⚠️)

    @property
    def failed(self) -> bool:
        return self.status is Status.FAIL


def skipped(section: str, names: list[str], because: str) -> list[Check]:
    return [Check(section, name, Status.OFF, f"未检查:{because}") for name in names]
