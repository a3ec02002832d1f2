"""`maotiao doctor` against the fake WeCom and DingTalk on loopback, a migrated SQLite file and our own
callback server: a healthy deployment is all green, and each way a real one breaks on day one is one red
line that says what to do."""

from __future__ import annotations

import functools
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import httpx
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.engine import Bot
from core import db, workdays
from core.calendar_import import bundled, import_calendar, load_calendar, unverified
from core.clock import ManualClock
from core.config import Settings, load_settings
from core.enums import Platform
from core.models import ApiUsage, CalendarDay, GroupAddress, GroupChat
from core.services.base import Domain
from core.usage import month_of
from core.workdays import WorkCalendar
from integrations.checklist import Check, Status
from integrations.dingtalk.config import DingTalkSettings, load_dingtalk
from integrations.sandbox.dingtalk_api import FakeDingTalkAPI
from integrations.sandbox.wecom import FakeWeCom
from integrations.wecom.callback import WeComCallback
from integrations.wecom.config import WeComSettings, load_wecom
from maotiao import doctor
from tests.conftest import REDIS_URL, cst

CORP, AGENT, SECRET, TOKEN = "wwdoctor01", 1000003, "wecom-secret", "tok3n"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
CLIENT, DSECRET, ROBOT, TEMPLATE = "dingdoctor", "ding-secret", "robotdoctor", "tpl.doctor"


@pytest.fixture(scope="module")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One database file with every migration applied; each test gets its own copy."""
    import asyncio

    path = tmp_path_factory.mktemp("doctor") / "template.sqlite3"
    asyncio.run(db.upgrade(f"sqlite://{path}"))
    return path


@dataclass
class World:
    settings: Settings
    wecom: WeComSettings
    dingtalk: DingTalkSettings
    fake_wecom: FakeWeCom
    fake_ding: FakeDingTalkAPI
    clock: ManualClock

    @property
    def loaded(self) -> doctor.Loaded:
        return {"wecom": self.wecom, "dingtalk": self.dingtalk, "zwdd": None}

    async def run(self, capsys: pytest.CaptureFixture[str], **loaded: object) -> tuple[int, str]:
        wecom = loaded.get("wecom", self.wecom)
        dingtalk = loaded.get("dingtalk", self.dingtalk)
        code = await doctor.run(self.settings, clock=self.clock, loaded={"wecom": wecom, "dingtalk": dingtalk, "zwdd": None})
        return code, capsys.readouterr().out


async def _seed(url: str) -> None:
    """Two groups the center sends to, with their addresses on both platforms, and next year's holidays."""
    await db.init_db(url)
    try:
        for name, chat, conversation in (("中心调度群", "wrchat01", "cidCenter=="), ("调解员群", "wrchat02", "cidMediators==")):
            group = await GroupChat.create(name=name)
            await GroupAddress.create(group=group, platform=Platform.WECOM.value, ref=chat)
            await GroupAddress.create(group=group, platform=Platform.DINGTALK.value, ref=conversation)
        await CalendarDay.create(day=date(2027, 2, 8), workday=False, name="春节")
        await CalendarDay.create(day=date(2027, 2, 20), workday=True, name="春节调休")
    finally:
        await db.close_db()


@pytest.fixture
async def world(tmp_path: Path, migrated_template: Path) -> AsyncIterator[World]:
    path = tmp_path / "maotiao.sqlite3"
    shutil.copy(migrated_template, path)
    url = f"sqlite://{path}"
    await _seed(url)
    fake_wecom = FakeWeCom(CORP, SECRET, AGENT)
    fake_wecom.create_chat("wrchat01", "中心调度群", "linx", ["linx", "dengh"])
    fake_wecom.create_chat("wrchat02", "调解员群", "linx", ["linx", "tangzg", "dengh"])
    fake_ding = FakeDingTalkAPI(CLIENT, DSECRET, ROBOT)
    fake_ding.template(TEMPLATE)
    fake_ding.add_group("cidCenter==")
    fake_ding.add_group("cidMediators==")
    ding_app = web.Application()
    fake_ding.api_routes(ding_app)
    clock = ManualClock(cst(2026, 6, 1, 9, 0))
    async with TestServer(fake_wecom.app(), host="127.0.0.1") as wecom_server, \
            TestServer(ding_app, host="127.0.0.1") as ding_server:
        wecom = load_wecom(corp_id=CORP, agent_id=AGENT, secret=SECRET, token=TOKEN, aes_key=AES_KEY,
                           api_base=str(wecom_server.make_url("/cgi-bin/")))
        ding_base = str(ding_server.make_url("")).rstrip("/")
        dingtalk = load_dingtalk(client_id=CLIENT, client_secret=DSECRET, robot_code=ROBOT,
                                 card_template_id=TEMPLATE, api_base=ding_base, oapi_base=ding_base)
        ours = web.Application()  # our real callback, as the public URL would reach it
        WeComCallback(wecom, Bot(Domain(clock=clock, calendar=WorkCalendar()))).setup(ours)
        async with TestServer(ours, host="127.0.0.1") as callback_server:
            public = str(callback_server.make_url("")).rstrip("/")
            settings = load_settings(db_url=url, redis_url="", public_url=public, sandbox=False)
            yield World(settings, wecom, dingtalk, fake_wecom, fake_ding, clock)


