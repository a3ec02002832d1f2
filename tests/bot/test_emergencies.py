"""应急处置 through chat and the scheduler: a 红色预警 opens an emergency by itself (or a leader starts one), the
leaders and the center get the 预案 checklist, the response team urgent tasks, the party committee group the
首报; 续报 every cadence (once, however many engines tick) with the tasks' progress, and from the site in chat;
a leader closes it with a summary. Group messages name no party and no number; 涉敏 ones only say one was sent."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from core.enums import Platform
from core.models import Case, Emergency, EmergencyReport, GroupChat, Setting, Task
from core.org_import import import_org
from core.org_validate import OrgImportError
from scheduler.embedded import EmbeddedScheduler
from tests.bot.harness import Harness
from tests.conftest import DEMO_ORG

PHONE = re.compile(r"1[3-9]\d{9}")


def _org_text() -> str:
    text = DEMO_ORG.read_text(encoding="utf-8")
    text = text.replace("    team: [派出所]\n", "    team: [综合执法应急中队, 派出所]\n")  # the demo's red plan
    text = text.replace("  - {name: 派出所, region: 茶园乡,",
                        "  - {name: 综合执法应急中队, region: 茶园乡}\n  - {name: 派出所, region: 茶园乡,")
    text = text.replace("  - {name: 刘洋, roles: [officer], department: 派出所,",
                        "  - {name: 周队长, roles: [officer], department: 综合执法应急中队, wecom: zhoudz}\n"
                        "  - {name: 刘洋, roles: [officer], department: 派出所,")
    return text


@pytest.fixture
async def h(org, domain) -> Harness:
    await import_org(_org_text())
    return Harness(domain)


async def tick(h: Harness) -> None:
    await EmbeddedScheduler(h.bot, h.registry).tick()


async def group_texts(h: Harness, name: str = "茶园乡领导群") -> list[str]:
    g = await GroupChat.get(name=name)
    refs = set((await g.refs()).values())
    return [s.text for ch in h.channels.values() for s in ch.sent if s.to in refs and s.text]


async def _reported(h: Harness, text: str) -> Case:
    await h.say("周小梅", text)
    await h.click("周小梅", "确认上报")
    return await Case.all().order_by("-id").first()  # type: ignore[return-value]


async def test_a_red_warning_opens_the_emergency_and_the_leaders_word_sends_the_team_urgently(h: Harness) -> None:
    case = await _reported(h, "村民李某(电话13812345678)扬言要和邻居同归于尽")
    row = await Emergency.get(case_id=case.id)
    assert row.status == "open" and row.grade == "red" and row.report_minutes == 120
    assert await Task.filter(case_id=case.id).count() == 0  # the case keeps its way through 受理 and the ladder
    for name in ("韩卫国", "林晓"):  # the leader and the center: the checklist, the plan's team waiting
        checklist = [s.text for s in await h.inbox(name) if "应急处置清单" in s.text]
        assert checklist and "30分钟内到场" in checklist[0] and "续报 0001" in checklist[0], name
        assert "综合执法应急中队、派出所,领导回复「启动应急 0001」即加急派出" in checklist[0]
    first = [t for t in await group_texts(h) if "应急首报" in t]
    assert len(first) == 1 and "涉敏事件 1 起" in first[0]  # 涉敏: the group only hears one was sent
    detail = [s for s in await h.inbox("韩卫国") if "应急首报" in s.text]  # the leaders get it in full
    assert detail and detail[0].urgent and case.number in detail[0].text and not PHONE.search(detail[0].text)

    said = await h.say("韩卫国", "启动应急 0001")
    assert "已向 周队长、刘洋 加急交办" in said.texts[0]
    tasks = await Task.filter(case_id=case.id).prefetch_related("assignee")
    assert {t.assignee.name for t in tasks} == {"周队长", "刘洋"}
    assert all(t.reminder_method == "urgent" for t in tasks)
    for name in ("周队长", "刘洋"):  # the team: an urgent task card each, on their own platform
        assert any(s.card is not None and s.urgent for s in await h.inbox(name)), name
    assert "已在应急处置中" in (await h.say("唐志刚", "启动应急 0001")).texts[0]  # sent once
    assert await Task.filter(case_id=case.id).count() == 2
    for t in await group_texts(h):
        assert case.number not in t and not PHONE.search(t) and "李某" not in t


async def test_a_leader_starts_one_and_the_group_gets_timed_reports_once_with_progress_until_closed(
        h: Harness, clock) -> None:
    case = await _reported(h, "荷花村王某与邻居张某因宅基地边界争执,王某电话13812345678")
    await import_org(_org_text())
    await case.refresh_from_db()
    case.parties = [{"name": "王某"}, {"name": "张某"}]
    await case.save(update_fields=["parties"])
    assert "只有领导或书记" in (await h.say("林晓", "启动应急 0001")).texts[0]
    said = await h.say("韩卫国", "启动应急 0001 红色", Platform.DINGTALK)
    assert "已启动应急处置(红色预警)" in said.texts[0] and "周队长" in said.texts[0] and "每 2小时续报" in said.texts[0]
    assert "已在应急处置中" in (await h.say("唐志刚", "启动应急 0001")).texts[0]
    first = [t for t in await group_texts(h) if "应急首报" in t]
    assert len(first) == 1 and case.number in first[0] and "周队长" in first[0]

    await h.say("周队长", "0001 已到场,正在劝离王某围观群众")  # a task's progress, in plain words
    clock.advance(timedelta(hours=1, minutes=59))
    await tick(h)
    assert [t for t in await group_texts(h) if "应急续报" in t] == []
    clock.advance(timedelta(minutes=2))
    await tick(h)
    await tick(h)  # a second round (and engine) finds the 续报 claimed
    await EmbeddedScheduler(h.bot, h.registry).tick()
    timed = [t for t in await group_texts(h) if "应急续报" in t]
    assert len(timed) == 1 and "第 1 次续报" in timed[0] and "正在劝离" in timed[0]
    assert "王某" not in timed[0] and "当事人甲" in timed[0]  # parties are never named in the group

    refused = await h.say("周小梅", "续报 0001 我听说已经散了")
    assert "只有现场处置人员和领导" in refused.texts[0]
    assert "第 2 次续报" in (await h.say("刘洋", "续报 0001 现场已控制,人员已疏散", Platform.DINGTALK)).texts[0]
    onsite = [t for t in await group_texts(h) if "第 2 次续报" in t]
    assert len(onsite) == 1 and "现场已控制,人员已疏散" in onsite[0] and "刘洋" in onsite[0]

    clock.advance(timedelta(hours=1))  # the on-site report restarted the cadence: nothing due yet
    await tick(h)
    assert len([t for t in await group_texts(h) if "应急续报" in t]) == 2
    assert "只有领导或书记" in (await h.say("刘洋", "应急结束 0001 已处置完毕")).texts[0]
    closed = await h.say("韩卫国", "应急结束 0001 人员已疏散,双方同意次日到中心调解", Platform.WECOM)
    assert "应急处置已结束" in closed.texts[0] and "共报送 4 次" in closed.texts[0]
    final = [t for t in await group_texts(h) if "应急终报" in t]
    assert len(final) == 1 and "双方同意次日到中心调解" in final[0]
    assert any("应急结束" in s.text for s in await h.inbox("周队长"))
    clock.advance(timedelta(hours=5))
    await tick(h)
    assert len([t for t in await group_texts(h) if "应急续报" in t]) == 2  # closed: no more 续报
    assert await EmergencyReport.filter(emergency__case_id=case.id).count() == 4
    for t in await group_texts(h):
        assert not PHONE.search(t)
    assert "没有进行中的应急处置" in (await h.say("韩卫国", "应急结束 0001 再次结束")).texts[0]


async def test_emergency_words_that_do_not_parse_get_the_format(h: Harness) -> None:
    assert "格式:启动应急 0042" in (await h.say("韩卫国", "启动应急")).texts[0]
    assert "无法识别" in (await h.say("韩卫国", "启动应急 0001 紫色")).texts[0]
    assert "格式:应急结束 0042" in (await h.say("韩卫国", "应急结束 0001")).texts[0]


async def test_without_plans_the_default_checklist_is_sent_and_nobody_is_dispatched(org, domain) -> None:
    await Setting.filter(key="emergency_plans").delete()  # an org file with no `emergency_plans:`
    await GroupChat.filter(name="茶园乡领导群").update(receives=["warning"])  # and no group fed `emergency`
    h = Harness(domain)
    case = await _reported(h, "村民李某扬言要和邻居同归于尽")
    row = await Emergency.get(case_id=case.id)
    assert row.team == [] and row.report_minutes == 120
    assert await Task.filter(case_id=case.id).count() == 0
    checklist = [s.text for s in await h.inbox("韩卫国") if "应急处置清单" in s.text]
    assert checklist and "立即报告党委书记" in checklist[0] and "预案未指定" in checklist[0]
    first = [s for s in await h.inbox("韩卫国") if "应急首报" in s.text]  # no group fed `emergency`: the leaders
    assert first and "待指挥长交办" in first[0].text
    assert "预案未指定应急队伍" in (await h.say("韩卫国", "启动应急 0001")).texts[0]


async def test_an_org_file_naming_nobody_in_a_team_is_warned_and_a_bad_cadence_refused(org) -> None:
    summary = await import_org(_org_text().replace("team: [综合执法应急中队, 派出所]", "team: [综合执法应急中队, 消防救援站]"))
    assert [w for w in summary.warnings if "emergency_plans" in w] == [
        "emergency_plans.red.team: '消防救援站' is no department or staff name; it will not be dispatched"]
    with pytest.raises(OrgImportError) as info:
        await import_org(_org_text().replace("report_every: 2h", "report_every: soon"))
    assert any("emergency_plans" in p and "duration" in p for p in info.value.problems)
