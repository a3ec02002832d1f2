"""parse(text) → ParsedReport: the rubric's labels, computed from lexicons and rules in well under 1 ms."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from bot.intake import signals as s
from bot.intake.lexicon import CATEGORY_CUES, CONTEXT_RULES
from bot.intake.numbers import max_amount_yuan, people_count
from bot.intake.places import PlaceIndex, party_names, place_phrase
from core.masking import mask_numbers

# On a tie, the department that must act first: specific before general.
_PRIORITY = ["labor_wage", "demolition", "medical", "traffic", "campus", "property_mgmt", "consumer",
             "environment", "debt", "land_homestead", "marriage_family", "neighbor", "other"]
_CONTEXT = [(re.compile(p), cat, w) for p, cat, w in CONTEXT_RULES]
_CUES = {cat: sorted(cues.items(), key=lambda kv: -len(kv[0])) for cat, cues in CATEGORY_CUES.items()}
BIG_AMOUNT = 100_000
GROUP_SIZE = 5
MAJOR_SIZE = 30


@dataclass
class ParsedReport:
    category: str
    severity: str
    flags: list[str]
    people: int | None
    location: str | None
    masked_text: str
    location_id: int | None = None
    parties: list[str] = field(default_factory=list)
    scores: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        for key in ("location_id", "parties", "scores"):
            out.pop(key)
        return out


def category_scores(text: str) -> dict[str, int]:
    scores: dict[str, int] = {}
    for cat, cues in _CUES.items():
        remaining = text
        score = 0
        for cue, weight in cues:  # longest first, each span counted once
            if cue in remaining:
                score += weight
                remaining = remaining.replace(cue, "□")
        if score:
            scores[cat] = score
    for pattern, cat, weight in _CONTEXT:
        if pattern.search(text):
            scores[cat] = scores.get(cat, 0) + weight
    return scores


def classify(text: str) -> tuple[str, dict[str, int]]:
    scores = category_scores(text)
    if not scores:
        return "other", scores
    best = max(scores.values())
    winners = [c for c in _PRIORITY if scores.get(c) == best]
    return winners[0], scores


def assess(text: str, people: int | None) -> tuple[str, list[str]]:
    """Severity and flags per the rubric."""
    many = people or 0
    group = many >= GROUP_SIZE or s.any_match(s.GROUP_ACTION, text)
    sensitive = any(s.any_match(p, text) for p in (s.PETITION_UP, s.MEDIA, s.SELF_HARM, s.INSTITUTION_DEATH, s.SKIP_LEVEL))
    stability = any(s.any_match(p, text) for p in (s.STABILITY, s.WEAPON_OR_VIOLENCE_NOW, s.FIGHT_INJURY))
    major = many >= MAJOR_SIZE or any(
        s.any_match(p, text)
        for p in (s.DEATH, s.INSTITUTION_DEATH, s.WEAPON_OR_VIOLENCE_NOW, s.SELF_HARM, s.SKIP_LEVEL)
    )
    important = (
        group or sensitive or stability
        or any(s.any_match(p, text) for p in (s.THREAT, s.FIGHT_INJURY, s.REPEATED_FAILURE))
        or max_amount_yuan(text) >= BIG_AMOUNT
    )
    severity = "major" if major else "important" if important else "general"
    flags = [name for name, on in (("group", group), ("sensitive", sensitive), ("stability", stability)) if on]
    return severity, flags


def parse(text: str, places: PlaceIndex | None = None) -> ParsedReport:
    text = text.strip()
    category, scores = classify(text)
    people = people_count(text)
    severity, flags = assess(text, people)
    location_id = places.find(text) if places else None
    if location_id is not None and places is not None:
        location: str | None = places.names[location_id]
    else:
        location = place_phrase(text)
    return ParsedReport(
        category=category,
        severity=severity,
        flags=flags,
        people=people,
        location=location,
        masked_text=mask_numbers(text),
        location_id=location_id,
        parties=party_names(text),
        scores=scores,
    )
