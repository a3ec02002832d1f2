"""Delivering the outbox: claim a row, find the person's address, send through their platform, record it.

Transient failures retry with backoff; permanent ones (unknown user, revoked app) are kept as dead
letters with the reason. Messages for one card go out in order: an update never overtakes its card.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from datetime import datetime, timedelta

from tortoise.expressions import F, Subquery
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from bot.channel import ChannelRegistry, Delivery, SendResult
from bot.identity import address
from bot.outbox import card_link, enqueue
from bot.types import Outbound, Target
from core.clock import DISPLAY_TZ, Clock
from core.config import load_early_settings
from core.enums import Flag, Platform, Role
from core.masking import CASE_NUMBER, mask_keeping_case_numbers
from core.models import CardLink, Case, GroupChat, OutboxMessage, Region, Staff
from core.prepared import Prepared, PreparedUpdate
from core.privacy import Audience, hide_names, party_mode
from core.regions import staff_region
from core.routing import dispatchers_for
from scheduler.once import once

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 12
# A row 'sending' this long was claimed by a process that died: it is tried again.
STALE_SENDING = timedelta(seconds=load_early_settings().outbox_stale_seconds)  # MAOTIAO_OUTBOX_STALE_SECONDS
DEDUPE_MARGIN_SECONDS = 120  # the platform's dedupe window reaches back past the first uncertain try
DELIVERY_CONCURRENCY = load_early_settings().delivery_concurrency  # recipients sent to at once
_STALE_LOOKED: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, datetime] = weakref.WeakKeyDictionary()


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(600, 2 ** min(attempts, 10)))


async def _address(o: Outbound, link: CardLink | None, registry: ChannelRegistry) -> tuple[Platform, Delivery] | str:
    platforms = registry.platforms
    t = o.target
    if t.kind == "group":
        group = await GroupChat.get_or_none(id=t.group_id) if t.group_id else None
        if group is None or t.platform is None or t.platform not in platforms:
            return "群聊不存在或其平台未接入"
        ref = (await group.refs()).get(t.platform.value)
        return (t.platform, Delivery(o, group_ref=ref)) if ref else "群聊在该平台没有会话编号"
    if t.staff_id is None:
        if t.user_id and t.platform in platforms:
            return t.platform, Delivery(o, user_id=t.user_id)
        return "收件人不明"
    usable, prefer = reachable(t, link, platforms)
    found = await address(t.staff_id, usable, prefer)
    if found is None:
        return NO_ACCOUNT
    return found[0], Delivery(o, user_id=found[1], link=link)


NO_ACCOUNT = "该人员没有已接入平台的账号"


def reachable(t: Target, link: CardLink | None, platforms: list[Platform]) -> tuple[list[Platform], Platform | None]:
    """The platforms a message to a person may take (not those it must avoid) and the one it prefers: its card's,
    else the one the message names."""
    prefer = Platform(link.platform) if link is not None and link.platform else t.platform
    return [p for p in platforms if p not in t.avoid], prefer if prefer not in t.avoid else None


_CLAIM = PreparedUpdate(OutboxMessage, lambda row_id, attempts, now: OutboxMessage.filter(
    id=row_id, status="pending").update(status="sending", attempts=attempts, next_attempt_at=now), int, int, datetime)
# A card's message is claimed only once no earlier message of the same card is still on its way: an update
# never overtakes its card. One statement: the check is a subquery of the claim (index card_link_id, id).
_CLAIM_IN_TURN = PreparedUpdate(OutboxMessage, lambda row_id, attempts, now, link_id: OutboxMessage.filter(
    id=row_id, status="pending").exclude(card_link_id__in=Subquery(OutboxMessage.filter(
        card_link_id=link_id, id__lt=row_id, status__in=["pending", "sending"]).values("card_link_id"))).update(
    status="sending", attempts=attempts, next_attempt_at=now), int, int, datetime, int)
_SETTLE_SENT = PreparedUpdate(OutboxMessage, lambda row_id, attempts, now, platform: OutboxMessage.filter(
    id=row_id, status="sending", attempts=attempts).update(status="sent", sent_at=now, last_error="",
                                                            platform=platform), int, int, datetime, str)


async def settle(row: OutboxMessage, **fields: object) -> bool:
    """Write this claim's outcome, unless the row was taken over meanwhile: a pass slower than STALE_SENDING
    looks dead to the others, and once one of them re-claimed the row, its outcome is the one that stands."""
    won = await OutboxMessage.filter(id=row.id, status="sending", attempts=row.attempts).update(**fields)
    for name, value in fields.items():
        setattr(row, name, value)
    return bool(won)


async def finish(row: OutboxMessage, result: SendResult, platform: Platform | None, now: datetime) -> None:
    platform_value = platform.value if platform else row.platform
    if result.ok and platform_value is not None:  # the common outcome, its statement built once (as settle does)
        await _SETTLE_SENT.run(row.id, row.attempts, now, platform_value)
        _mark_sent(row, now, platform_value)
    elif result.ok:
        await settle(row, status="sent", sent_at=now, last_error="", platform=platform_value)
    elif result.permanent or (row.attempts >= MAX_ATTEMPTS and not result.held):
        async with in_transaction():  # the row is dead and the center is told, or neither
            if await settle(row, status="dead", last_error=result.error[:2000], platform=platform_value):
                log.warning("outbox %s undeliverable: %s", row.id, result.error)
                await _report_dead(row, now)
    else:
        wait = timedelta(seconds=result.retry_after) if result.retry_after else backoff(row.attempts)
        maybe_sent_at = now if result.ambiguous and row.maybe_sent_at is None else row.maybe_sent_at
        # A wait for a rate limit or quota is not a failed try: it must never add up to a dead letter.
        attempts = row.attempts - 1 if result.held else row.attempts
        await settle(row, status="pending", next_attempt_at=now + wait, last_error=result.error[:2000],
                     platform=platform_value, maybe_sent_at=maybe_sent_at, attempts=attempts)


async def finish_sent(rows: list[OutboxMessage], platform: Platform, now: datetime) -> None:
    """`finish` for many rows that went out together (a batch): one statement per claim count (almost always
    one), each row only while this claim still holds it, as `settle` does."""
    claims: dict[int, list[int]] = {}
    for row in rows:
        claims.setdefault(row.attempts, []).append(row.id)
    for attempts, ids in claims.items():
        await OutboxMessage.filter(id__in=ids, status="sending", attempts=attempts).update(
            status="sent", sent_at=now, last_error="", platform=platform.value)
    for row in rows:
        _mark_sent(row, now, platform.value)


def _mark_sent(row: OutboxMessage, now: datetime, platform: str) -> None:
    row.status, row.sent_at, row.last_error, row.platform = "sent", now, "", platform


async def _report_dead(row: OutboxMessage, now: datetime) -> None:
    """A message that can never be delivered is shown to the center that owns it, so someone reaches the
    person: the dispatchers of the case's handling center (of the recipient's own center for a message about
    no case), with numbers masked and parties' names shortened; of a 涉敏 case, only its number."""
    outbound = Outbound.model_validate(row.payload)
    if outbound.notice:
        return
    who = "群聊" if outbound.target.kind == "group" else "收件人"
    if outbound.target.staff_id is not None:
        staff = await Staff.get_or_none(id=outbound.target.staff_id)
        who = staff.name if staff else who
    raw = outbound.card.title if outbound.card else outbound.text
    cases = await _cases_named(raw, row.card_link_id)
    text = f"【消息未送达】发给{who}的{await _what(raw, cases)}无法送达:{row.last_error}。请电话联系或核对其账号。"
    receivers = await _owning_dispatchers(outbound.target, cases[0] if cases else None)
    notices = [Outbound(target=Target(staff_id=s.id), text=text, notice=True) for s in receivers
               if s.id != outbound.target.staff_id]
    if notices:
        await enqueue(notices, now)


