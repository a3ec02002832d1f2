"""诉调 / 警调 / 访调对接 on the clock: before a partner body's deadline (its `remind_at`, cleared by the claim, so
once however many sweeps and workers see it) the person who referred or registered the case and those handling
it now are reminded by direct message: of a case referred out, to follow up and record the partner's outcome; of
a case referred in, that the partner expects it back by then. Only the case number and the partner are said."""

from __future__ import annotations

from datetime import datetime

from tortoise.transactions import in_transaction

from bot.outbox import enqueue
from bot.types import Outbound, Target
from core.clock import fmt_local
from core.enums import OPEN_TASK_STATUSES
from core.models import Case, Referral, Task
from core.services.base import Domain
from core.services.referrals import kind_label


def reminder_text(r: Referral, case: Case) -> str:
    due = fmt_local(r.due_at)
    if r.direction == "out":
        return (f"【移送提醒】案件 {case.number} 已移送{r.partner}({kind_label(r.kind)}),对方期限 {due} 将至,"
                f"请跟进;对方处理后发送「移送结果 {case.number} 结果」登记")
    return (f"【委派期限提醒】案件 {case.number} 系{r.partner}{kind_label(r.kind)}委派,须于 {due} 前化解并向"
            f"{r.partner}反馈")


async def remind_referral(d: Domain, referral_id: int) -> bool:
    now = d.clock.now()
    async with in_transaction():
        if not await Referral.filter(id=referral_id, remind_at__lte=now).update(remind_at=None):
            return False
        r = await Referral.get(id=referral_id)
        case = await Case.get(id=r.case_id)
        open_ = [s.value for s in OPEN_TASK_STATUSES]
        tasks = await Task.filter(case_id=case.id, status__in=open_).order_by("id")
        people = [r.created_by_id, *(t.assignee_id for t in tasks)]
        text = reminder_text(r, case)
        await enqueue([Outbound(target=Target(staff_id=i), text=text) for i in dict.fromkeys(people) if i], now)
    return True


async def due_rows(now: datetime, limit: int) -> list[tuple[str, int, datetime]]:
    """(job, id, due) of the reminders due, for the sweep (scheduler/sweep.py)."""
    rows = await Referral.filter(remind_at__lte=now).order_by("remind_at").limit(limit).values_list("id", "remind_at")
    return [("remind_referral", int(i), at) for i, at in rows]


JOBS = {"remind_referral": remind_referral}
