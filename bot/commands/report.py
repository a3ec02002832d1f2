"""Grid worker intake: messages become a draft; the confirmation card's buttons submit, edit, settle or cancel."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.cards.draft import draft_by_id, draft_region
from bot.context import ActionHandler, Ctx
from bot.conversation import Waiting
from bot.intake.kinds import describes_dispute
from bot.intake.parse import parse
from bot.outbox import refresh
from bot.types import Act, ButtonAct
from core.enums import CaseSource, CaseStatus, Category, Flag, Platform, Role, Severity
from core.models import CardLink, Case, Draft, MediaFile
from core.prepared import Prepared
from core.services import intake

MAX_DRAFT_MESSAGES = 30
REPORTER_ROLES = (Role.GRID_WORKER.value, Role.VILLAGE_MEDIATOR.value)  # plain text from them may be a report


def is_reporter(ctx: Ctx) -> bool:
    return any(r in ctx.staff.roles for r in REPORTER_ROLES)


_OPEN_DRAFT = Prepared(Draft, lambda staff_id: Draft.filter(staff_id=staff_id, status="open").order_by("-id").limit(1),
                       int)
_DRAFT_CARD = Prepared(CardLink, lambda draft_id: CardLink.filter(draft_id=draft_id, active=True).order_by("-id").limit(1),
                       int)


async def open_draft(ctx: Ctx) -> Draft | None:
    return await _OPEN_DRAFT.first(ctx.staff.id)


async def _show(ctx: Ctx, draft: Draft) -> None:
    link = await _DRAFT_CARD.first(draft.id)
    if link is None:
        await ctx.card_to_me("draft", draft_id=draft.id)
    else:
        ctx.out += await refresh([link])


async def add(ctx: Ctx, text: str, draft: Draft | None = None, *, read: bool = False) -> None:
    """Append a message (text, photo, voice transcript) to the reporter's open draft, or start one. `read`: the
    caller has just read the open draft (`draft`, None for none)."""
    if not read:
        draft = await open_draft(ctx)
    if draft is None:
        draft = await Draft.create(staff_id=ctx.staff.id, texts=[], attachments=[], created_at=ctx.now,
                                   updated_at=ctx.now)
    if len(draft.texts) >= MAX_DRAFT_MESSAGES:
        ctx.reply("本次上报内容已较多,请先确认上报或取消后再继续")
        return
    if text:
        draft.texts = [*draft.texts, text]
    untranscribed = False
    for att in ctx.inbound.attachments:
        draft.attachments = [*draft.attachments, {"kind": att.kind, "ref": att.ref}]
        if att.text and att.kind in ("voice", "location"):
            draft.texts = [*draft.texts, f"{'[语音]' if att.kind == 'voice' else '[位置]'}{att.text}"]
        untranscribed = untranscribed or (att.kind == "voice" and not att.text)
    draft.updated_at = ctx.now
    await draft.save()
    await _keep_media(ctx, draft)
    await _show(ctx, draft)
    if untranscribed:  # some platforms give no transcript: the voice is kept, the words must come as text
        ctx.reply("收到语音,请再用一两句文字说明情况")
    if draft.texts and await draft_region(draft, ctx.staff.region_id) is None:
        ctx.reply("请问纠纷发生在哪个村/社区或网格?直接回复地点即可")


NOT_A_REPORT = ("没看懂这条消息。如需上报矛盾纠纷,请描述发生地点、当事人、起因和现状,如:荷花村两户村民因院墙滴水"
                "发生争吵;发送「帮助」查看全部用法")


async def take(ctx: Ctx, text: str, *, reporter: bool) -> bool:
    """Plain text (or media) that is not a command: it extends an open draft; it starts one only when it
    describes a dispute (or brings a photo or voice). False when this person cannot report at all."""
    if (draft := await open_draft(ctx)) is not None or (
            reporter and (ctx.inbound.attachments or describes_dispute(text))):
        await add(ctx, text, draft, read=True)
        return True
    if reporter:
        ctx.reply(NOT_A_REPORT)
        return True
    return False


async def _keep_media(ctx: Ctx, draft: Draft) -> None:
    """Platform media ids expire (within days): record each file to be fetched and kept (scheduler/media.py)."""
    for att in ctx.inbound.attachments:
        if att.ref and att.kind in ("image", "voice", "video", "file"):
            await MediaFile.create(platform=ctx.inbound.platform.value, kind=att.kind, ref=att.ref[:512],
                                   staff_id=ctx.staff.id, draft_id=draft.id, case_id=draft.case_id,
                                   next_attempt_at=ctx.now, received_at=ctx.now)


async def start(ctx: Ctx, rest: str) -> None:
    """上报 [内容]: start (or continue) a report."""
    if rest:
        await add(ctx, rest)
    else:
        ctx.reply("请描述纠纷情况:发生地点、当事人、起因和现状,可分几条发送,也可发送图片或语音")


async def withdraw(ctx: Ctx) -> None:
    """撤回: drop the open draft."""
    draft = await open_draft(ctx)
    if draft is None:
        ctx.reply("您没有未提交的上报")
        return
    draft.status = "cancelled"
    await draft.save()
    await _show(ctx, draft)
    ctx.reply("已撤回本次未提交的上报")


def _report_input(draft: Draft, region_id: int) -> intake.ReportInput:
    text = "\n".join(draft.texts)
    parsed = parse(text)
    return intake.ReportInput(
        content=text,
        category=Category(parsed.category),
        severity=Severity(parsed.severity),
        flags=frozenset(Flag(f) for f in parsed.flags),
        people=parsed.people,
        region_id=region_id,
        location_text=parsed.location or "",
        parties=[{"name": n} for n in parsed.parties],
        source=CaseSource.GRID_CHAT,
    )


async def _same_matter(ctx: Ctx, draft: Draft, link: CardLink) -> None:
    """是同一件事: the draft is linked to the earlier case."""
    assert link.case_id is not None
    outcome = await intake.link_repeat(ctx.domain, ctx.actor, link.case_id, "\n".join(draft.texts),
                                       source=Platform(ctx.inbound.platform))
    draft.status, draft.case_id = "linked", link.case_id
    await draft.save()
    await MediaFile.filter(draft_id=draft.id).update(case_id=draft.case_id)
    ctx.took(outcome)
    await _show(ctx, draft)


async def _new_matter(ctx: Ctx, draft: Draft, link: CardLink) -> None:
    """不是: the draft is submitted as a new case."""
    await draft.save()
    await submit(ctx, draft)


async def _on_repeat(same: bool, ctx: Ctx, link: CardLink) -> None:
    draft = await Draft.get(id=link.draft_id)
    if draft.status != "open" or draft.repeat_checked:
        ctx.reply("这份上报已经处理")
        return
    draft.repeat_checked = True
    await (_same_matter if same else _new_matter)(ctx, draft, link)
    ctx.out += await refresh([link])


async def _cancel(ctx: Ctx, draft: Draft) -> None:
    draft.status = "cancelled"
    await draft.save()
    await _show(ctx, draft)
    ctx.reply("已取消本次上报")


async def _ask_edit(ctx: Ctx, draft: Draft) -> None:
    await ctx.expect(Waiting.DRAFT_EDIT, draft_id=draft.id)
    ctx.reply("请发送修改后的完整描述,将替换原内容")


async def _ask_settle(ctx: Ctx, draft: Draft) -> None:
    await ctx.expect(Waiting.DRAFT_SETTLE, draft_id=draft.id)
    ctx.reply("请简要说明当场调处的结果,如:双方互相谅解,已和好")


_ON_DRAFT: dict[Act, Callable[[Ctx, Draft], Awaitable[None]]] = {
    Act.CONFIRM: lambda ctx, draft: submit(ctx, draft),
    Act.EDIT: _ask_edit,
    Act.SETTLE: _ask_settle,
    Act.CANCEL: _cancel,
}
_DONE = {"submitted": "已上报", "settled": "已记录为当场调处", "cancelled": "已取消", "linked": "已并入原案件"}


async def _on_draft_button(act: Act, ctx: Ctx, link: CardLink) -> None:
    draft = await draft_by_id(link.draft_id)
    if draft.status != "open":
        ctx.reply(f"该上报{_DONE[draft.status]},无需重复操作")
        return
    await _ON_DRAFT[act](ctx, draft)


ACTIONS: dict[ButtonAct, ActionHandler] = {
    **{act: functools.partial(_on_draft_button, act) for act in _ON_DRAFT},
    Act.SAME: functools.partial(_on_repeat, True),
    Act.NOT_SAME: functools.partial(_on_repeat, False),
}


REPEAT_WINDOW_DAYS = 30


async def _earlier_same_matter(draft: Draft, region_id: int, category: str, now: datetime) -> Case | None:
    since = now - timedelta(days=REPEAT_WINDOW_DAYS)
    return await Case.filter(region_id=region_id, category=category, created_at__gte=since,
                             status__not=CaseStatus.CLOSED.value).order_by("-id").first()


async def submit(ctx: Ctx, draft: Draft, settle_note: str | None = None) -> None:
    region = await draft_region(draft, ctx.staff.region_id)
    if region is None:
        ctx.reply("还不知道纠纷发生在哪里,请先回复村/社区或网格名称")
        return
    data = _report_input(draft, region.id)
    if settle_note is None and not draft.repeat_checked:
        earlier = await _earlier_same_matter(draft, region.id, data.category.value, ctx.now)
        if earlier is not None:  # offer to link instead of creating a duplicate
            await ctx.card_to_me("repeat", case_id=earlier.id, draft_id=draft.id)
            return
    platform = Platform(ctx.inbound.platform)
    if settle_note is None:
        outcome = await intake.report(ctx.domain, ctx.actor, data, source=platform)
        draft.status = "submitted"
        message = f"{outcome.message}。中心受理后会通知您。"
    else:
        outcome = await intake.settle_on_spot(ctx.domain, ctx.actor, data, settle_note, source=platform)
        draft.status = "settled"
        message = outcome.message
    assert outcome.case is not None
    draft.case_id = outcome.case.id
    await draft.save()
    await MediaFile.filter(draft_id=draft.id).update(case_id=draft.case_id)  # the evidence follows the case
    ctx.took(outcome, say=False)
    ctx.reply(message)
    await _show(ctx, draft)


async def _pending_draft(ctx: Ctx, draft_id: int) -> Draft | None:
    """The draft a pending question was about, if it is still open (the question is answered either way)."""
    draft = await Draft.get_or_none(id=draft_id, staff_id=ctx.staff.id, status="open")
    await ctx.done()
    if draft is None:
        ctx.reply("这份上报已不在草稿中")
    return draft


async def on_edit_text(ctx: Ctx, draft_id: int, text: str) -> None:
    draft = await _pending_draft(ctx, draft_id)
    if draft is None:
        return
    draft.texts = [text]
    draft.region_id = None
    draft.updated_at = ctx.now
    await draft.save()
    await _show(ctx, draft)


async def on_settle_text(ctx: Ctx, draft_id: int, text: str) -> None:
    draft = await _pending_draft(ctx, draft_id)
    if draft is None:
        return
    await submit(ctx, draft, settle_note=text)
