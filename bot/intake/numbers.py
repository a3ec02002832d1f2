"""Counting people and money in Chinese text: "六个工人", "五六户", "二十多户", "上百名", "三万元"."""

from __future__ import annotations

import re

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
           "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
# Vague quantities, taken at their lower bound so a count never overstates a report.
_VAGUE = {
    "上千": 1000, "数千": 1000, "几千": 1000, "上百": 100, "数百": 100, "几百": 100, "百余": 100, "百多": 100,
    "近百": 90, "几十": 20, "数十": 20, "十几": 10, "十多": 10, "十余": 10, "好几": 3, "几": 3,
}
_NUM = r"[0-9]+|[零〇一二两俩三四五六七八九十百千万]+"
_VAGUE_RE = "|".join(sorted(_VAGUE, key=len, reverse=True))
_PEOPLE_NOUNS = r"(?:名|个|位|户|人|家|口|多人|余人|来人)"
_PEOPLE_RE = re.compile(
    rf"(?P<n>{_VAGUE_RE}|{_NUM})(?P<more>多|余|来)?(?:个|名|位)?(?P<noun>户|人|家|名|位|个)"
    r"(?P<who>[\u4e00-\u9fa5]{0,3}?(?:人|工|民|员|主|户|生|长|女|男|子|友|客|贩|孩|属|众|师|农|亲|妇)|)"
)
_SIBLINGS_RE = re.compile(rf"(?:兄弟|姐妹|姐弟|兄妹|子女|儿女)(?P<n>{_NUM})人")
_MONEY_RE = re.compile(rf"(?P<n>{_NUM}|[0-9]+(?:\.[0-9]+)?)(?P<more>多|余)?(?P<unit>万|千|百)?(?:元|块)")
_MONEY_WAN_RE = re.compile(rf"(?P<n>{_NUM}|[0-9]+(?:\.[0-9]+)?)(?P<more>多|余)?万")


def chinese_to_int(text: str) -> int | None:
    """"二十三" → 23, "两万" → 20000, "五六" → 5 (a range: its lower end), "12" → 12."""
    if text.isdigit():
        return int(text)
    if len(text) == 2 and all(c in _DIGITS for c in text) and _DIGITS[text[1]] == _DIGITS[text[0]] + 1:
        return _DIGITS[text[0]]
    total, section, current = 0, 0, 0
    for ch in text:
        if ch in _DIGITS:
            current = _DIGITS[ch]
        elif ch in _UNITS:
            unit = _UNITS[ch]
            if unit == 10000:
                total += (section + current) * unit
                section = current = 0
            else:
                section += (current or 1) * unit
                current = 0
        else:
            return None
    return total + section + current


def _value(token: str) -> int | None:
    if token in _VAGUE:
        return _VAGUE[token]
    return chinese_to_int(token)


def people_count(text: str) -> int | None:
    """The largest head count the text states or implies (households count as one party each)."""
    best: int | None = None
    for m in _PEOPLE_RE.finditer(text):
        noun, who = m.group("noun"), m.group("who")
        if noun in ("个", "名", "位", "家") and not who:
            continue  # "一个月", "两家之间" without a person noun is not a head count
        if noun == "家" and who not in ("", "人", "户"):
            continue
        n = _value(m.group("n"))
        if n is None or n == 0 or n > 1_000_000:
            continue
        best = n if best is None else max(best, n)
    for m in _SIBLINGS_RE.finditer(text):
        n = _value(m.group("n"))
        if n:
            best = n if best is None else max(best, n)
    return best


def max_amount_yuan(text: str) -> int:
    """The largest sum of money the text mentions, in yuan (0 when none)."""
    best = 0.0
    for regex, default_unit in ((_MONEY_RE, 1), (_MONEY_WAN_RE, 10000)):
        for m in regex.finditer(text):
            token = m.group("n")
            try:
                n = float(token) if re.fullmatch(r"[0-9.]+", token) else float(_value(token) or 0)
            except ValueError:
                continue
            unit = default_unit
            if regex is _MONEY_RE and m.group("unit"):
                unit = _UNITS[m.group("unit")]
            best = max(best, n * unit)
    return int(best)
