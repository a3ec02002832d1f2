"""What a grid worker is told of a round of 排查: when it is due and how to answer (prompts and reminders)."""

from __future__ import annotations

from core.clock import fmt_local
from core.models import ScreeningRound
from core.services.screening import round_label


def answer_hint(r: ScreeningRound) -> str:
    if r.kind == "weekly":
        return "请排查本网格矛盾纠纷后回复「零报告」,或「排查 发现的情况」(每条发现一条消息,随后按提示确认上报)"
    return (f"请围绕主题排查后回复「专项排查 {r.id} 零报告」,或「专项排查 {r.id} 发现的情况」"
            "(每条发现一条消息,随后按提示确认上报)")


def prompt_text(r: ScreeningRound) -> str:
    return f"【排查提醒】{round_label(r)}开始,请于 {fmt_local(r.due_at)} 前报送。{answer_hint(r)}"


def reminder_text(r: ScreeningRound) -> str:
    return f"【排查催报】{round_label(r)}尚未报送,请于 {fmt_local(r.due_at)} 前报送。{answer_hint(r)}"
