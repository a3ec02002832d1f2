"""The notices of 应急处置, for bot/notify.py's handler table: when an emergency opens, the leaders and the center
get the 预案 checklist and the party committee the 首报; each 续报 (timed or from the site) goes to the party
committee; the 终报 closes it. The party committee is the groups fed `emergency`, else the leaders themselves.
What goes to a group names no party and no phone or ID number; a 涉敏 case's reports go to the leaders only,
the group hears that one was sent."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.types import Outbound, Target
from core.clock import fmt_local
from core.emergency_plans import load_plan
from core.enums import OPEN_TASK_STATUSES, Category, Flag, Role
from core.events import EmergencyClosed, EmergencyOpened, EmergencyReported
from core.masking import mask_keeping_case_numbers
from core.models import Case, Emergency, EmergencyReport, GroupChat, Region, Staff, Task
from core.privacy import hide_names
from core.reports.warning import Grade
from core.routing import dispatchers_for, nearest_with_role
from core.services.emergencies import KIND_LABELS, progress_lines

if TYPE_CHECKING:
    from bot.notify import Batch


async def emergency_groups() -> list[GroupChat]:
    return [g for g in await GroupChat.filter(active=True) if "emergency" in g.receives]


async def leaders_of(case: Case) -> list[Staff]:
    region = await Region.get(id=case.region_id)
    found = await nearest_with_role(region, Role.SECRETARY) + await nearest_with_role(region, Role.LEADER)
    return list({s.id: s for s in found}.values())


def _for_group(case: Case, text: str) -> str:
    """No party's name (当事人甲…), no phone or ID number."""
    return mask_keeping_case_numbers(hide_names(text, case.parties, "hidden"))


async def _head(case: Case, row: Emergency, rep: EmergencyReport) -> str:
    region = await Region.get(id=case.region_id)
    label = KIND_LABELS[rep.kind]
    nth = f"第 {rep.seq - 1} 次" if rep.kind in ("timed", "onsite") else ""
    return (f"【应急{label}】{Grade(row.grade).label} 案件 {case.number}({region.name},{Category(case.category).label})"
            f"{nth}{label} {fmt_local(rep.at)}")


async def _body(row: Emergency, rep: EmergencyReport) -> str:
    lines = []
    if rep.kind == "first":
        lines.append(f"已于 {fmt_local(row.opened_at)} 启动应急处置,每 {row.report_minutes // 60 or 1} 小时续报"
                     if row.report_minutes >= 60 else f"已于 {fmt_local(row.opened_at)} 启动应急处置")
        lines.append(f"应急队伍:{'、'.join(row.team)}" if row.team else "应急队伍:待指挥长交办")
        progress = rep.text
    elif rep.kind == "onsite":
        author = await Staff.get_or_none(id=rep.author_id) if rep.author_id else None
        lines.append(f"现场报告({author.name if author else '现场'}):{rep.text}")
        progress = "\n".join(await progress_lines(row.case_id))
    elif rep.kind == "final":
        summary, _, progress = rep.text.partition("\n")
        lines.append(f"应急处置已结束,历时 {(rep.at - row.opened_at).total_seconds() / 3600:.1f} 小时。处置情况:{summary}")
    else:
        progress = rep.text
    if progress:
        lines.append("处置进展:\n" + "\n".join(f"· {p}" for p in progress.splitlines()))
    elif rep.kind != "final":
        lines.append("处置进展:暂无反馈")
    return "\n".join(lines)


async def _report(b: Batch, case: Case, emergency_id: int, report_id: int, *, urgent: bool) -> list[int]:
    """The report to the party committee; the leaders told directly are returned (they need no copy)."""
    row = await Emergency.get(id=emergency_id)
    rep = await EmergencyReport.get(id=report_id)
    head = await _head(case, row, rep)
    text = f"{head}\n{await _body(row, rep)}"
    groups = await emergency_groups()
    sensitive = Flag.SENSITIVE.value in case.flags
    for g in groups:
        said = f"{head.split(' 案件')[0]} 涉敏事件 1 起应急处置{KIND_LABELS[rep.kind]}已推送相关领导" if sensitive \
            else _for_group(case, text)
        b.out.append(Outbound(target=Target(kind="group", group_id=g.id), text=said))
    if groups and not sensitive:
        return []
    leaders = await leaders_of(case)
    b.out += [Outbound(target=Target(staff_id=s.id), text=mask_keeping_case_numbers(text), urgent=urgent)
              for s in leaders]
    return [s.id for s in leaders]


async def emergency_opened(b: Batch, ev: EmergencyOpened, case: Case, holder: Region) -> None:
    row = await Emergency.get(id=ev.emergency_id)
    await _report(b, case, ev.emergency_id, ev.report_id, urgent=True)
    checklist = "\n".join(f"☐ {i}. {line}" for i, line in enumerate(row.checklist, 1))
    short = case.number.split("-")[-1]
    planned = (await load_plan(Grade(row.grade))).team
    team = f"应急队伍:已加急交办 {'、'.join(row.team)}" if row.team else (
        f"应急队伍(预案):{'、'.join(planned)},领导回复「启动应急 {short}」即加急派出" if planned
        else "应急队伍:预案未指定,请领导指定后交办")
    text = (f"【应急处置清单】{Grade(row.grade).label} 案件 {case.number}\n{checklist}\n{team}\n"
            f"现场续报:发送「续报 {short} 情况」;处置完毕:发送「应急结束 {short} 处置情况总结」")
    people = {s.id for s in await leaders_of(case)} | {s.id for s in await dispatchers_for(holder)}
    if ev.actor_id:
        people.add(ev.actor_id)
    for sid in sorted(people):
        b.tell(sid, text)


async def emergency_reported(b: Batch, ev: EmergencyReported, case: Case, holder: Region) -> None:
    told = await _report(b, case, ev.emergency_id, ev.report_id, urgent=False)
    row = await Emergency.get(id=ev.emergency_id)
    if row.opened_by_id and row.opened_by_id not in told and row.opened_by_id != ev.actor_id:
        rep = await EmergencyReport.get(id=ev.report_id)
        b.tell(row.opened_by_id, f"{await _head(case, row, rep)}\n{await _body(row, rep)}")


async def emergency_closed(b: Batch, ev: EmergencyClosed, case: Case, holder: Region) -> None:
    told = await _report(b, case, ev.emergency_id, ev.report_id, urgent=False)
    row = await Emergency.get(id=ev.emergency_id)
    closer = await Staff.get_or_none(id=ev.actor_id) if ev.actor_id else None
    team = {t.assignee_id for t in await Task.filter(case_id=case.id, status__in=[s.value for s in OPEN_TASK_STATUSES])
            .prefetch_related("assignee") if t.assignee.name in row.team}
    for sid in sorted(team - set(told)):
        b.tell(sid, f"【应急结束】案件 {case.number} 的应急处置已由{closer.name if closer else '领导'}宣布结束,"
                         "请按任务要求继续办理并反馈")
