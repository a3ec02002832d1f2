"""改类: the center corrects a case's category before it is dispatched. The correction is stored as a labelled
intake example (core/services/corrections.py) in the same transaction, so `maotiao intake train` learns from
it, and routing (core/routing.py) follows the corrected category from then on."""

from __future__ import annotations

from core.enums import CATEGORY_LABELS, CaseStatus, Category, Platform
from core.errors import InvalidInput, InvalidTransition
from core.events import CaseRecategorized
from core.models import Department
from core.permissions import check_case
from core.services.base import Actor, Domain, Outcome, record, snapshot, transactional
from core.services.corrections import Labels, record_correction
from core.services.lookup import lock_case

# Before dispatch: once a task exists, its department has the case and a new category would not move it.
CORRECTABLE = (CaseStatus.REPORTED, CaseStatus.ESCALATED, CaseStatus.ACCEPTED, CaseStatus.AWAITING_APPROVAL,
               CaseStatus.RETURNED)


def _labels_matching(word: str) -> list[Category]:
    exact = [c for c, label in CATEGORY_LABELS.items() if word in (label, label.removesuffix("纠纷"), c.value)]
    if exact:
        return exact
    return [c for c, label in CATEGORY_LABELS.items() if len(word) >= 2 and (word in label or label in word)]


async def category_named(word: str) -> Category | None:
    """"劳资纠纷", "劳资", "labor_wage", or a department taking exactly one category ("劳动保障(所)") → the
    category; None when the word names none, or several."""
    word = word.strip()
    found = _labels_matching(word)
    if len(found) == 1:
        return found[0]
    if found:
        return None
    departments = [d for d in await Department.filter(active=True) if d.name.startswith(word) and word]
    taken = {c for d in departments for c in d.categories}
    return Category(taken.pop()) if len(taken) == 1 and next(iter(taken)) in Category._value2member_map_ else None


def category_choices() -> str:
    return "、".join(label for c, label in CATEGORY_LABELS.items() if c is not Category.OTHER) + "、其他"


@transactional
async def recategorize(d: Domain, actor: Actor, case_id: int, category: Category, *, source: Platform) -> Outcome:
    """改类 0042 劳资纠纷: only before dispatch, by the center (dispatcher or leader) holding the case."""
    case = await lock_case(case_id)
    await check_case(actor, "correct", case)
    if CaseStatus(case.status) not in CORRECTABLE:
        raise InvalidTransition(f"案件 {case.number} 已{CaseStatus(case.status).label},只能在交办前更正类别")
    if case.category == category.value:
        return Outcome(False, f"案件 {case.number} 的类别已是「{category.label}」", case=case)
    if not case.content.strip():
        raise InvalidInput(f"案件 {case.number} 没有内容,无法更正类别")
    before = snapshot(case)
    was = case.category
    await record_correction(d, actor, text=case.content, predicted=Labels(was, case.severity, tuple(case.flags)),
                            corrected=Labels(category.value, case.severity, tuple(case.flags)), case_id=case.id,
                            source=source)
    case.category = category.value
    case.updated_at = d.clock.now()
    await case.save()
    await record(d, actor, source, "recategorize", case, before)
    old = Category(was).label if was in Category._value2member_map_ else was
    event = CaseRecategorized(case.id, was, category.value, actor_id=actor.staff_id)
    return Outcome(True, f"案件 {case.number} 类别已由「{old}」更正为「{category.label}」", case=case, events=[event])
