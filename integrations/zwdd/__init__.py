"""浙政钉 (专有钉钉, Zhejiang government DingTalk): the HMAC-signed gateway client and its API. See README.md."""
