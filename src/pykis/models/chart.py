"""Charts: a typed sequence of OHLCV bars, convertible to pandas or polars."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, tzinfo
from decimal import Decimal
from operator import attrgetter
from typing import TYPE_CHECKING, Any, ClassVar, Literal, overload

from pykis.models._base import KisModel, dec, render
from pykis.wire import _chart

if TYPE_CHECKING:
    from pathlib import Path

    import pandas
    import polars

__all__ = [
    "ChartPeriod",
    "DomesticDailyBody",
    "DomesticMinuteBody",
    "KisChart",
    "KisChartBar",
    "OverseasDailyBody",
    "OverseasMinuteBody",
    "domestic_daily_bars",
    "domestic_minute_bars",
    "overseas_daily_bars",
    "overseas_minute_bars",
]

ChartPeriod = Literal["minute", "day", "week", "month", "year"]


class KisChartBar(KisModel, frozen=True, kw_only=True):
    """One bar: its start ``time`` (market time zone), OHLC prices, volume and traded amount."""

    time: datetime
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: int
    amount: Decimal

    def __repr__(self, indent: int = 0) -> str:
        return (
            f"KisChartBar(time={render(self.time)}, open={render(self.open)}, high={render(self.high)}, "
            f"low={render(self.low)}, close={render(self.close)}, volume={self.volume})"
        )


class KisChart(KisModel, frozen=True, kw_only=True):
    """Bars of one stock in ascending time; ``period`` ``"minute"`` with ``interval`` minutes, or daily and up."""

    __repr_fields__: ClassVar[tuple[str, ...]] = ("symbol", "market", "period", "interval", "bars")

    symbol: str
    market: str
    period: ChartPeriod
    interval: int
    bars: tuple[KisChartBar, ...]

    def __repr__(self, indent: int = 0) -> str:
        head = f"KisChart(symbol={self.symbol!r}, market={self.market!r}, period={self.period!r}"
        if self.period == "minute":
            head += f", interval={self.interval}"
        if not self.bars:
            return head + ", bars=[])"
        first, last = self.bars[0], self.bars[-1]
        span = f"from={render(first.time)}, to={render(last.time)}"
        return f"{head}, bars={len(self.bars)}, {span}, close={render(last.close)})"

    def __len__(self) -> int:
        return len(self.bars)

    def __iter__(self) -> Iterator[KisChartBar]:
        return iter(self.bars)

    @overload
    def __getitem__(self, index: int) -> KisChartBar: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[KisChartBar]: ...
    def __getitem__(self, index: int | slice) -> KisChartBar | Sequence[KisChartBar]:
        return self.bars[index]

    def _columns(self) -> dict[str, list[Any]]:
        return {
            "time": [bar.time for bar in self.bars],
            "open": [float(bar.open) for bar in self.bars],
            "high": [float(bar.high) for bar in self.bars],
            "low": [float(bar.low) for bar in self.bars],
            "close": [float(bar.close) for bar in self.bars],
            "volume": [bar.volume for bar in self.bars],
            "amount": [float(bar.amount) for bar in self.bars],
        }

    def to_pandas(self) -> pandas.DataFrame:
        """A DataFrame indexed by time (needs the ``pandas`` extra). Prices become floats."""
        import pandas  # noqa: PLC0415 — optional extras load only when asked for

        return pandas.DataFrame(self._columns()).set_index("time")

    def to_polars(self) -> polars.DataFrame:
        """A polars DataFrame (needs the ``polars`` extra). Prices become floats."""
        import polars  # noqa: PLC0415 — optional extras load only when asked for

        return polars.DataFrame(self._columns())

    def plot(
        self,
        path: str | os.PathLike[str],
        *,
        ma: Sequence[int] = (5, 20),
        width: int = 1200,
        height: int = 800,
        dpi: int = 100,
        title: str | None = None,
        name: str | None = None,
    ) -> Path:
        """Save a candlestick PNG of ``width`` x ``height`` pixels at ``path``: prices with the ``ma``-bar moving
        averages of the close above, volume below (needs the ``plot`` extra; matplotlib's Agg canvas, no
        window). The title names the stock (``name``), the range and the last price. Returns the path."""
        from pykis.models._plot import plot_chart  # noqa: PLC0415 — optional extras load only when asked for

        return plot_chart(self, path, ma=ma, width=width, height=height, dpi=dpi, title=title, name=name)


def aggregate(bars: Sequence[KisChartBar], minutes: int) -> tuple[KisChartBar, ...]:
    """One-minute bars into ``minutes``-minute bars aligned to the hour (09:00, 09:05, …)."""
    if minutes <= 1:
        return tuple(bars)
    out: list[KisChartBar] = []
    bucket: list[KisChartBar] = []
    key: datetime | None = None
    for bar in bars:
        start = bar.time.replace(minute=bar.time.minute - bar.time.minute % minutes, second=0, microsecond=0)
        if minutes >= 60:
            span = minutes // 60
            start = bar.time.replace(hour=bar.time.hour - bar.time.hour % span, minute=0, second=0, microsecond=0)
        if key is not None and start != key:
            out.append(_merge(key, bucket))
            bucket = []
        key = start
        bucket.append(bar)
    if key is not None and bucket:
        out.append(_merge(key, bucket))
    return tuple(out)


def _merge(time: datetime, bars: Sequence[KisChartBar]) -> KisChartBar:
    return KisChartBar(
        time=time,
        open=bars[0].open,
        high=max(bar.high for bar in bars),
        low=min(bar.low for bar in bars),
        close=bars[-1].close,
        volume=sum(bar.volume for bar in bars),
        amount=sum((bar.amount for bar in bars), Decimal(0)),
    )


# ---- wire shapes: generated from the catalog (pykis.wire); a bar reads its columns by name --------------

DomesticDailyBody = _chart.DomesticStockInquireDailyItemchartpriceBody
"""FHKST03010100 국내주식기간별시세's body, bars (``output2``) newest first."""
DomesticMinuteBody = _chart.DomesticStockInquireTimeItemchartpriceBody
"""FHKST03010200 분봉's body, bars newest first; FHKST03010230 (일별분봉) pages are read through it too (same
``output2`` columns). ``acml_tr_pbmn`` is the day's running amount."""
OverseasDailyBody = _chart.OverseasStockDailypriceBody
"""HHDFS76240000 해외주식 기간별시세's body, bars newest first."""
OverseasMinuteBody = _chart.OverseasStockInquireTimeItemchartpriceBody
"""HHDFS76950200 해외주식분봉조회's body: ``output1.next`` is 1 while older bars remain; exchange-local times."""