def _line(out: str, name: str) -> str:
    return next(line for line in out.splitlines() if name in line)


def _advice(out: str, name: str) -> str:
    lines = out.splitlines()
    at = next(i for i, line in enumerate(lines) if name in line)
    return lines[at + 1]


async def test_a_healthy_deployment_is_all_green_and_exits_zero(world: World, capsys) -> None:
    code, out = await world.run(capsys)
    assert code == 0, out
    assert "❌" not in out and "⚠️" not in out and "全部通过" in out
    for name in ("连接", "迁移", "2026 年节假日", "2027 年节假日", "获取 access_token", "企业可信IP",
                 "应用状态与可见范围", "群「中心调度群」", "群「调解员群」", "回调地址", "卡片模板"):
        assert "✅" in _line(out, name), name
    assert "2 人,群主 linx" in _line(out, "群「中心调度群」")
    assert "Token 和 EncodingAESKey 与配置一致" in _line(out, "回调地址")
    assert "➖ 平台:未配置" in out.split("【浙政钉】")[1]  # 浙政钉 is listed, not failed
    assert "➖ 连接:未配置" in out.split("【Redis】")[1]
    # the calls doctor itself made on DingTalk (one card instance, one query per group) are the month's usage
    assert world.fake_ding.metered == 3
    assert "钉钉 2026年06月 接口调用 3 次,额度 10,000 次" in _line(out, "接口调用量")
    assert not world.fake_ding.inbox  # the template check delivered no card to anybody


async def test_a_wrong_wecom_secret_is_a_red_token_line_saying_where_the_secret_is(world: World, capsys) -> None:
    code, out = await world.run(capsys, wecom=world.wecom.model_copy(update={"secret": "not-the-secret"}))
    assert code == 1
    assert "❌" in _line(out, "获取 access_token") and "应用 Secret 不对(40001)" in out
    assert "应用管理 → 应用 → 自建" in _advice(out, "获取 access_token")
    assert "WECOM_SECRET" in _advice(out, "获取 access_token")
    assert "➖ 企业可信IP:未检查" in out  # nothing after the token is tried
    assert "✅" in _line(out, "卡片模板")  # DingTalk is checked all the same


async def test_untrusted_server_ip_gets_the_trusted_ip_setting_as_advice(world: World, capsys) -> None:
    world.fake_wecom.untrusted_ip = True
    code, out = await world.run(capsys)
    assert code == 1
    assert "❌" in _line(out, "企业可信IP") and "60020" in _line(out, "企业可信IP")
    assert "开发者接口 → 企业可信IP → 配置" in _advice(out, "企业可信IP")
    assert "未检查" in _line(out, "群「中心调度群」")


async def test_an_unknown_card_template_id_is_red(world: World, capsys) -> None:
    code, out = await world.run(capsys, dingtalk=world.dingtalk.model_copy(update={"card_template_id": "tpl.never.imported"}))
    assert code == 1
    assert "❌" in _line(out, "卡片模板") and "tpl.never.imported 不存在或未发布" in out
    assert "卡片平台 → 模板列表 → 更多 → 导入" in _advice(out, "卡片模板")


async def test_a_chat_the_app_did_not_create_is_red(world: World, capsys) -> None:
    del world.fake_wecom.chats["wrchat02"]  # e.g. an ordinary group's id copied from a client
    code, out = await world.run(capsys)
    assert code == 1
    wecom = out.split("【企业微信】")[1].split("【")[0]
    assert "✅ 群「中心调度群」" in wecom
    assert "❌ 群「调解员群」:chatid wrchat02 不存在,或不是本应用创建的群(86003)" in wecom
    assert "appchat/create" in wecom and "maotiao groups create" in _advice(out, "群「调解员群」")


