"""parse(text) → ParsedReport: the rubric's labels for one report. The category comes from the trained
model (bot/intake/model.py, loaded once per process); severity and flags from the rubric's rules over
signals, negation, head counts and sums of money; location, parties and masking from their modules."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from bot.intake import model as category_model
from bot.intake.features import fold
from bot.intake.numbers import figures
from bot.intake.parties import party_names
from bot.intake.places import PlaceIndex, place_phrase
from bot.intake.severity import assess
from bot.intake.signals import find_in
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


_RECENT_MAX = 512
_recent: OrderedDict[tuple[str, int], ParsedReport] = OrderedDict()


def parse(text: str, places: PlaceIndex | None = None,
          model: category_model.CategoryModel | None = None) -> ParsedReport:
    """The labels for one report. The bot parses a report's text again for its draft card, each re-render
    and the confirmation: the last few hundred results are kept (per model), so a report costs one parse."""
    m = model or category_model.current()
    if places is not None:
        return _parse(text, places, m)
    key = (text, id(m))
    hit = _recent.get(key)
    if hit is None:
        hit = _recent[key] = _parse(text, None, m)
        if len(_recent) > _RECENT_MAX:
            _recent.popitem(last=False)
    else:
        _recent.move_to_end(key)
    return replace(hit, flags=list(hit.flags), parties=list(hit.parties), scores=dict(hit.scores),
                   reasons=list(hit.reasons))


def _parse(text: str, places: PlaceIndex | None, m: category_model.CategoryModel) -> ParsedReport:
    text = text.strip()
    folded = fold(text)
    reading = m.read(folded)
    prediction = reading.prediction
    numbers = figures(folded)
    span = numbers.people
    people = span[0] if span else None
    verdict = assess(find_in(folded, reading.signal_spans), numbers, prediction.category)
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
        scores=reading.scores,
        people_range=span,
        confidence=prediction.confidence,
        reasons=verdict.reasons,
        model_version=m.version,
    )
