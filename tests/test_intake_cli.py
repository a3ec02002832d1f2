"""`maotiao intake` as a center runs it: measure the model, retrain it with the center's corrections, pick
the new file, roll back."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from tests.test_cli import run

CORRECTED = ["晚上广场舞的音响开得太大声，住在旁边的老人睡不着",
             "广场上跳舞的人太多了，音响吵得附近居民没法休息",
             "每天晚上广场舞放到十点多，周边住户有意见"]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    from tests.test_cli import ROOT

    e = {k: v for k, v in os.environ.items() if not k.startswith("MAOTIAO_")}
    e.update(HOME=str(tmp_path), MAOTIAO_DB_URL=f"sqlite://{tmp_path / 'cli.sqlite3'}", PYTHONPATH=str(ROOT))
    return e


def _parse(env: dict[str, str], texts: list[str]) -> list[dict[str, object]]:
    path = Path(env["HOME"]) / "in.jsonl"
    path.write_text("".join(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in texts), encoding="utf-8")
    out = run(["parse", "--jsonl", str(path)], env)
    assert out.returncode == 0, out.stderr
    return [json.loads(line) for line in out.stdout.splitlines()]


def test_evaluate_prints_each_field_and_a_confusion_table(env) -> None:
    out = run(["intake", "evaluate"], env)
    assert out.returncode == 0, out.stderr
    assert "heldback corpus" in out.stdout and "confusion" in out.stdout
    lines = {line.split()[0]: line.split()[-1] for line in out.stdout.splitlines()[2:5]}
    assert float(lines["category"]) >= 0.92 and float(lines["severity"]) >= 0.88


def test_retraining_learns_the_centers_corrections_and_rolls_back(env, tmp_path) -> None:
    before = _parse(env, CORRECTED)
    assert run(["db", "upgrade"], env).returncode == 0
    db = sqlite3.connect(env["MAOTIAO_DB_URL"].removeprefix("sqlite://"))
    db.executemany(
        "INSERT INTO intake_correction (text, predicted_category, predicted_severity, predicted_flags, category, "
        "severity, model_version, by_name, source, at) VALUES (?, ?, 'general', '[]', 'other', 'general', '', "
        "'林晓', 'wecom', '2026-11-30T02:00:00+00:00')",
        [(t, str(p["category"])) for t, p in zip(CORRECTED, before, strict=True)])
    db.commit()
    db.close()
    assert any(p["category"] != "other" for p in before)
    out = run(["intake", "train"], env, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "3 corrections" in out.stdout
    (model,) = (Path(env["HOME"]) / "intake-models").glob("category-*.bin")
    retrained = {**env, "MAOTIAO_INTAKE_MODEL": str(model)}
    assert [p["category"] for p in _parse(retrained, CORRECTED)] == ["other"] * 3
    listing = run(["intake", "models"], retrained).stdout
    assert any(line.startswith("*") and model.name in line and "3 corrections" in line for line in listing.splitlines())
    # rolling back: unset the variable and the shipped model is used again
    assert [p["category"] for p in _parse(env, CORRECTED)] == [p["category"] for p in before]


def test_a_missing_model_file_stops_serve_naming_the_variable(env) -> None:
    out = run(["serve"], {**env, "MAOTIAO_INTAKE_MODEL": "/nonexistent/category.bin"})
    assert out.returncode != 0 and "MAOTIAO_INTAKE_MODEL" in out.stderr
