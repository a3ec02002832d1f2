"""Routing: which department takes a case, who is copied, what must happen before dispatch, and who stands in
for a person away (AB岗)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from tortoise.expressions import Q

from core import org_memo
from core.enums import Category, Level, Role, Severity
from core.models import Absence, Case, Department, Liaison, Region, Staff
from core.policy import Policy
from core.regions import ancestor_at, ancestor_ids


@dataclass
class RoutePlan:
    department: Department | None
    assignees: list[Staff] = field(default_factory=list)  # candidates, best first
    cc: list[Staff] = field(default_factory=list)
    needs_approval: bool = False
    escalate_to: Region | None = None  # 重大: the level named in the org file

    @property
    def assignee(self) -> Staff | None:
        return self.assignees[0] if self.assignees else None


def _has_role(staff: Staff, role: Role) -> bool:
    return role.value in staff.roles


async def department_for(category: str, region: Region) -> Department | None:
    """The nearest department up the tree from `region` that takes `category` (else the category it was split
    from, else one taking "other")."""
    chain = ancestor_ids(region)
    departments = await org_memo.remembered(("departments", region.id),
                                            lambda: Department.filter(region_id__in=chain, active=True))
    depth = {rid: i for i, rid in enumerate(chain)}
    ranked = sorted(departments, key=lambda dep: -depth[dep.region_id])
    fallback = Category(category).fallback if category in Category._value2member_map_ else None
    for wanted in dict.fromkeys([category, *([fallback.value] if fallback else []), "other"]):
        for dep in ranked:
            if wanted in dep.categories:
                return dep
    return None


async def officers_of(department: Department) -> list[Staff]:
    staff = await org_memo.remembered(("department staff", department.id),
                                      lambda: Staff.filter(department_id=department.id, active=True).order_by("id"))
    return [s for s in staff if _has_role(s, Role.OFFICER)] or list(staff)


async def liaison_cc(region: Region) -> list[Staff]:
    return list(await org_memo.remembered(("liaison cc", region.id), lambda: _liaison_cc(region)))


async def _liaison_cc(region: Region) -> list[Staff]:
    village = await ancestor_at(region, Level.VILLAGE)
    if village is None:
        return []
    liaison = await Liaison.get_or_none(village_id=village.id)
    if liaison is None:
        return []
    ids = [i for i in (liaison.leader_id, liaison.cadre_id) if i is not None]
    found = {s.id: s for s in await Staff.filter(id__in=ids, active=True)}
    return [found[i] for i in ids if i in found]


async def suggest_route(case: Case, policy: Policy) -> RoutePlan:
    region = await org_memo.region(case.region_id)
    severity = Severity(case.severity)
    department = await department_for(case.category, region)
    plan = RoutePlan(department=department)
    if department is not None:
        plan.assignees = await officers_of(department)
    if severity is Severity.GENERAL:
        plan.cc = [s for s in await liaison_cc(region) if s not in plan.assignees]
    defaults = policy.task_defaults[severity]
    plan.needs_approval = defaults.leader_approval and case.plan_approved_by_id is None
    if defaults.escalate_to:
        target = await Region.get_or_none(full_name=defaults.escalate_to) or await Region.get_or_none(
            name=defaults.escalate_to
        )
        current = await org_memo.region(case.handling_region_id)
        if target is not None and Level(target.level).rank > Level(current.level).rank:
            plan.escalate_to = target
    return plan


async def dispatchers_for(region: Region) -> list[Staff]:
    """The dispatchers who should receive a case held at `region`: the nearest level up that has any (those of
    its departments first, then those placed at the region itself, each by id). Only the dispatchers' rows are
    loaded: a township's departments hold dozens of officers."""
    return list(await org_memo.remembered(("dispatchers", region.id), lambda: _dispatchers_for(region)))


async def _dispatchers_for(region: Region) -> list[Staff]:
    chain = ancestor_ids(region)
    level_of = dict(await Department.filter(region_id__in=chain, active=True).values_list("id", "region_id"))
    where = Q(region_id__in=chain)
    if level_of:
        where |= Q(department_id__in=list(level_of))
    people = await Staff.filter(where, active=True).order_by("id").values("id", "roles", "department_id", "region_id")
    people = [p for p in people if Role.DISPATCHER.value in p["roles"]]
    for rid in reversed(chain):
        ids = [p["id"] for p in people if level_of.get(p["department_id"]) == rid]
        ids += [p["id"] for p in people if p["region_id"] == rid]
        if ids:
            rows = {s.id: s for s in await Staff.filter(id__in=ids)}
            return [rows[i] for i in ids]
    return []


async def escalation_watchers(case: Case, target: Region) -> list[Staff]:
    """Whom an escalation to `target` tells besides the dispatchers who receive the case (dispatchers_for):
    the receiving village's own mediators (村调解员), when it climbs to a village, and the liaison (联村领导,
    联村干部) of the village where the dispute is."""
    people = await liaison_cc(await org_memo.region(case.region_id))
    if Level(target.level) is Level.VILLAGE:
        here = await Staff.filter(region_id=target.id, active=True).order_by("id")
        people = [s for s in here if _has_role(s, Role.VILLAGE_MEDIATOR)] + people
    return list({s.id: s for s in people}.values())


async def nearest_with_role(region: Region, role: Role) -> list[Staff]:
    """Staff holding `role` at the nearest level up from `region` (e.g. the secretary who supervises)."""
    chain = ancestor_ids(region)
    staff = [s for s in await Staff.filter(region_id__in=chain, active=True) if role.value in s.roles]
    depth = {rid: i for i, rid in enumerate(chain)}
    staff.sort(key=lambda s: -depth[s.region_id or 0])
    return [s for s in staff if s.region_id == staff[0].region_id] if staff else []


async def suggest_experts(category: str, limit: int = 3) -> list[Staff]:
    """调解专家库: experts who help with this category."""
    experts = await org_memo.remembered(("experts",), lambda: Staff.filter(active=True, is_expert=True).order_by("id"))
    return [s for s in experts if Role.EXPERT.value in s.roles and category in s.expertise][:limit]


async def away_ids(day: date, staff_ids: list[int] | None = None) -> set[int]:
    """Who is away (请假) on `day`, of `staff_ids` (everyone when None)."""
    query = Absence.filter(first_day__lte=day, last_day__gte=day)
    if staff_ids is not None:
        query = query.filter(staff_id__in=staff_ids)
    return {int(i) for (i,) in await query.values_list("staff_id")}


async def stand_in(staff: Staff, day: date) -> Staff:
    """AB岗: who takes `staff`'s new tasks and reminders on `day` — their backup while they are away (when the
    backup is active and not away too), else themselves."""
    if staff.backup_id is None or not await away_ids(day, [staff.id]):
        return staff
    backup = await Staff.get_or_none(id=staff.backup_id, active=True)
    if backup is None or await away_ids(day, [backup.id]):
        return staff
    return backup