async def test_a_dingtalk_group_without_our_robot_or_unknown_is_red(world: World, capsys) -> None:
    world.fake_ding.add_group("cidCenter==", "someone-elses-robot")
    del world.fake_ding.group_robots["cidMediators=="]
    code, out = await world.run(capsys)
    ding = out.split("【钉钉】")[1].split("【")[0]
    assert code == 1
    assert "❌ 群「中心调度群」:本应用的机器人不在群里" in ding and "添加机器人" in ding
    assert "❌ 群「调解员群」:群会话 cidMediators== 无效" in ding


async def test_an_app_not_visible_from_the_root_department_is_red_when_groups_are_used(world: World, capsys) -> None:
    world.fake_wecom.visible_parties = [7]
    world.fake_wecom.visible_users = ["linx"]
    code, out = await world.run(capsys)
    assert code == 1
    line = _line(out, "应用状态与可见范围")
    assert "❌" in line and "部门 1 个、成员 1 人" in line
    assert "可见范围 → 编辑,选择企业根部门" in _advice(out, "应用状态与可见范围")


async def test_a_callback_served_with_another_token_is_red(world: World, capsys) -> None:
    code, out = await world.run(capsys, wecom=world.wecom.model_copy(update={"token": "another-token"}))
    assert code == 1
    assert "❌" in _line(out, "回调地址") and "签名校验失败" in _line(out, "回调地址")


async def test_without_a_public_url_the_callback_is_a_warning_not_a_failure(world: World, capsys) -> None:
    world.settings = world.settings.model_copy(update={"public_url": ""})
    code, out = await world.run(capsys)
    assert code == 0
    assert "⚠️" in _line(out, "回调地址") and "MAOTIAO_PUBLIC_URL" in _advice(out, "回调地址")


async def test_an_unmigrated_database_is_red_with_the_upgrade_command(world: World, tmp_path: Path, capsys) -> None:
    world.settings = world.settings.model_copy(update={"db_url": f"sqlite://{tmp_path}/empty.sqlite3"})
    code, out = await world.run(capsys)
    assert code == 1
    assert "❌" in _line(out, "迁移") and "maotiao db upgrade" in _advice(out, "迁移")


async def test_no_platform_outside_the_sandbox_fails_and_each_is_listed_as_unconfigured(world: World, capsys) -> None:
    code, out = await world.run(capsys, wecom=None, dingtalk=None)
    assert code == 1
    for section in ("企业微信", "钉钉", "浙政钉"):
        assert "➖ 平台:未配置" in out.split(f"【{section}】")[1].split("【")[0]
    assert "❌ 至少一个平台" in out
    world.settings = world.settings.model_copy(update={"sandbox": True})
    code, out = await world.run(capsys, wecom=None, dingtalk=None)
    assert code == 0 and "至少一个平台" not in out


async def test_next_years_holidays_missing_is_a_warning_in_june_and_red_from_november() -> None:
    june = await doctor.check_calendar(date(2026, 6, 1), with_db=False)
    assert [(c.name, c.status) for c in june] == [("2026 年节假日", Status.OK), ("2027 年节假日", Status.WARN)]
    november = await doctor.check_calendar(date(2026, 11, 2), with_db=False)
    assert november[1].status is Status.FAIL and "maotiao calendar import" in november[1].advice


async def test_the_shipped_2027_holidays_are_offered_and_warned_about_until_the_notices_workdays_are_in(
        db, monkeypatch) -> None:
    monkeypatch.setattr(doctor, "_builtin", lambda year: year < 2027)  # as today, whatever chinesecalendar ships
    december = date(2026, 12, 6)
    missing = (await doctor.check_calendar(december, with_db=True))[1]
    assert missing.status is Status.FAIL and "maotiao calendar import 2027" in missing.advice
    assert "尚未按国务院通知核对" in missing.advice
    shipped = bundled(2027)
    assert shipped is not None and unverified(shipped.read_text(encoding="utf-8"))
    await import_calendar(shipped.read_text(encoding="utf-8"))
    holidays_only = (await doctor.check_calendar(december, with_db=True))[1]
    assert holidays_only.status is Status.WARN and "没有调休上班日" in holidays_only.detail
    assert "2027年部分节假日安排的通知" in holidays_only.advice
    await import_calendar("2027-02-20,班,春节调休\n")
    assert (await doctor.check_calendar(december, with_db=True))[1].status is Status.OK


