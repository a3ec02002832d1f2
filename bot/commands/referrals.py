"""诉调 / 警调 / 访调 / 检调对接 from chat (core/services/referrals.py):

    移送 0042 法院 诉前调解 30天        (also: 转 0042 派出所)  the center or the case's handler refers it out
    移送结果 0042 法院已调解成功,双方签订调解协议           what the partner made of it
    登记 诉前委派 法院 30天 荷花村 张三与李四借款纠纷        a case a partner body referred in (一窗受理)
    司法确认 0042 已受理 / 已确认 / 驳回 [说明]              the court's answer to the 司法确认 application
"""

from __future__ import annotations

import re

from bot.commands import register
from bot.commands.args import case_args
from bot.context import Ctx
from core.enums import CaseSource, Platform, Role
from core.partners import KINDS, Partner, ReferralPlan, kind_of, load_referrals
from core.services import referrals
from core.services.lookup import case_by_number

_DAYS = re.compile(r"^(\d{1,3})\s*(?:天|日|个自然日)$")
OUT_USAGE = "格式:移送 0042 对接单位 [对接类型] [期限],如:移送 0042 法院 诉前调解 30天;对接单位:{names}"
IN_USAGE = ("格式:登记 诉前委派 委派单位 期限 地点 内容,如:登记 诉前委派 法院 30天 荷花村 张三与李四借款纠纷;"
            "委派单位:{names}")
OUTCOME_USAGE = "格式:移送结果 0042 对方处理结果,如:移送结果 0042 法院已调解成功,双方签订调解协议"
CONFIRM_WORDS = {"已受理": "accepted", "受理": "accepted", "已确认": "confirmed", "确认有效": "confirmed",
                 "已驳回": "rejected", "驳回": "rejected", "不予确认": "rejected"}
STATUS_WORDS = "|".join(sorted(CONFIRM_WORDS, key=len, reverse=True))
ENTRUST_WORDS = r"诉前委派|委派调解|委派|警情移交|信访移交|警调|访调|检调|仲调|诉调"
HELP = ("诉调/警调/访调对接:「移送 0042 法院 诉前调解 30天」移送对接单位(期满前提醒),「移送结果 0042 结果」登记对方处理结果;"
        "「登记 诉前委派 法院 30天 地点 内容」登记委派来的案件;「司法确认 0042 已受理/已确认/驳回」登记司法确认情况")
HELP_ROLES = (Role.DISPATCHER, Role.LEADER, Role.OFFICER, Role.PETITION_AGENT)


def help_lines(roles: list[str]) -> list[str]:
    return [HELP] if any(r.value in roles for r in HELP_ROLES) else []


def _read(words: list[str], plan: ReferralPlan) -> tuple[Partner | None, str | None, int | None, int]:
    """The partner, docking kind and days that open `words` (in any order), and how many words they took."""
    partner: Partner | None = None
    kind: str | None = None
    days: int | None = None
    used = 0
    for word in words:
        m = _DAYS.match(word)
        if m and days is None:
            days = int(m.group(1))
        elif kind is None and kind_of(word) is not None:
            kind = kind_of(word)
        elif partner is None and plan.find(word) is not None:
            partner = plan.find(word)
        else:
            break
        used += 1
    return partner, kind, days, used


def _words(text: str) -> list[str]:
    return re.sub(r"(\d{1,3})\s+(天|日)", r"\1\2", text).split()  # "30 天" is one word


def _default_partner(plan: ReferralPlan, kind: str | None) -> Partner | None:
    """诉前委派 without a court named: the center's first partner of that kind."""
    return next((p for p in plan.partners if p.kind == kind), None) if kind else None


async def refer_out(ctx: Ctx, rest: str) -> None:
    plan = await load_referrals()
    args = case_args(rest, ctx.now)
    words = _words(args.rest) if args else []
    partner, kind, days, used = _read(words, plan)
    if args is None or partner is None or used < len(words):
        ctx.reply(OUT_USAGE.format(names=plan.names()))
        return
    case = await case_by_number(args.number)
    ctx.took(await referrals.refer_out(ctx.domain, ctx.actor, case.id, partner, kind, days,
                                      source=Platform(ctx.inbound.platform)))


async def outcome(ctx: Ctx, rest: str) -> None:
    args = case_args(rest, ctx.now)
    if args is None:
        ctx.reply(OUTCOME_USAGE)
        return
    case = await case_by_number(args.number)
    ctx.took(await referrals.record_referral_outcome(ctx.domain, ctx.actor, case.id, args.rest,
                                                     source=Platform(ctx.inbound.platform)))


async def confirmation(ctx: Ctx, rest: str) -> None:
    """司法确认 0042 已受理 [说明]: the router sends only a status word after the number here."""
    args = case_args(rest, ctx.now)
    m = re.match(rf"^({STATUS_WORDS})[\s,,]*(.*)$", args.rest, re.S) if args else None
    if args is None or m is None:
        ctx.reply("格式:司法确认 0042 已受理(或 已确认、驳回)")
        return
    case = await case_by_number(args.number)
    ctx.took(await referrals.record_confirmation(ctx.domain, ctx.actor, case.id, CONFIRM_WORDS[m.group(1)],
                                                 m.group(2).strip(), source=Platform(ctx.inbound.platform)))


async def register_referred(ctx: Ctx, rest: str) -> None:
    """登记 诉前委派 法院 30天 荷花村 …: 一窗受理 of a case a partner body sent, with its deadline."""
    m = re.match(rf"^({ENTRUST_WORDS})\s*(.*)$", rest, re.S)
    assert m is not None  # the router matched the same words
    word, rest = m.group(1), m.group(2)
    if not any(r in ctx.staff.roles for r in register.CLERK_ROLES):
        ctx.reply("只有中心工作人员可以登记委派案件")
        return
    plan = await load_referrals()
    words = _words(rest)
    partner, kind, days, used = _read(words, plan)
    kind = kind or kind_of(word)
    partner = partner or _default_partner(plan, kind)
    content = " ".join(words[used:])
    if partner is None or not content:
        ctx.reply(IN_USAGE.format(names=plan.names()))
        return
    data = await register.report_input(ctx, CaseSource.ENTRUSTED, content, IN_USAGE.format(names=plan.names()))
    if data is None:
        return
    out = await referrals.register_referred(ctx.domain, ctx.actor, data, partner, kind, days,
                                            source=Platform(ctx.inbound.platform))
    ctx.took(out, say=False)
    ctx.reply(f"{out.message}(来源:{KINDS[kind or partner.kind][0]}委派,首问责任人:{ctx.staff.name})")
