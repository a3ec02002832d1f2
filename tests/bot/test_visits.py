"""走访 / 巡查 logs in one message, counted per grid in the weekly and monthly digests (with 排查 coverage) and
in the 考核 网格员 rows; the words (which name residents) never reach a group."""

from __future__ import annotations

import pytest

from bot.types import Attachment
from core.enums import Platform
from core.models import AuditEvent, GroupChat, MediaFile, VisitLog
from core.reports import evaluation
from core.reports.periods import Kind, period_of
from core.reports.scoring import load_evaluation
from scheduler.embedded import EmbeddedScheduler
from tests.bot.harness import Harness
from tests.conftest import cst

VISIT = "走访 东村3组 王大爷 反映邻里排水问题已协调"


@pytest.fixture
async def h(org, domain) -> Harness:
    return Harness(domain)


async def tick(h: Harness) -> None:
    await EmbeddedScheduler(h.bot, h.registry).tick()


async def group_texts(h: Harness) -> list[str]:
    refs = set()
    for g in await GroupChat.all():
        refs |= set((await g.refs()).values())
    return [s.text for ch in h.channels.values() for s in ch.sent if s.to in refs and s.text]


async def test_a_visit_in_one_message_with_a_photo_on_either_platform(h: Harness) -> None:
    seen = await h.say("周小梅", VISIT, Platform.WECOM, attachments=(Attachment("image", "media-visit-1"),))
    assert seen.texts == ["已记录走访(附照片 1 张),本月第 1 次走访巡查记录"]
    seen = await h.say("郑丽", "巡查 桂香村水库堤坝 未发现异常", Platform.DINGTALK)
    assert seen.texts == ["已记录巡查,本月第 1 次走访巡查记录"]
    log = await VisitLog.get(kind="visit")
    assert log.text == VISIT[3:] and len(log.photos) == 1
    assert (await MediaFile.get(id=log.photos[0])).ref == "media-visit-1"
    audit = await AuditEvent.get(action="record_visit", entity_id=log.id)
    assert "王大爷" not in str(audit.after) and audit.after["chars"] == len(log.text)
    assert not seen.cards  # not taken for a report


async def test_only_grid_workers_and_village_mediators_log_visits_and_empty_logs_are_refused(h: Harness) -> None:
    assert "网格员或村调解员" in (await h.say("赵敏", VISIT)).texts[0]
    assert "格式" in (await h.say("周小梅", "走访")).texts[0]
    assert await VisitLog.all().count() == 0 and await MediaFile.all().count() == 0


async def test_digests_and_the_grid_worker_rows_count_visits_and_screening_never_the_words(h: Harness, clock) -> None:
    await tick(h)  # Monday 09:00: the weekly screening opens
    await h.say("周小梅", "零报告")
    await h.say("周小梅", VISIT)
    await h.say("周小梅", "巡查 荷花村村口 一切正常")
    await h.say("吴大伟", "走访 荷花村二组 李大娘 反映宅基地边界问题")
    clock.set(cst(2026, 11, 30, 8, 30))  # the weekly digest
    await tick(h)
    weekly = [t for t in await group_texts(h) if "周" in t.split("\n")[0] and "排查:" in t]
    assert weekly and "应报 5 网格次,已报 1(零报告 1,有发现 0),报送率 20.0%" in weekly[0]
    assert "荷花村 50.0%" in weekly[0] and "未报网格:" in weekly[0]
    clock.set(cst(2026, 12, 1, 8, 30))  # the monthly digest
    await tick(h)
    monthly = [t for t in await group_texts(h) if "走访巡查" in t]
    assert monthly and "走访巡查 3 次:荷花村第一网格2、荷花村第二网格1" in monthly[0]
    assert not [t for t in await group_texts(h) if "王大爷" in t or "李大娘" in t]
    nov = period_of(Kind.MONTHLY, cst(2026, 11, 15).date())
    rows = {e.name: e for e in await evaluation.grid_workers(nov.start, nov.end, await load_evaluation())}
    assert rows["周小梅"].shown["走访数"] == "2" and rows["周小梅"].shown["排查完成率"] == "100.0%"
    assert rows["吴大伟"].shown["排查完成率"] == "0.0%" and rows["吴大伟"].values["screening"] == 0.0
