"""`maotiao doctor` for WeCom: the checks a real app fails on its first day, each made against the API itself.

1. gettoken: corp id and app secret (40013 / 40001).
2. agent/get (获取应用), which also proves the trusted-IP list: a server whose IP is not on the app's 企业可信IP
   gets 60020 on every call made with the token (PLATFORMS.md; global error codes, 90313).
3. The app's visibility: group chats (appchat/*) need the app visible from the root department (id 1) —
   appchat/get's own doc (98914); it is not disabled (close).
4. appchat/get for every group chat we send to: only chats this app created exist for it (86003 otherwise).
5. The callback URL, when MAOTIAO_PUBLIC_URL is set: the same signed echostr request WeCom sends when an
   administrator saves the URL, so it proves DNS, TLS, the proxy, and that the server behind it holds the
   same Token and EncodingAESKey. It is sent from this machine, not from WeCom's network (an assumption
   written in the README: a firewall that lets only this host in would pass here and fail for WeCom).
"""

from __future__ import annotations

import re
import secrets
import time
from typing import Any

import httpx
from wechatpy.crypto import _get_signature
from wechatpy.enterprise.crypto import PrpCrypto, WeChatCrypto

from integrations.checklist import Check, Status, skipped
from integrations.wecom.api import WeComAPI
from integrations.wecom.callback import PATH
from integrations.wecom.config import WeComSettings
from integrations.wecom.errors import CHAT_UNKNOWN, IP_NOT_TRUSTED, WeComError

SECTION = "企业微信"
ROOT_DEPARTMENT = 1
CALLBACK_TIMEOUT = 5.0
ADMIN = "企业微信管理后台(work.weixin.qq.com)"
_FROM_IP = re.compile(r"from ip:\s*([0-9a-fA-F.:]+)")


def _app_page(name: str) -> str:
    return f"{ADMIN} → 应用管理 → 应用 → 自建 → {name or '本应用'}"


def _token_failure(exc: WeComError, settings: WeComSettings) -> Check:
    if exc.errcode == 40013:
        return Check(SECTION, "获取 access_token", Status.FAIL, "企业ID不对(40013)",
                     f"在 {ADMIN} → 我的企业 → 企业信息 → 企业ID 复制到 WECOM_CORP_ID")
    if exc.errcode in (40001, 40091):
        return Check(SECTION, "获取 access_token", Status.FAIL, f"应用 Secret 不对({exc.errcode})",
                     f"在 {_app_page('')} → Secret → 查看(会发送到管理员的企业微信),填入 WECOM_SECRET")
    if exc.errcode == -1:
        return Check(SECTION, "获取 access_token", Status.FAIL, f"无法连接 {settings.api_base}:{exc.errmsg}",
                     "确认本服务器能访问 qyapi.weixin.qq.com(防火墙、代理 HTTPS_PROXY、DNS)")
    return Check(SECTION, "获取 access_token", Status.FAIL, f"errcode {exc.errcode}:{exc.errmsg}",
                 "核对 WECOM_CORP_ID 和 WECOM_SECRET")


async def _token(api: WeComAPI) -> Check:
    try:
        await api.token(force=True)
    except WeComError as exc:
        return _token_failure(exc, api.settings)
    return Check(SECTION, "获取 access_token", Status.OK, "企业ID和应用 Secret 正确")


def _agent_failure(exc: WeComError) -> Check:
    if exc.errcode == IP_NOT_TRUSTED:
        found = _FROM_IP.search(exc.errmsg)
        ip = found.group(1) if found else "本服务器的公网出口IP"
        return Check(SECTION, "企业可信IP", Status.FAIL, "本服务器的IP不在应用的企业可信IP中(60020),所有接口调用都会被拒绝",
                     f"在 {_app_page('')} → 开发者接口 → 企业可信IP → 配置,添加 {ip}")
    if exc.errcode == 40056:
        return Check(SECTION, "企业可信IP", Status.FAIL, "应用 AgentId 不对(40056)",
                     f"在 {_app_page('')} 页面复制 AgentId 到 WECOM_AGENT_ID")
    return Check(SECTION, "企业可信IP", Status.FAIL, f"agent/get 失败:errcode {exc.errcode}:{exc.errmsg}",
                 "稍后重试;持续失败时对照企业微信全局错误码排查")


async def _agent(api: WeComAPI) -> tuple[dict[str, Any] | None, Check]:
    try:
        agent = await api.get("agent/get", {"agentid": str(api.settings.agent_id)})
    except WeComError as exc:
        return None, _agent_failure(exc)
    return agent, Check(SECTION, "企业可信IP", Status.OK, "本服务器可以调用企业微信接口")


