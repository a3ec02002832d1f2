"""`maotiao doctor` for DingTalk: credentials, the card template, and the groups the robot must be in.

- The token (POST /v1.0/oauth2/accessToken) proves the Client ID and Client Secret.
- The card template: DingTalk offers no read-only lookup an ordinary app is documented to be allowed (the SDK
  has card_1_0.GetTemplate, but its permission is undocumented), so the check creates one card instance
  that is put in no space (card_1_0.CreateCard, POST /v1.0/card/instances): nobody sees it, it needs the
  same permission as the cards we send, and DingTalk refuses it for a template that is not imported and
  published in this org — the same refusal createAndDeliver would give. One metered call.
- Groups: robot_1_0.GetBotListInGroup (POST /v1.0/robot/groups/robots/query {openConversationId}) lists the
  robots in a group; ours must be among them for groupMessages/send. An unknown openConversationId is
  assumed to be refused with HTTP 400 (the SDK documents no error codes). One metered call per group.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from core.clock import Clock
from core.usage import WARN_SHARE, calls_this_month, usage_share, usage_text
from integrations.checklist import Check, Status, skipped
from integrations.dingtalk import DINGTALK
from integrations.dingtalk.api import LABEL, QUOTA_ADVICE, DingTalkAPI
from integrations.dingtalk.config import DingTalkSettings
from integrations.dingtalk.errors import DingTalkError
from integrations.usage import UsageMeter

SECTION = "钉钉"
CONSOLE = "钉钉开发者后台(open-dev.dingtalk.com)"


def _app_page(what: str) -> str:
    return f"{CONSOLE} → 应用开发 → 企业内部应用 → 本应用 → {what}"


async def _token(api: DingTalkAPI) -> Check:
    try:
        await api.token(force=True)
    except DingTalkError as exc:
        if exc.status == 0:
            return Check(SECTION, "获取 access_token", Status.FAIL, f"无法连接 {api.settings.api_base}:{exc.message}",
                         "确认本服务器能访问 api.dingtalk.com(防火墙、代理 HTTPS_PROXY、DNS)")
        return Check(SECTION, "获取 access_token", Status.FAIL, f"凭证被拒绝(HTTP {exc.status} {exc.code})",
                     f"在 {_app_page('凭证与基础信息')} 复制 Client ID 和 Client Secret 到 DINGTALK_CLIENT_ID / "
                     "DINGTALK_CLIENT_SECRET")
    return Check(SECTION, "获取 access_token", Status.OK, "Client ID 和 Client Secret 正确")


async def _template(api: DingTalkAPI) -> Check:
    template_id = api.settings.card_template_id
    try:
        await api.call("POST", "/v1.0/card/instances", {
            "cardTemplateId": template_id, "outTrackId": f"doctor-{secrets.token_hex(8)}",
            "cardData": {"cardParamMap": {}}, "callbackType": "STREAM"})
    except DingTalkError as exc:
        if "templat" in f"{exc.code} {exc.message}".lower():
            return Check(SECTION, "卡片模板", Status.FAIL, f"模板 {template_id} 不存在或未发布({exc.code})",
                         "在 钉钉开发者后台 → 卡片平台 → 模板列表 → 更多 → 导入 integrations/dingtalk/card_template.json,"
                         "保存并发布,把模板ID填入 DINGTALK_CARD_TEMPLATE_ID(见 README「DingTalk card template」)")
        if exc.status == 403 and not exc.throttled:
            return Check(SECTION, "卡片模板", Status.FAIL, f"应用没有卡片权限({exc.code})",
                         f"在 {_app_page('权限管理')} 申请「互动卡片实例写权限」(Card.Instance.Write)")
        return Check(SECTION, "卡片模板", Status.FAIL, f"创建卡片失败:HTTP {exc.status} {exc.code}:{exc.message}",
                     "稍后重试;持续失败时按错误码排查")
    return Check(SECTION, "卡片模板", Status.OK, f"模板 {template_id} 可用(已导入并发布)")


async def _group(api: DingTalkAPI, name: str, conversation: str) -> Check:
    title = f"群「{name}」"
    try:
        data = await api.call("POST", "/v1.0/robot/groups/robots/query", {"openConversationId": conversation})
    except DingTalkError as exc:
        return Check(SECTION, title, Status.FAIL, f"群会话 {conversation} 无效(HTTP {exc.status} {exc.code})",
                     "在群里 @ 本应用机器人说一句话,机器人会自动记下该群(按群名匹配组织文件中的群);"
                     "或把正确的 openConversationId 写入组织文件(dingtalk_conversation)后重新导入")
    robots = {str(r.get("robotCode")) for r in data.get("chatbotInstanceVOList") or [] if isinstance(r, dict)}
    if api.settings.robot_code not in robots:
        return Check(SECTION, title, Status.FAIL, "本应用的机器人不在群里,群消息发不出去",
                     "在钉钉群 → 群设置 → 机器人 → 添加机器人,选择本应用的机器人")
    return Check(SECTION, title, Status.OK, "机器人在群里")


async def check_dingtalk(settings: DingTalkSettings, groups: list[tuple[str, str]], clock: Clock | None = None,
                         api: DingTalkAPI | None = None) -> list[Check]:
    """Every DingTalk line of the checklist; `groups` are (group name, openConversationId). Its own calls are
    metered like any other (they count toward the month's quota)."""
    api = api or DingTalkAPI(settings, meter=UsageMeter(DINGTALK.value, clock, quota=settings.monthly_quota,
                                                         label=LABEL, advice=QUOTA_ADVICE))
    try:
        token = await _token(api)
        if token.failed:
            return [token, *skipped(SECTION, ["卡片模板", *(f"群「{n}」" for n, _ in groups)], "先解决 access_token")]
        return [token, await _template(api), *[await _group(api, name, cid) for name, cid in groups]]
    finally:
        await api.aclose()


async def check_usage(settings: DingTalkSettings, now: datetime) -> Check:
    """This month's metered calls against the configured quota (the whole deployment's, from the database)."""
    used = await calls_this_month(DINGTALK.value, now)
    quota = settings.monthly_quota
    share = usage_share(used, quota)
    status = Status.FAIL if used >= quota else Status.WARN if share >= WARN_SHARE else Status.OK
    return Check(SECTION, "接口调用量", status, usage_text(LABEL, used, quota, now, QUOTA_ADVICE),
                 "额度按自然月计算;可设置 DINGTALK_MONTHLY_QUOTA 为所购版本的额度" if status is not Status.OK else "")
