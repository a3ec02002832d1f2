"""Counting people and money in Chinese text, as ranges: "六个工人", "七八个人", "四十几户", "三十多名",
"上百名", "一百来人", "近三十人", "二十余万", "两三千元", "十五六万", "1.5万", "3w".

Every quantity is a range (low, high); the rubric is applied to the lower bound, so a count never
overstates a report ("近三十人" is fewer than thirty, "三十多户" at least thirty)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
           "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10_000, "亿": 100_000_000}
_CN = "零〇一二两俩三四五六七八九十百千万亿几"
_NUM = rf"[0-9]+(?:\.[0-9]+)?[十百千万亿]*|[{_CN}]+"
# Words before a number that change its range ("约", "大概" do not: the number stands as it is).
_BEFORE_2 = {w: w for w in ("将近", "接近", "不到", "不足", "至少", "超过", "起码")}
_BEFORE_1 = {w: w for w in ("上", "近", "小", "好", "数")}
_ARABIC = re.compile(r"([0-9]+(?:\.[0-9]+)?)([十百千万亿]*)")
_WAN = re.compile("[万亿]")
_MONEY_AFTER_QIAN = re.compile(r"[元块钱]")
_QUANTITY = re.compile(
    rf"(?P<n>{_NUM})(?:\s*(?:-|~|～|至|到)\s*(?P<n2>{_NUM}))?(?P<more>多|余|来|几|把)?(?P<unit>[十百千万亿](?![十百千万亿]))?"
)
# What a count is of: person nouns that may follow 个/名/位 ("十二名员工", "七八个人", "几十号人").
_PERSON_NOUNS = (
    "人", "户", "工人", "农民工", "民工", "员工", "职工", "工友", "女工", "村民", "居民", "业主", "住户", "群众",
    "家长", "学生", "孩子", "小孩", "儿童", "老人", "会员", "商户", "摊主", "租户", "租客", "农户", "果农", "养殖户",
    "亲属", "亲戚", "家属", "老乡", "同学", "投资人", "消费者", "顾客", "患者", "病人", "司机", "骑手", "老师",
    "教师", "保安", "保洁员", "工", "师傅", "青年", "年轻人", "男子", "女子", "妇女", "人员", "代表", "拆迁户",
    "被拆迁户", "征迁户", "移民", "信众", "族人", "外嫁女", "会员", "乘客", "游客", "学员", "教练", "厨师",
    "木工", "泥瓦工", "钢筋工", "搬运工", "环卫工", "小伙子", "姑娘", "阿姨", "大妈", "大爷", "女儿", "儿子",
    "子女", "兄弟", "姐妹", "亲友", "村干部", "干部", "党员", "同事", "工作人员", "供货商", "商家", "学生家长",
)
_PERSON_SUFFIX = "人工民员主户生长友客贩属众师农商妇女男匠"
_KIN = ("女儿", "儿子", "子女", "兄弟", "姐妹")  # relatives counted among themselves: not one side
_MODIFIER = r"(?:[^，。,;；：:\s个名位月天年]{1,5}?的|外地|外来|本地|当地|附近|周边|老|女|男|年轻|退休|下岗|留守|务工|打工|在职)*"
_PERSON_RE = re.compile(
    r"(?:左右|上下)?(?:(?P<cl>个|名|位|号|口)(?:多|余|来)?" + _MODIFIER + r")?(?P<noun>"
    + "|".join(sorted(_PERSON_NOUNS, key=len, reverse=True))
    + rf"|(?!多?月|天|年|小时|星期|礼拜|钟头|季度|周|半)[\u4e00-\u9fa5]{{0,3}}?[{_PERSON_SUFFIX}]"
    + r"(?![\u4e00-\u9fa5]?[钱元块万]))"
)
_ROOM_BEFORE = re.compile(r"幢|栋|楼|单元|室|号")
_CLASSIFIER_ALONE = re.compile(r"(?:多|余|来)?(?:名|位|个|人|户)(?:左右|上下)?(?![\u4e00-\u9fa5])")
_NOUN_BEFORE = re.compile(
    "(?P<noun>" + "|".join(sorted(_PERSON_NOUNS, key=len, reverse=True)) + ")(?:中|里|当中)?(?:有|约|共|共计|计|达|合计)?$")
_NOUN_SET = frozenset(_PERSON_NOUNS)
_ONLOOKERS = re.compile(r"(?:次)?(?:转发|点赞|评论|观看|围观|浏览|阅读|关注|看过|点击)")
_KIN_BEFORE = ("兄弟", "姐妹", "姐弟", "兄妹", "子女", "儿女", "母子", "父子", "夫妻", "婆媳", "兄弟姐妹", "妯娌")
_MONEY_UNIT = re.compile(r"\s*(?P<unit>万元|万块|万|千元|千块|千|百元|元|块钱|块|w|W|k|K)(?![a-zA-Z])")
_NOT_MONEY_AFTER_WAN = set("人户名个亩平方只头斤吨公里米字件辆套间株棵")


@dataclass(frozen=True)
class Quantity:
    low: float
    high: float
    start: int
    end: int
    wan: bool  # written with 万 or 亿 (so a sum of money unless a noun says otherwise)


@dataclass(frozen=True)
class Count:
    low: int
    high: int
    kin: bool  # relatives counted among themselves (姐弟四人): not a side acting together


def _plain(text: str) -> int | None:
    """A Chinese numeral without ranges: "二十三" → 23, "一万二" → 12000, "三千五" → 3500, "百" → 100."""
    total, section, current, last_unit = 0, 0, 0, 0
    zero_seen = False
    for ch in text:
        if ch in _DIGITS:
            current = _DIGITS[ch]
            zero_seen = zero_seen or current == 0
        elif ch in _UNITS:
            unit = _UNITS[ch]
            if unit >= 10_000:
                total = (total + section + current) * unit
                section = current = 0
            else:
                section += (current or 1) * unit
                current = 0
            last_unit, zero_seen = unit, False
        else:
            return None
    if current and last_unit >= 100 and not zero_seen and text[-1] in _DIGITS:
        current *= last_unit // 10  # 一万二 = 12000, 三百五 = 350: the digit after a unit is the next unit down
    return total + section + current


def _smallest_unit(text: str) -> int:
    units = [_UNITS[c] for c in text if c in _UNITS]
    if not units or text[-1] in _DIGITS:
        return 1
    return min(units)


def number_range(token: str) -> tuple[float, float] | None:
    """(low, high) of a written number: "七八" → (7, 8), "二三十" → (20, 30), "四十几" → (41, 49),
    "几十" → (20, 90), "1.5万" → (15000, 15000), "五六" → (5, 6)."""
    m = _ARABIC.fullmatch(token)
    if m:
        value = float(m.group(1))
        for ch in m.group(2):
            value *= _UNITS[ch]
        return value, value
    if "几" in token:
        low = _plain(token.replace("几", "二" if token.startswith("几") else "一"))
        high = _plain(token.replace("几", "九"))
        return (float(low), float(high)) if low is not None and high is not None else None
    for i in range(len(token) - 1):
        a, b = token[i], token[i + 1]
        if a in _DIGITS and b in _DIGITS and 0 < _DIGITS[a] < _DIGITS[b] and (
            _DIGITS[b] - _DIGITS[a] == 1 or (a, b) in (("三", "五"), ("一", "两"))
        ):
            low = _plain(token[: i + 1] + token[i + 2 :])
            high = _plain(token[:i] + token[i + 1 :])
            if low is not None and high is not None:
                return float(low), float(high)
    plain = _UNITS[token] if token in _UNITS else _plain(token)
    return (float(plain), float(plain)) if plain is not None else None


def chinese_to_int(text: str) -> int | None:
    """"二十三" → 23, "两万" → 20000, "五六" → 5 (a range: its lower end), "12" → 12."""
    if text.isdigit():
        return int(text)
    if text in _UNITS:
        return _UNITS[text]
    found = number_range(text)
    return int(found[0]) if found else None


def _approximate(low: float, high: float, before: str | None, more: str | None, token: str) -> tuple[float, float]:
    unit = _smallest_unit(token) if not token[:1].isdigit() else 1
    if more in ("多", "余", "几"):
        high = high + max(unit, 1) * (0.99 if unit > 1 else 0.5)
    if before == "上":
        high = low * 9
    elif before in ("近", "将近", "接近", "不到", "不足", "小"):
        low, high = low * 0.9, high * 0.99
    elif before == "数":
        low, high = low * 2, low * 9
    elif before in ("超过", "至少", "起码"):
        high = max(high, low * 1.5)
    return low, high


def quantities(text: str) -> list[Quantity]:
    """Every number in the text with its range and approximations ("上百", "近三十", "十多", "两三千")."""
    out: list[Quantity] = []
    for m in _QUANTITY.finditer(text):
        token = m.group("n")
        found = number_range(token)
        if found is None:
            continue
        low, high = found
        if m.group("n2"):
            second = number_range(m.group("n2"))
            if second:
                high = second[1]
                if token.isdigit() and m.group("n2")[-1:] in _UNITS:  # 3-5万: the unit applies to both
                    low *= _UNITS[m.group("n2")[-1]]
        start = m.start()
        before = _BEFORE_2.get(text[start - 2 : start]) if start >= 2 else None
        if before is None and start >= 1:
            before = _BEFORE_1.get(text[start - 1])
        if before == "好" and not token.startswith("几"):
            before = None
        low, high = _approximate(low, high, before, m.group("more"), token)
        if m.group("unit"):
            factor = _UNITS[m.group("unit")]
            low, high = low * factor, high * factor
        wan = _WAN.search(token) is not None or m.group("unit") in ("万", "亿")
        out.append(Quantity(low, high, m.start() - len(before or ""), m.end(), wan))
    return out


def counts(text: str, found: list[Quantity] | None = None) -> list[Count]:
    """Head counts the text states or implies (households count as one each)."""
    out: list[Count] = []
    for q in quantities(text) if found is None else found:
        p = _PERSON_RE.match(text, q.end)
        if p is None or q.low <= 0 or q.low > 1_000_000 or text[q.start - 1 : q.start] in ("第", "周", "星"):
            continue
        noun = p.group("noun")
        if noun not in _NOUN_SET and not p.group("cl"):
            continue  # a person-like word only counts after 个/名/位: "十几个采茶工", not "三千工"
        if _ONLOOKERS.match(text, p.end()):
            continue  # "好几千人转发": people online are not involved
        token = text[q.start : q.end]
        if token.isdigit() and len(token) >= 3 and _ROOM_BEFORE.search(text[max(0, q.start - 8) : q.start]):
            continue  # "12幢401与501住户": room numbers
        if noun in ("工", "人员", "代表", "师傅") and not p.group("cl"):
            continue  # "三工", "两人员" are no counts; "五名代表" is
        kin = noun in _KIN or text[max(0, q.start - 4) : q.start].endswith(_KIN_BEFORE)
        out.append(Count(int(q.low), int(q.high), kin=kin))
    return out + _counts_after_noun(text, found if found is not None else quantities(text))


def _counts_after_noun(text: str, found: list[Quantity]) -> list[Count]:
    """"学生二十多名", "吃了的人有七八个": the person noun before the number, a classifier and nothing after."""
    out = []
    for q in found:
        tail = _CLASSIFIER_ALONE.match(text, q.end)
        head = _NOUN_BEFORE.search(text, max(0, q.start - 8), q.start)
        if tail and head and q.low > 0:
            out.append(Count(int(q.low), int(q.high), kin=head.group("noun") in _KIN))
    return out


def people_range(text: str) -> tuple[int, int] | None:
    """The largest head count, as (low, high)."""
    found = counts(text)
    if not found:
        return None
    best = max(found, key=lambda c: (c.low, c.high))
    return best.low, best.high


def people_count(text: str) -> int | None:
    """The largest head count the text states or implies, at its lower bound."""
    found = people_range(text)
    return found[0] if found else None


def side_count(text: str) -> int:
    """The largest count of people who could act together (relatives among themselves excluded)."""
    return max((c.low for c in counts(text) if not c.kin), default=0)


_MONEY_FACTOR = {"万元": 10_000, "万块": 10_000, "万": 10_000, "w": 10_000, "W": 10_000, "千元": 1000, "千块": 1000,
                 "千": 1000, "k": 1000, "K": 1000, "百元": 100, "元": 1, "块钱": 1, "块": 1}


def amounts(text: str, found: list[Quantity] | None = None) -> list[tuple[float, float]]:
    """Sums of money in yuan, as (low, high): "二十余万" → (200000, …), "两三千元" → (2000, 3000)."""
    out: list[tuple[float, float]] = []
    for q in quantities(text) if found is None else found:
        if q.low <= 0:
            continue
        m = _MONEY_UNIT.match(text, q.end)
        if m and not (q.wan and m.group("unit") in ("万", "w", "W")):
            unit = m.group("unit")
            if unit == "万" and text[m.end() : m.end() + 1] in _NOT_MONEY_AFTER_WAN:
                continue
            if unit == "千" and not _MONEY_AFTER_QIAN.match(text, m.end()):
                continue  # "两三千" alone may be anything; "两三千元" is money
            factor = _MONEY_FACTOR[unit]
        elif q.wan and text[q.end : q.end + 1] not in _NOT_MONEY_AFTER_WAN:
            factor = 1  # "损失十多万": the 万 is in the number already
        else:
            continue
        out.append((q.low * factor, q.high * factor))
    return out


def max_amount_yuan(text: str) -> int:
    """The largest sum of money the text mentions, in yuan at its lower bound (0 when none)."""
    return int(max((low for low, _ in amounts(text)), default=0))


@dataclass(frozen=True)
class Figures:
    """What the rubric needs of a report's numbers, read in one pass."""

    people: tuple[int, int] | None  # the largest head count, (low, high)
    side: int  # the largest count of people who could act together
    amount: int  # the largest sum of money, yuan, lower bound


def figures(text: str) -> Figures:
    found = quantities(text)
    heads = counts(text, found)
    best = max(heads, key=lambda c: (c.low, c.high)) if heads else None
    return Figures(
        people=(best.low, best.high) if best else None,
        side=max((c.low for c in heads if not c.kin), default=0),
        amount=int(max((low for low, _ in amounts(text, found)), default=0)),
    )
