"""The 三级四步登记表's rows as text — dates and one row per step — shared by the .docx form
(bot/documents/register.py), the .xlsx register (bot/reports/register.py) and the case page, without
python-docx or openpyxl (the case page is served by a `serve` that need not load either)."""

from __future__ import annotations

from datetime import datetime

from bot.reports.redact import redact
from core.clock import local
from core.reports.register import Step


def when(value: object) -> str:
    return f"{local(value):%Y-%m-%d %H:%M}" if isinstance(value, datetime) else "—"


def day(value: object) -> str:
    return f"{local(value):%Y年%m月%d日}" if isinstance(value, datetime) else ""


def step_row(step: Step, parties: list[dict[str, str]], mode: str) -> list[str]:
    if not step.reached:
        return [step.name, "—", "—", "—", "未经本级"]
    unit = [step.unit, when(step.started_at)]
    if step.received_by:
        unit.append("受理:" + "、".join(step.received_by))
    result = [step.result]
    if step.handed_over_at is not None:
        result.append(f"{when(step.handed_over_at)} 由{step.handed_over_by}移交{step.handed_to}")
    tried = redact(step.tried, parties, mode) if step.tried else "—"
    return [step.name, "\n".join(unit), "、".join(step.handlers) or "—", tried, "\n".join(result)]