async def _cases_named(raw: str, card_link_id: int | None) -> list[Case]:
    """The cases a message is about: its card's case first, then those its text names by number."""
    link = await CardLink.get_or_none(id=card_link_id) if card_link_id is not None else None
    ids = [link.case_id] if link is not None and link.case_id is not None else []
    cases = list(await Case.filter(id__in=ids))
    numbers = [n for n in dict.fromkeys(CASE_NUMBER.findall(raw)) if n not in {c.number for c in cases}]
    return cases + (await Case.filter(number__in=numbers).order_by("id") if numbers else [])


async def _what(raw: str, cases: list[Case]) -> str:
    """What the notice may say of the message: nothing of a 涉敏 case; else its start, masked."""
    numbered = f"案件 {cases[0].number} " if cases else ""
    if any(Flag.SENSITIVE.value in c.flags for c in cases):
        return f"一条关于{numbered}的消息"
    mode = await party_mode(Audience.CENTER)
    parties = [p for c in cases for p in c.parties]
    shown = mask_keeping_case_numbers(hide_names(raw, parties, mode))  # case numbers are not personal numbers
    about = f"(关于{numbered.strip()})" if cases else ""
    return f"消息「{shown[:60]}」{about}"


async def _owning_dispatchers(target: Target, case: Case | None) -> list[Staff]:
    """The dispatchers of the center that holds the case, else of the recipient's own center."""
    region: Region | None = None
    if case is not None:
        region = await Region.get_or_none(id=case.handling_region_id)
    elif target.staff_id is not None:
        staff = await Staff.get_or_none(id=target.staff_id)
        region = await staff_region(staff) if staff else None
    elif target.group_id is not None:
        group = await GroupChat.get_or_none(id=target.group_id)
        region = await Region.get_or_none(id=group.region_id) if group and group.region_id else None
    if region is None:  # a person or group of no unit: the center at the top of the tree
        region = await Region.filter(parent_id=None, active=True).order_by("id").first()
    return await dispatchers_for(region) if region is not None else []


