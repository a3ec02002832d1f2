"""GET /zwdd/login: 免登 into the action page. The 浙政钉 app (its 工作台 entry) or the PC scan-login redirect
brings a one-time code (`authCode` from the JSAPI `getAuthCode`, or `code` from 扫码登录); we exchange it with
the gateway for the account, find the staff member with that 浙政钉 account, and send them to their own action
page (the cards waiting for them, and the box to report or reply). A used, expired or forged code, or an
account that is not a registered staff member, gets a 403 and nothing else."""

from __future__ import annotations

import logging

from aiohttp import web

from core import evidence_links
from core.models import Identity, Staff
from integrations.zwdd import ZWDD
from integrations.zwdd.api import ZwddAPI
from integrations.zwdd.errors import ZwddError

PATH = "/zwdd/login"
API_KEY = web.AppKey("zwdd_login_api", ZwddAPI)
log = logging.getLogger(__name__)
HEADERS = {"Cache-Control": "no-store, private", "Referrer-Policy": "no-referrer"}


def _refused(text: str) -> web.Response:
    return web.Response(status=403, text=text, headers=HEADERS)


async def login(request: web.Request) -> web.Response:
    api = request.app[API_KEY]
    auth_code, code = request.query.get("authCode", ""), request.query.get("code", "")
    if not (auth_code or code) or len(auth_code or code) > 128:
        return web.Response(status=400, text="缺少免登授权码", headers=HEADERS)
    try:
        user = await (api.user_by_auth_code(auth_code) if auth_code else api.user_by_login_code(code))
    except ZwddError as exc:
        if exc.auth_code_invalid:
            return _refused("授权码无效或已过期,请从浙政钉重新进入")
        log.warning("浙政钉 免登 failed: %s", exc.plain())
        return web.Response(status=502, text="浙政钉暂时无法确认您的身份,请稍后重试", headers=HEADERS)
    ident = await Identity.get_or_none(platform=ZWDD.value, external_id=user.account_id)
    staff = await Staff.get_or_none(id=ident.staff_id, active=True) if ident is not None else None
    signer = evidence_links.current()
    if staff is None or signer is None:
        return _refused("您还不是本中心登记的工作人员,请联系中心管理员")
    raise web.HTTPSeeOther(signer.act_url(staff.id, 0, ZWDD.value), headers=HEADERS)


def setup(app: web.Application, api: ZwddAPI) -> None:
    app[API_KEY] = api
    app.router.add_get(PATH, login)
