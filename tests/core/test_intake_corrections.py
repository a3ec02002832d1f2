"""The center's corrections of what intake made of a report are kept as labelled examples."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.enums import Platform
from core.errors import InvalidInput, Refused
from core.models import IntakeCorrection
from core.services import intake
from core.services.base import Actor
from core.services.corrections import Labels, correction_examples, record_correction
from tests.conftest import who

pytestmark = pytest.mark.db
W = Platform.WECOM
TEXT = "村民李某（电话一三八一二三四五六七八）反映银行柜员把保险说成存款卖给他"


async def test_a_dispatchers_correction_is_stored_masked_with_who_and_when(org, domain) -> None:
    grid = await who("周小梅")
    case = (await intake.report(domain, grid, intake.ReportInput(TEXT), source=W)).case
    dispatcher = await who("林晓")
    row = await record_correction(domain, dispatcher, text=TEXT, case_id=case.id, model_version="abc123",
                                  predicted=Labels("consumer", "general"), corrected=Labels("finance", "important"),
                                  source=W)
    assert row is not None
    stored = await IntakeCorrection.get(id=row.id)
    assert "1234" not in stored.text and "138****5678" in stored.text
    assert (stored.predicted_category, stored.category, stored.severity) == ("consumer", "finance", "important")
    assert stored.by_id == dispatcher.staff_id and stored.by_name == "林晓" and stored.at == domain.clock.now()
    assert stored.case_id == case.id and stored.model_version == "abc123" and stored.flags is None
    examples = await correction_examples()
    assert [(e.category, e.severity) for e in examples] == [("finance", "important")]


async def test_a_grid_worker_may_not_correct(org, domain) -> None:
    with pytest.raises(Refused):
        await record_correction(domain, await who("周小梅"), text=TEXT, predicted=Labels("consumer", "general"),
                                corrected=Labels("finance", "general"), source=W)
    assert await IntakeCorrection.all().count() == 0


async def test_nothing_to_correct_stores_nothing_and_bad_labels_are_refused(org, domain) -> None:
    center = Actor.system("12345")
    same = await record_correction(domain, center, text=TEXT, predicted=Labels("finance", "general"),
                                   corrected=Labels("finance", "general"), source=Platform.API)
    assert same is None
    for bad in (Labels("banking", "general"), Labels("finance", "urgent"), Labels("finance", "general", ("loud",))):
        with pytest.raises(InvalidInput):
            await record_correction(domain, center, text=TEXT, predicted=Labels("finance", "general"),
                                    corrected=bad, source=Platform.API)
    assert await IntakeCorrection.all().count() == 0


async def test_a_report_corrected_twice_counts_once_as_its_last_correction(org, domain, clock) -> None:
    dispatcher = await who("林晓")
    for corrected in ("consumer", "finance"):
        await record_correction(domain, dispatcher, text=TEXT, predicted=Labels("debt", "general"),
                                corrected=Labels(corrected, "general"), source=W)
        clock.advance(timedelta(minutes=5))
    assert [e.category for e in await correction_examples()] == ["finance"]

