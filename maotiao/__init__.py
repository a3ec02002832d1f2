"""maotiao: the commands (`maotiao serve`, `worker`, …) and the HTTP pages.

httpx imports its command-line client (click, pygments, rich: ~6 MiB resident where they are installed)
whenever it is imported; no maotiao process uses that client, so it is marked absent before anything imports
httpx (httpx then defines a stub that says the CLI is not installed)."""

import sys

sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
