"""A `maotiao worker` told to stop while it is still starting (imports, database upgrade) exits cleanly with 0,
as it does once running; arq replaces this handler with its own graceful one when the worker starts."""

from __future__ import annotations

import signal
import sys
from types import FrameType


def _exit_cleanly(signum: int, frame: FrameType | None) -> None:
    sys.exit(0)


def install_for(argv: list[str]) -> None:
    if argv[:1] == ["worker"]:
        signal.signal(signal.SIGTERM, _exit_cleanly)
