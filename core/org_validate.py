"""Reading an org file: its schema errors named by entry and field, then every cross-reference (regions,
departments, people, platform ids) checked before anything is written."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from pydantic import ValidationError

from core.enums import Level, Platform, Role, chat_platforms
from core.org_schema import COLLECTED, OrgFile, RegionIn, StaffIn


class OrgImportError(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _entry_label(data: Any, loc: tuple[Any, ...]) -> str:
    """'staff[3] (吴大伟).roles[0]' from a pydantic error location."""
    parts: list[str] = []
    node = data
    for item in loc:
        if isinstance(item, int):
            parts[-1] = f"{parts[-1]}[{item}]" if parts else f"[{item}]"
            node = node[item] if isinstance(node, list) and item < len(node) else None
            if isinstance(node, dict) and node.get("name"):
                parts[-1] += f" ({node['name']})"
        elif item in COLLECTED and isinstance(node, dict) and item not in node:
            continue  # a per-platform key gathered into one field: name the key as the file has it
        else:
            parts.append(str(item))
            node = node.get(item) if isinstance(node, dict) else None
    return ".".join(parts) or "file"


def parse_org(text: str) -> tuple[OrgFile, list[str]]:
    if not chat_platforms():  # a programming error, never a user's: accounts would be dropped without a word
        raise RuntimeError("no chat platform is declared: import integrations.registry before reading an org file")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise OrgImportError([f"not valid YAML: {exc}"]) from None
    if not isinstance(data, dict):
        raise OrgImportError(["the file must be a mapping with center, regions, departments, staff, …"])
    try:
        org = OrgFile.model_validate(data)
    except ValidationError as exc:
        raise OrgImportError(
            [f"{_entry_label(data, tuple(e['loc']))}: {e['msg']}" for e in exc.errors()]
        ) from None
    warnings = [f"unknown section '{k}' ignored" for k in (org.model_extra or {})]
    return org, warnings


@dataclass
class OrgTree:
    nodes: dict[str, tuple[RegionIn, str | None]] = field(default_factory=dict)  # full_name → (node, parent)
    by_name: dict[str, list[str]] = field(default_factory=dict)

    def add(self, node: RegionIn, parent: str | None, problems: list[str]) -> None:
        full = f"{parent}/{node.name}" if parent else node.name
        if full in self.nodes:
            problems.append(f"regions: '{full}' appears twice")
        if parent is not None:
            parent_level = self.nodes[parent][0].level
            if node.level.rank >= parent_level.rank:
                problems.append(f"regions: '{full}' ({node.level.value}) cannot sit under a {parent_level.value}")
        self.nodes[full] = (node, parent)
        self.by_name.setdefault(node.name, []).append(full)
        for child in node.children:
            self.add(child, full, problems)

    def resolve(self, ref: str, where: str, problems: list[str]) -> str | None:
        ref = ref.strip()
        if ref in self.nodes:
            return ref
        matches = [f for f in self.nodes if f.endswith("/" + ref)] if "/" in ref else self.by_name.get(ref, [])
        if len(matches) == 1:
            return matches[0]
        if not matches:
            problems.append(f"{where}: region '{ref}' not found")
        else:
            problems.append(f"{where}: region '{ref}' is ambiguous ({', '.join(matches)}); write its path")
        return None


def validate_refs(org: OrgFile) -> tuple[OrgTree, list[str]]:
    problems: list[str] = []
    tree = OrgTree()
    for root in org.regions:
        tree.add(root, None, problems)
    dept_keys = _department_keys(org, tree, problems)
    names = _check_staff(org, tree, dept_keys, problems)
    for where, name in _people_refs(org):
        if names.get(name, 0) != 1:
            problems.append(f"{where}: staff '{name}' " + ("not found" if not names.get(name) else "is ambiguous"))
    _check_region_refs(org, tree, problems)
    return tree, problems


def _department_keys(org: OrgFile, tree: OrgTree, problems: list[str]) -> dict[str, list[tuple[str, str]]]:
    dept_keys: dict[str, list[tuple[str, str]]] = {}
    for i, dep in enumerate(org.departments):
        full = tree.resolve(dep.region, f"departments[{i}] ({dep.name})", problems)
        if full:
            dept_keys.setdefault(dep.name, []).append((full, dep.name))
    return dept_keys


def _check_staff(org: OrgFile, tree: OrgTree, dept_keys: dict[str, list[tuple[str, str]]],
                 problems: list[str]) -> dict[str, int]:
    """Each person's unit and platform ids; returns how many people carry each name."""
    seen_ids: dict[tuple[Platform, str], str] = {}
    names: dict[str, int] = {}
    for i, person in enumerate(org.staff):
        where = f"staff[{i}] ({person.name})"
        names[person.name] = names.get(person.name, 0) + 1
        if (person.region is None) == (person.department is None):
            problems.append(f"{where}: give exactly one of region or department")
        if person.region is not None:
            tree.resolve(person.region, where, problems)
        if person.department is not None and dept_ref(person.department, dept_keys) is None:
            problems.append(f"{where}: department '{person.department}' not found or ambiguous")
        _check_platform_ids(person, where, seen_ids, problems)
    return names


