"""免登 to the dashboard with WeCom: the browser goes to WeCom's OAuth2 page (open.weixin.qq.com/connect/oauth2/
authorize, scope snsapi_base, this app's agentid; inside WeCom it returns at once, without asking), which comes
back with a one-time `code`; serve exchanges it with the app's token for the member's userid
(GET /cgi-bin/auth/getuserinfo?code=… → userid; someone outside the corp gets an openid only).

Sources: developer.work.weixin.qq.com/document/path/91022 (构造网页授权链接) and 91023 (获取访问用户身份:
40029 invalid code — a code is good once, for five minutes). wechatpy's enterprise client calls the same."""

from __future__ import annotations

from urllib.parse import urlencode

from integrations.plugin import SignInUnavailable
from integrations.wecom.api import WeComAPI
from integrations.wecom.config import WeComSettings
from integrations.wecom.errors import WeComError

REFUSED_CODES = frozenset({40029, 40163, 42003})  # invalid, already used, expired


class WeComSignIn:
    label = "企业微信"
    code_param = "code"
    in_app = "wxwork"

    def __init__(self, settings: WeComSettings, api: WeComAPI) -> None:
        self.settings, self.api = settings, api

    def authorize_url(self, redirect_uri: str, state: str) -> str:
        return f"{self.settings.oauth_base}/connect/oauth2/authorize?" + urlencode({
            "appid": self.settings.corp_id, "redirect_uri": redirect_uri, "response_type": "code",
            "scope": "snsapi_base", "state": state, "agentid": str(self.settings.agent_id)}) + "#wechat_redirect"

    async def user_id(self, code: str) -> str | None:
        try:
            data = await self.api.get("auth/getuserinfo", {"code": code})
        except WeComError as exc:
            if exc.errcode in REFUSED_CODES:
                return None
            raise SignInUnavailable(str(exc)) from None
        return str(data.get("userid") or data.get("UserId") or "") or None
