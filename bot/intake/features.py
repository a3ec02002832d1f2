"""What the category model sees of a report, the same at training and at parsing: the text normalised
(full-width to half-width, digits to 0, typos corrected), its character 1-3-grams, and the lexicon's own
score for each category."""

from __future__ import annotations

import math
import re
import unicodedata

from bot.intake.lexicon import CATEGORY_CUES, CONTEXT_RULES

NGRAM_SIZES = (1, 2, 3)
_CONTEXT = [(re.compile(p), cat, w) for p, cat, w in CONTEXT_RULES]
_CUE_CATEGORIES: dict[str, list[tuple[str, int]]] = {}
for _cat, _cues in CATEGORY_CUES.items():
    for _cue, _weight in _cues.items():
        _CUE_CATEGORIES.setdefault(_cue, []).append((_cat, _weight))
_CUE_LENGTHS = sorted({len(c) for c in _CUE_CATEGORIES}, reverse=True)
_CUE_FIRSTS = frozenset(c[0] for c in _CUE_CATEGORIES)
_SEPARATORS = re.compile(r"[\s，。、；：！？,.;:!?“”\"'（）()【】\[\]《》<>…—\-~～/]+")
_DIGITS = re.compile(r"[0-9]+")


def normalize(text: str) -> str:
    """Full-width forms folded, case folded, digits as 0, punctuation and spaces as one '|'."""
    text = unicodedata.normalize("NFKC", text).lower()
    return _SEPARATORS.sub("|", _DIGITS.sub("0", text)).strip("|")


def ngrams(norm: str) -> set[str]:
    n = len(norm)
    return {norm[i : i + k] for k in NGRAM_SIZES for i in range(n - k + 1)}


def category_scores(text: str) -> dict[str, int]:
    """The lexicon's score per category: each cue counted once, a shorter cue only outside a longer one of
    the same category ("物业费" is not also "物业"), plus the context rules."""
    found: dict[str, list[tuple[int, int, str, int]]] = {}
    n = len(text)
    for i in range(n):
        if text[i] not in _CUE_FIRSTS:
            continue
        for size in _CUE_LENGTHS:
            cue = text[i : i + size]
            hits = _CUE_CATEGORIES.get(cue) if len(cue) == size else None
            if hits:
                for cat, weight in hits:
                    found.setdefault(cat, []).append((i, i + size, cue, weight))
    scores: dict[str, int] = {}
    for cat, hits in found.items():
        claimed: list[tuple[int, int]] = []
        counted: set[str] = set()
        score = 0
        for start, end, cue, weight in sorted(hits, key=lambda h: (h[0] - h[1], h[0])):  # longest first
            if any(start < e and s < end for s, e in claimed):
                continue
            claimed.append((start, end))
            if cue not in counted:
                counted.add(cue)
                score += weight
        scores[cat] = score
    for pattern, cat, weight in _CONTEXT:
        if pattern.search(text):
            scores[cat] = scores.get(cat, 0) + weight
    return scores


def lexicon_features(scores: dict[str, int], classes: list[str]) -> list[float]:
    return [math.log1p(scores.get(c, 0)) for c in classes]