def _check_platform_ids(person: StaffIn, where: str, seen_ids: dict[tuple[Platform, str], str],
                        problems: list[str]) -> None:
    for platform, ext in person.ids().items():
        other = seen_ids.get((platform, ext))
        if other:
            problems.append(f"{where}: {platform} id '{ext}' is also used by {other}")
        seen_ids[(platform, ext)] = person.name


def _check_region_refs(org: OrgFile, tree: OrgTree, problems: list[str]) -> None:
    for village, _ in org.liaisons.items():
        full = tree.resolve(village, f"liaisons.{village}", problems)
        if full and tree.nodes[full][0].level is not Level.VILLAGE:
            problems.append(f"liaisons.{village}: is not a village/community")
    for sev, item in org.tasks.by_severity().items():
        if item.escalate_to:
            tree.resolve(item.escalate_to, f"tasks.{sev.value}.escalate_to", problems)
    for i, group in enumerate(org.groups):
        if group.region:
            tree.resolve(group.region, f"groups[{i}] ({group.name})", problems)


def dept_ref(ref: str, keys: dict[str, list[tuple[str, str]]]) -> tuple[str, str] | None:
    if "/" in ref:
        region, _, name = ref.rpartition("/")
        found = [k for k in keys.get(name, []) if k[0] == region or k[0].endswith("/" + region)]
    else:
        found = keys.get(ref, [])
    return found[0] if len(found) == 1 else None


def _people_refs(org: OrgFile) -> list[tuple[str, str]]:
    refs = []
    for village, item in org.liaisons.items():
        refs += [(f"liaisons.{village}.{k}", v) for k, v in (("leader", item.leader), ("cadre", item.cadre)) if v]
    for i, day in enumerate(org.roster):
        if day.leader:
            refs.append((f"roster[{i}] ({day.date}).leader", day.leader))
        refs += [(f"roster[{i}] ({day.date}).staff", s) for s in day.staff]
    refs += [(f"staff ({p.name}).backup", p.backup) for p in org.staff if p.backup]
    refs += [(f"receptions[{i}].leader", r.leader) for i, r in enumerate(org.receptions)]
    roles = {r.value for r in Role}
    for i, group in enumerate(org.groups):
        refs += [(f"groups[{i}] ({group.name}).members", m) for m in group.members if m not in roles]
    return refs


def org_places(text: str) -> list[tuple[str, str]]:
    """(name, full path) of every region in an org file, for locating reports without a database."""
    org, _ = parse_org(text)
    tree, _ = validate_refs(org)
    return [(node.name, full) for full, (node, _) in tree.nodes.items()]
