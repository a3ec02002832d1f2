"""Posting a status update to an API sender's webhook: the body signed with HMAC-SHA256 under that key's own
secret (header X-Maotiao-Signature: sha256=<hex>), the event id in X-Maotiao-Event-Id for the receiver to
dedupe retries on. 2xx is delivered; 408/429/5xx and network errors are retried; other 4xx are final."""

from __future__ import annotations

import hashlib
import hmac

import httpx

from bot.webhooks import PostResult

TIMEOUT = httpx.Timeout(10.0)
RETRIED = {408, 425, 429}


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class HttpStatusPoster:
    def __init__(self, hooks: dict[str, tuple[str, str]], client: httpx.AsyncClient | None = None) -> None:
        self.hooks = dict(hooks)
        self.client = client or httpx.AsyncClient(timeout=TIMEOUT)

    async def post(self, api_client: str, event_id: str, body: bytes) -> PostResult:
        hook = self.hooks.get(api_client)
        if hook is None:
            return PostResult(False, retry=False, error=f"no webhook configured for {api_client}")
        url, secret = hook
        headers = {"Content-Type": "application/json; charset=utf-8", "X-Maotiao-Event-Id": event_id,
                   "X-Maotiao-Signature": sign(secret, body)}
        try:
            resp = await self.client.post(url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return PostResult(False, error=f"{type(exc).__name__}: {exc}"[:500])
        if 200 <= resp.status_code < 300:
            return PostResult(True)
        retry = resp.status_code >= 500 or resp.status_code in RETRIED
        return PostResult(False, retry=retry, error=f"HTTP {resp.status_code}")

    async def aclose(self) -> None:
        await self.client.aclose()
