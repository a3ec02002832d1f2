"""`maotiao doctor` for 浙政钉: the signed gateway accepts us and hands out a token (/gettoken.json). Its
other rules (visibility of accounts, 待办 and DING permissions) show only on real sends; they are not probed."""

from __future__ import annotations

from integrations.checklist import Check, Status
from integrations.zwdd.api import ZwddAPI
from integrations.zwdd.config import ZwddSettings
from integrations.zwdd.errors import Kind, ZwddError

SECTION = "浙政钉"


async def check_zwdd(settings: ZwddSettings, api: ZwddAPI | None = None) -> list[Check]:
    api = api or ZwddAPI(settings)
    try:
        await api.token()
    except ZwddError as exc:
        if exc.kind is Kind.CONFIGURATION or exc.status in (400, 401, 403):
            advice = ("在 浙政钉开放平台(专有钉钉开放平台)→ 应用详情 核对 AppKey / AppSecret 与租户ID,填入 ZWDD_APP_KEY / "
                      "ZWDD_APP_SECRET / ZWDD_TENANT_ID;并确认本服务器时间准确(签名含时间戳)")
        else:
            advice = f"确认本服务器能访问 {settings.api_base}(政务外网或专线、防火墙)"
        return [Check(SECTION, "获取 access_token", Status.FAIL, f"HTTP {exc.status} {exc.code}:{exc.message[:120]}",
                      advice)]
    finally:
        await api.aclose()
    return [Check(SECTION, "获取 access_token", Status.OK, "网关签名和应用凭证正确")]
