"""Messages that ask for nothing: acknowledgements get no answer, thanks and greetings a short one, a question
the bot cannot read the help. None of them ever starts a report (bot/intake/kinds.py tells them apart)."""

from __future__ import annotations

from bot.commands import help
from bot.commands.report import is_reporter
from bot.context import Ctx
from bot.intake.kinds import Kind, kind_of

GREETING = "您好!发送「帮助」查看您可用的操作"
GREETING_REPORTER = "您好!需要上报矛盾纠纷请直接描述情况(地点、当事人、起因);发送「帮助」查看全部用法"
THANKS = "不客气,有事随时联系"


async def answer(ctx: Ctx, text: str) -> bool:
    """True when the message was chatter or a question and has been answered (or rightly left unanswered)."""
    said = kind_of(text)
    if said is Kind.ACK:
        return True
    if said is Kind.THANKS:
        ctx.reply(THANKS)
        return True
    if said is Kind.GREETING:
        ctx.reply(GREETING_REPORTER if is_reporter(ctx) else GREETING)
        return True
    if said is Kind.QUESTION:
        await help.show(ctx)
        return True
    return False
