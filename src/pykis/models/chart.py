"""Charts: a typed sequence of OHLCV bars, convertible to pandas or polars."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, Literal, overload

from pykis.models._base import KisModel, render

if TYPE_CHECKING:
    import pandas
    import polars

__all__ = ["ChartPeriod", "KisChart", "KisChartBar"]

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
        import pandas

        return pandas.DataFrame(self._columns()).set_index("time")

    def to_polars(self) -> polars.DataFrame:
        """A polars DataFrame (needs the ``polars`` extra). Prices become floats."""
        import polars

        return polars.DataFrame(self._columns())


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
