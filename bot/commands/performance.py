"""履行 <编号> <已履行|部分履行|履行中|未履行|当场履结> [情况]: how the parties performed the agreement, usually
learned at the 回访 — the 协议履行 column of the 人民调解台账 and the 回访记录 of the 卷宗
(core/services/records.record_performance decides who may record it: a mediator, an assignee or the center)."""

from __future__ import annotations

import re

from bot.commands.args import case_and_match
from bot.context import Ctx
from core.enums import Performance, Platform
from core.services import records
from core.services.lookup import case_by_number

USAGE = "格式:履行 0042 已履行 赔偿款已付清;履行情况:已履行、部分履行、履行中、未履行、当场履结,说明可不写"
# Longest words first: 未履行 and 已履行 both end in 履行.
WORDS = {"已履行": Performance.PERFORMED, "已履行完毕": Performance.PERFORMED, "履行完毕": Performance.PERFORMED,
         "部分履行": Performance.PARTIAL, "履行中": Performance.PENDING, "正在履行": Performance.PENDING,
         "未履行": Performance.UNPERFORMED, "拒不履行": Performance.UNPERFORMED, "当场履结": Performance.NOT_NEEDED,
         "当场履行": Performance.NOT_NEEDED}
STATE_THEN_NOTE = re.compile(r"^(" + "|".join(sorted(WORDS, key=len, reverse=True)) + r")(?:\s*[,,::;;。]?\s*(.*))?$",
                             re.S)


async def record(ctx: Ctx, rest: str) -> None:
    found = case_and_match(rest, ctx.now, STATE_THEN_NOTE)
    if found is None:
        ctx.reply(USAGE)
        return
    number, m = found
    case = await case_by_number(number)
    outcome = await records.record_performance(ctx.domain, ctx.actor, case.id, WORDS[m.group(1)], (m.group(2) or "").strip(),
                                               source=Platform(ctx.inbound.platform))
    ctx.took(outcome)
