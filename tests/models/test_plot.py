"""The chart picture: a title with name, symbol, range and last price; volume in K/M units, not with a 1e7
offset; the legend above the candles, never over them. (The look itself was checked by eye on samsung.png.)"""

from __future__ import annotations

import math
import struct
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from pykis.models._plot import compact, default_title, draw_chart
from pykis.models.chart import KisChart, KisChartBar

pytest.importorskip("matplotlib")
SEOUL = ZoneInfo("Asia/Seoul")


def _chart(count: int = 120) -> KisChart:
    start = datetime(2026, 3, 2, 9, 0, tzinfo=SEOUL)
    bars = []
    for index in range(count):
        close = Decimal(70000 + round(3000 * math.sin(index / 9)) // 100 * 100)
        bars.append(
            KisChartBar(
                time=start + timedelta(days=index),
                open=close - 200,
                high=close + 500,
                low=close - 700,
                close=close,
                volume=12_000_000 + 9_000_000 * (index % 3),
                amount=close * 12_000_000,
            )
        )
    return KisChart(symbol="005930", market="KRX", period="day", interval=1, bars=tuple(bars))


def test_numbers_on_the_axes_read_as_people_read_them() -> None:
    assert [compact(v) for v in (30_000_000, 12_345_678, 45_000, 950, 2.5e9)] == ["30M", "12.3M", "45K", "950", "2.5B"]


def test_the_title_names_stock_range_and_last_price() -> None:
    chart = _chart()
    title = default_title(chart, "Samsung Electronics")
    last = chart.bars[-1]
    assert title.startswith("Samsung Electronics 005930 (KRX) · daily bars 2026-03-02 – ")
    assert title.endswith(f"{last.time:%Y-%m-%d} · last {last.close:,} KRW")


def test_the_picture_has_no_offset_and_a_legend_off_the_candles(tmp_path: Path) -> None:
    figure = draw_chart(_chart(), ma=(5, 20, 60), name="Samsung Electronics")
    figure.canvas.draw()
    prices, volumes = figure.axes[:2]
    assert volumes.yaxis.get_offset_text().get_text() == ""  # no "1e7" over the volume axis
    labels = [label.get_text() for label in volumes.get_yticklabels() if label.get_text()]
    assert labels and all(text[-1] in "KM0123456789" for text in labels) and any(t.endswith("M") for t in labels)
    legend = prices.get_legend()
    assert legend is not None
    assert [text.get_text() for text in legend.get_texts()] == ["MA5", "MA20", "MA60"]
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    assert isinstance(figure.canvas, FigureCanvasAgg)
    renderer = figure.canvas.get_renderer()  # type: ignore[no-untyped-call]
    assert legend.get_window_extent(renderer).y0 >= prices.get_window_extent(renderer).y1  # above the candles
    assert prices.get_title(loc="left").startswith("Samsung Electronics 005930")
    path = tmp_path / "samsung.png"
    figure.savefig(path, format="png", dpi=100)
    assert struct.unpack(">II", path.read_bytes()[16:24]) == (1200, 800)
