"""Masking personal numbers — phones, landlines, ID and bank-card numbers — in whatever form people type or
dictate them. One masker for everything that leaves the people handling a case (cards, digests, ledgers,
logs). Pure and stdlib-only.

A number is found as a run of at least seven digits — ASCII, full-width or Chinese numerals (一三八…, 幺, 〇)
— with spaces, dots, dashes (also — and －) or brackets between its groups. The run's groups are then read
as mobile, landline, ID or card numbers, preferring the reading that fits best, so two numbers written
side by side are told apart. Whatever is left of eleven digits or more is masked anyway: this fails closed.

    mask_numbers("电话 +86 138-1234-5678")  →  "电话 +86 138****5678"
    has_personal_numbers(text)             →  would mask_numbers change it?
    sample_numbers(1000, seed=7)           →  generated numbers in many formats, for tests anywhere

Also the names of 重点人员 a process has handled (remember_names), masked in its log lines (mask_names).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass

_DIGITS: dict[str, str] = {c: c for c in "0123456789"}
_DIGITS.update({chr(0xFF10 + i): str(i) for i in range(10)})  # full-width ０-９
_DIGITS.update({"零": "0", "〇": "0", "一": "1", "幺": "1", "二": "2", "三": "3", "四": "4", "五": "5",
                "六": "6", "七": "7", "八": "8", "九": "9"})
_X_CHARS = "XxＸｘ×"
_SEPARATORS = " \t\u00a0\u3000-‐‑‒–—―－﹣−.．·・•_()（）[]【】"
_D = "[" + re.escape("".join(_DIGITS)) + "]"
_S = "[" + re.escape(_SEPARATORS) + "]"
DIGIT_CHARS = frozenset(_DIGITS)  # every character read as a digit
NUMBER_CHARS = DIGIT_CHARS | frozenset(_X_CHARS) | frozenset(_SEPARATORS)  # all a number may be written with
_RUN = re.compile(rf"{_D}(?:{_S}{{0,3}}{_D}){{6,}}(?:{_S}{{0,2}}[{_X_CHARS}])?")
_PHONE_CUE = re.compile(r"电话|座机|手机|号码|联系|热线|固话|来电|致电|拨打|打|tel|TEL|Tel|call", re.IGNORECASE)
_REFERENCE_CUE = re.compile(r"工单|单号|编号|案号|流水号|订单|受理号|件号|文号|No\.?|NO\.?|#")
_UNIT_AFTER = set("元块万亿千百米平亩斤吨人户名个年月日号次天%‰台辆件间栋幢层室度分秒岁wWkK")
_MOBILE_SECOND = set("3456789")
_CN_NUMERALS = frozenset(c for c in _DIGITS if "\u4e00" <= c <= "\u9fff" or c == "〇")
_WHOLE_KINDS = frozenset({"id18", "id15", "mobile", "mobile_cc", "landline", "landline_cc"})


@dataclass(frozen=True)
class _Group:
    digits: str  # ASCII, 'X' for a final check character
    start: int
    end: int


def _groups(text: str, start: int, end: int) -> list[_Group]:
    groups: list[_Group] = []
    i = start
    while i < end:
        if text[i] in _DIGITS or text[i] in _X_CHARS:
            j = i
            while j < end and (text[j] in _DIGITS or text[j] in _X_CHARS):
                j += 1
            digits = "".join(_DIGITS.get(c, "X") for c in text[i:j])
            groups.append(_Group(digits, i, j))
            i = j
        else:
            i += 1
    return groups


def _is_date(y: str, m: str, d: str) -> bool:
    try:
        dt.date(int(y), int(m), int(d))
    except ValueError:
        return False
    return True


def _kind(d: str) -> str | None:
    """What a digit string is, or None. The names rank the readings: earlier wins (see _RANK)."""
    if "X" in d[:-1]:
        return None
    n = len(d)
    if n == 18 and _is_date(d[6:10], d[10:12], d[12:14]) and d[6:8] in ("19", "20"):
        return "id18"
    if "X" in d:
        return "id18" if n == 18 else None
    for cc in ("0086", "86"):
        rest = d[len(cc):]
        if d.startswith(cc) and len(rest) == 11 and rest[0] == "1" and rest[1] in _MOBILE_SECOND:
            return "mobile_cc"
    if n == 11 and d[0] == "1" and d[1] in _MOBILE_SECOND:
        return "mobile"
    if d.startswith("86") and 11 <= n <= 13 and d[2] in "123456789":
        return "landline_cc"
    if 10 <= n <= 12 and d[0] == "0" and d[1] != "0":
        return "landline"
    if n == 15 and _is_date("19" + d[6:8], d[8:10], d[10:12]):
        return "id15"
    if 16 <= n <= 19:
        return "card"
    if n >= 11:
        return "long"
    if n in (7, 8) and d[0] != "0":
        return "local"
    return None


_RANK = {k: i for i, k in enumerate(["id18", "mobile_cc", "mobile", "landline_cc", "landline", "id15", "card",
                                      "long", "local"])}


def area_code_length(d: str) -> int:
    """Area code length of a landline written with its leading 0 (010, 021, 0571 …)."""
    return 3 if d[1] in "12" else 4


def _local_ok(text: str, groups: list[_Group]) -> bool:
    """A bare 7-8 digit number is a phone only beside a phone word, or 8 digits that are no date or amount."""
    d = "".join(g.digits for g in groups)
    first, last = groups[0], groups[-1]
    after = text[last.end] if last.end < len(text) else ""
    if after in _UNIT_AFTER:
        return False
    if _PHONE_CUE.search(text[max(0, first.start - 8) : first.start]):
        return True
    if len(d) != 8 or _is_date(d[:4], d[4:6], d[6:]):
        return False
    return not (d[:2] in ("19", "20") and d[4:6] in ("19", "20"))  # 2019-2020: two years


def _referenced(text: str, start: int) -> bool:
    return _REFERENCE_CUE.search(text[max(0, start - 6) : start]) is not None


def _segment(text: str, groups: list[_Group], i: int) -> tuple[int, str] | None:
    """The best personal reading starting at groups[i]: (index of its last group, kind). A run is usually one
    number, so a reading of the whole rest of the run wins; else the best-ranked, then the longest."""
    candidates: list[tuple[int, int, int, str]] = []  # (rank, -length, j, kind)
    digits = ""
    for j in range(i, len(groups)):
        digits += groups[j].digits
        if len(digits) > 24:
            break
        kind = _kind(digits)
        if kind is None:
            continue
        if kind == "local" and not _local_ok(text, groups[i : j + 1]):
            continue
        if kind in ("long", "card", "local") and _referenced(text, groups[i].start):
            continue
        candidates.append((_RANK[kind], -len(digits), j, kind))
    if not candidates:
        return None
    whole = [c for c in candidates if c[2] == len(groups) - 1 and c[3] not in ("long", "local")]
    _, _, j, kind = whole[0] if whole else min(candidates)
    return j, kind


def _kept_prefix(text: str, start: int, end: int, n_digits: int) -> tuple[str, int]:
    """The original text of the first n_digits digits (and the separators after them), and where it ends."""
    seen, k = 0, start
    while k < end and seen < n_digits:
        if text[k] in _DIGITS:
            seen += 1
        k += 1
    while k < end and text[k] in _SEPARATORS:
        k += 1
    return text[start:k], k


def _masked(text: str, kind: str, first: _Group, last: _Group, d: str) -> str:
    if kind in ("mobile", "mobile_cc"):
        cc = len(d) - 11
        prefix = _kept_prefix(text, first.start, last.end, cc)[0] if cc else ""
        if prefix[-1:] in _DIGITS:
            prefix += " "
        return f"{prefix}{d[cc:cc + 3]}****{d[-4:]}"
    if kind in ("landline", "landline_cc"):
        area = 2 + (2 if d[2] in "12" else 3) if kind == "landline_cc" else area_code_length(d)
        prefix = _kept_prefix(text, first.start, last.end, area)[0]
        if prefix[-1:] in _DIGITS:
            prefix += "-"
        return prefix + "*" * (len(d) - area - 4) + d[-4:]
    if kind == "id18":
        return d[:6] + "*" * 8 + d[-4:]
    if kind == "id15":
        return d[:6] + "*" * 6 + d[-3:]
    return "*" * (len(d) - 4) + d[-4:]


def _whole_reading(text: str, start: int, end: int) -> bool:
    """Whether text[start:end], in Arabic digits only, reads all of it as one mobile, landline or ID number."""
    if any(c in _CN_NUMERALS for c in text[start:end]):
        return False
    groups = _groups(text, start, end)
    found = _segment(text, groups, 0) if groups else None
    return found is not None and found[0] == len(groups) - 1 and found[1] in _WHOLE_KINDS


def _is_word_char(c: str) -> bool:
    return "\u4e00" <= c <= "\u9fff" and c not in _CN_NUMERALS


def _word_numerals(text: str, start: int, end: int) -> tuple[int, int]:
    """The run without the Chinese numerals that belong to the words touching it: one or two at either end,
    next to another Han character (张三, 王五, 三组) and next to Arabic digits, are words when the rest reads as
    one whole number. Anything else stays in the run, which is masked as before: this fails closed."""
    s = start
    while s < end and s - start < 3 and text[s] in _CN_NUMERALS:
        s += 1
    lead = 0 < s - start <= 2 and start > 0 and _is_word_char(text[start - 1]) and _arabic_next(text, s, end)
    e = end
    while e > s and end - e < 3 and text[e - 1] in _CN_NUMERALS:
        e -= 1
    trail = 0 < end - e <= 2 and end < len(text) and _is_word_char(text[end]) and _arabic_next(text, e, s, -1)
    for a, b in ((s if lead else start, e if trail else end), (start, e if trail else end), (s if lead else start, end)):
        if (a, b) != (start, end) and _whole_reading(text, a, b):
            return a, b
    return start, end


def _arabic_next(text: str, i: int, stop: int, step: int = 1) -> bool:
    """Whether the first digit from i towards stop (past separators) is an Arabic one, ASCII or full-width."""
    k = i if step == 1 else i - 1
    while (k < stop if step == 1 else k >= stop) and text[k] in _SEPARATORS:
        k += step
    inside = k < stop if step == 1 else k >= stop
    return inside and text[k] in _DIGITS and text[k] not in _CN_NUMERALS


def _spans(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, replacement) of every personal number in text, left to right."""
    for m in _RUN.finditer(text):
        groups = _groups(text, *_word_numerals(text, m.start(), m.end()))
        i = 0
        while i < len(groups):
            found = _segment(text, groups, i)
            if found is None:
                i += 1
                continue
            j, kind = found
            d = "".join(g.digits for g in groups[i : j + 1])
            yield groups[i].start, groups[j].end, _masked(text, kind, groups[i], groups[j], d)
            i = j + 1


