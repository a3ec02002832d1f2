"""重点人员 in chat, in a direct chat only (names and categories never go to a group):
  重点人员                                              the people the asker may see
  重点人员 登记 张某某 精神障碍 [荷花村第一网格] [每周走访]   register (a grid worker's own grid by default)
  重点人员 撤销 张某某                                    off the register
  随访 [网格] 张某某 情况稳定                              a follow-up, kept as a 走访 log
Replies go to the asker; a person registered by someone else is announced to the grid worker responsible."""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime

from bot.context import Ctx
from bot.types import Outbound, Target
from core.clock import fmt_local
from core.enums import Platform
from core.errors import InvalidInput
from core.models import KeyPerson, KeyPersonCase, Region, Staff
from core.regions import find_region
from core.services import key_people

IN_GROUP = "重点人员信息涉及个人隐私,请在与我的单聊中办理(群内不处理)"
REGISTER_USAGE = "格式:重点人员 登记 姓名 类别 [网格] [每周走访],例如:重点人员 登记 王某 精神障碍 荷花村第一网格 每周走访"
FOLLOW_USAGE = "格式:随访 姓名 情况,例如:随访 王某 情况稳定,按时服药(同名时在姓名前写明网格)"
_CN = {"": 1, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10, "半": 0}
EVERY = re.compile(r"^每(\d{1,3}|[一二两三四五六七八九十半]?)(?:个)?(天|日|周|星期|月)(?:走访|随访|一次|1次)?$")
_UNIT_DAYS = {"天": 1, "日": 1, "周": 7, "星期": 7, "月": 30}


def every_days(word: str) -> int | None:
    """每周走访 → 7, 每两周 → 14, 每半月 → 15, 每3天 → 3, 每月 → 30; None when `word` is no cadence."""
    m = EVERY.match(word)
    if m is None:
        return None
    n, unit = m.group(1), m.group(2)
    if n == "半":
        return 15 if unit == "月" else (4 if unit in ("周", "星期") else None)
    return (int(n) if n.isdigit() else _CN[n]) * _UNIT_DAYS[unit]


def _src(ctx: Ctx) -> Platform:
    return Platform(ctx.inbound.platform)


def _line(p: KeyPerson, now: datetime, cases: int) -> str:
    late = "(已逾期)" if p.next_follow_up_at < now else ""
    return (f"· {p.name} {p.category} {p.grid.name},每 {p.every_days} 天随访,下次 {fmt_local(p.next_follow_up_at)}"
            + late + (f",涉及上报 {cases} 件" if cases else ""))


async def run(ctx: Ctx, rest: str) -> None:
    if ctx.inbound.is_group:
        ctx.reply(IN_GROUP)
        return
    verb, _, args = rest.partition(" ")
    if verb == "登记":
        await register(ctx, args.strip())
    elif verb in ("撤销", "删除", "移除"):
        await deregister(ctx, args.strip())
    elif not rest:
        await show(ctx)
    else:
        ctx.reply("重点人员:发送「重点人员」查看名单;" + REGISTER_USAGE + ";撤销:重点人员 撤销 姓名")


async def show(ctx: Ctx) -> None:
    people = await key_people.visible_people(ctx.actor)
    if not people:
        ctx.reply("您没有可查看的重点人员。" + REGISTER_USAGE)
        return
    workers = {s.id: s.name for s in await Staff.filter(id__in=list({p.worker_id for p in people}))}
    linked = Counter(r.person_id for r in await KeyPersonCase.filter(person_id__in=[p.id for p in people]))
    lines = [_line(p, ctx.now, linked[p.id]) + ("" if p.worker_id == ctx.staff.id else f",网格员 {workers.get(p.worker_id, '?')}")
             for p in people]
    ctx.reply(f"重点人员名单(共 {len(people)} 人):\n" + "\n".join(lines) + "\n随访后回复「随访 姓名 情况」登记")


async def _grid_of(ctx: Ctx, words: list[str]) -> Region:
    if words:
        return await find_region(words[0])
    if ctx.staff.region_id is None:
        raise InvalidInput("请写明重点人员所在的网格。" + REGISTER_USAGE)
    return await Region.get(id=ctx.staff.region_id)


async def register(ctx: Ctx, args: str) -> None:
    words = args.split()
    if len(words) < 2:
        ctx.reply(REGISTER_USAGE)
        return
    name, category, more = words[0], words[1], words[2:]
    cadence = [w for w in more if every_days(w) is not None]
    places = [w for w in more if every_days(w) is None]
    if len(cadence) > 1 or len(places) > 1:
        ctx.reply(REGISTER_USAGE)
        return
    grid = await _grid_of(ctx, places)
    days = every_days(cadence[0]) if cadence else None
    person = await key_people.register_person(ctx.domain, ctx.actor, name, category, grid.id, days, source=_src(ctx))
    worker = await Staff.get(id=person.worker_id)
    ctx.reply(f"已登记重点人员 {person.name}({person.category}),{grid.name},负责网格员 {worker.name},"
              f"每 {person.every_days} 天随访一次,首次随访 {fmt_local(person.next_follow_up_at)} 前;"
              "该信息仅负责网格员和领导可见")
    if worker.id != ctx.staff.id:
        ctx.out.append(Outbound(target=Target(staff_id=worker.id), text=(
            f"【重点人员】{ctx.staff.name} 登记了您网格的重点人员 {person.name}({person.category}),"
            f"请每 {person.every_days} 天随访一次,首次 {fmt_local(person.next_follow_up_at)} 前;"
            f"随访后回复「随访 {person.name} 情况」登记")))


async def deregister(ctx: Ctx, args: str) -> None:
    if not args:
        ctx.reply("格式:重点人员 撤销 姓名")
        return
    person = await key_people.find_visible(ctx.actor, args)
    await key_people.deregister(ctx.domain, ctx.actor, person.id, source=_src(ctx))
    ctx.reply(f"已将 {person.name} 移出重点人员名单,不再提醒随访")


async def follow_up(ctx: Ctx, rest: str) -> None:
    """随访 [网格] 姓名 情况."""
    if ctx.inbound.is_group:
        ctx.reply(IN_GROUP)
        return
    words = rest.split(maxsplit=2)
    if len(words) < 2:
        ctx.reply(FOLLOW_USAGE)
        return
    names = {p.name for p in await key_people.visible_people(ctx.actor)}
    if words[0] in names:
        who, text = words[0], rest.split(maxsplit=1)[1]
    elif len(words) == 3 and words[1] in names:
        who, text = f"{words[0]} {words[1]}", words[2]
    else:
        ctx.reply(f"您的重点人员名单中没有「{words[0]}」。" + FOLLOW_USAGE)
        return
    person = await key_people.find_visible(ctx.actor, who)
    done = await key_people.record_follow_up(ctx.domain, ctx.actor, person.id, text, source=_src(ctx))
    ctx.reply(f"已记录对 {person.name} 的随访(计入走访记录),下次随访 {fmt_local(done.person.next_follow_up_at)} 前")
