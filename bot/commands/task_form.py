"""The center's form card (bot/cards/task_form.py): 设定任务 turns the center card into the form, 下一步 shows
the second page, 确认交办 (or a preset) dispatches. The choices become the same TaskWords the plain words make and
go through the same checks and verb (bot/commands/dispatch.dispatch_task): a stale or forged choice, a deadline
in the past, a reminder after the deadline get the same Chinese replies and change nothing."""

from __future__ import annotations

import re

from bot.cards import render
from bot.cards.task_form import (
    FIRST_PAGE,
    KEYS,
    SECOND_PAGE,
    choice_name,
    decode,
    form_page1,
    form_page2,
    shown,
)
from bot.commands.dispatch import dispatch_task
from bot.commands.task_words import TaskWords
from bot.context import ActionHandler, Ctx
from bot.types import Act, ButtonAct, Card, Outbound, Target
from core.durations import Duration
from core.enums import CaseStatus, ReminderMethod
from core.models import CardLink, Case
from core.services.lookup import case_by_id

FORM_STATES = (CaseStatus.REPORTED, CaseStatus.ESCALATED, CaseStatus.ACCEPTED)
_OPTION_ID = re.compile(r"[0-9A-Za-z._\-]{1,24}")  # the form's option ids (bot/cards/task_form.py)


def _show(ctx: Ctx, link: CardLink, card: Card) -> None:
    """The clicked card becomes `card`, in place."""
    ctx.out.append(Outbound(target=Target(staff_id=ctx.staff.id, platform=ctx.inbound.platform), card=card,
                            card_link_id=link.id, update=True))


async def _chosen(ctx: Ctx, case: Case, page: tuple[str, ...]) -> dict[str, str]:
    """What the button carries, then what was picked on the card (a drop-down answers with one option). A form
    submitted without one of its page's drop-downs in the answer keeps what that drop-down showed: whether the
    platform lists an untouched drop-down is not documented, so it is not relied on."""
    chosen: dict[str, str] = {}
    if ctx.inbound.selected:
        preset = await shown(case)
        chosen = {k: preset[k] for k in page if k in preset}
    action = ctx.inbound.action
    chosen |= decode(action.arg) if action is not None else {}
    for key, ids in ctx.inbound.selected.items():
        if key in KEYS and len(ids) == 1:
            chosen[key] = ids[0]
    return {k: v for k, v in chosen.items() if _OPTION_ID.fullmatch(v)}  # what a form can carry on, nothing else


async def _open(ctx: Ctx, link: CardLink) -> Case | None:
    case = await case_by_id(link.case_id)
    if CaseStatus(case.status) not in FORM_STATES:
        ctx.reply(f"案件 {case.number} 当前为「{CaseStatus(case.status).label}」,无法在卡片上交办")
        return None
    return case


async def _open_form(ctx: Ctx, link: CardLink) -> None:
    if await _open(ctx, link) is not None:
        _show(ctx, link, await form_page1(link))


async def _next_page(ctx: Ctx, link: CardLink) -> None:
    case = await _open(ctx, link)
    if case is None:
        return
    chosen = await _chosen(ctx, case, FIRST_PAGE)
    checked = await words_from({"r": "1h", "m": ReminderMethod.CARD.value, **chosen})  # page 1's part of the checks
    if isinstance(checked, str):
        ctx.reply(checked)
        _show(ctx, link, await form_page1(link))
        return
    _show(ctx, link, await form_page2(link, chosen))


async def words_from(chosen: dict[str, str]) -> TaskWords | str:
    """The choices as the fields the plain words give, or a Chinese sentence saying which choice is not usable."""
    if any(k not in chosen for k in ("a", "d", "r", "m")):
        return "卡片上的选择不完整,请重新设定"
    assignee = await choice_name(chosen["a"])
    if not assignee:
        return "所选执行人已不在组织名单中,请重新选择"
    cc: list[str] | None = {"def": None, "none": []}.get(chosen.get("c", "def"), [await choice_name(chosen["c"])])
    if cc == [""]:
        return "所选抄送人已不在组织名单中,请重新选择"
    try:
        deadline, before = Duration.parse(chosen["d"]), Duration.parse(chosen["r"])
        method = ReminderMethod(chosen["m"])
    except ValueError:
        return "卡片上的选择无法识别,请重新设定"
    return TaskWords(assignee=assignee, cc=cc, deadline_in=deadline, remind_before=before, method=method)


async def _dispatch(ctx: Ctx, link: CardLink) -> None:
    case = await _open(ctx, link)
    if case is None:
        return
    words = await words_from(await _chosen(ctx, case, SECOND_PAGE))
    if isinstance(words, str):
        ctx.reply(words + ",未交办")
    elif await dispatch_task(ctx, case, words):
        return  # the case changed: its cards, this one included, are re-rendered by the notifications
    _show(ctx, link, await form_page1(link))  # nothing changed: the form again, to choose anew


async def _back(ctx: Ctx, link: CardLink) -> None:
    _show(ctx, link, await render(link))


ACTIONS: dict[ButtonAct, ActionHandler] = {
    Act.TASK_FORM: _open_form,
    Act.FORM_NEXT: _next_page,
    Act.FORM_DISPATCH: _dispatch,
    Act.FORM_BACK: _back,
}