def mask_numbers(text: str) -> str:
    """138****5678 for mobiles, 330502********1234 for ID numbers, 0572-***5678 for landlines, the last four
    digits for cards and any other long number; the rest of the text unchanged."""
    out: list[str] = []
    pos = 0
    for start, end, replacement in _spans(text):
        out.append(text[pos:start])
        out.append(replacement)
        pos = end
    if not out:
        return text
    out.append(text[pos:])
    return "".join(out)


# ---- names known to be personal (重点人员): masked in every log line, as typed and as JSON escapes ----
_names: dict[str, str] = {}  # name or its JSON escape → its masked form
_names_lock = threading.Lock()


def _name_masked(name: str) -> str:
    return name[0] + "*" * (len(name) - 1)


def remember_names(*names: str) -> None:
    """Names to mask wherever a log line of this process carries them (maotiao/logredact.py), from now on."""
    with _names_lock:
        for name in names:
            if len(name) >= 2 and name not in _names:
                _names[name] = _name_masked(name)
                escaped = json.dumps(name)[1:-1]
                if escaped != name:
                    _names[escaped] = json.dumps(_names[name])[1:-1]
        ordered = sorted(_names.items(), key=lambda kv: -len(kv[0]))
        _names.clear()
        _names.update(ordered)


def mask_names(text: str) -> str:
    """张** for every remembered name in `text` (longest first)."""
    for name, masked in list(_names.items()):
        if name in text:
            text = text.replace(name, masked)
    return text


# A case number (2026-0042, core/numbering.py) is a reference, not a personal number: texts that name cases keep it.
CASE_NUMBER = re.compile(r"(?<![\d-])(20\d{2}-\d{4,6})(?![\d-])")


def mask_keeping_case_numbers(text: str) -> str:
    """mask_numbers on everything but the case numbers the text names (cards and notices about cases)."""
    pieces = CASE_NUMBER.split(text)
    return "".join(p if i % 2 else mask_numbers(p) for i, p in enumerate(pieces))


def may_hold_numbers(text: str) -> bool:
    """A quick pre-check (one regex scan): False means mask_numbers leaves the text as it is."""
    return _RUN.search(text) is not None


def has_personal_numbers(text: str) -> bool:
    """Whether the text holds a number mask_numbers would mask (False on anything it returned)."""
    return next(_spans(text), None) is not None


def digits_of(text: str) -> str:
    """Every digit in text, as ASCII, Chinese numerals and full-width digits included."""
    return "".join(_DIGITS[c] for c in text if c in _DIGITS)
