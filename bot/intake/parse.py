"""parse(text) → ParsedReport: the rubric's labels for one report. The category comes from the trained
model (bot/intake/model.py, loaded once per process); severity and flags from the rubric's rules over
signals, negation, head counts and sums of money; location, parties and masking from their modules."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from bot.intake import model as category_model
from bot.intake.numbers import figures
from bot.intake.places import PlaceIndex, party_names, place_phrase
from bot.intake.severity import assess
from bot.intake.signals import find
from core.masking import mask_numbers

_JSON_KEYS = ("category", "severity", "flags", "people", "location", "masked_text")


@dataclass
class ParsedReport:
    category: str
    severity: str
    flags: list[str]
    people: int | None  # lower bound of the largest head count
    location: str | None
    masked_text: str
    location_id: int | None = None
    parties: list[str] = field(default_factory=list)
    scores: dict[str, int] = field(default_factory=dict)  # the lexicon's, per category
    people_range: tuple[int, int] | None = None
    confidence: float = 0.0  # the model's probability for the category
    reasons: list[str] = field(default_factory=list)  # the severity rules that fired
    model_version: str = ""

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        return {k: out[k] for k in _JSON_KEYS}


_FULL_WIDTH = {c: chr(c - 0xFEE0) for c in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))}
_FULL_WIDTH[0x3000] = " "


def _width_folded(text: str) -> str:
    """Full-width digits and letters as ASCII (１２３ → 123); Chinese punctuation stays, clauses end at it."""
    return text.translate(_FULL_WIDTH)


def parse(text: str, places: PlaceIndex | None = None,
          model: category_model.CategoryModel | None = None) -> ParsedReport:
    text = text.strip()
    folded = _width_folded(text)
    m = model or category_model.current()
    fixed, scores = m.prepare(folded)
    prediction = m.predict(folded, scores=scores, fixed=fixed)
    numbers = figures(folded)
    span = numbers.people
    people = span[0] if span else None
    verdict = assess(find(folded), numbers, prediction.category)
    location_id = places.find(text) if places else None
    if location_id is not None and places is not None:
        location: str | None = places.names[location_id]
    else:
        location = place_phrase(text)
    return ParsedReport(
        category=prediction.category,
        severity=verdict.severity,
        flags=verdict.flags,
        people=people,
        location=location,
        masked_text=mask_numbers(text),
        location_id=location_id,
        parties=party_names(text),
        scores=scores,
        people_range=span,
        confidence=prediction.confidence,
        reasons=verdict.reasons,
        model_version=m.version,
    )
