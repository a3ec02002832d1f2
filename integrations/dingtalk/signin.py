"""免登 to the dashboard with DingTalk: the browser goes to DingTalk's OAuth2 page (login.dingtalk.com/oauth2/auth,
scope openid; inside the DingTalk app it returns at once), which comes back with a one-time `authCode`; serve
exchanges it for the person's token (POST /v1.0/oauth2/userAccessToken), asks who that is (GET
/v1.0/contact/users/me → unionId) and turns the unionId into the userId the org file knows (the older host's
POST /topapi/user/getbyunionid → result.userid).

Sources: DingTalk's 登录第三方网站 guide (authorize parameters, the authCode in the redirect), oauth2_1_0
GetUserToken and contact_1_0 GetUser ("me") in the official SDK `alibabacloud-dingtalk`; getbyunionid from the
server API reference. A refused code (unknown, used, expired) is a 4xx: no one is signed in."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from integrations.dingtalk.api import DingTalkAPI
from integrations.dingtalk.config import DingTalkSettings
from integrations.dingtalk.errors import DingTalkError
from integrations.plugin import SignInUnavailable

NO_SUCH_USER = "60121"


class DingTalkSignIn:
    label = "钉钉"
    code_param = "authCode"
    in_app = "DingTalk"

    def __init__(self, settings: DingTalkSettings, api: DingTalkAPI) -> None:
        self.settings, self.api = settings, api

    def authorize_url(self, redirect_uri: str, state: str) -> str:
        return f"{self.settings.login_base}/oauth2/auth?" + urlencode({
            "redirect_uri": redirect_uri, "response_type": "code", "client_id": self.settings.client_id,
            "scope": "openid", "state": state, "prompt": "consent"})

    async def user_id(self, code: str) -> str | None:
        try:
            token = await self.api.user_access_token(code)
        except DingTalkError as exc:
            if exc.transient:
                raise SignInUnavailable(exc.plain()) from None
            return None  # DingTalk refused the code
        try:
            union = str((await self.api.me(token)).get("unionId") or "")
            found = await self.api.oapi_post("/topapi/user/getbyunionid", {"unionid": union}) if union else {}
        except DingTalkError as exc:
            if exc.code == NO_SUCH_USER:  # a DingTalk account outside the organisation
                return None
            raise SignInUnavailable(exc.plain()) from None
        result: Any = found.get("result") or {}
        return str(result.get("userid") or "") or None


def sign_in(settings: DingTalkSettings, api: Any) -> DingTalkSignIn:
    return DingTalkSignIn(settings, api)
