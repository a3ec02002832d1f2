"""The digest chart: cases by category and the daily trend, with Chinese labels (a bundled CJK font)."""

from __future__ import annotations

import io
import os
from functools import lru_cache

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import mplfonts  # noqa: E402
from matplotlib import font_manager  # noqa: E402

from core.reports.digest import Digest  # noqa: E402

FONT_FILE = "NotoSansCJKsc-Regular.otf"


@lru_cache(maxsize=1)
def cjk_font() -> str:
    path = os.path.join(os.path.dirname(mplfonts.__file__), "fonts", FONT_FILE)
    font_manager.fontManager.addfont(path)
    return font_manager.FontProperties(fname=path).get_name()


def png(d: Digest) -> bytes:
    family = cjk_font()
    with plt.rc_context({"font.family": family, "axes.unicode_minus": False}):
        fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4), dpi=100)
        names = [n for n, _ in d.by_category] or ["无"]
        counts = [c for _, c in d.by_category] or [0]
        left.barh(names[::-1], counts[::-1], color="#3b7dd8")
        left.set_title("按类别")
        days = [x.strftime("%m-%d") for x, _ in d.trend]
        right.plot(days, [n for _, n in d.trend], marker="o", color="#d8503b")
        right.set_title("每日新增")
        step = max(1, len(days) // 8)
        right.set_xticks(range(0, len(days), step), [days[i] for i in range(0, len(days), step)], rotation=30)
        fig.suptitle(f"{d.center} {d.period.kind.label}({d.period.label})")
        fig.tight_layout()
        out = io.BytesIO()
        fig.savefig(out, format="png")
        plt.close(fig)
    return out.getvalue()
