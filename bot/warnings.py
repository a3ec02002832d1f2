"""Early-warning messages: a new 重大 / 群体性 / 涉敏 case alerts leaders at once; repeats and spikes
alert the village and the department. Groups get counts and categories, 涉敏 only as a count."""

from __future__ import annotations

from bot.types import Outbound, Target
from core.enums import Category, Flag, Role
from core.models import Case, GroupChat, Liaison, Region, Staff
from core.reports.warning import Grade, Spike, case_grade, plans, similar_recent
from core.routing import department_for, dispatchers_for, nearest_with_role, officers_of


def _to(staff_id: int, text: str, urgent: bool = False) -> Outbound:
    return Outbound(target=Target(staff_id=staff_id), text=text, urgent=urgent)


async def warning_groups() -> list[GroupChat]:
    return [g for g in await GroupChat.filter(active=True) if "warning" in g.receives]


async def on_new_case(case: Case) -> list[Outbound]:
    out: list[Outbound] = []
    grade = case_grade(case)
    category = Category(case.category).label
    if grade is not None:
        plan = (await plans())[grade]
        region = await Region.get(id=case.region_id)
        leaders = await nearest_with_role(region, Role.LEADER) + await nearest_with_role(region, Role.SECRETARY)
        text = f"【{grade.label}】新增{category}案件 {case.number}({region.name}),请立即关注。预案:{plan}"
        out += [_to(s.id, text, urgent=grade is Grade.RED) for s in {s.id: s for s in leaders}.values()]
        if Flag.SENSITIVE.value in case.flags:
            group_text = f"【{grade.label}】新增涉敏事件 1 起,详情已推送相关领导。预案:{plan}"
        else:
            group_text = f"【{grade.label}】新增{category} {case.number},预案:{plan}"
        out += [Outbound(target=Target(kind="group", group_id=g.id), text=group_text) for g in await warning_groups()]
    earlier = await similar_recent(case)
    if earlier:
        numbers = "、".join(c.number for c in earlier[:5])
        holder = await Region.get(id=case.handling_region_id)
        for d in await dispatchers_for(holder):
            out.append(_to(d.id, f"【重复预警】案件 {case.number} 与近期案件 {numbers} 同地同类或涉及相同当事人,"
                                 "可能为重复上报或矛盾升级,请合并研判"))
    return out


async def on_spike(spike: Spike) -> list[Outbound]:
    plan = (await plans())[spike.grade]
    text = f"【{spike.grade.label}】{spike.text}(P={spike.p:.4f})。预案:{plan}"
    people: dict[int, Staff] = {}
    liaison = await Liaison.get_or_none(village_id=spike.village_id)
    for sid in (liaison.leader_id, liaison.cadre_id) if liaison else ():
        if sid and (s := await Staff.get_or_none(id=sid, active=True)):
            people[s.id] = s
    dep = await department_for(spike.category, await Region.get(id=spike.village_id))
    if dep is not None:
        for s in (await officers_of(dep))[:2]:
            people[s.id] = s
    out = [_to(s.id, text) for s in people.values()]
    out += [Outbound(target=Target(kind="group", group_id=g.id), text=text) for g in await warning_groups()]
    return out
