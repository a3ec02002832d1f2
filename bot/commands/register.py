"""一窗受理: center staff register what reached the center itself — 窗口来访, 来电, 12345, 信访, 上级交办 —
with its real source, and become its 首问责任人 (the first receiver, who follows it through).

    登记 来电 荷花村 张三反映邻居占用消防通道
"""

from __future__ import annotations

from bot.context import Ctx
from bot.intake import arrival
from bot.intake.places_db import place_index
from core.enums import CaseSource, Platform, Role
from core.services import intake

# The words a clerk writes first, longest first so "窗口来访" is not read as "来访" plus text.
SOURCE_WORDS: tuple[tuple[str, CaseSource], ...] = (
    ("窗口来访", CaseSource.WALK_IN), ("上级交办", CaseSource.REFERRAL), ("12345", CaseSource.HOTLINE_12345),
    ("来访", CaseSource.WALK_IN), ("窗口", CaseSource.WALK_IN), ("来电", CaseSource.PHONE),
    ("电话", CaseSource.PHONE), ("热线", CaseSource.HOTLINE_12345), ("信访", CaseSource.PETITION),
    ("来信", CaseSource.PETITION), ("交办", CaseSource.REFERRAL), ("转办", CaseSource.REFERRAL),
)
CLERK_ROLES = (Role.DISPATCHER.value, Role.LEADER.value, Role.PETITION_AGENT.value)
USAGE = ("请按「登记 来源 地点 内容」发送,来源为 来访/来电/12345/信访/上级交办,"
         "如:登记 来电 荷花村 张三反映邻居占用消防通道")


def split_source(rest: str) -> tuple[CaseSource, str] | None:
    for word, source in SOURCE_WORDS:
        if rest.startswith(word):
            return source, rest[len(word):].strip()
    return None


async def report_input(ctx: Ctx, source: CaseSource, content: str, usage: str) -> intake.ReportInput | None:
    """The matter as the clerk wrote it, labelled like a report, the clerk its 首问责任人; None (and said why)
    without a place the center knows."""
    region_id = (await place_index()).find(content)
    if region_id is None:
        ctx.reply(f"没有识别出纠纷发生的村/社区或网格,未登记。{usage}")
        return None
    labels = arrival.label(content)
    return intake.ReportInput(
        content=content, category=labels.category, severity=labels.severity, flags=labels.flags,
        people=labels.people, region_id=region_id, parties=[{"name": n} for n in labels.parties],
        source=source, first_receiver_id=ctx.staff.id,
    )


async def run(ctx: Ctx, rest: str) -> None:
    """登记 <来源> <地点> <内容>: a case the clerk received, announced to the center like any report."""
    if not any(r in ctx.staff.roles for r in CLERK_ROLES):
        ctx.reply("只有中心工作人员可以登记来访、来电、信访和上级交办事项;网格员请直接发送内容上报")
        return
    found = split_source(rest.strip())
    if found is None or not found[1]:
        ctx.reply(USAGE)
        return
    source, content = found
    data = await report_input(ctx, source, content, USAGE)
    if data is None:
        return
    outcome = await intake.report(ctx.domain, ctx.actor, data, source=Platform(ctx.inbound.platform))
    ctx.took(outcome, say=False)
    ctx.reply(f"{outcome.message}(来源:{source.label},首问责任人:{ctx.staff.name})")
