"""The CJK fonts bundled with mplfonts (charts, PDFs, the sandbox and dashboard pages), found without importing
mplfonts: its import pulls in matplotlib, which a `serve` that only hands out the font file does not need."""

from __future__ import annotations

import os
from functools import lru_cache
from importlib.util import find_spec

FONT_FILE = "NotoSansCJKsc-Regular.otf"


@lru_cache(maxsize=1)
def font_dir() -> str:
    spec = find_spec("mplfonts")  # locates the package without running its __init__
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("mplfonts is not installed: the bundled CJK fonts are missing")
    return os.path.join(next(iter(spec.submodule_search_locations)), "fonts")


def font_path(name: str = FONT_FILE) -> str:
    return os.path.join(font_dir(), name)