async def test_the_shipped_2027_list_moves_deadlines_past_spring_festival(db, monkeypatch) -> None:
    def unknown(day: date) -> bool:
        raise NotImplementedError(f"no data for {day.year}")

    monkeypatch.setattr(workdays.chinese_calendar, "is_workday", unknown)  # as today, whatever it ships later
    fresh = functools.lru_cache(maxsize=None)(workdays._statutory_workday.__wrapped__)
    monkeypatch.setattr(workdays, "_statutory_workday", fresh)  # nothing the package said before is remembered
    shipped = bundled(2027)
    assert shipped is not None
    await import_calendar(shipped.read_text(encoding="utf-8"))
    calendar = WorkCalendar()
    await load_calendar(calendar)
    assert [calendar.is_workday(date(2027, 2, d)) for d in (4, 5, 8, 9)] == [True, False, False, True]
    assert calendar.add_workdays(date(2027, 2, 4), 1) == date(2027, 2, 9)  # 除夕 to 初三 are off
    assert not calendar.is_workday(date(2027, 6, 9)) and not calendar.is_workday(date(2027, 9, 15))


async def test_calls_near_or_past_the_monthly_quota_are_flagged(world: World, capsys) -> None:
    await db.init_db(world.settings.db_url)
    await ApiUsage.create(platform="dingtalk", month=month_of(world.clock.now()), calls=8_500)
    await db.close_db()
    code, out = await world.run(capsys)
    assert code == 0 and "⚠️" in _line(out, "接口调用量") and "8,503 次" in out
    code, out = await world.run(capsys, dingtalk=world.dingtalk.model_copy(update={"monthly_quota": 8_000}))
    assert code == 1 and "本月额度已用完" in _line(out, "接口调用量")


async def test_redis_is_checked_when_configured_and_says_whether_a_worker_is_alive(world: World, redis) -> None:
    from arq.worker import Worker

    from scheduler.worker import WorkerSettings

    with_redis = world.settings.model_copy(update={"redis_url": REDIS_URL})
    connected, no_worker = await doctor.check_redis(with_redis)
    assert connected.status is Status.OK
    assert no_worker.status is Status.FAIL and "maotiao worker" in no_worker.advice
    # what the installed arq records for a live worker (the key its health check reads)
    live = Worker(functions=WorkerSettings.functions, redis_pool=redis, handle_signals=False,
                  health_check_interval=WorkerSettings.health_check_interval)
    await live.record_health()
    assert [c.status for c in await doctor.check_redis(with_redis)] == [Status.OK, Status.OK]
    assert await redis.pttl("arq:queue:health-check") <= (WorkerSettings.health_check_interval + 1) * 1000
    down, unchecked = await doctor.check_redis(world.settings.model_copy(update={"redis_url": "redis://127.0.0.1:1/0"}))
    assert down.status is Status.FAIL and "MAOTIAO_REDIS_URL" in down.advice and unchecked.status is Status.OFF


def test_the_checklist_shows_advice_only_for_lines_that_need_it() -> None:
    text = doctor.render([Check("数据库", "连接", Status.OK, "可以连接", "never shown"),
                          Check("钉钉", "卡片模板", Status.FAIL, "不存在", "导入模板")], cst(2026, 6, 1, 9, 0))
    assert "never shown" not in text and "→ 处理:导入模板" in text and "1 项未通过" in text


async def test_the_cli_runs_doctor(world: World, capsys, monkeypatch) -> None:
    from maotiao.cli import COMMANDS, build_parser

    args = build_parser().parse_args(["doctor"])
    monkeypatch.setattr(doctor, "load_platforms", lambda problems: world.loaded)
    assert await COMMANDS["doctor"](world.settings, args) == 0
    assert "矛调上线检查" in capsys.readouterr().out


async def test_wecom_api_get_refreshes_an_expired_token(world: World) -> None:
    from integrations.wecom.api import WeComAPI

    api = WeComAPI(world.wecom)
    try:
        await api.token()
        world.fake_wecom.expire_tokens()
        agent = await api.get("agent/get", {"agentid": str(AGENT)})
        assert agent["allow_partys"] == {"partyid": [1]}
    finally:
        await api.aclose()
    async with httpx.AsyncClient() as client:  # and the fake refuses a call without a token, as WeCom does
        resp = await client.get(world.wecom.api_base + "appchat/get", params={"chatid": "wrchat01"})
        assert resp.json()["errcode"] == 40014
