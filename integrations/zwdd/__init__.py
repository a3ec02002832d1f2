"""浙政钉 (专有钉钉, Zhejiang government DingTalk): the HMAC-signed gateway client and its API, work notifications
that open the action page for cards. See README.md."""

from core.enums import Platform

ZWDD = Platform.chat("zwdd")  # this package is the one place the value is declared
