"""Severity (一般 / 重要 / 重大) and flags (群体性, 涉敏, 涉稳) by the intake rubric's rules, from the signals
found in a report, its head counts and sums of money (lower bounds)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.intake.numbers import Figures
from bot.intake.signals import Signals

BIG_AMOUNT = 100_000
GROUP_SIZE = 5
MAJOR_SIZE = 30
FAMILY = "marriage_family"
CAMPUS = "campus"
PETITION = "petition"


@dataclass(frozen=True)
class Assessment:
    severity: str
    flags: list[str]
    reasons: list[str]  # which rules fired, for explanations and tests


def _stability(sig: Signals, category: str) -> bool:
    if any(n in sig for n in ("weapon", "violence_now", "threat", "corpse", "stability")):
        return True
    if category == FAMILY:
        return False  # relatives hitting each other or breaking things at home: a family matter, not public order
    if category == PETITION:
        return False  # a petition's beating or smashing is the grievance of years ago, not a risk today
    if category == CAMPUS and "injury" not in sig and not _adults_fighting(sig):
        return False  # children scuffling at school without anyone hurt
    return "fight" in sig or "smash" in sig


def _adults_fighting(sig: Signals) -> bool:
    return any(re.search("家长|家属", sig.near(span, 10)) for span in sig.spans.get("fight", []))


def assess(sig: Signals, numbers: Figures, category: str) -> Assessment:
    side = numbers.side
    most = max(numbers.people[0] if numbers.people else 0, side)
    reasons: list[str] = []

    def rule(name: str, fired: bool) -> bool:
        if fired:
            reasons.append(name)
        return fired

    group = rule("group", side >= GROUP_SIZE or "group_action" in sig)
    sensitive = rule("sensitive", any(n in sig for n in ("petition_up", "skip_level", "media", "self_harm",
                                                         "institution_death")))
    stability = rule("stability", _stability(sig, category))
    major = any([
        rule("30+ people", most >= MAJOR_SIZE),
        rule("death", "death" in sig or "institution_death" in sig),
        rule("weapon or violence", "weapon" in sig or "violence_now" in sig),
        rule("self-harm", "self_harm" in sig),
        rule("skip-level petition", "skip_level" in sig),
        rule("corpse", "corpse" in sig),
    ])
    important = any([
        group, sensitive, stability,
        rule("threat", "threat" in sig),
        rule("fight with injuries", "fight" in sig and "injury" in sig),
        rule("repeated failed mediation", "repeated_failure" in sig),
        rule("100,000 yuan", numbers.amount >= BIG_AMOUNT),
    ])
    severity = "major" if major else "important" if important else "general"
    flags = [name for name, on in (("group", group), ("sensitive", sensitive), ("stability", stability)) if on]
    return Assessment(severity, flags, reasons)
