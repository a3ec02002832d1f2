"""The digest chart: new cases per day over the last 7 (daily) or 30 (weekly) days, and the open work by
category and by village, on integer axes with Chinese labels (a bundled CJK font). An empty panel says so
(无新增, 无在办) instead of showing a blank plot; with nothing at all to show, no chart is sent."""

from __future__ import annotations

import io
from functools import lru_cache
from types import ModuleType
from typing import TYPE_CHECKING

from core.fonts import font_path
from core.reports.digest import Digest

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.ticker import Locator

BARS = 8  # categories / villages shown per panel, the largest first


@lru_cache(maxsize=1)
def pyplot() -> ModuleType:
    """matplotlib on the first chart, not at import: it is ~50 MiB of a `serve` that may never draw one."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


@lru_cache(maxsize=1)
def cjk_font() -> str:
    from matplotlib import font_manager

    path = font_path()
    font_manager.fontManager.addfont(path)
    return str(font_manager.FontProperties(fname=path).get_name())


def _integer_axis() -> Locator:
    from matplotlib.ticker import MaxNLocator

    return MaxNLocator(integer=True)


def trend_title(d: Digest) -> str:
    return f"近{len(d.recent)}天每日新增"


def empty_note(d: Digest) -> str:
    """What the digest says instead of a chart when there is nothing to draw ("" when there is)."""
    if any(n for _, n in d.recent) or d.open_by_category:
        return ""
    return f"- 近{len(d.recent)}天无新增,无在办案件(不附图表)"


def _nothing(ax: Axes, title: str, text: str) -> None:
    ax.set_title(title)
    ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=16, color="#888", transform=ax.transAxes)
    ax.set_axis_off()


def _bars(ax: Axes, title: str, counts: list[tuple[str, int]]) -> None:
    if not counts:
        _nothing(ax, title, "无在办")
        return
    shown = counts[:BARS][::-1]
    ax.bar_label(ax.barh([n for n, _ in shown], [c for _, c in shown], color="#3b7dd8"), padding=3)
    ax.set_title(title)
    ax.xaxis.set_major_locator(_integer_axis())
    ax.set_xlim(0, max(c for _, c in shown) + 1)


def _trend(ax: Axes, d: Digest) -> None:
    if not any(n for _, n in d.recent):
        _nothing(ax, trend_title(d), "无新增")
        return
    days = [x.strftime("%m-%d") for x, _ in d.recent]
    ax.bar(range(len(days)), [n for _, n in d.recent], color="#d8503b")
    ax.set_title(trend_title(d))
    step = max(1, len(days) // 8)
    ax.set_xticks(range(0, len(days), step), [days[i] for i in range(0, len(days), step)], rotation=30)
    ax.yaxis.set_major_locator(_integer_axis())
    ax.set_ylim(0, max(n for _, n in d.recent) + 1)


def figure(d: Digest) -> Figure:
    """The chart as a figure (close it with plt.close); png() renders it."""
    plt = pyplot()
    fig: Figure
    with plt.rc_context({"font.family": cjk_font(), "axes.unicode_minus": False}):
        fig, (trend, cats, villages) = plt.subplots(1, 3, figsize=(13, 4), dpi=100)
        _trend(trend, d)
        _bars(cats, "在办案件·按类别", d.open_by_category)
        _bars(villages, "在办案件·按村(社区)", d.open_by_village)
        fig.suptitle(f"{d.center} {d.period.kind.label}({d.period.label})")
        fig.tight_layout()
    return fig


def png(d: Digest) -> bytes:
    fig = figure(d)
    plt = pyplot()
    try:
        with plt.rc_context({"font.family": cjk_font(), "axes.unicode_minus": False}):
            out = io.BytesIO()
            fig.savefig(out, format="png")
    finally:
        plt.close(fig)
    return out.getvalue()
