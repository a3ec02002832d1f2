"""State machines as tables: (state, action) → next state. Anything not listed is refused."""

from __future__ import annotations

from enum import StrEnum

from core.enums import CaseStatus as C
from core.enums import TaskStatus as T
from core.errors import InvalidTransition


class CaseAction(StrEnum):
    RESUBMIT = "resubmit"
    ACCEPT = "accept"
    RETURN_TO_REPORTER = "return_to_reporter"
    APPROVE_PLAN = "approve_plan"
    DISPATCH = "dispatch"
    ALL_TASKS_WITHDRAWN = "all_tasks_withdrawn"
    ESCALATE = "escalate"
    RESOLVE = "resolve"
    FOLLOW_UP_SATISFIED = "follow_up_satisfied"
    FOLLOW_UP_UNSATISFIED = "follow_up_unsatisfied"


class TaskAction(StrEnum):
    """What can happen to a task. The officer's actions are also the bot's button and plain-word names, so
    their values are the wire values of buttons already sent in chats ("return:123"): never change them."""

    SIGN = "sign"  # 签收
    PROGRESS = "progress"  # 反馈进展
    EXTEND = "extend"  # 申请延期
    DECIDE_EXTENSION = "decide_extension"  # 延期审批 (the center's 同意/不同意 buttons)
    RETURN = "return"  # 退回
    RESOLVE = "resolve"  # 办结
    RELEASE = "release"  # 撤回 (the center or the lead)


CASE_TRANSITIONS: dict[tuple[C, CaseAction], C] = {
    (C.RETURNED, CaseAction.RESUBMIT): C.REPORTED,
    (C.REPORTED, CaseAction.ACCEPT): C.ACCEPTED,  # or AWAITING_APPROVAL for 重要, decided by the verb
    (C.ESCALATED, CaseAction.ACCEPT): C.ACCEPTED,
    (C.REPORTED, CaseAction.RETURN_TO_REPORTER): C.RETURNED,
    (C.AWAITING_APPROVAL, CaseAction.APPROVE_PLAN): C.ACCEPTED,
    (C.ACCEPTED, CaseAction.DISPATCH): C.DISPATCHED,
    (C.DISPATCHED, CaseAction.DISPATCH): C.DISPATCHED,  # an extra department joins
    (C.DISPATCHED, CaseAction.ALL_TASKS_WITHDRAWN): C.ACCEPTED,
    (C.REPORTED, CaseAction.ESCALATE): C.ESCALATED,
    (C.ACCEPTED, CaseAction.ESCALATE): C.ESCALATED,
    (C.AWAITING_APPROVAL, CaseAction.ESCALATE): C.ESCALATED,
    (C.DISPATCHED, CaseAction.ESCALATE): C.ESCALATED,
    (C.ESCALATED, CaseAction.ESCALATE): C.ESCALATED,
    (C.DISPATCHED, CaseAction.RESOLVE): C.RESOLVED,
    (C.RESOLVED, CaseAction.FOLLOW_UP_SATISFIED): C.CLOSED,
    (C.RESOLVED, CaseAction.FOLLOW_UP_UNSATISFIED): C.ACCEPTED,
}

TASK_TRANSITIONS: dict[tuple[T, TaskAction], T] = {
    (T.PENDING, TaskAction.SIGN): T.SIGNED,
    (T.PENDING, TaskAction.PROGRESS): T.SIGNED,  # reporting progress implies having signed
    (T.SIGNED, TaskAction.PROGRESS): T.SIGNED,
    (T.PENDING, TaskAction.EXTEND): T.PENDING,
    (T.SIGNED, TaskAction.EXTEND): T.SIGNED,
    (T.PENDING, TaskAction.DECIDE_EXTENSION): T.PENDING,
    (T.SIGNED, TaskAction.DECIDE_EXTENSION): T.SIGNED,
    (T.PENDING, TaskAction.RETURN): T.RETURNED,
    (T.SIGNED, TaskAction.RETURN): T.RETURNED,
    (T.PENDING, TaskAction.RESOLVE): T.RESOLVED,
    (T.SIGNED, TaskAction.RESOLVE): T.RESOLVED,
    (T.PENDING, TaskAction.RELEASE): T.RELEASED,
    (T.SIGNED, TaskAction.RELEASE): T.RELEASED,
}


def next_case_status(current: str, action: CaseAction) -> C:
    state = C(current)
    try:
        return CASE_TRANSITIONS[(state, action)]
    except KeyError:
        raise InvalidTransition(f"案件当前状态为「{state.label}」,不能执行该操作") from None


def next_task_status(current: str, action: TaskAction) -> T:
    state = T(current)
    try:
        return TASK_TRANSITIONS[(state, action)]
    except KeyError:
        raise InvalidTransition(f"任务当前状态为「{state.label}」,不能执行该操作") from None
