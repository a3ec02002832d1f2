"""调解记录 <编号> 调解员 …: who mediated a case (apart from its assignee), for which mediation body, how and
how hard — the 人民调解台账 columns and the grade 以奖代补 pays by (core/services/records.py)."""

from __future__ import annotations

import re

from bot.commands.args import case_args, labelled
from bot.commands.people import people, person
from bot.context import Ctx
from core.enums import Difficulty, MediationMethod, Platform
from core.regions import department_named
from core.services import records
from core.services.lookup import case_by_number

USAGE = ("格式:调解记录 0042 调解员 何永和、王律师 [主调 王律师] [组织 茶园乡人民调解委员会] [方式 上门调解] "
         "[难度 一般];方式:当场/调解室/上门/联合/线上/电话,难度:简易/一般/复杂/重大疑难")
# Each field is a word and what follows it up to the next field word.
FIELD = re.compile(r"(调解员|主调|调解组织|组织|调解方式|方式|难易程度|难度)\s*[::]?\s*")
FIELD_KEYS = {"调解员": "mediators", "主调": "lead", "调解组织": "org", "组织": "org", "调解方式": "method",
              "方式": "method", "难易程度": "difficulty", "难度": "difficulty"}
METHOD_WORDS = (("当场", MediationMethod.ON_SPOT), ("现场", MediationMethod.ON_SPOT), ("调解室", MediationMethod.SESSION),
                ("面对面", MediationMethod.SESSION), ("上门", MediationMethod.VISIT), ("入户", MediationMethod.VISIT),
                ("联合", MediationMethod.JOINT), ("线上", MediationMethod.ONLINE), ("视频", MediationMethod.ONLINE),
                ("网上", MediationMethod.ONLINE), ("电话", MediationMethod.PHONE))
DIFFICULTY_WORDS = (("重大", Difficulty.MAJOR), ("疑难", Difficulty.MAJOR), ("复杂", Difficulty.COMPLEX),
                    ("一般", Difficulty.GENERAL), ("简易", Difficulty.SIMPLE), ("简单", Difficulty.SIMPLE))


def fields(text: str) -> dict[str, str] | None:
    """"调解员 张三、李四 方式 上门" → {"mediators": "张三、李四", "method": "上门"}; None if text precedes the
    first field word or a field is given twice."""
    return labelled(text, FIELD, FIELD_KEYS)


def _word(text: str, words: tuple[tuple[str, MediationMethod], ...] | tuple[tuple[str, Difficulty], ...]) -> object:
    return next((value for word, value in words if word in text), None)


async def record(ctx: Ctx, rest: str) -> None:
    args = case_args(rest, ctx.now)
    given = fields(args.rest) if args else None
    if args is None or given is None or not given.get("mediators"):
        ctx.reply(USAGE)
        return
    case = await case_by_number(args.number)
    mediators = await people(ctx, given["mediators"], "调解员")
    lead = await person(ctx, given["lead"], "调解员") if given.get("lead") else None
    if mediators is None or (given.get("lead") and lead is None):
        return
    method = _word(given.get("method", ""), METHOD_WORDS) if given.get("method") else None
    difficulty = _word(given.get("difficulty", ""), DIFFICULTY_WORDS) if given.get("difficulty") else None
    if given.get("method") and method is None or given.get("difficulty") and difficulty is None:
        ctx.reply(f"调解方式或难度无法识别。{USAGE}")
        return
    org_id = None
    if given.get("org"):
        org = await department_named(given["org"], case.handling_region_id)
        if org is None:
            ctx.reply(f"找不到调解组织「{given['org']}」")
            return
        org_id = org.id
    outcome = await records.record_mediation(
        ctx.domain, ctx.actor, case.id, mediator_ids=mediators, lead_id=lead, org_id=org_id,
        method=method if isinstance(method, MediationMethod) else None,
        difficulty=difficulty if isinstance(difficulty, Difficulty) else None, source=Platform(ctx.inbound.platform))
    ctx.took(outcome, say=False)
    extra = [f"调解组织 {given['org']}" if org_id else "", f"调解方式 {method.label}" if isinstance(method, MediationMethod) else "",
             f"难易程度 {difficulty.label}" if isinstance(difficulty, Difficulty) else ""]
    ctx.reply(outcome.message + "".join(f";{e}" for e in extra if e))