def delivery_key(row: OutboxMessage) -> str:
    """What the ids the platforms keep for the row's message derive from (a card's task or track id, a
    notice's business id): the same on every retry of the row, and new for a row written again under an id the
    app already sent under (a database made anew, or restored from a backup, for the same app): platforms keep
    those ids unique per app for ever and refuse a used one, so the row's creation time, to the millisecond,
    goes in with its id."""
    return f"o{row.id}-{int(row.created_at.timestamp() * 1000):x}"


async def prepare(row: OutboxMessage, registry: ChannelRegistry, now: datetime
                  ) -> tuple[Outbound, CardLink | None, tuple[Platform, Delivery] | str]:
    """The row's message, its card link, and where it goes (or why it cannot go anywhere)."""
    outbound = Outbound.model_validate(row.payload)
    link = await card_link(row.card_link_id) if row.card_link_id else None
    where = await _address(outbound, link, registry)
    if not isinstance(where, str):
        where[1].key = delivery_key(row)
        if row.maybe_sent_at is not None:
            where[1].dedupe_seconds = int((now - row.maybe_sent_at).total_seconds()) + DEDUPE_MARGIN_SECONDS
    return outbound, link, where


async def _deliver_sms(row: OutboxMessage, outbound: Outbound, registry: ChannelRegistry,
                       now: datetime) -> SendResult:
    """An SMS to a staff member's mobile from the org file, through the configured provider."""
    staff = await Staff.get_or_none(id=outbound.target.staff_id) if outbound.target.staff_id else None
    if registry.sms is None:
        result = SendResult(False, permanent=True, error="未配置短信服务")
    elif staff is None or not staff.phone:
        result = SendResult(False, permanent=True, error="该人员在组织名单中没有手机号")
    else:
        try:
            result = await registry.sms.send_sms(staff.phone, outbound.sms_params, delivery_key(row))
        except Exception as exc:  # a provider bug must not stop the queue
            log.exception("SMS failed on outbox %s", row.id)
            result = SendResult(False, error=f"{type(exc).__name__}: {exc}")
    await finish(row, result, None, now)
    return result