def _visibility(agent: dict[str, Any], has_groups: bool) -> Check:
    name = str(agent.get("name") or "")
    if int(agent.get("close") or 0):
        return Check(SECTION, "应用状态与可见范围", Status.FAIL, f"应用「{name}」已停用",
                     f"在 {_app_page(name)} 页面点「启用」")
    parties = [int(p) for p in (agent.get("allow_partys") or {}).get("partyid") or []]
    users = (agent.get("allow_userinfos") or {}).get("user") or []
    if ROOT_DEPARTMENT in parties:
        return Check(SECTION, "应用状态与可见范围", Status.OK, f"应用「{name}」可见范围包含根部门")
    found = f"可见范围不是根部门(当前:部门 {len(parties)} 个、成员 {len(users)} 人)"
    why = "企业微信只允许可见范围为根部门的应用建群和发群消息;不在可见范围内的人也收不到消息"
    return Check(SECTION, "应用状态与可见范围", Status.FAIL if has_groups else Status.WARN, f"{found}:{why}",
                 f"在 {_app_page(name)} → 可见范围 → 编辑,选择企业根部门")


async def _chat(api: WeComAPI, name: str, chatid: str) -> Check:
    title = f"群「{name}」"
    try:
        info = await api.get_chat(chatid)
    except WeComError as exc:
        if exc.errcode in CHAT_UNKNOWN:
            return Check(SECTION, title, Status.FAIL, f"chatid {chatid} 不存在,或不是本应用创建的群({exc.errcode})",
                         "企业微信只允许应用向它自己用 appchat/create 创建的群发消息:运行 maotiao groups create "
                         "由本应用建群,再把它打印的 chatid 写入组织文件(wecom_chatid)")
        return Check(SECTION, title, Status.FAIL, f"appchat/get 失败:errcode {exc.errcode}:{exc.errmsg}",
                     "解决上面的可信IP/可见范围问题后重试")
    return Check(SECTION, title, Status.OK, f"{len(info.get('userlist') or [])} 人,群主 {info.get('owner', '')}")


def echo_request(settings: WeComSettings) -> tuple[dict[str, str], str]:
    """The query WeCom sends to verify a callback URL (msg_signature over an encrypted echostr), and the
    plaintext the server must answer with."""
    ts, nonce, plain = str(int(time.time())), secrets.token_hex(8), secrets.token_hex(10)
    crypto = WeChatCrypto(settings.token, settings.aes_key, settings.corp_id)
    echostr = PrpCrypto(crypto.key).encrypt(plain, settings.corp_id)
    echostr = echostr.decode() if isinstance(echostr, bytes) else echostr
    signature = _get_signature(settings.token, ts, nonce, echostr)
    return {"msg_signature": signature, "timestamp": ts, "nonce": nonce, "echostr": echostr}, plain


def _callback_failure(url: str, found: str) -> Check:
    return Check(SECTION, "回调地址", Status.FAIL, f"{url}:{found}",
                 "确认:域名已备案(ICP)且主体与企业相同、解析到本服务器;反向代理把 /wecom/callback 转给 maotiao serve;"
                 "服务正在运行;企业微信后台「接收消息 → 设置API接收」的 URL、Token、EncodingAESKey 与本机配置一致")


async def check_callback(settings: WeComSettings, public_url: str) -> Check:
    if not public_url:
        return Check(SECTION, "回调地址", Status.WARN, "未设置 MAOTIAO_PUBLIC_URL,没有检查回调地址能否从外部访问",
                     f"设置 MAOTIAO_PUBLIC_URL=https://<已备案域名> 后再运行;在 {_app_page('')} → 接收消息 → "
                     f"设置API接收 中填 https://<已备案域名>{PATH}")
    url = public_url + PATH
    params, plain = echo_request(settings)
    try:
        async with httpx.AsyncClient(timeout=CALLBACK_TIMEOUT, follow_redirects=False) as client:
            resp = await client.get(url, params=params)
    except httpx.HTTPError as exc:
        return _callback_failure(url, f"无法访问({type(exc).__name__})")
    if resp.status_code == 403:
        return Check(SECTION, "回调地址", Status.FAIL, f"{url}:签名校验失败(HTTP 403)",
                     "该地址后面运行的服务与本机的 WECOM_TOKEN / WECOM_AES_KEY / WECOM_CORP_ID 不一致:统一配置后重启")
    if resp.status_code != 200 or resp.text != plain:
        return _callback_failure(url, f"HTTP {resp.status_code},没有按企业微信的校验要求回答")
    return Check(SECTION, "回调地址", Status.OK, f"{url} 可访问,Token 和 EncodingAESKey 与配置一致(从本机检查)")


async def check_wecom(settings: WeComSettings, chats: list[tuple[str, str]], public_url: str,
                      api: WeComAPI | None = None) -> list[Check]:
    """Every WeCom line of the checklist; `chats` are (group name, chatid) of the groups we send to."""
    api = api or WeComAPI(settings)
    try:
        token = await _token(api)
        if token.failed:
            return [token, *skipped(SECTION, ["企业可信IP", "应用状态与可见范围"], "先解决 access_token"),
                    await check_callback(settings, public_url)]
        agent, trusted = await _agent(api)
        out = [token, trusted]
        if agent is None:
            out += skipped(SECTION, ["应用状态与可见范围", *(f"群「{n}」" for n, _ in chats)], "先解决上一项")
        else:
            out.append(_visibility(agent, bool(chats)))
            out += [await _chat(api, name, chatid) for name, chatid in chats]
        out.append(await check_callback(settings, public_url))
        return out
    finally:
        await api.aclose()
