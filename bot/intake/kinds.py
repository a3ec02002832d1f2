"""What a plain chat message is, before anyone acts on it: an acknowledgement, a greeting or thanks, a question
about a case or the duty roster, or content (a dispute described, a place, a supplement). Only content may start
or extend a report draft: "好的", "收到", a thumbs-up or "0001现在咋样了" must never become a case.

The word lists are written from how grid workers and officers actually type in chat (short, colloquial, with
particles, emoji and stray punctuation), not from any particular message."""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

from bot.intake.parse import parse


class Kind(StrEnum):
    ACK = "ack"  # 好的, 收到, 嗯嗯, 👍, ... : nothing to do
    THANKS = "thanks"  # 谢谢, 辛苦了
    GREETING = "greeting"  # 你好, 在吗
    CASE_QUESTION = "case_question"  # 0001现在咋样了
    DUTY_QUESTION = "duty_question"  # 今天谁值班
    QUESTION = "question"  # some other question (怎么上报?)
    DISPUTE = "dispute"  # describes a dispute: may start a report
    OTHER = "other"  # content that describes no dispute (a place name, a supplement, a progress note)


_PARTICLES = "啊呀呢吧哈嘛哦噢喔啦了的嘞咯滴哒"
_EMOTICON = re.compile(r"\[[\u4e00-\u9fa5A-Za-z]{1,4}\]")  # chat apps' stickers as text: [强], [抱拳], [微笑]
ACK_WORDS = frozenset({
    "好", "好的", "好滴", "好哒", "好嘞", "好了", "好吧", "好好", "好好好", "好的好的", "行", "行的", "行吧", "可以",
    "可以的", "没问题", "收到", "收到了", "已收到", "收到收到", "好的收到", "收到好的", "嗯", "嗯嗯", "嗯嗯嗯", "恩",
    "恩恩", "哦", "哦哦", "噢", "喔", "知道", "知道了", "晓得", "晓得了", "明白", "明白了", "了解", "了解了", "懂了",
    "是", "是的", "对", "对的", "对对", "ok", "okay", "好的ok", "嗯好的", "okk", "好哈", "好嘞收到", "收悉", "已阅",
    "阅", "ojbk", "妥", "妥了", "中", "得嘞", "1", "11", "666", "赞", "哈哈", "哈哈哈", "呵呵", "嘿嘿",
})
THANKS_WORDS = ("谢", "多谢", "感谢", "辛苦", "麻烦你", "麻烦您", "thank", "thx", "3q")
GREETING_WORDS = frozenset({
    "你好", "您好", "在吗", "在不在", "在么", "有人吗", "喂", "hi", "hello", "早", "早上好", "上午好", "中午好",
    "下午好", "晚上好", "晚安", "大家好", "领导好", "老师好",
})
_QUESTION_TAIL = re.compile(r"(吗|么|没|没有|呢|不|咋样|怎么样|如何|啥情况|什么情况|[??])[\W_]*$")
_CASE_ASK = re.compile(  # asking about a case, not telling (an officer's "0042 已约双方" is progress)
    r"(咋样|怎么样|如何|到哪|哪一步|啥情况|什么情况|有(?:没有)?(?:消息|结果|进展)|谁在(?:办|管|处理|负责)|谁负责|"
    r"(?:好|完|结|办)了没|[??])")
# In a sentence, a case number is "2026-0042", "0042" (3 to 6 digits that count nothing: not 2000元, 9点) or
# "42号案"; the command forms (办结 42 …) read short numbers themselves.
_CASE_REF = re.compile(r"(?<![\d-])(?P<num>\d{4}-\d{1,6}|\d{3,6}(?![\d-]|\s*[点天日时元块万千百个年月号岁人户米亩平斤台])"
                       r"|\d{1,6}(?=号(?:案|案件|案子)?))")
