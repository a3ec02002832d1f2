"""The center corrects what intake made of a report; each correction is kept as a labelled example that
`maotiao intake train` learns from. The correction UI (dispatcher cards) calls record_correction inside
the verb that changes the case, so both land or neither does."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tortoise.transactions import in_transaction

from core import audit
from core.enums import Category, Flag, Platform, Role, Severity
from core.errors import InvalidInput, Refused
from core.masking import mask_numbers
from core.models import IntakeCorrection
from core.services.base import Actor, Domain

MAY_CORRECT = (Role.DISPATCHER, Role.LEADER, Role.SECRETARY, Role.ADMIN)


@dataclass(frozen=True)
class Labels:
    """What intake said, or what the center says, about one report."""

    category: str
    severity: str
    flags: tuple[str, ...] = ()


def _checked(labels: Labels) -> Labels:
    if labels.category not in Category._value2member_map_:
        raise InvalidInput(f"没有这个类别：{labels.category}")
    if labels.severity not in Severity._value2member_map_:
        raise InvalidInput(f"没有这个等级：{labels.severity}")
    unknown = [f for f in labels.flags if f not in Flag._value2member_map_]
    if unknown:
        raise InvalidInput(f"没有这个标记：{'、'.join(unknown)}")
    return Labels(labels.category, labels.severity, tuple(sorted(set(labels.flags))))


async def record_correction(
    d: Domain,
    actor: Actor,
    *,
    text: str,
    predicted: Labels,
    corrected: Labels,
    case_id: int | None = None,
    model_version: str = "",
    flags_corrected: bool = False,
    source: Platform,
) -> IntakeCorrection | None:
    """Store a correction; None when nothing was corrected. flags_corrected: the corrected flags count
    (else only category and severity were looked at)."""
    if not actor.is_system and not actor.has(*MAY_CORRECT):
        raise Refused("只有中心调度员、领导或管理员可以更正分类")
    if not text.strip():
        raise InvalidInput("没有内容可以更正")
    predicted, corrected = _checked(predicted), _checked(corrected)
    same_flags = not flags_corrected or predicted.flags == corrected.flags
    if (predicted.category, predicted.severity) == (corrected.category, corrected.severity) and same_flags:
        return None
    async with in_transaction():  # the correction and its audit event land together
        row = await _store(d, actor, text, predicted, corrected, case_id, model_version, flags_corrected, source)
        await audit.append(at=row.at, actor_id=actor.staff_id, actor_name=actor.name, source=source.value,
                           action="correct_intake", entity="intake_correction", entity_id=row.id, case_id=case_id,
                           before={"category": predicted.category, "severity": predicted.severity,
                                   "flags": list(predicted.flags)},
                           after={"category": corrected.category, "severity": corrected.severity,
                                  "flags": list(corrected.flags) if flags_corrected else None})
    return row


async def _store(d: Domain, actor: Actor, text: str, predicted: Labels, corrected: Labels, case_id: int | None,
                 model_version: str, flags_corrected: bool, source: Platform) -> IntakeCorrection:
    return await IntakeCorrection.create(
        case_id=case_id,
        text=mask_numbers(text.strip()),
        predicted_category=predicted.category,
        predicted_severity=predicted.severity,
        predicted_flags=list(predicted.flags),
        category=corrected.category,
        severity=corrected.severity,
        flags=list(corrected.flags) if flags_corrected else None,
        model_version=model_version[:32],
        by_id=actor.staff_id,
        by_name=actor.name[:64],
        source=source.value,
        at=d.clock.now(),
    )


@dataclass(frozen=True)
class CorrectionExample:
    text: str
    category: str
    severity: str
    flags: tuple[str, ...] | None
    at_iso: str


async def correction_examples(categories: Iterable[str] | None = None) -> list[CorrectionExample]:
    """Every correction as a labelled example, oldest first; a report corrected twice counts as its last
    correction."""
    wanted = set(categories) if categories is not None else None
    latest: dict[str, CorrectionExample] = {}
    for row in await IntakeCorrection.all().order_by("at", "id"):
        if wanted is not None and row.category not in wanted:
            continue
        latest[row.text] = CorrectionExample(
            row.text, row.category, row.severity, tuple(row.flags) if row.flags is not None else None,
            row.at.isoformat(),
        )
    return list(latest.values())
