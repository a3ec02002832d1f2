"""Intake parsing: the rubric's labels on reports written for these tests, masking, counting, places."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.intake.numbers import chinese_to_int, max_amount_yuan, people_count
from bot.intake.parse import parse
from bot.intake.parties import party_names
from bot.intake.places import PlaceIndex
from core.masking import has_personal_numbers, mask_numbers

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SHARED_SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "intake" / "samples.jsonl"


def _load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _agreement(rows: list[dict]) -> tuple[float, float, float]:
    got = [parse(r["text"]) for r in rows]
    n = len(rows)
    return (
        sum(g.category == r["category"] for g, r in zip(got, rows, strict=True)) / n,
        sum(g.severity == r["severity"] for g, r in zip(got, rows, strict=True)) / n,
        sum(sorted(g.flags) == sorted(r["flags"]) for g, r in zip(got, rows, strict=True)) / n,
    )


@pytest.mark.parametrize("name", ["intake_extra.jsonl", "intake_blind.jsonl"])
def test_labels_agree_on_reports_written_for_the_tests(name: str) -> None:
    category, severity, flags = _agreement(_load(FIXTURES / name))
    assert category >= 0.9 and severity >= 0.85 and flags >= 0.85, (category, severity, flags)


def test_cli_agrees_with_the_shared_samples() -> None:
    if not SHARED_SAMPLES.exists():
        pytest.skip("shared/intake/samples.jsonl is not beside this checkout")
    out = subprocess.run([sys.executable, "-m", "maotiao", "parse", "--jsonl", str(SHARED_SAMPLES)],
                         capture_output=True, text=True, check=True, timeout=60)
    got = [json.loads(line) for line in out.stdout.splitlines()]
    want = _load(SHARED_SAMPLES)
    assert set(got[0]) == {"category", "severity", "flags", "people", "location", "masked_text"}
    assert sum(g["category"] == w["category"] for g, w in zip(got, want, strict=True)) / len(want) >= 0.9


def test_it_is_rules_not_a_lookup() -> None:
    """Reworded reports still classify; a text the lexicon never saw falls back to "other"."""
    assert parse("我们厂老板已经三个月没发工钱了").category == "labor_wage"
    assert parse("隔壁装空调外机正对着我家窗户").category == "neighbor"
    assert parse("天气很好").category == "other" and parse("天气很好").severity == "general"


@pytest.mark.parametrize(
    ("text", "people"),
    [("六个工人", 6), ("五六户村民", 5), ("二十多户业主", 20), ("上百名群众", 100), ("姐弟四人", 4),
     ("两家之间", None), ("一个月前", None), ("12名员工", 12), ("四十多名会员", 40)],
)
def test_people_counts(text: str, people: int | None) -> None:
    assert people_count(text) == people


def test_numbers_and_money() -> None:
    assert chinese_to_int("二十三") == 23 and chinese_to_int("两万") == 20000 and chinese_to_int("五六") == 5
    assert max_amount_yuan("借条写的三万元") == 30000 and max_amount_yuan("赔偿15万") == 150000
    assert max_amount_yuan("欠了两万多工资") == 20000 and max_amount_yuan("没有钱") == 0


def test_masking_phone_id_and_landline() -> None:
    text = "李某电话13812345678,身份证330502199001011234,座机0572-2345678"
    masked = mask_numbers(text)
    assert masked == "李某电话138****5678,身份证330502********1234,座机0572-***5678"
    assert has_personal_numbers(text) and not has_personal_numbers(masked)
    assert parse(text).masked_text == masked


def test_places_from_the_org_tree_and_parties() -> None:
    index = PlaceIndex()
    index.add(7, "荷花村", "西溪区/茶园乡/荷花村")
    index.add(8, "荷花村第一网格", "西溪区/茶园乡/荷花村/荷花村第一网格")
    index.add(9, "新河社区", "西溪区/茶园乡/新河社区")
    assert parse("荷花村第一网格老王家", index).location_id == 8
    assert parse("新河社区3幢楼下", index).location == "西溪区/茶园乡/新河社区"
    assert parse("家住桂香村五组的张某", None).location == "桂香村"
    assert party_names("老王和老赵吵架,周某劝架") == ["老王", "老赵", "周某"]
