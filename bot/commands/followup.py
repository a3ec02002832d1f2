"""回访 buttons: 满意 / 基本满意 / 不满意. 不满意 first asks why: the reason is recorded with the 回访 and reaches
the center and the officers who handled the case."""

from __future__ import annotations

import functools
import re

from bot.context import ActionHandler, Ctx
from bot.conversation import Waiting
from bot.intake.kinds import is_chatter
from bot.types import Act, ButtonAct
from core.enums import CaseStatus, Platform, Satisfaction
from core.models import CardLink, Case
from core.services import aftercare
from core.services.lookup import case_by_id

_CHOICE = {Act.SATISFIED: Satisfaction.SATISFIED, Act.BASICALLY: Satisfaction.BASICALLY,
           Act.UNSATISFIED: Satisfaction.UNSATISFIED}
ASK_REASON = "请简要说明不满意的原因,将转告承办人员(案件 {number},回复「取消」放弃)"


async def record(ctx: Ctx, case_id: int, choice: Satisfaction, note: str = "") -> None:
    outcome = await aftercare.record_follow_up(ctx.domain, ctx.actor, case_id, choice, note,
                                               source=Platform(ctx.inbound.platform))
    ctx.took(outcome)


async def _on_button(choice: Satisfaction, ctx: Ctx, link: CardLink) -> None:
    assert link.case_id is not None
    case = await case_by_id(link.case_id)
    if choice is Satisfaction.UNSATISFIED and CaseStatus(case.status) is CaseStatus.RESOLVED:
        await ctx.expect(Waiting.UNSATISFIED_REASON, case_id=case.id)
        ctx.reply(ASK_REASON.format(number=case.number))
        return
    await record(ctx, case.id, choice)


async def on_reason_text(ctx: Ctx, case_id: int, text: str) -> None:
    if is_chatter(text):  # "好的" says nothing the officers could act on
        ctx.reply("请写明不满意的原因(回复「取消」放弃)")
        return
    await ctx.done()
    await record(ctx, case_id, Satisfaction.UNSATISFIED, text)


_VERDICT = re.compile(  # a reply to the 回访 card in words: "满意", "基本满意", "不太满意,接水槽还没装"
    r"^\s*(?P<v>不太满意|不怎么满意|不满意|很不满意|基本满意|还算满意|比较满意|非常满意|很满意|挺满意|满意|还行)"
    r"[\s,,。.!!::;;]*(?P<rest>.*)$", re.S)
_WORDS = {"基本满意": Satisfaction.BASICALLY, "还算满意": Satisfaction.BASICALLY, "还行": Satisfaction.BASICALLY}


async def try_plain_verdict(ctx: Ctx, text: str) -> bool:
    """A 回访 answered in words by whoever got the card; False when the text is no verdict or no visit waits."""
    m = _VERDICT.match(text)
    if m is None:
        return False
    waiting = await Case.filter(reporter_id=ctx.staff.id, status=CaseStatus.RESOLVED.value,
                                follow_up_sent_at__isnull=False).order_by("-id").limit(2)
    if not waiting:
        return False
    if len(waiting) > 1:
        ctx.reply("您有多件案件待回访,请在对应的回访卡片上点选满意程度")
        return True
    word, rest = m.group("v"), m.group("rest").strip()
    choice = Satisfaction.UNSATISFIED if "不" in word else _WORDS.get(word, Satisfaction.SATISFIED)
    if choice is Satisfaction.UNSATISFIED and not rest:
        await ctx.expect(Waiting.UNSATISFIED_REASON, case_id=waiting[0].id)
        ctx.reply(ASK_REASON.format(number=waiting[0].number))
        return True
    await record(ctx, waiting[0].id, choice, rest)
    return True


ACTIONS: dict[ButtonAct, ActionHandler] = {act: functools.partial(_on_button, choice) for act, choice in _CHOICE.items()}
