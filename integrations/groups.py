"""Making the center's group chats where a platform sends group messages only to chats the app made itself
(a plug-in with a `groups` hook): `maotiao groups create`, and the sandbox at its start.

For each active group and each such platform: a chat the app made already (the platform says so) is left
alone; otherwise one is created with the group's members (core/group_members.py) who have an account there,
and its id is stored as the group's address. Running it again creates nothing twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from core.enums import Platform
from core.group_members import group_members
from core.models import GroupAddress, GroupChat, Identity
from integrations import registry
from integrations.plugin import GroupMaker, GroupRefused, PlatformPlugin

Status = Literal["exists", "created", "planned", "failed"]


@dataclass
class Outcome:
    platform: str  # the plug-in's label, as chat users read it
    org_key: str  # the org file's key for the group's id there (the plug-in's org_group_key)
    group: str
    status: Status
    ref: str = ""
    members: list[str] = field(default_factory=list)  # names, the owner first
    without_account: list[str] = field(default_factory=list)  # members with no account on the platform
    reason: str = ""
    new_ref: bool = False  # the stored id changed: the org file should be given it


def makers_for(settings: Mapping[Platform, Any]) -> list[tuple[PlatformPlugin[Any], Any]]:
    """(plug-in, its settings) of each configured platform that needs the app to make its group chats."""
    return [(p, settings[p.platform]) for p in registry.PLUGINS
            if p.groups is not None and p.platform in settings and settings[p.platform].enabled]


async def _one(p: PlatformPlugin[Any], maker: GroupMaker, group: GroupChat, dry_run: bool) -> Outcome:
    address = await GroupAddress.get_or_none(group_id=group.id, platform=p.platform.value)
    ref = address.ref if address is not None and address.ref else None
    out = Outcome(p.label, p.org_group_key, group.name, "exists", ref or "")
    people = await group_members(group)
    accounts = {i.staff_id: i.external_id for i in
                await Identity.filter(platform=p.platform.value, staff_id__in=[s.id for s in people])}
    out.members = [s.name for s in people if s.id in accounts]
    out.without_account = [s.name for s in people if s.id not in accounts]
    try:
        if ref is not None and await maker.exists(ref):
            return out
        plan = maker.plan(group.name, ref, [accounts[s.id] for s in people if s.id in accounts])
        out.ref, out.new_ref = plan.chat_id, plan.chat_id != ref
        if dry_run:
            out.status = "planned"
            return out
        out.ref = await maker.create(plan)
    except GroupRefused as exc:
        out.status, out.reason = "failed", str(exc)
        return out
    out.status, out.new_ref = "created", out.ref != ref
    await GroupAddress.update_or_create(defaults={"ref": out.ref}, group_id=group.id, platform=p.platform.value)
    return out


async def make_groups(settings: Mapping[Platform, Any], *, dry_run: bool = False) -> list[Outcome]:
    """Create what is missing on every configured platform that needs it (nothing at all with dry_run)."""
    outcomes: list[Outcome] = []
    groups = await GroupChat.filter(active=True).order_by("id")
    for p, platform_settings in makers_for(settings):
        assert p.groups is not None
        maker = p.groups(platform_settings)
        try:
            outcomes += [await _one(p, maker, g, dry_run) for g in groups]
        finally:
            await maker.aclose()
    return outcomes


def render(outcomes: list[Outcome], dry_run: bool) -> str:
    """What was done (or would be), in Chinese, with the org-file lines to keep the ids."""
    lines: list[str] = []
    for o in outcomes:
        who = f"{len(o.members)} 人,群主 {o.members[0]}" if o.members else "无成员"
        absent = f";没有{o.platform}账号、未入群:{'、'.join(o.without_account)}" if o.without_account else ""
        if o.status == "exists":
            lines.append(f"➖ {o.platform}「{o.group}」:本应用建的群已存在({o.ref}),不再创建")
        elif o.status == "planned":
            lines.append(f"📝 {o.platform}「{o.group}」:将建群 {o.ref}({who}:{'、'.join(o.members)}){absent}")
        elif o.status == "created":
            lines.append(f"✅ {o.platform}「{o.group}」:已建群 {o.ref}({who}:{'、'.join(o.members)}){absent}")
        else:
            lines.append(f"❌ {o.platform}「{o.group}」:未建群:{o.reason}{absent}")
    if not outcomes:
        lines.append("没有需要由应用建群的群聊(组织文件的 groups 为空)")
    fresh = [o for o in outcomes if o.new_ref and o.status == ("planned" if dry_run else "created")]
    if fresh:
        lines.append("请把新的群 id 写入组织文件(否则再次 maotiao org import 会把它清掉):")
        lines += [f"  - name: {o.group} → {o.org_key}: \"{o.ref}\"" for o in fresh]
    if dry_run:
        lines.append("(演练:没有建任何群;去掉 --dry-run 执行)")
    return "\n".join(lines)
