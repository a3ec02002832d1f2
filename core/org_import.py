"""`maotiao org import`: validate the whole file first, then upsert it in one transaction.

Re-importing updates in place: regions are keyed by their full path, departments by (region, name),
staff by their id, else a platform identity, else name and unit. Nothing referenced is deleted:
what the new file leaves out is deactivated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tortoise.transactions import in_transaction

from core.durations import Duration
from core.emergency_plans import EMERGENCY_PLANS_KEY
from core.enums import Platform, Role, chat_platforms
from core.grid_settings import SCREENING_KEY
from core.key_people_settings import KEY_PEOPLE_KEY, key_people_value
from core.models import (
    Department,
    GroupAddress,
    GroupChat,
    Identity,
    Liaison,
    Region,
    Room,
    RosterEntry,
    Setting,
    Staff,
)
from core.org_schema import OrgFile, StaffIn
from core.org_validate import OrgImportError, OrgTree, dept_ref, parse_org, validate_refs
from core.partners import REFERRALS_KEY
from core.policy import Policy, TaskDefault, save_policy
from core.privacy import PRIVACY_KEY
from core.reception_plan import RECEPTIONS_KEY
from core.reports.scoring import Evaluation, GoldRule, save_evaluation


@dataclass
class ImportSummary:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    deactivated: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def bump(self, bucket: str, kind: str) -> None:
        counts = getattr(self, bucket)
        counts[kind] = counts.get(kind, 0) + 1


def _experts_as_staff(org: OrgFile) -> dict[str, list[str]]:
    """Experts join the staff list (role expert, at their region or the top of the tree)."""
    expertise = {}
    for e in org.experts:
        org.staff.append(StaffIn.model_validate({
            "name": e.name, "id": e.id, "roles": [Role.EXPERT], "region": e.region or org.regions[0].name,
            "title": e.field, **e.accounts}))
        expertise[e.name] = [c.value for c in e.categories]
    return expertise


async def import_org(text: str) -> ImportSummary:
    org, warnings = parse_org(text)
    expertise = _experts_as_staff(org)
    tree, problems = validate_refs(org)
    if problems:
        raise OrgImportError(problems)
    summary = ImportSummary(warnings=warnings + _unknown_team(org))
    async with in_transaction():
        regions = await _upsert_regions(tree, summary)
        depts = await _upsert_departments(org, tree, regions, summary)
        staff = await _upsert_staff(org, tree, regions, depts, summary)
        for name, person in staff.items():
            if person.expertise != expertise.get(name, []) or person.is_expert != (name in expertise):
                person.expertise, person.is_expert = expertise.get(name, []), name in expertise
                await person.save(update_fields=["expertise", "is_expert"])
        await _upsert_rest(org, tree, regions, staff)
        await save_policy(_policy(org, tree))
        await Setting.update_or_create(defaults={"value": dict(org.warnings)}, key="warning_plans")
        await save_evaluation(_evaluation(org))
        await Setting.update_or_create(defaults={"value": org.privacy.model_dump()}, key=PRIVACY_KEY)
        await Setting.update_or_create(defaults={"value": _text_only(org)}, key="text_only")
        await Setting.update_or_create(defaults={"value": org.screening.model_dump()}, key=SCREENING_KEY)
        await Setting.update_or_create(defaults={"value": org.referrals.model_dump()}, key=REFERRALS_KEY)
        await Setting.update_or_create(defaults={"value": {g: p.model_dump() for g, p in org.emergency_plans.items()}},
                                       key=EMERGENCY_PLANS_KEY)
        await Setting.update_or_create(defaults={"value": {"entries": [r.model_dump(mode="json")
                                                                       for r in org.receptions]}},
                                       key=RECEPTIONS_KEY)
        await Setting.update_or_create(defaults={"value": key_people_value(org.key_people)}, key=KEY_PEOPLE_KEY)
    return summary


def _unknown_team(org: OrgFile) -> list[str]:
    """应急预案 team names that are neither a department nor a person of the file: said, not refused."""
    known = {d.name for d in org.departments} | {p.name for p in org.staff}
    return [f"emergency_plans.{grade}.team: '{name}' is no department or staff name; it will not be dispatched"
            for grade, plan in org.emergency_plans.items() for name in plan.team if name not in known]


def _text_only(org: OrgFile) -> dict[str, object]:
    """Who reads plain text only: read by the platform adapters at send time."""
    readers = [p.ids() for p in org.staff if p.text_only]
    return {"all": org.text_only, **{c.value: [ids[c] for ids in readers if c in ids] for c in chat_platforms()}}


async def _upsert_regions(tree: OrgTree, summary: ImportSummary) -> dict[str, Region]:
    out: dict[str, Region] = {}
    for full, (node, parent) in tree.nodes.items():  # parents come before children
        parent_row = out[parent] if parent else None
        row = await Region.get_or_none(full_name=full)
        values: dict[str, Any] = {
            "name": node.name, "level": node.level.value, "parent_id": parent_row.id if parent_row else None,
        }
        if row is None:
            row = await Region.create(full_name=full, path="/", **values)
            summary.bump("created", "regions")
        elif any(getattr(row, k) != v for k, v in values.items()) or not row.active:
            row.update_from_dict({**values, "active": True})
            summary.bump("updated", "regions")
        row.path = f"{parent_row.path if parent_row else '/'}{row.id}/"
        await row.save()
        out[full] = row
    gone = await Region.filter(active=True).exclude(full_name__in=list(out)).update(active=False)
    if gone:
        summary.deactivated["regions"] = gone
    return out


async def _upsert_departments(
    org: OrgFile, tree: OrgTree, regions: dict[str, Region], summary: ImportSummary
) -> dict[tuple[str, str], Department]:
    out: dict[tuple[str, str], Department] = {}
    for dep in org.departments:
        full = tree.resolve(dep.region, "", [])
        assert full is not None
        region = regions[full]
        values = {"role": dep.role, "kind": dep.kind, "categories": [c.value for c in dep.categories], "active": True}
        row, created = await Department.get_or_create(defaults=values, region_id=region.id, name=dep.name)
        if not created:
            row.update_from_dict(values)
            await row.save()
        summary.bump("created" if created else "updated", "departments")
        out[(full, dep.name)] = row
    keep = [d.id for d in out.values()]
    gone = await Department.filter(active=True).exclude(id__in=keep).update(active=False)
    if gone:
        summary.deactivated["departments"] = gone
    return out


async def _find_staff(person: StaffIn, unit: dict[str, Any]) -> Staff | None:
    if person.id:
        return await Staff.get_or_none(code=person.id)
    ids = person.ids()
    for platform in chat_platforms():
        ext = ids.get(platform)
        if ext:
            ident = await Identity.get_or_none(platform=platform.value, external_id=ext)
            if ident:
                return await Staff.get(id=ident.staff_id)
    return await Staff.get_or_none(name=person.name, **unit)


async def _upsert_staff(
    org: OrgFile,
    tree: OrgTree,
    regions: dict[str, Region],
    depts: dict[tuple[str, str], Department],
    summary: ImportSummary,
) -> dict[str, Staff]:
    keys: dict[str, list[tuple[str, str]]] = {}
    for key in depts:
        keys.setdefault(key[1], []).append(key)
    out: dict[str, Staff] = {}
    for person in org.staff:
        region_id = regions[tree.resolve(person.region, "", []) or ""].id if person.region else None
        dept_key = dept_ref(person.department, keys) if person.department else None
        unit: dict[str, Any] = {"region_id": region_id, "department_id": depts[dept_key].id if dept_key else None}
        values: dict[str, Any] = {
            "name": person.name, "title": person.title, "roles": [r.value for r in person.roles],
            "code": person.id, "active": True, "phone": person.phone, **unit,
        }
        row = await _find_staff(person, unit)
        if row is None:
            row = await Staff.create(**values)
            summary.bump("created", "staff")
        else:
            row.update_from_dict(values)
            await row.save()
            summary.bump("updated", "staff")
        wanted = {(p.value, ext) for p, ext in person.ids().items()}
        have = {(i.platform, i.external_id): i for i in await Identity.filter(staff_id=row.id)}
        for key, ident in have.items():
            if key not in wanted:
                await ident.delete()
        for platform, ext in wanted - set(have):
            await Identity.filter(platform=platform, external_id=ext).delete()  # moved from someone else
            await Identity.create(staff_id=row.id, platform=platform, external_id=ext)
        out[person.name] = row
    for person in org.staff:  # AB岗: once everyone exists
        backup_id = out[person.backup].id if person.backup else None
        if out[person.name].backup_id != backup_id:
            out[person.name].backup_id = backup_id
            await out[person.name].save(update_fields=["backup_id"])
    keep = [s.id for s in out.values()]
    gone = await Staff.filter(active=True).exclude(id__in=keep).update(active=False)
    if gone:
        summary.deactivated["staff"] = gone
    return out


async def _upsert_rest(org: OrgFile, tree: OrgTree, regions: dict[str, Region], staff: dict[str, Staff]) -> None:
    for village, item in org.liaisons.items():
        region = regions[tree.resolve(village, "", []) or ""]
        await Liaison.update_or_create(
            defaults={
                "leader_id": staff[item.leader].id if item.leader else None,
                "cadre_id": staff[item.cadre].id if item.cadre else None,
            },
            village_id=region.id,
        )
    for group in org.groups:
        region_id = regions[tree.resolve(group.region, "", []) or ""].id if group.region else None
        row, _ = await GroupChat.update_or_create(
            defaults={"receives": group.receives, "region_id": region_id, "members": group.members or None,
                      "active": True}, name=group.name)
        await _set_addresses(row, group.refs())
    await GroupChat.exclude(name__in=[g.name for g in org.groups]).update(active=False)
    for room in org.rooms:
        region_id = regions[tree.resolve(room.region, "", []) or ""].id if room.region else None
        await Room.update_or_create(defaults={"region_id": region_id, "active": True}, name=room.name)
    await Room.exclude(name__in=[r.name for r in org.rooms]).update(active=False)
    for day in org.roster:
        await RosterEntry.filter(day=day.date).delete()
        if day.leader:
            await RosterEntry.create(day=day.date, staff_id=staff[day.leader].id, duty="leader")
        for name in dict.fromkeys(day.staff):
            await RosterEntry.create(day=day.date, staff_id=staff[name].id, duty="staff")


async def _set_addresses(group: GroupChat, refs: dict[Platform, str]) -> None:
    """The group's address on each platform as the file gives it: one left out is removed."""
    await GroupAddress.filter(group_id=group.id).exclude(platform__in=[p.value for p in refs]).delete()
    for platform, ref in refs.items():
        await GroupAddress.update_or_create(defaults={"ref": ref}, group_id=group.id, platform=platform.value)


