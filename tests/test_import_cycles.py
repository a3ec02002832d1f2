"""Every module imports on its own, first thing in a fresh interpreter — as a CLI command imports its module.
An import cycle hides when the whole suite has already imported one side of it (a `maotiao report` once died
on referrals → intake → emergencies → triage → referrals while every in-process test passed)."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("core", "bot", "scheduler", "maotiao", "integrations")


def _modules() -> list[str]:
    out = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "migrations" in parts or "sandbox" in parts or parts[-1] == "__main__":
                continue
            out.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return out


def _imports_alone(module: str) -> str:
    done = subprocess.run([sys.executable, "-c", f"import {module}"], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    return "" if done.returncode == 0 else f"{module}: {done.stderr.strip().splitlines()[-1]}"


def test_every_module_imports_first_in_a_fresh_interpreter() -> None:
    """One interpreter per module: an earlier import in the same process would mask the cycle."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        failures = [f for f in pool.map(_imports_alone, _modules()) if f]
    assert failures == []
