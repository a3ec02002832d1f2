"""What the category model sees of a report, the same at training and at parsing: the text normalised
(digits to 0, punctuation to one mark, typos corrected), its character 1-3-grams, and the lexicon's own
score for each category. Cues are found with an Aho-Corasick automaton: one pass, whatever their number."""

from __future__ import annotations

import math

import ahocorasick_rs

from bot.intake.lexicon import CATEGORY_CUES, CONTEXT_RULES
from bot.intake.matcher import PatternSet

NGRAM_SIZES = (1, 2, 3)
_CONTEXT = PatternSet({str(i): pattern for i, (pattern, _, _) in enumerate(CONTEXT_RULES)})
_CUE_CATEGORIES: dict[str, list[tuple[str, int]]] = {}
for _cat, _cues in CATEGORY_CUES.items():
    for _cue, _weight in _cues.items():
        _CUE_CATEGORIES.setdefault(_cue, []).append((_cat, _weight))
_CUE_LIST = sorted(_CUE_CATEGORIES)
_CUE_HITS = [tuple(_CUE_CATEGORIES[c]) for c in _CUE_LIST]
_CUES = ahocorasick_rs.AhoCorasick(_CUE_LIST)
_SEPARATOR_CHARS = " \t\r\n\u3000\u00a0，。、；：！？,.;:!?“”\"'‘’（）()【】[]《》<>…—-~～/|"
_NORMALIZE = {ord(c): "|" for c in _SEPARATOR_CHARS}
_NORMALIZE.update({ord(d): "0" for d in "0123456789"})
_NORMALIZE.update({ord(c): c.lower() for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"})


def normalize(text: str) -> str:
    """Case folded, digits as 0, punctuation and spaces as '|' (full-width digits and letters are folded
    before, by the parser)."""
    return text.translate(_NORMALIZE)


def ngrams(norm: str) -> set[str]:
    n = len(norm)
    return {norm[i : i + k] for k in NGRAM_SIZES for i in range(n - k + 1)}


def category_scores(text: str) -> dict[str, int]:
    """The lexicon's score per category: each cue counted once, a shorter cue only outside a longer one of
    the same category ("物业费" is not also "物业"), plus the context rules."""
    found: dict[str, list[tuple[int, int, str, int]]] = {}
    for index, start, end in _CUES.find_matches_as_indexes(text, overlapping=True):
        cue = _CUE_LIST[index]
        for cat, weight in _CUE_HITS[index]:
            found.setdefault(cat, []).append((start, end, cue, weight))
    scores: dict[str, int] = {}
    for cat, spans in found.items():
        if len(spans) == 1:
            scores[cat] = spans[0][3]
            continue
        claimed: list[tuple[int, int]] = []
        counted: set[str] = set()
        score = 0
        for start, end, cue, weight in sorted(spans, key=lambda h: (h[0] - h[1], h[0])):  # longest first
            if any(start < e and s < end for s, e in claimed):
                continue
            claimed.append((start, end))
            if cue not in counted:
                counted.add(cue)
                score += weight
        scores[cat] = score
    for rule in _CONTEXT.spans(text):
        _, cat, weight = CONTEXT_RULES[int(rule)]
        scores[cat] = scores.get(cat, 0) + weight
    return scores


def lexicon_features(scores: dict[str, int], classes: list[str]) -> list[float]:
    return [math.log1p(scores.get(c, 0)) for c in classes]
