"""考核 weights and rules from the org file (`evaluation:`), and how a cohort is scored and ranked.

Each cohort (村(社区), 网格员, 进驻部门, 人员, 调解员) has metrics valued 0..1 (a rate as it is; a count as a
share of the cohort's largest; a duration against its target). A score is 100 × Σ weight·value / Σ weight
over the metrics that have a value, so a metric nobody can measure yet (排查完成率 before screening data
exists) drops out instead of counting as zero. Entries with no measurable metric are listed but not ranked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.durations import Duration, Unit
from core.models import Setting

EVALUATION_KEY = "evaluation"

COHORT_METRICS: dict[str, dict[str, str]] = {
    "village": {"settle_rate": "化解率", "village_rate": "小事不出村率", "satisfaction": "满意率",
                "no_repeat": "非重复率"},
    "grid_worker": {"reports": "上报数", "on_spot": "当场调处数", "screening": "排查完成率",
                    "first_report": "首报及时率"},
    "department": {"sign_speed": "签收时长", "on_time": "按期办结率", "satisfaction": "满意率",
                   "no_return": "未退回率"},
    "person": {"sign_speed": "签收时长", "on_time": "按期办结率", "satisfaction": "满意率", "no_return": "未退回率"},
    "mediator": {"cases": "调解件数", "success": "调解成功率", "satisfaction": "满意率"},
}
DEFAULT_WEIGHTS: dict[str, dict[str, float]] = {
    "village": {"settle_rate": 30, "village_rate": 30, "satisfaction": 20, "no_repeat": 20},
    "grid_worker": {"reports": 30, "on_spot": 20, "screening": 20, "first_report": 30},
    "department": {"sign_speed": 25, "on_time": 35, "satisfaction": 25, "no_return": 15},
    "person": {"sign_speed": 25, "on_time": 35, "satisfaction": 25, "no_return": 15},
    "mediator": {"cases": 40, "success": 30, "satisfaction": 30},
}
# 以奖代补 per successfully mediated case, by grade (元/件); the org file's `evaluation.subsidy` overrides
DEFAULT_SUBSIDY: dict[str, float] = {"simple": 50, "general": 100, "complex": 300, "major": 500}


@dataclass(frozen=True)
class GoldRule:
    """金牌调解员 candidates: enough successful cases, a high success rate and satisfied parties."""

    min_cases: int = 10
    min_success: float = 0.9
    min_satisfaction: float = 0.9


@dataclass(frozen=True)
class Evaluation:
    weights: dict[str, dict[str, float]] = field(default_factory=lambda: {k: dict(v) for k, v in DEFAULT_WEIGHTS.items()})
    subsidy: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_SUBSIDY))
    first_report_within: Duration = field(default_factory=lambda: Duration.parse("24h"))
    sign_target: Duration = field(default_factory=lambda: Duration.parse("4h"))  # 签收 within it scores full
    list_size: int = 3  # 红榜 / 黑榜 length per cohort
    gold: GoldRule = field(default_factory=GoldRule)

    def to_json(self) -> dict[str, Any]:
        return {"weights": self.weights, "subsidy": self.subsidy, "first_report_within": str(self.first_report_within),
                "sign_target": str(self.sign_target), "list_size": self.list_size,
                "gold": {"min_cases": self.gold.min_cases, "min_success": self.gold.min_success,
                         "min_satisfaction": self.gold.min_satisfaction}}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Evaluation:
        base = cls()
        weights = {k: dict(v) for k, v in base.weights.items()}
        for cohort, given in dict(data.get("weights") or {}).items():
            if cohort in weights and given:
                weights[cohort] = {m: float(w) for m, w in dict(given).items() if m in COHORT_METRICS[cohort]}
        gold = dict(data.get("gold") or {})
        return cls(
            weights=weights,
            subsidy={**base.subsidy, **{k: float(v) for k, v in dict(data.get("subsidy") or {}).items()}},
            first_report_within=Duration.parse(str(data.get("first_report_within") or base.first_report_within)),
            sign_target=Duration.parse(str(data.get("sign_target") or base.sign_target)),
            list_size=int(data.get("list_size") or base.list_size),
            gold=GoldRule(int(gold.get("min_cases", base.gold.min_cases)),
                          float(gold.get("min_success", base.gold.min_success)),
                          float(gold.get("min_satisfaction", base.gold.min_satisfaction))),
        )


async def load_evaluation() -> Evaluation:
    row = await Setting.get_or_none(key=EVALUATION_KEY)
    return Evaluation.from_json(row.value) if row else Evaluation()


async def save_evaluation(evaluation: Evaluation) -> None:
    await Setting.update_or_create(defaults={"value": evaluation.to_json()}, key=EVALUATION_KEY)


@dataclass
class Entry:
    """One ranked unit: its metric values (None: not measurable), its score and its place."""

    name: str
    values: dict[str, float | None]
    shown: dict[str, str] = field(default_factory=dict)  # what the tables print per metric
    score: float | None = None
    rank: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def hours_of(d: Duration) -> float:
    """A threshold in hours (a working day counted as a calendar day: these are timeliness targets)."""
    return float(d.amount) if d.unit is Unit.HOURS else d.amount * 24.0


def share_of_max(counts: dict[str, int]) -> dict[str, float | None]:
    """A count as a share of the cohort's largest (None for everyone when nobody has any)."""
    top = max(counts.values(), default=0)
    return {k: (v / top if top else None) for k, v in counts.items()}


def against_target(hours: float | None, target_hours: float) -> float | None:
    """1 within the target, falling as target / actual beyond it."""
    if hours is None:
        return None
    return 1.0 if hours <= target_hours else target_hours / hours


def score(entries: list[Entry], weights: dict[str, float]) -> list[Entry]:
    """Score every entry, then rank the scored ones, higher first; equal scores share a place (1, 2, 2, 4)."""
    for e in entries:
        used = [(w, e.values.get(m)) for m, w in weights.items() if w > 0 and e.values.get(m) is not None]
        total = sum(w for w, _ in used)
        e.score = round(100 * sum(w * float(v) for w, v in used if v is not None) / total, 1) if total else None
    ranked = sorted((e for e in entries if e.score is not None), key=lambda e: (-(e.score or 0), e.name))
    for i, e in enumerate(ranked):
        e.rank = ranked[i - 1].rank if i and e.score == ranked[i - 1].score else i + 1
    return ranked + sorted((e for e in entries if e.score is None), key=lambda e: e.name)


def red_black(ranked: list[Entry], size: int) -> tuple[list[Entry], list[Entry]]:
    """红榜: the top `size` places, at most half the cohort; 黑榜: the bottom `size` places among those scoring
    below every red entry. Equal scores are never split between the lists, and no one is on both."""
    scored = [e for e in ranked if e.rank is not None and e.score is not None]
    if not scored or size <= 0:
        return [], []
    top = min(size, (len(scored) + 1) // 2)
    red = [e for e in scored if (e.rank or 0) <= top]
    floor = min(e.score or 0 for e in red)
    rest = sorted((e for e in scored if (e.score or 0) < floor), key=lambda e: (e.score or 0, e.name))
    black: list[Entry] = []
    for i, e in enumerate(rest):
        place = len(black) + 1 if not black or e.score != black[-1].score else None
        if place is not None and (i + 1 > size):
            break
        black.append(e)
    return red, black
