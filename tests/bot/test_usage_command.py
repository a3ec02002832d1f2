"""用量: the center sees this month's DingTalk calls in chat; people outside the center do not."""

from __future__ import annotations

from core.models import ApiUsage
from core.usage import month_of, remember_quota
from tests.bot.harness import Harness


async def test_center_staff_see_calls_used_this_month_and_the_quota(org, domain, clock) -> None:
    await remember_quota("dingtalk", "钉钉", 12000)  # as the adapter does with DINGTALK_MONTHLY_QUOTA=12000
    await ApiUsage.create(platform="dingtalk", month=month_of(clock.now()), calls=1234)
    await ApiUsage.create(platform="dingtalk", month="2020-01", calls=9999)  # another month is not counted
    seen = await Harness(domain).say("林晓", "用量")
    assert seen.texts == ["本月接口用量:\n钉钉 2026年11月 接口调用 1,234 次,额度 12,000 次(已用 10%)"]


async def test_usage_warns_near_the_quota(org, domain, clock) -> None:
    await remember_quota("dingtalk", "钉钉", 10_000, "可在钉钉开发者后台 → 资源管理 查看用量明细或购买增购包")
    await ApiUsage.create(platform="dingtalk", month=month_of(clock.now()), calls=9_100)
    text = (await Harness(domain).say("林晓", "用量")).texts[0]
    assert "(已用 91%)" in text and "资源管理" in text


async def test_a_grid_worker_is_not_shown_the_usage(org, domain) -> None:
    seen = await Harness(domain).say("周小梅", "用量")
    assert seen.texts == ["「用量」仅供中心值班、调度和管理人员查看"]


async def test_the_quota_shown_is_the_one_the_adapter_is_configured_with(org, domain, clock) -> None:
    from integrations.usage import UsageMeter

    meter = UsageMeter("dingtalk", clock, quota=12_000, label="钉钉")
    await meter.count(5)
    await meter.flush()
    text = (await Harness(domain).say("林晓", "用量")).texts[0]
    assert "钉钉 2026年11月 接口调用 5 次,额度 12,000 次" in text