def _policy(org: OrgFile, tree: OrgTree) -> Policy:
    base = Policy()
    limits = dict(base.step_limits)
    limits.update({lv: _dur(v) for lv, v in org.escalation.items()})
    defaults = dict(base.task_defaults)
    for sev, item in org.tasks.by_severity().items():
        target = tree.resolve(item.escalate_to, "", []) if item.escalate_to else None
        defaults[sev] = TaskDefault(_dur(item.deadline), _dur(item.remind_before), item.leader_approval, target)
    quiet = [int(p.split(":")[0]) % 24 for p in org.quiet_hours.split("-")] if org.quiet_hours else [22, 7]
    return Policy(
        quiet_start=quiet[0],
        quiet_end=quiet[1],
        signed_idle=_dur(org.tasks.signed_idle) if org.tasks.signed_idle else base.signed_idle,
        accept_within=_dur(org.tasks.accept_within) if org.tasks.accept_within else base.accept_within,
        sign_within=_dur(org.tasks.sign_within) if org.tasks.sign_within else base.sign_within,
        center_name=org.center.name,
        step_limits=limits,
        task_defaults=defaults,
        overdue_supervision=_dur(org.tasks.overdue_supervision) if org.tasks.overdue_supervision else base.overdue_supervision,
        follow_up_after=_dur(org.follow_up.after),
        office_hours=org.office_hours or base.office_hours,
    )


def _evaluation(org: OrgFile) -> Evaluation:
    given = org.evaluation
    base = Evaluation()
    weights = {k: dict(v) for k, v in base.weights.items()}
    for cohort in weights:
        chosen = getattr(given, cohort)
        if chosen:
            weights[cohort] = {str(m): float(w) for m, w in chosen.items()}
    gold = given.gold_mediator
    return Evaluation(
        weights=weights,
        subsidy={**base.subsidy, **{str(k): float(v) for k, v in given.subsidy.items()}},
        first_report_within=_dur(given.first_report_within) if given.first_report_within else base.first_report_within,
        sign_target=_dur(given.sign_target) if given.sign_target else base.sign_target,
        list_size=base.list_size if given.lists is None else given.lists,
        gold=GoldRule(gold.min_cases, gold.min_success, gold.min_satisfaction) if gold else base.gold,
    )


def _dur(text: str) -> Duration:
    return Duration.parse(text)
