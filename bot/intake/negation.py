"""Negation scope: "双方没有动手", "暂无人员受伤", "现场并无人员聚集", "未发现进京上访的苗头", "不会去上访",
"受伤情况：无" deny what follows (or precedes); "不给钱就去堵路", "没拿到钱就跳楼" do not — a condition
ends the scope. Reports are often dictated without punctuation, so a scope also ends at the first word
that is not part of a negated phrase, never further than a few characters."""

from __future__ import annotations

import re

# A negator, then what may stand between it and the denied signal.
_NEGATOR = re.compile(
    r"(?:并未|尚未|未曾|从未|从来没有|从没|均未|都未|暂未|暂无|并无|均无|都没有|都没|也没有|也没|还没有|还没|没有|没|"
    r"未(?!果|遂|成年|婚|满|经|按|及时|签|付|发(?!生|现)|给|还|缴|退|到位|落实|解决|兑现|处理|答复|予|能|知|告知)|"
    r"无(?!果|效|法|奈|理|故|辜|赖|业|证|良|偿|数|论|所|门|力|依|照|人管|人问|关)|"
    r"不会|不再|不要|不敢|不想|不能|不打算|不准备|不至于|不存在|谈不上|否认|"
    r"避免|防止|以免|以防|预防|杜绝|严防|是否|有无|有没有|排除)"
)
_GAP_TOKENS = sorted(
    {"人员", "人", "有", "出现", "发生", "造成", "发现", "见", "过", "再", "进行", "任何", "明显", "大规模", "肢体",
     "现场", "激烈", "的", "其他", "什么", "采取", "过激", "行为", "情况", "迹象", "群众", "村民", "工人", "业主",
     "家属", "一起", "相关", "较大", "严重", "重大", "群体性", "规模", "发生过", "双方", "去", "到", "会", "要",
     "因此", "而", "被", "受到", "或", "和", "及", "与", "、", "或者", "以及", "人身", "打算", "准备", "想", "说",
     "当事人", "对方", "任何人", "一人", "人员伤亡", "伤亡", "员", "明确", "真的", "过于", "再次", "直接", "公开",
     "在", "上", "里", "有人", "出", "引起", "引发", "导致"},
    key=len, reverse=True,
)
_AFTER = re.compile(r"^(?:的)?(?:情况|现象|行为|问题|人员|事件)?\s*[:：]?\s*(?:均|都|暂|暂时|目前|尚|并)?"
                    r"(?:无|没有|未发生|不存在|否)(?![法果效奈])")
CLAUSE_END = set("，。；！？,.;!?\n\r（）()【】")
_MAX_GAP = 8


def _gap_ok(gap: str) -> bool:
    """The words between a negator and a signal are all part of the negated phrase."""
    i = 0
    while i < len(gap):
        for token in _GAP_TOKENS:
            if gap.startswith(token, i):
                i += len(token)
                break
        else:
            return False
    return True


def clause_bounds(text: str, pos: int) -> tuple[int, int]:
    start = pos
    while start > 0 and text[start - 1] not in CLAUSE_END:
        start -= 1
    end = pos
    while end < len(text) and text[end] not in CLAUSE_END:
        end += 1
    return start, end


def negated(text: str, start: int, end: int, spans: list[tuple[int, int]] | None = None) -> bool:
    """Is the signal text[start:end] denied? spans: other signals' spans, which may stand between a negator
    and this one ("未发现进京或越级上访": both denied)."""
    c_start, c_end = clause_bounds(text, start)
    if _AFTER.match(text[end:c_end]):
        return True
    window = text[max(c_start, start - _MAX_GAP - 6) : start]
    base = start - len(window)
    for m in _NEGATOR.finditer(window):
        gap_start = base + m.end()
        gap = text[gap_start:start]
        if len(gap) > _MAX_GAP:
            continue
        for s, e in sorted(spans or []):
            if gap_start <= s and e <= start:
                gap = gap.replace(text[s:e], "", 1)
        if _gap_ok(gap):
            return True
    return False


def fear_before(text: str, start: int) -> bool:
    """"怕他报复", "担心男方报复": a fear, not a threat made."""
    c_start, _ = clause_bounds(text, start)
    return re.search(r"(怕|害怕|担心|担忧|生怕|恐怕|防止|以防)[^，。；]{0,6}$", text[c_start:start]) is not None
