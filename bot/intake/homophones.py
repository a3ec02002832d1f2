"""Typos from pinyin input and voice-to-text (昏姻 for 婚姻, 拆签 for 拆迁, 劳姿 for 劳资): a report's words are
matched on their pinyin as well as their characters.

The matching is done ahead of time, when a model is trained (`pypinyin`): every lexicon term with one
character swapped for a common character read the same way (tones ignored, as a pinyin keyboard ignores
them) becomes a variant of the term, unless the variant is itself a word — in jieba's dictionary of
350,000 words or pypinyin's phrases (上方 is no typo of 上访, 校区 none of 小区). Terms holding function
characters (了, 的, 有 …) are left out: their variants turn up across word boundaries. The table travels
inside the model file, so parsing needs neither pypinyin nor a dictionary and costs a few look-ups."""

from __future__ import annotations

from array import array
from collections.abc import Iterable

MAX_TERM = 4
_FUNCTION_CHARS = set("了的得着是在就和与也都又把被让么吗呢吧啊个")
_NUMERALS = set("零一二两三四五六七八九十百千万亿几")


def dictionary_words() -> set[str]:
    """Real words, which are never typos: jieba's dictionary and pypinyin's phrases."""
    from importlib import resources

    from pypinyin.phrases_dict import phrases_dict

    text = resources.files("jieba").joinpath("dict.txt").read_text(encoding="utf-8")
    return {line.split(" ", 1)[0] for line in text.splitlines() if line} | set(phrases_dict)


def _common_chars() -> set[str]:
    """GB2312 level-1 hanzi: the characters a pinyin keyboard offers first."""
    chars = set()
    for hi in range(0xB0, 0xD8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return chars


def build_table(terms: Iterable[str], words: set[str] | None = None) -> dict[str, object]:
    """The typo table for terms of 2-4 hanzi (needs pypinyin and jieba's dictionary: run when training):
    {"variants": {variant: [term, swapped position]}, "left": {char: chars}, "right": {char: chars}}.
    A variant whose swapped character makes a word with its neighbour in the text (学校|放学 is no
    校方; 涉及|金额 no 基金) is no typo: "left"/"right" list, per swapped character, the neighbours that
    would make one."""
    from pypinyin import Style, lazy_pinyin, pinyin

    words = dictionary_words() if words is None else words
    wanted = sorted({t for t in terms if 2 <= len(t) <= MAX_TERM and all("\u4e00" <= c <= "\u9fff" for c in t)
                     and not _FUNCTION_CHARS & set(t)})
    chars = (_common_chars() | {c for t in wanted for c in t}) - _FUNCTION_CHARS - _NUMERALS
    by_sound: dict[str, set[str]] = {}
    for ch in sorted(chars):
        by_sound.setdefault(pinyin(ch, style=Style.NORMAL)[0][0], set()).add(ch)  # its usual reading only
    known = set(wanted)
    variants: dict[str, list[object]] = {}
    ambiguous: set[str] = set()
    for term in wanted:
        sounds = lazy_pinyin(term, style=Style.NORMAL)
        if len(sounds) != len(term):
            continue
        for pos, sound in enumerate(sounds):
            for ch in sorted(by_sound.get(sound, ())):
                variant = term[:pos] + ch + term[pos + 1 :]
                if ch == term[pos] or variant in known or variant in words:
                    continue
                if variant in variants and variants[variant][0] != term:
                    ambiguous.add(variant)
                variants.setdefault(variant, [term, pos])
    for variant in ambiguous:
        del variants[variant]
    edge_chars = {str(v[p]) for v, (_, p) in ((v, tp) for v, tp in variants.items()) if p in (0, len(v) - 1)}
    left: dict[str, set[str]] = {c: set() for c in edge_chars}
    right: dict[str, set[str]] = {c: set() for c in edge_chars}
    for word in words:
        if len(word) == 2:
            if word[1] in left:
                left[word[1]].add(word[0])
            if word[0] in right:
                right[word[0]].add(word[1])
    return {"variants": dict(sorted(variants.items())),
            "left": {c: "".join(sorted(x)) for c, x in sorted(left.items()) if x},
            "right": {c: "".join(sorted(x)) for c, x in sorted(right.items()) if x}}


class Corrector:
    """Replaces known typo variants in a text by the terms they stand for (longest first, left to right).

    Held compactly, for every process keeps one for its life: the table as read from a model file is ~110,000
    small objects (~8 MiB, each term repeated per variant); here the variants are one string, each variant's
    term an index into the distinct terms and its swapped position a byte. `table()` gives the table back."""

    def __init__(self, table: dict[str, object]) -> None:
        import ahocorasick_rs

        variants = table.get("variants", {})
        assert isinstance(variants, dict)
        self.left: dict[str, str] = dict(table.get("left", {}))  # type: ignore[call-overload]
        self.right: dict[str, str] = dict(table.get("right", {}))  # type: ignore[call-overload]
        keys = sorted(variants)
        self.terms = sorted({str(variants[v][0]) for v in keys})
        index = {t: i for i, t in enumerate(self.terms)}
        self._term = array("I", [index[str(variants[v][0])] for v in keys])
        self._pos = bytes(int(variants[v][1]) for v in keys)
        self._variants = "\n".join(keys)
        self.empty = not variants
        self.automaton = ahocorasick_rs.AhoCorasick(keys or ["\0"])

    def table(self) -> dict[str, object]:
        """The typo table this corrector was made from (build_table's shape, in its order)."""
        keys = self._variants.split("\n") if not self.empty else []
        return {"variants": {v: [self.terms[t], p] for v, t, p in zip(keys, self._term, self._pos, strict=True)},
                "left": dict(self.left), "right": dict(self.right)}

    def _is_typo(self, text: str, start: int, size: int, pos: int) -> bool:
        swapped = text[start + pos]
        if pos == 0 and start > 0 and text[start - 1] in self.left.get(swapped, ""):
            return False
        end = start + size
        return not (pos == size - 1 and end < len(text) and text[end] in self.right.get(swapped, ""))

    def __call__(self, text: str) -> str:
        if self.empty:
            return text
        terms, term_of, pos_of = self.terms, self._term, self._pos
        found = [(start, start - end, terms[term_of[i]], pos_of[i])
                 for i, start, end in self.automaton.find_matches_as_indexes(text, overlapping=True)]
        if not found:
            return text
        out: list[str] = []
        done = 0
        for start, minus_size, term, pos in sorted(found):
            size = -minus_size
            if start < done or not self._is_typo(text, start, size, pos):
                continue
            out.append(text[done:start])
            out.append(term)
            done = start + size
        out.append(text[done:])
        return "".join(out)
