"""AB岗: a person marks themselves away in chat (请假); while away their new tasks go to their backup (from
the org file's `backup:`), and so do the reminders meant for them; afterwards everything is theirs again."""

from __future__ import annotations

import pytest

from core.enums import Platform
from core.models import Absence, Task
from core.org_import import import_org
from core.org_validate import OrgImportError
from scheduler.embedded import EmbeddedScheduler
from tests.bot.harness import Harness
from tests.conftest import DEMO_ORG, cst


@pytest.fixture
async def h(org, domain) -> Harness:
    return Harness(domain)


async def tick(h: Harness) -> None:
    await EmbeddedScheduler(h.bot, h.registry).tick()


async def texts(h: Harness, name: str, marker: str) -> list[str]:
    return [s.text for s in await h.inbox(name) if s.text and marker in s.text]


async def report_and_dispatch(h: Harness, text: str, reporter: str = "周小梅") -> Task:
    await h.say(reporter, text)  # each in another grid: never taken for a repeat of the one before
    await h.click(reporter, "确认上报")
    seen = await h.click("林晓", "受理并交办")
    assert seen.texts or seen.cards
    return await Task.filter(case__content__contains=text[:6]).first()  # type: ignore[return-value]


async def test_leave_hands_new_tasks_to_the_backup_and_the_backup_is_told(h: Harness, clock) -> None:
    seen = await h.say("赵敏", "请假 11月24日至11月26日", Platform.WECOM)
    assert seen.texts == ["已登记请假:11月24日至11月26日。期间新交办的任务和提醒由AB岗 孙婷 代为接收"]
    told = await texts(h, "孙婷", "【AB岗】")
    assert told == ["【AB岗】赵敏 11月24日至11月26日请假,期间新交办给其的任务和提醒将由您代为接收办理"]
    before = await report_and_dispatch(h, "邻居家漏水到楼下,多次协商未果")  # Monday: 赵敏 is still in
    assert (await before.assignee).name == "赵敏"
    clock.set(cst(2026, 11, 24, 10, 0))
    await h.say("郑丽", "两户因过道宽窄发生争执")
    await h.click("郑丽", "确认上报")
    seen = await h.click("林晓", "受理并交办")
    assert any("孙婷(赵敏请假,AB岗代办)" in t for t in seen.texts)
    task = await Task.filter(case__content__contains="过道宽窄").first()
    assert task is not None and (await task.assignee).name == "孙婷"
    assert await h.latest_card("孙婷", kind="task") is not None  # she can sign it
    clock.set(cst(2026, 11, 27, 10, 0))  # back
    task = await report_and_dispatch(h, "楼上邻居装修噪音扰民", "冯建")
    assert task is not None and (await task.assignee).name == "赵敏"


async def test_reminders_meant_for_someone_away_go_to_the_backup_saying_whose_they_are(h: Harness, clock) -> None:
    task = await report_and_dispatch(h, "邻居家漏水到楼下,多次协商未果")  # deadline Mon 11-30 18:00
    await h.say("赵敏", "请假 11月29日至11月30日")
    clock.set(cst(2026, 11, 29, 18, 1))  # the reminder, a day before the deadline
    await tick(h)
    await tick(h)
    assert await texts(h, "赵敏", "到期提醒") == []
    forwarded = await texts(h, "孙婷", "到期提醒")
    assert len(forwarded) == 1 and forwarded[0].startswith("【AB岗代收·赵敏请假】【到期提醒】案件 2026-0001")
    assert (await Task.get(id=task.id)).assignee_id == task.assignee_id  # the task stays 赵敏's


async def test_leave_without_a_backup_and_bad_dates_change_nothing(h: Harness) -> None:
    seen = await h.say("周小梅", "请假 11月25日")
    assert "没有设置AB岗" in seen.texts[0]
    assert "格式" in (await h.say("赵敏", "请假 下周")).texts[0]
    assert "已过" in (await h.say("赵敏", "请假 11月1日至11月2日")).texts[0]
    assert "不能早于" in (await h.say("赵敏", "请假 11月26日至11月24日")).texts[0]
    assert "无法识别" in (await h.say("赵敏", "请假 2月30日")).texts[0]
    assert await Absence.filter(staff__name="赵敏").count() == 0


async def test_the_org_file_backup_must_name_someone_on_the_staff_list(h: Harness) -> None:
    text = DEMO_ORG.read_text(encoding="utf-8").replace("backup: 孙婷}", "backup: 张三丰}")
    with pytest.raises(OrgImportError, match="backup: staff '张三丰' not found"):
        await import_org(text)


async def test_back_early_everything_is_theirs_again(h: Harness, clock) -> None:
    await h.say("赵敏", "请假 11月24日至11月27日")
    clock.set(cst(2026, 11, 25, 9, 0))
    assert "已销假" in (await h.say("赵敏", "销假")).texts[0]
    assert "没有未结束的请假" in (await h.say("赵敏", "销假")).texts[0]
    task = await report_and_dispatch(h, "邻居家漏水到楼下,多次协商未果")
    assert (await task.assignee).name == "赵敏"
    row = await Absence.get(staff__name="赵敏")
    assert (row.first_day.day, row.last_day.day) == (24, 24)