async def deliver_one(row: OutboxMessage, registry: ChannelRegistry, now: datetime) -> SendResult:
    target = row.payload.get("target") if isinstance(row.payload, dict) else None
    if isinstance(target, dict) and target.get("kind") == "phone":
        return await _deliver_sms(row, Outbound.model_validate(row.payload), registry, now)
    outbound, link, where = await prepare(row, registry, now)
    if isinstance(where, str):
        result = SendResult(False, permanent=True, error=where)
        await finish(row, result, None, now)
        return result
    platform, delivery = where
    channel = registry.get(platform)
    assert channel is not None
    try:
        result = await channel.send(delivery)
    except Exception as exc:  # a channel bug or network error must not stop the queue
        log.exception("channel %s failed on outbox %s", platform, row.id)
        result = SendResult(False, error=f"{type(exc).__name__}: {exc}")
    return await conclude(row, outbound, link, platform, result, registry, now)


async def conclude(row: OutboxMessage, outbound: Outbound, link: CardLink | None, platform: Platform,
                   result: SendResult, registry: ChannelRegistry, now: datetime) -> SendResult:
    """Record what the platform said: sent, retried, sent on the person's other platform, or dead."""
    if result.quota_exhausted:
        await quota_notice(platform, now, registry.label(platform))
    if (result.permanent or result.quota_exhausted) and outbound.target.staff_id is not None and not outbound.update:
        # This platform refuses the person for good (or has no calls left this month): try their other account.
        retry = outbound.model_copy(update={"target": outbound.target.model_copy(
            update={"avoid": [*outbound.target.avoid, platform], "platform": None})})
        if await address(outbound.target.staff_id, [p for p in registry.platforms if p not in retry.target.avoid],
                         None) is not None:
            if await settle(row, payload=retry.model_dump(mode="json"), status="pending", next_attempt_at=now,
                            last_error=result.error[:2000]):
                log.info("outbox %s: %s refused the recipient, trying their other platform", row.id, platform.value)
            return result
    if result.ok and link is not None and (result.external_id is not None or result.response_code is not None):
        link.platform = platform.value
        link.external_id = result.external_id or link.external_id
        if result.response_code is not None:
            link.response_code = result.response_code or None  # "" means the code was spent
        await link.save(update_fields=["platform", "external_id", "response_code"])
    await finish(row, result, platform, now)
    return result


async def quota_notice(platform: Platform, now: datetime, name: str) -> None:
    """The platform's monthly quota ran out: the administrators are told once that month, by `name`."""
    month = now.astimezone(DISPLAY_TZ).strftime("%Y-%m")
    text = (f"【平台额度】{name}本月接口调用量已用完,"
            "消息暂存并尽量改由其他平台送达;下月初或购买增购包后自动续发。")

    async def notices() -> list[Outbound]:
        admins = [s for s in await Staff.filter(active=True) if Role.ADMIN.value in s.roles]
        return [Outbound(target=Target(staff_id=s.id), text=text, notice=True) for s in admins]

    if await once(f"quota_notice:{platform.value}:{month}", now, notices) is not None:
        log.error("%s monthly API quota exhausted: messages held or sent on other platforms", platform.value)


async def _recover_stale(now: datetime) -> None:
    """Rows left 'sending' by a process that died go back to pending; one may have gone out, so its retry asks
    the platform to dedupe, counting from when it was claimed. Looked for at most every STALE_SENDING / 4 in a
    process (its event loop): on every pass, two UPDATEs were a fifth of the statements of sending a reply."""
    loop = asyncio.get_running_loop()
    last = _STALE_LOOKED.get(loop)
    if last is not None and timedelta(0) <= now - last < STALE_SENDING / 4:
        return
    _STALE_LOOKED[loop] = now
    stale = OutboxMessage.filter(status="sending", next_attempt_at__lt=now - STALE_SENDING)
    await stale.filter(maybe_sent_at__isnull=True).update(maybe_sent_at=F("next_attempt_at"))
    await stale.update(status="pending")


