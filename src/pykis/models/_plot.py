"""A candlestick picture of a chart: prices with moving averages above, volume below, saved as PNG.

matplotlib (the ``plot`` extra) is imported on first use, and only its object-oriented API with the Agg canvas is
used: no ``pyplot``, no global backend switch, no window — safe in servers, threads and notebooks alike.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from pykis.models.chart import KisChart

__all__ = ["compact", "default_title", "draw_chart", "plot_chart"]

UP = "#d62728"  # Korean convention: rising candles red, falling blue
DOWN = "#1f5fbf"
MA_COLORS = ("#ff9f1c", "#2ca02c", "#9467bd", "#8c564b", "#e377c2")


def moving_average(values: Sequence[float], window: int) -> list[float | None]:
    """The trailing ``window``-bar mean of ``values`` (``None`` until ``window`` values are in)."""
    out: list[float | None] = []
    total = 0.0
    for index, value in enumerate(values):
        total += value
        if index >= window:
            total -= values[index - window]
        out.append(total / window if index + 1 >= window else None)
    return out


def compact(value: float) -> str:
    """An axis number people read: ``12_300_000`` → ``12.3M``, ``45_000`` → ``45K`` (no ``1e7`` offset)."""
    for size, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(value) >= size:
            return f"{value / size:.3g}{suffix}"
    return f"{value:.3g}"


_ADJECTIVES = {"day": "daily", "week": "weekly", "month": "monthly", "year": "yearly"}
_HANGUL_FONTS = ("Noto Sans CJK KR", "Noto Sans KR", "NanumGothic", "Malgun Gothic", "AppleGothic", "UnDotum")


def hangul_font() -> str | None:
    """An installed font family with Hangul glyphs, if any (matplotlib's own fonts have none)."""
    from matplotlib import font_manager  # noqa: PLC0415 — optional extra (matplotlib)

    installed = {font.name for font in font_manager.fontManager.ttflist}
    return next((family for family in _HANGUL_FONTS if family in installed), None)


def default_title(chart: KisChart, name: str | None) -> str:
    """``Samsung Electronics 005930 (KRX) · daily bars 2026-06-01 – 2026-12-01 · last 71,000 KRW``."""
    from pykis.errors import KisValidationError  # noqa: PLC0415 — optional extra (matplotlib)
    from pykis.exchanges.markets import market_info  # noqa: PLC0415 — optional extra (matplotlib)

    names = {
        "minute": f"{chart.interval}-minute",
        "day": "daily",
        "week": "weekly",
        "month": "monthly",
        "year": "yearly",
    }
    unit = names.get(chart.period, chart.period)
    head = f"{name} {chart.symbol}" if name else chart.symbol
    text = f"{head} ({chart.market}) · {unit} bars"
    if chart.bars:
        fmt = "%Y-%m-%d %H:%M" if chart.period == "minute" else "%Y-%m-%d"
        first, last = chart.bars[0], chart.bars[-1]
        try:
            currency = market_info(chart.market).currency
        except KisValidationError:
            currency = ""
        close = format(last.close, ",f")
        close = close.rstrip("0").rstrip(".") if "." in close else close
        text += f" {first.time.strftime(fmt)} – {last.time.strftime(fmt)} · last {close} {currency}".rstrip()
    return text


def plot_chart(  # noqa: PLR0913 — KisChart.plot's keyword options, passed on
    chart: KisChart,
    path: str | os.PathLike[str],
    *,
    ma: Sequence[int] = (5, 20),
    width: int = 1200,
    height: int = 800,
    dpi: int = 100,
    title: str | None = None,
    name: str | None = None,
) -> Path:
    """Draw ``chart`` as candlesticks with volume bars (and the ``ma`` moving averages of the close) and save a
    ``width`` x ``height`` pixel PNG at ``path``; returns the path. The title names the stock (``name``), its
    symbol, the range and the last price unless ``title`` is given; the legend sits above the candles."""
    figure = draw_chart(chart, ma=ma, width=width, height=height, dpi=dpi, title=title, name=name)
    target = Path(path)
    figure.savefig(target, format="png", dpi=dpi)
    return target


def draw_chart(
    chart: KisChart,
    *,
    ma: Sequence[int] = (5, 20),
    width: int = 1200,
    height: int = 800,
    dpi: int = 100,
    title: str | None = None,
    name: str | None = None,
) -> Figure:
    """The figure :func:`plot_chart` saves: its first axes the prices, its second the volume."""
    if width < 100 or height < 100:
        raise ValueError("the picture must be at least 100 x 100 pixels")
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: PLC0415 — optional extra (matplotlib)
    from matplotlib.figure import Figure  # noqa: PLC0415 — optional extra (matplotlib)
    from matplotlib.ticker import FuncFormatter  # noqa: PLC0415 — optional extra (matplotlib)

    bars = chart.bars
    figure = Figure(figsize=(width / dpi, height / dpi), dpi=dpi)
    FigureCanvasAgg(figure)
    grid = figure.add_gridspec(2, 1, height_ratios=(3, 1), hspace=0.05)
    prices = figure.add_subplot(grid[0])
    volumes = figure.add_subplot(grid[1], sharex=prices)
    xs = list(range(len(bars)))
    opens = [float(bar.open) for bar in bars]
    closes = [float(bar.close) for bar in bars]
    colors = [UP if close >= open_ else DOWN for open_, close in zip(opens, closes, strict=True)]
    if bars:
        prices.vlines(xs, [float(bar.low) for bar in bars], [float(bar.high) for bar in bars], colors=colors, lw=0.8)
        bottoms = [min(o, c) for o, c in zip(opens, closes, strict=True)]
        heights = [max(abs(c - o), 1e-9) for o, c in zip(opens, closes, strict=True)]
        prices.bar(xs, heights, bottom=bottoms, width=0.7, color=colors, edgecolor=colors, linewidth=0.5)
        volumes.bar(xs, [bar.volume for bar in bars], width=0.7, color=colors)
    for number, window in enumerate(w for w in ma if w > 1):
        line = moving_average(closes, window)
        points = [(x, y) for x, y in zip(xs, line, strict=True) if y is not None]
        if points:
            prices.plot(
                [x for x, _ in points],
                [y for _, y in points],
                lw=1.2,
                color=MA_COLORS[number % len(MA_COLORS)],
                label=f"MA{window}",
            )
    if prices.lines:  # above the plot, right of the title: never over a candle
        prices.legend(
            loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=len(prices.lines), fontsize="small", frameon=False
        )
    font = hangul_font()
    if name and not name.isascii() and font is None:
        name = None  # no font draws it: the symbol alone rather than empty boxes
    prices.set_title(
        title or default_title(chart, name),
        loc="left",
        fontsize="medium",
        fontfamily=[font, "DejaVu Sans"] if font else None,
    )
    prices.grid(alpha=0.3)
    volumes.grid(alpha=0.3)
    volumes.set_ylabel("volume")
    volumes.yaxis.set_major_formatter(FuncFormatter(lambda value, _: compact(value)))
    prices.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.10g}"))
    prices.tick_params(labelbottom=False)
    if bars:
        step = max(1, len(bars) // 8)
        ticks = xs[::step]
        fmt = "%m-%d %H:%M" if chart.period == "minute" else "%Y-%m-%d"
        volumes.set_xticks(ticks, [bars[i].time.strftime(fmt) for i in ticks], fontsize="small")
        prices.set_xlim(-1, len(bars))
    figure.subplots_adjust(left=0.08, right=0.98, top=0.94, bottom=0.08)
    return figure
