"""DingTalk app bot: Stream mode in (the real dingtalk-stream SDK in its own thread), OpenAPI out (httpx)."""
