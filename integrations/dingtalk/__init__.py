"""DingTalk app bot: Stream mode in (the real dingtalk-stream SDK in its own thread), OpenAPI out (httpx)."""

from core.enums import Platform

DINGTALK = Platform.chat("dingtalk")  # this package is the one place the value is declared
