"""Pieces every card builder uses: buttons, case summary fields, shortening."""

from __future__ import annotations

from bot.cards import snapshot
from bot.types import Button, ButtonAct, CardAction
from core import org_memo
from core.clock import fmt_local
from core.enums import OPEN_TASK_STATUSES, CaseSource, Category, Flag, Severity, TaskStatus
from core.masking import mask_numbers
from core.models import CardLink, Case

CONTENT_CHARS = 300
TASKS_ON_CASE: tuple[TaskStatus, ...] = (*OPEN_TASK_STATUSES, TaskStatus.RESOLVED)  # not returned or released


def btn(act: ButtonAct, link: CardLink, label: str, style: str = "default") -> Button:
    return Button(label=label, action=CardAction(act, link.id).encode(), style=style)  # type: ignore[arg-type]


async def progress_field(case_id: int, *, exclude: int | None = None) -> list[tuple[str, str]]:
    """办理进展: each task's latest 反馈进展, so the center and every partner of a 联合调处 see how the others do."""
    tasks = [t for t in await snapshot.tasks(case_id)
             if TaskStatus(t.status) in TASKS_ON_CASE and t.last_progress is not None and t.id != exclude]
    people = await org_memo.staff_by_ids(t.assignee_id for t in tasks)
    lines = [f"{people[t.assignee_id].name}({fmt_local(t.last_progress_at)[5:]}):{short(t.last_progress or '', 80)}"
             for t in tasks]
    return [("办理进展", ";".join(lines))] if lines else []


def place(region: str, location: str | None) -> str:
    """地点: the region, then the spot the report named, unless the spot only repeats the region's name."""
    spot = (location or "").strip()
    if not spot or spot in region:
        return region
    return spot if spot.startswith(region) else f"{region} {spot}"


def short(text: str, limit: int = CONTENT_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def labels(category: str, severity: str, flags: list[str]) -> tuple[str, str]:
    level = Severity(severity).label
    marks = "、".join(Flag(f).label for f in flags)
    return Category(category).label, f"{level}" + (f"({marks})" if marks else "")


async def case_fields(case: Case, *, masked: bool) -> list[tuple[str, str]]:
    region = await org_memo.region(case.region_id)
    category, level = labels(case.category, case.severity, case.flags)
    content = mask_numbers(case.content) if masked else case.content
    reporter = await org_memo.staff(case.reporter_id) if case.reporter_id else None
    fields = [
        ("类别", category),
        ("等级", level),
        ("地点", place(region.name, case.location_text)),
        ("内容", short(content)),
    ]
    if case.people:
        fields.insert(2, ("人数", f"{case.people}人"))
    if case.source != CaseSource.GRID_CHAT.value:
        fields.append(("来源", CaseSource(case.source).label))
    if reporter is not None:
        fields.append(("上报人", reporter.name))
    first = await org_memo.staff(case.first_receiver_id) if case.first_receiver_id else None
    if first is not None:
        fields.append(("首问责任人", first.name))
    return fields
