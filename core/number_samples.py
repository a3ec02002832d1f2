"""Phone, ID and bank-card numbers generated in the formats people write them (numerals, grouping,
separators, prefixes), for the masking tests here and wherever text leaves a case. The masker itself is
core/masking.py."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from core.masking import area_code_length, digits_of

NUMERALS = ("ascii", "fullwidth", "chinese", "mixed")
GROUP_SEPARATORS = ("", " ", "-", "—", "——", "－", ".", "·", " - ", "\u3000", "–", "_")
KINDS = ("mobile", "landline", "id18", "id15", "card")
_AREA_CODES = ("010", "020", "021", "022", "023", "024", "025", "027", "028", "029", "0571", "0572", "0573",
               "0574", "0575", "0576", "0577", "0578", "0579", "0580", "0755", "0769", "0531", "0898", "0991")
_CN = "零一二三四五六七八九"


@dataclass(frozen=True)
class NumberStyle:
    """How one number is written: numerals, the groups it is cut into, what goes between and before them."""

    numerals: str = "ascii"
    grouping: tuple[int, ...] = ()  # group lengths from the left; () = one block
    separator: str = ""
    country_code: str = ""  # "", "+86", "86", "0086", "+86 ", "(+86)" — phones only
    bracket_area: str = ""  # "", "()", "（）" — landlines only
    yao: bool = False  # 1 said as 幺 in Chinese numerals
    lower_x: bool = False


@dataclass(frozen=True)
class NumberSample:
    kind: str
    digits: str  # the canonical number, ASCII ('X' for an ID's check character)
    text: str  # as written
    visible: int  # at most this many of its digits may stay readable once masked


def _numeral(c: str, style: NumberStyle, rng: random.Random) -> str:
    if c in "Xx":
        return "x" if style.lower_x else "X"
    mode = style.numerals if style.numerals != "mixed" else rng.choice(NUMERALS[:3])
    if mode == "fullwidth":
        return chr(0xFF10 + int(c))
    if mode == "chinese":
        return "幺" if (c == "1" and style.yao) else ("〇" if c == "0" and rng.random() < 0.3 else _CN[int(c)])
    return c


def render(digits: str, style: NumberStyle, rng: random.Random | None = None) -> str:
    """digits written in style (rng only picks numerals per digit for style.numerals == "mixed")."""
    rng = rng or random.Random(0)
    chars = [_numeral(c, style, rng) for c in digits]
    parts: list[str] = []
    pos = 0
    for size in style.grouping:
        if pos >= len(chars):
            break
        parts.append("".join(chars[pos : pos + size]))
        pos += size
    if pos < len(chars):
        parts.append("".join(chars[pos:]))
    return style.separator.join(parts)


def _check_char(body: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]


def random_digits(kind: str, rng: random.Random) -> str:
    """A plausible number of that kind: a mobile, a landline with area code, an 18- or 15-digit ID, a card."""
    def some(n: int) -> str:
        return "".join(rng.choice("0123456789") for _ in range(n))

    if kind == "mobile":
        return "1" + rng.choice("3456789") + some(9)
    if kind == "landline":
        return rng.choice(_AREA_CODES) + rng.choice("2345678") + some(rng.choice((6, 7)))
    region = rng.choice("123456") + some(5)
    birth = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 66))
    if kind == "id18":
        body = region + birth.strftime("%Y%m%d") + some(3)
        return body + _check_char(body)
    if kind == "id15":
        return region + birth.strftime("%y%m%d") + some(3)
    issuer = rng.choice(("62", "4", "5"))
    return issuer + some(rng.choice((16, 17, 19)) - len(issuer))


_GROUPINGS: dict[str, tuple[tuple[int, ...], ...]] = {
    "mobile": ((), (3, 4, 4), (3, 4), (3, 3, 5), (4, 4, 3), (2, 3, 3, 3), (3, 8)),
    "id18": ((), (6, 8, 4), (6, 4, 4, 4), (4, 4, 4, 4), (3, 3, 4, 4, 4), (6, 12)),
    "id15": ((), (6, 6, 3), (3, 4, 4, 4), (6, 9)),
    "card": ((), (4, 4, 4, 4), (4, 4, 4, 4, 3), (6, 13), (4, 4, 4, 4, 4)),
}


def random_style(kind: str, rng: random.Random) -> NumberStyle:
    numerals = rng.choice(NUMERALS)
    separator = rng.choice(GROUP_SEPARATORS)
    if kind == "landline":
        return NumberStyle(numerals=numerals, separator=separator, grouping=rng.choice(((), (4,), (3,), (4, 4))),
                           bracket_area=rng.choice(("", "", "()", "（）")), country_code=rng.choice(("",) * 4 + ("+86",)),
                           yao=rng.random() < 0.3)
    return NumberStyle(numerals=numerals, separator=separator, grouping=rng.choice(_GROUPINGS[kind]),
                       country_code=rng.choice(("",) * 3 + ("+86", "86", "0086", "+86 ", "(+86)")) if kind == "mobile" else "",
                       yao=rng.random() < 0.3, lower_x=rng.random() < 0.3)


def write_number(kind: str, digits: str, style: NumberStyle, rng: random.Random | None = None) -> NumberSample:
    """One number as people write it. Landlines: the area code apart (bracketed or not), the rest grouped."""
    rng = rng or random.Random(0)
    if kind == "landline":
        area, local = digits[: area_code_length(digits)], digits[area_code_length(digits) :]
        if style.country_code:
            area = area[1:]  # +86 571 …: the trunk 0 is dropped after a country code
        area_text = render(area, NumberStyle(numerals=style.numerals, yao=style.yao), rng)
        local_text = render(local, style, rng)
        if style.bracket_area:
            written = style.bracket_area[0] + area_text + style.bracket_area[1] + local_text
        else:
            written = area_text + (style.separator or rng.choice(("", " ", "-"))) + local_text
        text = (style.country_code + " " if style.country_code else "") + written
        return NumberSample(kind, digits, text, visible=len(area) + 4 + len(digits_of(style.country_code)))
    body = render(digits, style, rng)
    visible = {"mobile": 7, "id18": 10, "id15": 9, "card": 4}[kind]
    cc = style.country_code
    if cc and not cc.endswith((" ", ")")) and style.separator:
        cc += style.separator
    return NumberSample(kind, digits, cc + body, visible=visible + len(digits_of(cc)))


def sample_numbers(n: int, seed: int = 0) -> list[NumberSample]:
    """n numbers of every kind in styles drawn at random (deterministic for a seed)."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        kind = KINDS[i % len(KINDS)]
        out.append(write_number(kind, random_digits(kind, rng), random_style(kind, rng), rng))
    return out
