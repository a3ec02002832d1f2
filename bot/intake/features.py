"""What the category model sees of a report, the same at training and at parsing: its character 1-3-grams
(after typos are corrected) and the lexicon's own score for each category. Cues are found with an
Aho-Corasick automaton: one pass, whatever their number (the parser shares that pass, bot/intake/matcher.py)."""

from __future__ import annotations

import math

import ahocorasick_rs

from bot.intake.lexicon import CATEGORY_CUES, CONTEXT_RULES
from bot.intake.matcher import PatternSet

NGRAM_SIZES = (1, 2, 3)
CONTEXT = PatternSet({str(i): pattern for i, (pattern, _, _) in enumerate(CONTEXT_RULES)})
_CUE_CATEGORIES: dict[str, list[tuple[str, int]]] = {}
for _cat, _cues in CATEGORY_CUES.items():
    for _cue, _weight in _cues.items():
        _CUE_CATEGORIES.setdefault(_cue, []).append((_cat, _weight))
CUE_LIST = sorted(_CUE_CATEGORIES)
_CUE_HITS = [tuple(_CUE_CATEGORIES[c]) for c in CUE_LIST]
_CUES = ahocorasick_rs.AhoCorasick(CUE_LIST)
_FULL_WIDTH = {c: chr(c - 0xFEE0) for c in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))}
_FULL_WIDTH[0x3000] = " "


def fold(text: str) -> str:
    """Full-width digits and letters as ASCII (１２３ → 123); Chinese punctuation stays, clauses end at it."""
    return text.translate(_FULL_WIDTH)


def ngrams(text: str) -> set[str]:
    """The character 1-3-grams of a report as it is (full-width digits folded by the parser before)."""
    n = len(text)
    return {text[i : i + k] for k in NGRAM_SIZES for i in range(n - k + 1)}


def category_scores(text: str) -> dict[str, int]:
    """The lexicon's score per category: each cue counted once, a shorter cue only outside a longer one of
    the same category ("物业费" is not also "物业"), plus the context rules."""
    cue_hits = _CUES.find_matches_as_indexes(text, overlapping=True)
    return scores_from(text, cue_hits, CONTEXT.spans(text))


def scores_from(text: str, cue_hits: list[tuple[int, int, int]], rules: dict[str, list[tuple[int, int]]]
                ) -> dict[str, int]:
    """category_scores() from cue hits (index into CUE_LIST, start, end) and the context rules that matched."""
    found: dict[str, list[tuple[int, int, int, int]]] = {}
    for index, start, end in cue_hits:
        for cat, weight in _CUE_HITS[index]:
            found.setdefault(cat, []).append((start, end, index, weight))
    scores: dict[str, int] = {}
    for cat, spans in found.items():
        if len(spans) == 1:
            scores[cat] = spans[0][3]
            continue
        claimed: list[tuple[int, int]] = []
        counted: set[int] = set()
        score = 0
        for start, end, cue, weight in sorted(spans, key=lambda h: (h[0] - h[1], h[0])):  # longest first
            if any(start < e and s < end for s, e in claimed):
                continue
            claimed.append((start, end))
            if cue not in counted:
                counted.add(cue)
                score += weight
        scores[cat] = score
    for rule in rules:
        _, cat, weight = CONTEXT_RULES[int(rule)]
        scores[cat] = scores.get(cat, 0) + weight
    return scores


def lexicon_features(scores: dict[str, int], classes: list[str]) -> list[float]:
    return [math.log1p(scores.get(c, 0)) for c in classes]