_DUTY = re.compile(r"(谁|哪位|哪个|什么人|是谁).{0,4}值班|值班.{0,6}(谁|哪位|哪个|什么人|是谁|名单|安排|领导|人员)")
_ASK_WORDS = re.compile(r"(怎么|咋|如何|能不能|可不可以|可以.{0,6}吗|是不是|为什么|为啥|什么|哪里|哪儿|多久|几天|请问)")
# Words that say a dispute (or a problem someone wants the center to solve) is being described. The intake
# lexicon's category cues (bot/intake/lexicon.py) count too: see `describes_dispute`.
DISPUTE_WORDS = (
    "纠纷", "矛盾", "争执", "争吵", "吵架", "吵", "闹", "打架", "打人", "被打", "动手", "殴打", "斗殴", "骂", "威胁",
    "冲突", "扯皮", "不讲理", "投诉", "反映", "举报", "上访", "信访", "维权", "讨说法", "要说法", "讨要", "索要",
    "欠", "不还", "不给", "拖欠", "赔偿", "赔钱", "补偿", "损失", "损坏", "弄坏", "砸", "占用", "侵占", "霸占",
    "堵", "拦", "围堵", "聚集", "闹事", "受伤", "报警", "110", "不让", "不同意", "不服", "不满", "拒绝", "纠缠",
    "骚扰", "污染", "臭", "噪音", "漏水", "渗水", "偷", "诈骗", "被骗", "跳楼", "轻生", "自杀", "喝药", "扬言",
)
MIN_DESCRIPTION_CHARS = 16  # a longer statement that is no question is taken as a description


def _bare(text: str) -> str:
    """The text without spaces, punctuation, emoji, stickers and trailing particles, lower-cased."""
    kept = "".join(ch for ch in _EMOTICON.sub("", text) if unicodedata.category(ch)[0] in "LN").lower()
    return kept.rstrip(_PARTICLES) or kept


def hanzi_count(text: str) -> int:
    return sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")


def case_reference(text: str) -> str | None:
    """The case number written in a message ("0001", "2026-0042", "42号"), if any."""
    m = _CASE_REF.search(text)
    return m.group("num") if m else None


def is_chatter(text: str) -> bool:
    return kind_of(text) in (Kind.ACK, Kind.THANKS, Kind.GREETING)


def _chatter_kind(text: str) -> Kind | None:
    bare = _bare(text)
    if not bare:  # emoji, stickers as text, punctuation only
        return Kind.ACK
    if bare in ACK_WORDS or (len(bare) <= 6 and _all_ack(bare)):
        return Kind.ACK
    if len(bare) <= 10 and any(w in bare for w in THANKS_WORDS) and not describes_dispute(text):
        return Kind.THANKS
    if bare in GREETING_WORDS or (len(bare) <= 8 and any(bare.startswith(g) for g in GREETING_WORDS if len(g) > 1)
                                  and not describes_dispute(text)):
        return Kind.GREETING
    return None


def _all_ack(bare: str) -> bool:
    """"好的好的收到", "嗯嗯好": a run of acknowledgement words."""
    rest = bare
    while rest:
        word = next((w for w in sorted(ACK_WORDS, key=len, reverse=True) if rest.startswith(w)), None)
        if word is None:
            return False
        rest = rest[len(word):].lstrip(_PARTICLES)
    return True


def describes_dispute(text: str) -> bool:
    """Whether the text says what a dispute is about: dispute words, the intake lexicon's category cues, or a
    statement long enough to be a description that asks nothing."""
    if any(w in text for w in DISPUTE_WORDS):
        return True
    if any(parse(text).scores.values()):
        return True
    return hanzi_count(text) >= MIN_DESCRIPTION_CHARS and not _is_question(text)


def _is_question(text: str) -> bool:
    stripped = text.strip()
    return bool(_QUESTION_TAIL.search(stripped)) or (hanzi_count(stripped) <= 14 and bool(_ASK_WORDS.search(stripped)))


def kind_of(text: str) -> Kind:
    """What one chat message is (see the module's docstring)."""
    chatter = _chatter_kind(text)
    if chatter is not None:
        return chatter
    if _DUTY.search(text) and hanzi_count(text) <= 16:
        return Kind.DUTY_QUESTION
    num = case_reference(text)
    if num is not None and _CASE_ASK.search(text) and hanzi_count(text) <= 16:
        return Kind.CASE_QUESTION
    if describes_dispute(text):
        return Kind.DISPUTE
    if _is_question(text):
        return Kind.QUESTION
    return Kind.OTHER