_DOMESTIC_DAILY = attrgetter(
    "stck_bsop_date", "stck_oprc", "stck_hgpr", "stck_lwpr", "stck_clpr", "acml_vol", "acml_tr_pbmn"
)
_OVERSEAS_DAILY = attrgetter("xymd", "open", "high", "low", "clos", "tvol", "tamt")
_DOMESTIC_MINUTE = attrgetter(
    "stck_bsop_date", "stck_cntg_hour", "stck_oprc", "stck_hgpr", "stck_lwpr", "stck_prpr", "cntg_vol", "acml_tr_pbmn"
)
_OVERSEAS_MINUTE = attrgetter("xymd", "xhms", "open", "high", "low", "last", "evol", "eamt")


def _stamp(day: str, clock: str, zone: tzinfo) -> datetime | None:
    """``YYYYMMDD`` (+ ``HHMMSS``) in ``zone``; ``None`` for the blank rows KIS pads lists with."""
    if len(day) != 8 or not day.isdigit():
        return None
    try:
        if not clock:
            return datetime(int(day[:4]), int(day[4:6]), int(day[6:]), tzinfo=zone)
        clock = clock.ljust(6, "0")
        return datetime(
            int(day[:4]),
            int(day[4:6]),
            int(day[6:]),
            int(clock[:2]),
            int(clock[2:4]),
            int(clock[4:6]),
            tzinfo=zone,
        )
    except ValueError:
        return None


def _volume(text: str) -> int:
    return int(text) if text.isdigit() else int(dec(text))


def _daily(rows: Iterable[Any], getter: attrgetter[Any], zone: tzinfo) -> list[KisChartBar]:
    bars = []
    for row in rows:
        day, open_, high, low, close, volume, amount = getter(row)
        when = _stamp(day, "", zone)
        if when is not None:
            bars.append(
                KisChartBar(
                    time=when,
                    open=dec(open_),
                    high=dec(high),
                    low=dec(low),
                    close=dec(close),
                    volume=_volume(volume),
                    amount=dec(amount),
                )
            )
    return bars


def _minutes(rows: Iterable[Any], getter: attrgetter[Any], zone: tzinfo) -> list[KisChartBar]:
    bars = []
    for row in rows:
        day, clock, open_, high, low, close, volume, amount = getter(row)
        when = _stamp(day, clock or "000000", zone)
        if when is not None:
            bars.append(
                KisChartBar(
                    time=when,
                    open=dec(open_),
                    high=dec(high),
                    low=dec(low),
                    close=dec(close),
                    volume=_volume(volume),
                    amount=dec(amount),
                )
            )
    return bars


def domestic_daily_bars(body: DomesticDailyBody, zone: tzinfo) -> list[KisChartBar]:
    """Bars of a FHKST03010100 page, in the order sent (newest first)."""
    return _daily(body.output2 or (), _DOMESTIC_DAILY, zone)


def overseas_daily_bars(body: OverseasDailyBody, zone: tzinfo) -> list[KisChartBar]:
    """Bars of a HHDFS76240000 page, in the order sent (newest first)."""
    return _daily(body.output2 or (), _OVERSEAS_DAILY, zone)


def domestic_minute_bars(body: DomesticMinuteBody, zone: tzinfo) -> list[KisChartBar]:
    """Bars of a FHKST03010200/FHKST03010230 page; ``amount`` still the running total (see the chart flow)."""
    return _minutes(body.output2 or (), _DOMESTIC_MINUTE, zone)


def overseas_minute_bars(body: OverseasMinuteBody, zone: tzinfo) -> list[KisChartBar]:
    """Bars of a HHDFS76950200 page, exchange-local times."""
    return _minutes(body.output2 or (), _OVERSEAS_MINUTE, zone)
