"""All routes in one place: card clicks by action, pending questions by state, then commands, then text."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from bot.cards import render
from bot.commands import (
    absence,
    agreement,
    backlog,
    bulletin,
    center,
    chatter,
    dispatch,
    duty,
    emergencies,
    followup,
    help,
    joint,
    key_people,
    mediation,
    meeting,
    mine,
    performance,
    petition,
    query,
    receptions,
    referrals,
    register,
    register_form,
    report,
    screening,
    sessions,
    swap,
    task,
    task_form,
    usage,
    visits,
)
from bot.commands.args import case_args
from bot.context import ActionHandler, Ctx
from bot.conversation import IDLE, Waiting, get_state
from bot.intake.kinds import Kind, case_reference, is_chatter, kind_of
from bot.outbox import card_link, refresh
from bot.types import TASK_BUTTONS, Act, ButtonAct, CardAction
from core.enums import Platform
from core.models import CardLink
from core.services import intake
from core.services.lookup import case_by_number
from core.text import visible
from core.transitions import TaskAction

CANCEL_WORDS = {"取消", "算了", "不用了", "放弃"}

ACTION_ROUTES: dict[ButtonAct, ActionHandler] = {  # every button, each in exactly one command module
    **report.ACTIONS, **center.ACTIONS, **task.ACTIONS, **followup.ACTIONS, **sessions.ACTIONS,
    **joint.ACTIONS, **task_form.ACTIONS,
}
# The actions each kind of card draws buttons for (bot/cards): a click naming any other action is forged or
# stale, and is answered before any handler sees a card it was not written for.
FORM_ACTS = frozenset({Act.FORM_NEXT, Act.FORM_DISPATCH, Act.FORM_BACK})  # a center card's 设定任务 form
CARD_ACTIONS: dict[str, frozenset[ButtonAct]] = {
    "draft": frozenset({Act.CONFIRM, Act.EDIT, Act.SETTLE, Act.CANCEL}),
    "center": frozenset({Act.ACCEPT_DISPATCH, Act.REASSIGN, Act.RETURN_REPORTER, Act.ESCALATE,
                         Act.ADD_PARTNER, Act.CHANGE_LEAD, Act.TASK_FORM, Act.FORM_NEXT, Act.FORM_DISPATCH,
                         Act.FORM_BACK}),
    "plan": frozenset({Act.APPROVE, Act.LEVEL_UP}),
    "cc": frozenset(),
    "follow_up": frozenset({Act.SATISFIED, Act.BASICALLY, Act.UNSATISFIED}),
    "task": frozenset(TASK_BUTTONS),
    "extension": frozenset({Act.EXT_YES, Act.EXT_NO}),
    "repeat": frozenset({Act.SAME, Act.NOT_SAME}),
    "invite": frozenset({Act.ATTEND, Act.LEAVE}),
    "pick": frozenset({Act.PICK}),
}


async def _resubmit(ctx: Ctx, data: dict[str, Any], text: str) -> None:
    if is_chatter(text):  # "好的" to "需要补充" adds nothing to the case
        ctx.reply("请直接回复需要补充的内容(回复「取消」放弃)")
        return
    await ctx.done()
    outcome = await intake.resubmit(ctx.domain, ctx.actor, int(data["case_id"]), text,
                                    source=Platform(ctx.inbound.platform))
    ctx.took(outcome)


async def _resubmit_words(ctx: Ctx, rest: str) -> None:
    """补充 0042 ……: the reporter adds to a returned case at any time, not only while the bot waits (24 h)."""
    args = case_args(rest, ctx.now)
    if args is None:
        ctx.reply("格式:补充 0042 补充内容")
        return
    case = await case_by_number(args.number)
    await _resubmit(ctx, {"case_id": case.id}, args.rest)


STATE_ROUTES: dict[Waiting, Callable[[Ctx, dict[str, Any], str], Awaitable[None]]] = {
    Waiting.DRAFT_EDIT: lambda ctx, d, t: report.on_edit_text(ctx, int(d["draft_id"]), t),
    Waiting.DRAFT_SETTLE: lambda ctx, d, t: report.on_settle_text(ctx, int(d["draft_id"]), t),
    Waiting.REASSIGN: lambda ctx, d, t: center.on_reassign_text(ctx, int(d["case_id"]), t),
    Waiting.RETURN_REPORTER: lambda ctx, d, t: center.on_return_text(ctx, int(d["case_id"]), t),
    Waiting.ESCALATE: lambda ctx, d, t: center.on_escalate_text(ctx, int(d["case_id"]), t),
    Waiting.TASK_TEXT: lambda ctx, d, t: task.on_task_text(ctx, TaskAction(d["verb"]), int(d["task_id"]), t,
                                                          d.get("days")),
    Waiting.PICK_CASE: lambda ctx, d, t: task.on_pick_case(ctx, TaskAction(d["verb"]), str(d["rest"]), d.get("days"), t),
    Waiting.RESUBMIT: _resubmit,
    Waiting.ADD_PARTNER: lambda ctx, d, t: joint.on_partner_text(ctx, int(d["case_id"]), t),
    Waiting.CHANGE_LEAD: lambda ctx, d, t: joint.on_lead_text(ctx, int(d["case_id"]), t),
    Waiting.UNSATISFIED_REASON: lambda ctx, d, t: followup.on_reason_text(ctx, int(d["case_id"]), t),
    Waiting.EXTENSION_DENIAL: lambda ctx, d, t: center.on_denial_text(ctx, int(d["task_id"]), t),
}

COMMANDS: list[tuple[re.Pattern[str], Callable[[Ctx, str], Awaitable[None]]]] = [
    (re.compile(r"^(帮助|help|\?|？|菜单)$", re.I), lambda ctx, _: help.show(ctx)),
    (re.compile(r"^上报\s*(.*)$", re.S), report.start),
    (re.compile(r"^登记表\s*(.*)$"), register_form.send),  # before 登记, which would take it as a registration
    # 诉调 / 警调 / 访调 / 检调对接 (issue 22): before 登记 and 司法确认, which would take these as theirs
    (re.compile(rf"^登记\s*((?:{referrals.ENTRUST_WORDS})\s*.*)$", re.S), referrals.register_referred),
    (re.compile(r"^(?:移送|转)\s*((?:\d{4}-)?\d{1,6}\s+\S.*)$", re.S), referrals.refer_out),
    (re.compile(r"^移送结果\s*(.*)$", re.S), referrals.outcome),
    (re.compile(rf"^司法确认\s*(\S+\s*(?:{referrals.STATUS_WORDS})(?:[\s,,].*)?)$", re.S), referrals.confirmation),
    (re.compile(r"^登记\s*(.*)$", re.S), register.run),
    (re.compile(r"^我的(待办|任务|上报)?$"), lambda ctx, _: mine.show(ctx)),
    (re.compile(r"^(查询|进度|查)\s*(.*)$"), query.show),
    (re.compile(r"^(值班|今日值班|谁值班)$"), lambda ctx, _: duty.show(ctx)),
    (re.compile(r"^撤回$"), lambda ctx, _: report.withdraw(ctx)),
    (re.compile(r"^补充\s*(\d.*)$", re.S), _resubmit_words),  # a number first: 补充… may be a report
    (re.compile(r"^(积案|我的积案|积案库)$"), lambda ctx, _: backlog.show(ctx)),
    (re.compile(r"^积案\s*(\d.*)$", re.S), backlog.add),
    (re.compile(r"^(?:月度)?评估(?:\s*|\s*(\d.*))$", re.S), backlog.assess),
    (re.compile(r"^销号(?:\s*|\s*(\d.*))$", re.S), backlog.strike),
    (re.compile(r"^追加(?:部门)?\s*(\d.*)$", re.S), joint.add_partner),
    (re.compile(r"^(?:更换)?牵头\s*(\d.*)$", re.S), joint.change_lead),
    (re.compile(r"^撤回\s*(\d.*)$", re.S), joint.release),
    (re.compile(r"^调班\s*(.*)$"), swap.run),
    # 领导接访 / 下访 / 约访 (issue 22), before 预约 (调解), which would take 预约接访
    (re.compile(r"^(?:领导)?接访(?:安排)?$"), lambda ctx, _: receptions.show(ctx)),
    (re.compile(r"^接访安排\s*(.*)$", re.S), receptions.schedule),
    (re.compile(r"^(?:预约接访|约访)\s*(.*)$", re.S), receptions.book),
    (re.compile(r"^接访结果\s*(.*)$", re.S), receptions.result),
    (re.compile(r"^取消接访\s*(.*)$"), lambda ctx, rest: receptions.cancel(ctx, rest, "reception")),
    (re.compile(r"^取消下访\s*(.*)$"), lambda ctx, rest: receptions.cancel(ctx, rest, "visit")),
    (re.compile(r"^(?:带件)?下访\s*(.*)$", re.S), receptions.visit),
    (re.compile(r"^预约(?:调解)?\s*(.*)$", re.S), sessions.book),
    (re.compile(r"^调解结果\s*(.*)$", re.S), sessions.result),
    (re.compile(r"^调解记录\s*(.*)$", re.S), mediation.record),
    (re.compile(r"^(?:调解)?协议(?:书)?\s*(.*)$", re.S), lambda ctx, rest: agreement.make(ctx, rest, "agreement")),
    (re.compile(r"^司法确认\s*(.*)$", re.S), lambda ctx, rest: agreement.make(ctx, rest, "confirmation")),
    (re.compile(r"^代办反馈\s*(.*)$", re.S), petition.feedback),
    (re.compile(r"^代办\s*(.*)$", re.S), petition.assign),
    (re.compile(r"^(用量|接口用量|调用量)$"), lambda ctx, _: usage.show(ctx)),
    (re.compile(r"^交办\s*(.*)$", re.S), dispatch.dispatch_words),
    (re.compile(r"^改派\s*(.*)$", re.S), dispatch.reassign_words),
    (re.compile(r"^改类\s*(.*)$", re.S), dispatch.recategorize_words),
    (re.compile(r"^审定\s*(.*)$", re.S), dispatch.approve_words),
    # records from chat (issue 21): 协议履行, 会商研判 meetings with their 议定事项 and 纪要, the 考核通报
    (re.compile(r"^履行(?:情况)?\s*(\d.*)$", re.S), performance.record),  # a number first: 履行… may be a report
    (re.compile(r"^(?:开始)?会商(?:\s+(.*))?$", re.S), meeting.open_meeting),
    (re.compile(r"^议定(?:事项)?\s*(.*)$", re.S), meeting.decide),
    (re.compile(r"^落实\s*(#?\d.*)$", re.S), meeting.complete),
    (re.compile(r"^(?:散会|会商结束|结束会商)(?:\s+(.*))?$", re.S), meeting.close),
    (re.compile(r"^(?:会议)?纪要(?:\s+(.*))?$", re.S), meeting.minutes),
    (re.compile(rf"^(?:考核)?通报(?:\s*({bulletin.WHEN}))?$"), bulletin.send),  # the whole line: 通报… may be a report
    # The grid's routine (issue 22): 排查, 专项排查, 走访 / 巡查 logs, 请假 (AB岗)
    (re.compile(r"^零报告$"), screening.zero),
    (re.compile(r"^排查\s*(.*)$", re.S), screening.weekly),
    (re.compile(r"^专项排查\s*(.*)$", re.S), screening.campaign),
    (re.compile(r"^发起专项排查\s*(.*)$", re.S), screening.start),
    (re.compile(r"^走访\s*(.*)$", re.S), lambda ctx, rest: visits.record(ctx, "visit", rest)),
    (re.compile(r"^巡查\s*(.*)$", re.S), lambda ctx, rest: visits.record(ctx, "patrol", rest)),
    (re.compile(r"^请假\s*(.*)$"), absence.mark),
    (re.compile(r"^销假$"), absence.end),
    # 应急处置 (issue 22 #6): a leader starts and closes an emergency, the site and the center add 续报
    (re.compile(r"^启动应急(?:处置)?\s*(.*)$", re.S), emergencies.start),
    (re.compile(r"^(?:应急)?续报\s*(\d.*)$", re.S), emergencies.report),  # a number first: 续报… may be a report
    (re.compile(r"^(?:应急结束|结束应急)\s*(.*)$", re.S), emergencies.close),
    (re.compile(r"^重点人员\s*(.*)$", re.S), key_people.run),
    (re.compile(r"^随访\s*(.*)$", re.S), key_people.follow_up),
]



async def on_click(ctx: Ctx) -> None:
    action = ctx.inbound.action
    assert action is not None
    link = await card_link(action.link_id)
    if link is None:
        ctx.reply("这张卡片已失效,请刷新后重试")
        return
    if link.staff_id != ctx.staff.id:
        ctx.reply("这张卡片不是发给您的,无法操作")
        return
    if action.act not in CARD_ACTIONS.get(link.kind, frozenset()):
        ctx.reply("该卡片不支持此操作")
        return
    clicked = ctx.inbound.extra.get("card_ref")
    if clicked and link.external_id and clicked != link.external_id and link.platform == ctx.inbound.platform.value:
        ctx.reply("这张卡片已被新卡片取代(旧卡片无法再更新),请在最新的卡片上操作")  # superseded: not acted on
        return
    if ctx.inbound.card_token and link.platform == ctx.inbound.platform.value:
        link.response_code = ctx.inbound.card_token  # the freshest code for updating this card in place
        await link.save(update_fields=["response_code"])
    if await _over(ctx, link, action.act):
        return
    await ACTION_ROUTES[action.act](ctx, link)


async def _over(ctx: Ctx, link: CardLink, act: ButtonAct) -> bool:
    """A button the card no longer offers (its case moved on since the chat's copy was drawn): the click is
    answered with the card's current state, and the card is brought up to date where the platform allows."""
    card = await render(link)
    offered = {CardAction.decode(b.action).act for b in card.buttons}
    if act in offered or (act in FORM_ACTS and Act.TASK_FORM in offered):  # the form the card turned into
        return False
    ctx.reply(f"这张卡片的这项操作已不适用。{card.title}:{card.subtitle}")
    ctx.out += await refresh([link], resend=True)
    return True


async def on_text(ctx: Ctx) -> None:
    text = ctx.inbound.text.strip()
    if not visible(text) and not ctx.inbound.attachments:  # empty or zero-width only: not a report
        await help.show(ctx)
        return
    state = await get_state(ctx.staff.id, ctx.now)
    if state.name != IDLE and text:
        if text in CANCEL_WORDS:
            await ctx.done()
            ctx.reply("已取消")
            return
        await STATE_ROUTES[Waiting(state.name)](ctx, state.data, text)
        return
    for pattern, handler in COMMANDS:
        m = pattern.match(text)
        if m:
            await handler(ctx, (m.groups()[-1] or "").strip() if m.groups() else "")
            return
    if text and await _question(ctx, text):
        return
    if text and await followup.try_plain_verdict(ctx, text):
        return
    if text and await task.try_plain_reply(ctx, text):
        return
    if text and await chatter.answer(ctx, text):
        return
    if await report.take(ctx, text, reporter=report.is_reporter(ctx)):
        return
    await help.show(ctx)


async def _question(ctx: Ctx, text: str) -> bool:
    """"0001现在咋样了" is 查询 0001, "今天谁值班" is 值班: questions in plain words, never a report."""
    said = kind_of(text)
    if said is Kind.CASE_QUESTION:
        await query.show(ctx, case_reference(text) or "")
        return True
    if said is Kind.DUTY_QUESTION:
        await duty.show(ctx, text)
        return True
    return False


async def route(ctx: Ctx) -> None:
    if ctx.inbound.action is not None:
        await on_click(ctx)
    else:
        await on_text(ctx)
