"""An officer's task replies in ordinary phrasing, not only the command forms of bot/commands/task.py:
"已经联系上了,明天上午九点到村委会对账" (进展), "这事调解好了,双方签了协议" (办结 with its result),
"当事人在外地打工,想申请延期三天" (延期 N 天 + 理由), "这个不归我们所管,退回" (退回 + 理由).

Only a sentence that says something is read this way; acknowledgements and questions are not progress."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.intake.kinds import Kind, case_reference, hanzi_count, kind_of
from bot.intake.numbers import chinese_to_int
from core.transitions import TaskAction

_NOT = r"(?<![没未不无])(?<!没有)(?<!还没)(?<!尚未)(?<!不能)(?<!不用)(?<!不要)"
_DAYS = r"(?P<days>\d{1,2}|[一二两三四五六七八九十]{1,3})\s*(?:个)?(?:工作日|天|日)"
_EXTEND = tuple(re.compile(p) for p in (
    rf"{_NOT}(?:申请|请求|想|要|需要|能否|能不能|可否|可不可以|请)?\s*"
    rf"(?:延期|延长|推迟|推后|宽限|缓)(?:时间|期限|办理|一下)?\s*(?:到|至|为)?\s*{_DAYS}",
    rf"再(?:给|宽限|多给|延)\s*(?:我|我们)?\s*{_DAYS}(?:时间)?"))
_RETURN = re.compile(
    rf"{_NOT}(?:退回|退还|打回|退给中心|退给你们)"
    r"|不归(?:我们|我|本所|本单位|我所|我们所|我们单位)(?:所)?管|不属于(?:我们|我|本所|本单位|我所|我们所|我们单位)"
    r"|不是(?:我们|本所|本单位|我所|我们所)的?(?:职责|事|管辖)|(?:交|派|分)错(?:了|单位|部门)")
_RESOLVE = re.compile(
    rf"{_NOT}(?:已办结|办结|结案|处理完毕|处理完了|处理好了|办好了|办完了|化解了|已化解|调解成功|调处成功"
    r"|调解好了|已解决|解决了|达成(?:了)?(?:调解)?协议|签(?:了|订了|订)(?:调解)?协议|和解了|握手言和|案结事了|息诉罢访)")
_RETURN_WORDS = re.compile(r"(?:请|麻烦|需要|要|申请)?(?:退回|退还|打回|退给中心|退给你们)(?:去|给中心|中心)?")
_FILLER = re.compile(r"[\s,,。.!!;;、~??]|这个|这件事|这事|该案|案子|案件|已经|已|了|啊|吧|呢|哈|的")
_ASKING = re.compile(r"能不能|能否|可否|可不可以|可以|行不行|好不好|吗|么|请|想|要|需要|申请|我们|我|再|一下|时间|给")
_EDGES = re.compile(r"^[\W_]+|[\W_]+$")
MIN_PROGRESS_CHARS = 4  # fewer written characters say nothing an officer would record


@dataclass(frozen=True)
class PlainReply:
    verb: TaskAction
    rest: str  # the text the verb records (empty: ask for it)
    num: str | None  # a case number written in the sentence
    days: int | None = None


def _said_nothing_else(text: str) -> bool:
    return not _FILLER.sub("", _ASKING.sub("", text))


def _without_number(text: str, num: str | None) -> str:
    if num is None:
        return text.strip()
    return re.sub(rf"^\s*{re.escape(num)}\s*(?:号)?[\s,,::。]*", "", text).strip()


def read_plain(text: str) -> PlainReply | None:
    """The task action a sentence in ordinary words asks for, or None when it says none (chatter, a question)."""
    kind = kind_of(text)
    if kind in (Kind.ACK, Kind.THANKS, Kind.GREETING, Kind.CASE_QUESTION, Kind.DUTY_QUESTION):
        return None
    num = case_reference(text)
    body = _without_number(text, num)
    if m := next(filter(None, (p.search(body) for p in _EXTEND)), None):
        left = body[:m.start()] + body[m.end():]
        return PlainReply(TaskAction.EXTEND, "" if _said_nothing_else(left) else body, num, chinese_to_int(m.group("days")))
    if m := _RETURN.search(body):
        reason = _EDGES.sub("", _RETURN_WORDS.sub("", body))
        return PlainReply(TaskAction.RETURN, "" if _said_nothing_else(reason) else reason, num)
    if kind is Kind.QUESTION:  # "能不能延期两天?", "可以退回吗?" ask for an action; other questions report nothing
        return None
    if m := _RESOLVE.search(body):
        left = body[:m.start()] + body[m.end():]
        return PlainReply(TaskAction.RESOLVE, "" if _said_nothing_else(left) else body, num)
    if hanzi_count(body) >= MIN_PROGRESS_CHARS:
        return PlainReply(TaskAction.PROGRESS, body, num)
    return None
