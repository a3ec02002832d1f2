"""The names of 重点人员 a process has handled are masked in its log lines, as typed, in a list's repr (how
tortoise logs SQL values) and JSON-escaped (how JSON fields are written); names it never handled, and
one-character words, are left alone."""

from __future__ import annotations

import json

from core.masking import mask_names, remember_names
from maotiao.logredact import redact


def test_a_remembered_name_is_masked_in_every_form_a_log_line_carries_it() -> None:
    remember_names("欧阳某某", "钱某")
    assert redact("INSERT: ['欧阳某某', '精神障碍', 7]") == "INSERT: ['欧***', '精神障碍', 7]"
    assert redact("payload " + json.dumps({"text": "请随访钱某"})) == "payload " + json.dumps({"text": "请随访钱*"})
    assert redact("电话 13812345678 钱某") == "电话 138****5678 钱*"
    assert mask_names("孙某来访") == "孙某来访"  # never handled here


def test_one_character_and_repeated_names_change_nothing_twice() -> None:
    remember_names("钱", "钱某", "钱某")
    assert mask_names("钱某借钱") == "钱*借钱"
