"""One name per action: a button, its plain words and its core verb share one enum member, and the wire
format of buttons already out in chats still decodes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.commands import task
from bot.commands.args import CaseArgs, case_args, case_number
from bot.conversation import Waiting
from bot.router import ACTION_ROUTES, STATE_ROUTES
from bot.types import TASK_BUTTONS, Act, CardAction, InvalidAction
from core.transitions import TaskAction

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)

SENT_BEFORE = {  # the wire values of cards already sent: they must keep meaning the same action
    "confirm": Act.CONFIRM, "edit": Act.EDIT, "settle": Act.SETTLE, "cancel": Act.CANCEL,
    "accept": Act.ACCEPT_DISPATCH, "reassign": Act.REASSIGN, "return_rep": Act.RETURN_REPORTER,
    "escalate": Act.ESCALATE, "approve": Act.APPROVE, "level_up": Act.LEVEL_UP,
    "sign": TaskAction.SIGN, "progress": TaskAction.PROGRESS, "extend": TaskAction.EXTEND,
    "return": TaskAction.RETURN, "resolve": TaskAction.RESOLVE,
    "ext_yes": Act.EXT_YES, "ext_no": Act.EXT_NO, "same": Act.SAME, "new": Act.NOT_SAME,
    "attend": Act.ATTEND, "leave": Act.LEAVE, "sat": Act.SATISFIED, "basic": Act.BASICALLY, "unsat": Act.UNSATISFIED,
    "add_dept": Act.ADD_PARTNER, "lead": Act.CHANGE_LEAD, "pick": Act.PICK,
    "tform": Act.TASK_FORM, "tform1": Act.FORM_NEXT, "tform2": Act.FORM_DISPATCH,
    "tform0": Act.FORM_BACK,
}


@pytest.mark.parametrize("wire", sorted(SENT_BEFORE))
def test_buttons_already_sent_decode_to_the_same_action(wire: str) -> None:
    action = CardAction.decode(f"{wire}:123")
    assert action.act is SENT_BEFORE[wire] and action.link_id == 123
    assert action.encode() == f"{wire}:123"


def test_every_button_has_exactly_one_route() -> None:
    assert set(ACTION_ROUTES) == set(SENT_BEFORE.values()) == {*Act, *TASK_BUTTONS}


def test_a_form_button_carries_its_choices_and_nothing_else() -> None:
    action = CardAction.decode("tform2:7:a=d3;c=s4;d=3w")
    assert (action.act, action.link_id, action.arg) == (Act.FORM_DISPATCH, 7, "a=d3;c=s4;d=3w")
    assert action.encode() == "tform2:7:a=d3;c=s4;d=3w"
    for forged in ("tform2:7:a=<script>", "tform2:7:a=司法所", "tform2:7:" + "a" * 300):
        with pytest.raises(InvalidAction):
            CardAction.decode(forged)


@pytest.mark.parametrize("wire", ["release", "decide_extension", "request_extension", "nope"])
def test_task_actions_without_a_button_are_refused(wire: str) -> None:
    with pytest.raises(InvalidAction):
        CardAction.decode(f"{wire}:1")


def test_a_task_button_its_plain_words_and_its_verb_are_one_member() -> None:
    assert set(TASK_BUTTONS) == set(task.VERBS) == set(task.PATTERNS)


def test_every_pending_question_has_a_route() -> None:
    assert set(STATE_ROUTES) == set(Waiting)


@pytest.mark.parametrize(("text", "expected"), [
    ("0042 双方同意赔偿", CaseArgs("2026-0042", "双方同意赔偿")),
    ("  2025-7 宋涛 15天 ", CaseArgs("2025-0007", "宋涛 15天")),
    ("42\n第一条\n第二条", CaseArgs("2026-0042", "第一条\n第二条")),
    ("0042", None),
    ("甲方 0042 同意", None),
    ("", None),
])
def test_case_args_split_a_case_number_from_the_rest(text: str, expected: CaseArgs | None) -> None:
    assert case_args(text, NOW) == expected


def test_case_number_alone() -> None:
    assert case_number(" 0042 ", NOW) == "2026-0042"
    assert case_number("  ", NOW) is None
