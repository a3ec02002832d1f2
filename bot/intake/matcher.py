"""Many named regexes over one text in one pass. Each pattern's top-level alternatives that are plain words
go into one Aho-Corasick automaton; the others run as regexes only when a word they must start with is in
the text. A report is read once whatever the number of phrasings, instead of once per phrasing."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import ahocorasick_rs

_META = set("\\.^$*+?{}[]|()")
_QUANTIFIERS = set("*+?{")


def split_alternatives(pattern: str) -> list[str]:
    """"a|b(c|d)|[x|y]" → ["a", "b(c|d)", "[x|y]"]: the top-level alternatives."""
    parts, depth, in_class, escaped, start = [], 0, False, False, 0
    for i, ch in enumerate(pattern):
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
    parts.append(pattern[start:])
    return parts


def _is_literal(alternative: str) -> bool:
    return bool(alternative) and not _META & set(alternative)


def _group_end(alternative: str) -> int:
    depth = 0
    for i, ch in enumerate(alternative):
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0:
            return i
    return -1


def anchors(alternative: str) -> list[str] | None:
    """Words one of which every match of the alternative starts with; None when there are none to rely on."""
    if alternative.startswith("(?:") or (alternative.startswith("(") and not alternative.startswith("(?")):
        end = _group_end(alternative)
        inner = split_alternatives(alternative[3 if alternative.startswith("(?:") else 1 : end])
        after = alternative[end + 1 : end + 2]
        if end > 0 and all(_is_literal(p) for p in inner) and after not in _QUANTIFIERS:
            return inner
        return None
    prefix = ""
    for i, ch in enumerate(alternative):
        if ch in _META:
            if ch in _QUANTIFIERS:
                prefix = prefix[:-1]
            break
        prefix = alternative[: i + 1]
    return [prefix] if prefix else None


@dataclass
class _Regex:
    name: str
    regex: re.Pattern[str]
    anchors: list[str] | None


class PatternSet:
    def __init__(self, patterns: dict[str, str]) -> None:
        words: dict[str, set[str]] = {}  # word → names it is a whole match for
        self.regexes: list[_Regex] = []
        needed: dict[str, list[int]] = {}  # anchor word → regexes it unlocks
        for name, pattern in patterns.items():
            for alternative in split_alternatives(pattern):
                if _is_literal(alternative):
                    words.setdefault(alternative, set()).add(name)
                    continue
                found = anchors(alternative)
                self.regexes.append(_Regex(name, re.compile(alternative), found))
                for word in found or ():
                    needed.setdefault(word, []).append(len(self.regexes) - 1)
        self.always = [i for i, r in enumerate(self.regexes) if r.anchors is None]
        self.keys = sorted(set(words) | set(needed))
        self.names_of = [sorted(words.get(k, ())) for k in self.keys]
        self.unlocks = [needed.get(k, []) for k in self.keys]
        self.automaton = ahocorasick_rs.AhoCorasick(self.keys)

    def spans(self, text: str) -> dict[str, list[tuple[int, int]]]:
        """name → spans of its matches (whole-word alternatives may overlap; regexes do not)."""
        return self.resolve(text, self.automaton.find_matches_as_indexes(text, overlapping=True))

    def resolve(self, text: str, hits: Iterable[tuple[int, int, int]]) -> dict[str, list[tuple[int, int]]]:
        """spans() from the key hits (index into self.keys, start, end) of a pass made elsewhere (Scanner)."""
        out: dict[str, list[tuple[int, int]]] = {}
        run: set[int] = set(self.always)
        for key, start, end in hits:
            for name in self.names_of[key]:
                out.setdefault(name, []).append((start, end))
            run.update(self.unlocks[key])
        for i in sorted(run):
            r = self.regexes[i]
            for m in r.regex.finditer(text):
                out.setdefault(r.name, []).append((m.start(), m.end()))
        return out


class Scanner:
    """One pass over a text for several vocabularies at once: a model's n-grams, the lexicon's cues and the
    words of PatternSets. Built once per model; scan() returns what each of them found."""

    def __init__(self, grams: list[str], cues: list[str], sets: dict[str, PatternSet]) -> None:
        meaning: dict[str, list[tuple[str, int]]] = {}
        for i, gram in enumerate(grams):
            meaning.setdefault(gram, []).append(("gram", i))
        for i, cue in enumerate(cues):
            meaning.setdefault(cue, []).append(("cue", i))
        for name, patterns in sets.items():
            for i, key in enumerate(patterns.keys):
                meaning.setdefault(key, []).append((name, i))
        self.keys = sorted(meaning)
        gram_of = {k: i for k, i in ((k, next((i for kind, i in meaning[k] if kind == "gram"), -1)) for k in self.keys)}
        self.gram = [gram_of[k] for k in self.keys]
        none: tuple[tuple[str, int], ...] = ()  # most keys are only n-grams: one shared empty tuple (~0.7 MiB less)
        self.others = [tuple((kind, i) for kind, i in meaning[k] if kind != "gram") or none for k in self.keys]
        self.sets = sets
        self.automaton = ahocorasick_rs.AhoCorasick(self.keys or ["\0"])

    def scan(self, text: str) -> Scan:
        matches = self.automaton.find_matches_as_indexes(text, overlapping=True)
        grams = set(map(self.gram.__getitem__, [m[0] for m in matches]))
        grams.discard(-1)
        found: dict[str, list[tuple[int, int, int]]] = {}
        others = self.others
        for key, start, end in matches:
            for kind, i in others[key]:
                found.setdefault(kind, []).append((i, start, end))
        return Scan(grams, found)


@dataclass
class Scan:
    grams: set[int]  # ids of the model's n-grams in the text
    found: dict[str, list[tuple[int, int, int]]]  # "cue" / a PatternSet's name → (its key index, start, end)
