"""Who may do what, and where. Each refusal explains itself in Chinese and changes nothing."""

from __future__ import annotations

from core.enums import LIVE_TASK_STATUSES, Flag, Role
from core.errors import Refused
from core.models import Case, Task
from core.regions import contains
from core.services.base import Actor, region_path

R = Role
# Center-side verbs on a case: the roles that may take them, within their region's subtree.
CASE_VERB_ROLES: dict[str, frozenset[Role]] = {
    "accept": frozenset({R.DISPATCHER, R.LEADER}),
    "return_to_reporter": frozenset({R.DISPATCHER, R.LEADER}),
    "dispatch": frozenset({R.DISPATCHER, R.LEADER}),
    "approve_plan": frozenset({R.LEADER}),
    "correct": frozenset({R.DISPATCHER, R.LEADER}),  # 改类 before dispatch
    "escalate": frozenset({R.DISPATCHER, R.LEADER}),
    "decide_extension": frozenset({R.DISPATCHER, R.LEADER}),
    "release_task": frozenset({R.DISPATCHER, R.LEADER}),
    "supervise": frozenset({R.SECRETARY, R.LEADER}),
    "follow_up": frozenset({R.DISPATCHER, R.LEADER}),
    "backlog": frozenset({R.LEADER, R.SECRETARY, R.DISPATCHER}),
    "view": frozenset({R.DISPATCHER, R.LEADER, R.SECRETARY, R.ADMIN}),
}

ROLE_LABELS = {
    R.GRID_WORKER: "网格员",
    R.VILLAGE_MEDIATOR: "村调解员",
    R.DISPATCHER: "调度员",
    R.OFFICER: "承办人",
    R.LEADER: "领导",
    R.SECRETARY: "书记",
    R.PETITION_AGENT: "信访代办员",
    R.ADMIN: "管理员",
    R.EXPERT: "调解专家",
}


async def check_case(actor: Actor, verb: str, case: Case) -> None:
    if actor.is_system:
        return
    allowed = CASE_VERB_ROLES[verb]
    if not actor.has(*allowed):
        names = "、".join(sorted(ROLE_LABELS[r] for r in allowed))
        raise Refused(f"您没有权限执行该操作(需要{names}身份)")
    path = await region_path(case.handling_region_id)
    if actor.scope_path is None or not contains(actor.scope_path, path):
        raise Refused(f"案件 {case.number} 不在您的管辖范围内")


def check_reporter(actor: Actor, case: Case) -> None:
    if actor.is_system or (case.reporter_id is not None and case.reporter_id == actor.staff_id):
        return
    raise Refused(f"案件 {case.number} 不是您上报的,无法操作")


def check_assignee(actor: Actor, task: Task, number: str) -> None:
    if actor.is_system or task.assignee_id == actor.staff_id:
        return
    raise Refused(f"这不是您的任务(案件 {number}),无法操作")


async def can_view(actor: Actor, case: Case) -> bool:
    """Reporters see their own; assignees theirs (checked by the caller); center roles within scope."""
    if actor.is_system or case.reporter_id == actor.staff_id:
        return True
    if not actor.has(*CASE_VERB_ROLES["view"]) or actor.scope_path is None:
        return False
    return contains(actor.scope_path, await region_path(case.region_id))


async def can_open_evidence(actor: Actor, case: Case) -> bool:
    """Who may open a case's kept files: whoever may view the case, and the officers it is dispatched to
    while their task is live. Not 抄送 recipients: they are told of a case, not given its evidence."""
    if actor.is_system:
        return False  # a link is always minted for a person
    if await can_view(actor, case):
        return True
    live = [s.value for s in LIVE_TASK_STATUSES]
    return await Task.filter(case_id=case.id, assignee_id=actor.staff_id, status__in=live).exists()


async def sees_sensitive_content(actor: Actor, case: Case) -> bool:
    """Of a 涉敏 case, what was reported (content, parties) is read by those who handle it: its reporter, the
    dispatchers and leaders within scope, the officers it is dispatched to while their task is live. Others
    who may view the case (secretaries, administrators) see its number, category and progress only."""
    if Flag.SENSITIVE.value not in case.flags or actor.is_system or case.reporter_id == actor.staff_id:
        return True
    if actor.has(R.DISPATCHER, R.LEADER) and await can_view(actor, case):
        return True
    live = [s.value for s in LIVE_TASK_STATUSES]
    return await Task.filter(case_id=case.id, assignee_id=actor.staff_id, status__in=live).exists()
