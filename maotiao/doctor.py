"""`maotiao doctor`: before going live (and whenever something seems off), check the deployment for real and
print a checklist in Chinese — ✅ fine, ❌ will not work (with what to do), ⚠️ needs attention, ➖ not
configured or not checked. Exits 1 when any line is ❌.

Checked: the database (reachable, every migration applied), Redis when configured (and whether a
`maotiao worker` is alive: with Redis only workers deliver), holiday data for this year
and next (offering a list shipped with maotiao, and warning while a year has holidays but no 调休 workdays), each configured platform against its real API (its plug-in's doctor hook), including metered calls
this month where a platform meters them. A platform left unconfigured is listed as 未配置; that is a failure only when no
platform at all is configured outside the sandbox."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import chinese_calendar
from tortoise import Tortoise
from tortoise.migrations.executor import MigrationExecutor

from core import db
from core.calendar_import import bundled, unverified
from core.clock import DISPLAY_TZ, Clock, SystemClock
from core.config import ConfigError, Settings
from core.enums import Platform
from core.models import CalendarDay, GroupAddress
from integrations import registry
from integrations.checklist import Check, Status, skipped
from integrations.plugin import DoctorContext

PUBLISH_MONTH = 11  # the State Council publishes next year's holidays around November (assumed, see README)
REDIS_TIMEOUT = 3.0


async def group_addresses(platform: Platform) -> list[tuple[str, str]]:
    """(group name, chat id on `platform`) of every active group that has one."""
    rows = await GroupAddress.filter(platform=platform.value, group__active=True).order_by("group_id") \
        .prefetch_related("group")
    return [(a.group.name, a.ref) for a in rows if a.ref]


# --- database, Redis, calendar ------------------------------------------------------------------------
async def check_database(settings: Settings) -> list[Check]:
    try:
        await db.init_db(settings.db_url)
        await Tortoise.get_connection("default").execute_query("SELECT 1")
    except Exception as exc:  # any driver error: the line says what it was
        return [Check("数据库", "连接", Status.FAIL, f"无法连接({type(exc).__name__}: {str(exc)[:120]})",
                      "检查 MAOTIAO_DB_URL(主机、端口、库名、账号密码)和数据库服务是否在运行"),
                *skipped("数据库", ["迁移"], "先解决连接")]
    executor = MigrationExecutor(Tortoise.get_connection("default"), db.tortoise_config(settings.db_url)["apps"])
    pending = [f"{s.migration.name}" for s in await executor.plan() if not s.backward]
    ok = Check("数据库", "连接", Status.OK, "可以连接")
    if pending:
        return [ok, Check("数据库", "迁移", Status.FAIL, f"有 {len(pending)} 个迁移未执行:{', '.join(pending)}",
                          "运行 maotiao db upgrade(serve 启动时也会自动执行)")]
    return [ok, Check("数据库", "迁移", Status.OK, "表结构是最新的")]


async def check_redis(settings: Settings) -> list[Check]:
    """The connection, and with it whether a worker is alive: with Redis only `maotiao worker` delivers."""
    if not settings.redis_url:
        return [Check("Redis", "连接", Status.OFF, "未配置:只运行一个 maotiao serve,调度和消息发送在其进程内")]
    from arq.connections import ArqRedis

    from scheduler.nudge import worker_health

    client = ArqRedis.from_url(settings.redis_url, socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT)
    try:
        await client.ping()
        alive = await worker_health(client)
    except Exception as exc:  # connection refused, auth, timeout: all mean the same to the reader
        return [Check("Redis", "连接", Status.FAIL, f"无法连接({type(exc).__name__})",
                      "检查 MAOTIAO_REDIS_URL 和 Redis 服务;不用 Redis 时删除该变量"),
                *skipped("Redis", ["worker"], "先解决连接")]
    finally:
        await client.aclose()
    ok = Check("Redis", "连接", Status.OK, "可以连接(worker 与 serve 共用限速和任务队列)")
    if alive is None:
        return [ok, Check("Redis", "worker", Status.FAIL, "没有运行中的 maotiao worker:回复和定时任务都不会发出",
                          "配置了 MAOTIAO_REDIS_URL 时只有 maotiao worker 发送消息,请至少运行一个"
                          "(启动后 30 秒内在此显示);不用 Redis 时删除该变量")]
    return [ok, Check("Redis", "worker", Status.OK, f"有 worker 在运行(最近记录:{alive})")]


def _builtin(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 7, 1))
    except NotImplementedError:
        return False
    return True


async def _imported(year: int, workday: bool) -> bool:
    """Whether calendar_day holds holidays (workday False) or adjusted workdays (班, True) of the year."""
    return await CalendarDay.filter(day__gte=date(year, 1, 1), day__lte=date(year, 12, 31), workday=workday).exists()


def _missing(year: int, urgent: bool) -> Check:
    """No data for the year: deadlines fall back to weekends and the fixed-date holidays."""
    shipped = bundled(year)
    advice = (f"运行 maotiao calendar import {year} 导入随程序提供的{year}年法定节日"
              + ("(尚未按国务院通知核对,不含补假和调休,导入后请补全)" if shipped is not None and
                 unverified(shipped.read_text(encoding="utf-8")) else "")
              if shipped is not None else
              f"按国务院办公厅公布的{year}年部分节假日安排整理 CSV(每行 日期,休/班,名称,"
              f"如 {year}-01-01,休,元旦),运行 maotiao calendar import 文件;或升级 chinesecalendar")
    return Check("工作日历", f"{year} 年节假日", Status.FAIL if urgent else Status.WARN,
                 "没有数据:期限只按周末和元旦、劳动节、国庆节计算,春节等调休不准", advice)


async def _year(year: int, today: date, with_db: bool) -> Check:
    name = f"{year} 年节假日"
    if _builtin(year):
        return Check("工作日历", name, Status.OK, "内置数据(chinesecalendar)已包含")
    urgent = year == today.year or today.month >= PUBLISH_MONTH
    if not (with_db and await _imported(year, workday=False)):
        return _missing(year, urgent)
    if not await _imported(year, workday=True):  # every year's notice has weekend days worked (调休)
        return Check("工作日历", name, Status.WARN, "已导入法定节日,但没有调休上班日:补假和调休尚未录入,"
                     "春节、劳动节、国庆节前后的期限可能提前一两天",
                     f"按国务院办公厅关于{year}年部分节假日安排的通知补全补假(休)和调休上班日(班),"
                     "再运行 maotiao calendar import 文件")
    return Check("工作日历", name, Status.OK, "已导入(maotiao calendar import)")


async def check_calendar(today: date, with_db: bool) -> list[Check]:
    return [await _year(year, today, with_db) for year in (today.year, today.year + 1)]


# --- platforms ----------------------------------------------------------------------------------------
Loaded = dict[str, Any]  # settings of each platform that is configured, by platform value
SETTINGS_PROBLEM = "补全或改正上述环境变量"


def _load(loader: Callable[[], Any], section: str, problems: list[Check]) -> Any:
    try:
        found = loader()
    except ConfigError as exc:
        problems.append(Check(section, "配置", Status.FAIL, str(exc).replace("\n", " "), SETTINGS_PROBLEM))
        return None
    return found if found.enabled else None


def load_platforms(problems: list[Check]) -> Loaded:
    return {p.platform.value: _load(p.load, p.label, problems) for p in registry.PLUGINS}


async def check_platforms(settings: Settings, loaded: Loaded, with_db: bool, problems: list[Check],
                          clock: Clock) -> list[Check]:
    out = list(problems)
    for p in registry.PLUGINS:
        configured = loaded.get(p.platform.value)
        if configured is not None:
            groups = await group_addresses(p.platform) if with_db else []
            out += await p.doctor(configured, DoctorContext(groups, settings.public_url, clock, with_db))
    for section, value in ((p.label, p.platform.value) for p in registry.PLUGINS):
        if loaded.get(value) is None and not any(c.section == section for c in problems):
            out.append(Check(section, "平台", Status.OFF, "未配置"))
    if all(v is None for v in loaded.values()) and not problems and not settings.sandbox:
        labels = "、".join(p.label for p in registry.PLUGINS)
        out.append(Check("平台", "至少一个平台", Status.FAIL, f"{labels}都没有配置,机器人无法收发消息",
                         f"按 README「Going live」至少配置一个平台({registry.credentials()})"))
    return out


# --- the command --------------------------------------------------------------------------------------
async def diagnose(settings: Settings, *, clock: Clock | None = None, loaded: Loaded | None = None) -> list[Check]:
    clock = clock or SystemClock()
    now = clock.now()
    problems: list[Check] = []
    loaded = loaded if loaded is not None else load_platforms(problems)
    checks = await check_database(settings)
    with_db = not checks[0].failed and not checks[-1].failed
    try:
        checks += await check_redis(settings)
        checks += await check_calendar(now.astimezone(DISPLAY_TZ).date(), with_db)
        checks += await check_platforms(settings, loaded, with_db, problems, clock)
    finally:
        await db.close_db()
    return checks


def render(checks: list[Check], now: datetime) -> str:
    lines = [f"矛调上线检查({now.astimezone(DISPLAY_TZ):%Y-%m-%d %H:%M})"]
    section = ""
    for check in checks:
        if check.section != section:
            section = check.section
            lines.append(f"\n【{section}】")
        lines.append(f"  {check.status.value} {check.name}" + (f":{check.detail}" if check.detail else ""))
        if check.advice and check.status in (Status.FAIL, Status.WARN):
            lines.append(f"     → 处理:{check.advice}")
    failed = sum(c.failed for c in checks)
    warned = sum(c.status is Status.WARN for c in checks)
    verdict = "全部通过,可以上线" if not failed else f"{failed} 项未通过(❌),请按“处理”逐项解决后再运行 maotiao doctor"
    lines.append(f"\n结果:{verdict}" + (f";{warned} 项需留意(⚠️)" if warned else ""))
    return "\n".join(lines)


async def run(settings: Settings, _: argparse.Namespace | None = None, *, clock: Clock | None = None,
              loaded: Loaded | None = None) -> int:
    clock = clock or SystemClock()
    checks = await diagnose(settings, clock=clock, loaded=loaded)
    print(render(checks, clock.now()))
    return 1 if any(c.failed for c in checks) else 0
