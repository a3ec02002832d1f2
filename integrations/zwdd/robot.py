"""A group's custom robot (自定义机器人) on the 浙政钉 host: `POST {api_base}/robot/send?access_token=…
&timestamp=…&sign=…` with a JSON message, signed with the robot's own SEC… secret — DingTalk's public
custom-robot protocol, which public 浙政钉 code drives against openplatform-pro.ding.zj.gov.cn with the
DingtalkChatbot library (README.md). The gateway's HMAC headers are not used here."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

from integrations.zwdd.client import never_arrived
from integrations.zwdd.errors import ZwddError
from integrations.zwdd.sign import robot_sign


class GroupRobot:
    def __init__(self, api_base: str, access_token: str, secret: str, client: httpx.AsyncClient,
                 clock: Callable[[], float] = time.time) -> None:
        self.url = api_base.rstrip("/") + "/robot/send"
        self.access_token = access_token
        self.secret = secret
        self._client = client
        self._clock = clock

    async def send(self, msg: dict[str, Any]) -> None:
        stamp = int(self._clock() * 1000)
        params = {"access_token": self.access_token, "timestamp": str(stamp), "sign": robot_sign(self.secret, stamp)}
        try:
            resp = await self._client.post(self.url, params=params, json=msg)
        except httpx.HTTPError as exc:
            raise ZwddError(0, type(exc).__name__, str(exc) or type(exc).__name__,
                            ambiguous=not never_arrived(exc)) from None
        try:
            data = resp.json()
        except ValueError:
            data = {}
        code = str(data.get("errcode", "")) if isinstance(data, dict) else ""
        if resp.status_code >= 300 or code not in ("0", ""):
            message = str(data.get("errmsg", resp.reason_phrase)) if isinstance(data, dict) else resp.reason_phrase
            raise ZwddError(resp.status_code, code or f"HTTP{resp.status_code}", message,
                            ambiguous=resp.status_code >= 500)