BATCH = 100  # rows a pass reads


def _due(now: datetime, **only: object) -> QuerySet[OutboxMessage]:
    """A pass's rows: pending and due, oldest first, `only` those matching."""
    return OutboxMessage.filter(status="pending", next_attempt_at__lte=now, **only).order_by("id").limit(BATCH)


_DUE = Prepared(OutboxMessage, _due, datetime)
_ANSWERS_DUE = Prepared(OutboxMessage, lambda now: _due(now, answer=True), datetime)


async def deliver_due(registry: ChannelRegistry, clock: Clock) -> int:
    """One pass over what is due; returns how many rows were sent."""
    now = clock.now()
    await _recover_stale(now)
    sent = await _send_rows(await _DUE.all(now), registry, clock)
    from scheduler.mirror import sync_mirrors_due  # after the messages: a to-do API never holds a reply up

    await sync_mirrors_due(registry, clock)
    return sent


async def deliver_answers(registry: ChannelRegistry, clock: Clock) -> tuple[int, bool]:
    """One pass over the answers due: what handling people's messages and clicks wrote, while they wait. Run
    right after the handling, beside the passes over everything: a reply must not wait for a pass sending a
    roster or a reminder to every grid worker, written just before it, to end (measured on a Monday morning: the
    stories' replies waited 0.6–0.85 s behind the weekly screening reminder to 300 grid workers). What it cannot
    send now (an earlier message of the card still on its way, a rate limit) is left pending for the next pass of
    either kind; the claims make sure no row goes out twice. Returns how many were sent, and whether that was
    every answer the pass read (when not, a pass over everything should follow)."""
    rows = await _ANSWERS_DUE.all(clock.now())
    sent = await _send_rows(rows, registry, clock)
    return sent, sent == len(rows) < BATCH


async def _send_rows(rows: list[OutboxMessage], registry: ChannelRegistry, clock: Clock) -> int:
    from scheduler.batching import deliver_batches  # identical messages to several people go out together

    sent, rows = await deliver_batches(rows, registry, clock)
    lanes: dict[str, list[OutboxMessage]] = {}
    for row in rows:  # one lane per recipient: their messages stay in order and their pacing stays exact
        lanes.setdefault(recipient(row), []).append(row)
    slots = asyncio.Semaphore(DELIVERY_CONCURRENCY)

    async def lane(queue: list[OutboxMessage]) -> int:
        async with slots:  # each row is claimed when its turn comes: the claim's time is when its send starts
            return sum([await _claim_and_send(row, registry, clock.now()) for row in queue])

    return sent + sum(await asyncio.gather(*(lane(queue) for queue in lanes.values())))


def recipient(row: OutboxMessage) -> str:
    target = row.payload.get("target") if isinstance(row.payload, dict) else None
    if not isinstance(target, dict):
        return f"row:{row.id}"
    return f"{target.get('staff_id')}|{target.get('group_id')}|{target.get('user_id')}"


async def claim(row: OutboxMessage, now: datetime) -> bool:
    """Take the row to send it now; False if another worker has it or an earlier message of its card is still
    on its way."""
    if row.card_link_id is None:
        claimed = await _CLAIM.run(row.id, row.attempts + 1, now)
    else:
        claimed = await _CLAIM_IN_TURN.run(row.id, row.attempts + 1, now, row.card_link_id)
    if not claimed:
        return False
    row.attempts += 1
    return True


async def _claim_and_send(row: OutboxMessage, registry: ChannelRegistry, now: datetime) -> int:
    if not await claim(row, now):
        return 0
    return 1 if (await deliver_one(row, registry, now)).ok else 0
