"""What the simulated market hands out: quotes, day states, bars, books, limits, traded ranges, session names."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple

from pykis.emulator.instruments import Instrument

SESSIONS: frozenset[str] = frozenset(
    {"closed", "pre", "opening_auction", "regular", "lunch", "post", "after", "after_market", "daytime"}
)
"""Every session name ``Market.session`` can return.

KRX: ``pre`` 08:30–08:40 (pre-market closing-price, ORD_DVSN 05), ``opening_auction`` 08:40–09:00, ``regular``
09:00–15:30, ``post`` 15:40–16:00 (post-market closing-price, 06), ``after_market`` 16:00–20:00 (after-market
and, until 18:00, after-hours single price 07). NXT: ``pre`` 08:00–08:50, ``regular`` 09:00:30–15:20,
``after_market`` 15:30–20:00. US (ET): ``pre`` 04:00–09:30, ``regular`` 09:30–16:00, ``after`` 16:00–20:00, and
``daytime`` 10:00–16:00 KST (the overnight session KIS sells). Asian markets have ``lunch`` breaks.
"""


@dataclass(frozen=True, slots=True)
class Quote:
    """A snapshot of one instrument as the current-price APIs report it (``FHKST01010100``, ``HHDFS76200200``)."""

    instrument: Instrument
    time: datetime
    """The instant the quote describes (UTC)."""
    session: str
    price: Decimal
    open: Decimal
    high: Decimal
    low: Decimal
    prev_close: Decimal
    volume: int
    amount: Decimal
    prev_volume: int
    upper_limit: Decimal
    """Daily upper price limit; ``0`` where the market has none (US, Hong Kong)."""
    lower_limit: Decimal
    """Daily lower price limit; ``0`` where the market has none."""
    tick: Decimal
    """Tick size at ``price``."""
    ask: Decimal
    """Best ask; ``0`` when there is none (at the upper limit, or halted)."""
    bid: Decimal
    """Best bid; ``0`` when there is none."""
    week52_high: Decimal
    week52_high_date: date
    week52_low: Decimal
    week52_low_date: date
    eps: Decimal
    bps: Decimal
    per: Decimal
    pbr: Decimal
    halted: bool

    @property
    def change(self) -> Decimal:
        """``price - prev_close``."""
        return self.price - self.prev_close

    @property
    def change_rate(self) -> Decimal:
        """Change against the previous close in percent, two decimals."""
        if not self.prev_close:
            return Decimal("0.00")
        return (self.change * 100 / self.prev_close).quantize(Decimal("0.01"))

    trading_day: date = date.min
    """The local trading day the figures belong to (the last trading day while the market is closed)."""


@dataclass(frozen=True, slots=True)
class DayState:
    """An instrument's trading day so far at an instant: the figures of its :class:`Quote` that come from the day.

    ``Market.day_state`` skips what a quote adds on top (limits, book, 52-week range, fundamentals), so it is
    the cheap way to look at a whole market at once (rankings); every field equals the quote's at the same instant.
    """

    instrument: Instrument
    time: datetime
    """The instant described (UTC)."""
    trading_day: date
    price: Decimal
    open: Decimal
    high: Decimal
    low: Decimal
    prev_close: Decimal
    volume: int
    amount: Decimal
    prev_volume: int


@dataclass(frozen=True, slots=True)
class Bar:
    """One OHLCV bar. Daily bars are stamped at local midnight, minute bars at the minute's start."""

    time: datetime
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: int
    amount: Decimal


@dataclass(frozen=True, slots=True)
class BookLevel:
    """One price level of the order book."""

    price: Decimal
    qty: int


@dataclass(frozen=True, slots=True)
class OrderBook:
    """The displayed book (``FHKST01010200`` / ``H0STASP0``), best level first on each side.

    ``time`` is floored to the second: the displayed quantities change once per second of trading.
    """

    time: datetime
    asks: tuple[BookLevel, ...]
    bids: tuple[BookLevel, ...]


class PriceLimits(NamedTuple):
    """Daily price limits ``(lower, upper)``; both ``0`` where the market has none."""

    lower: Decimal
    upper: Decimal


class UnknownSymbol(KeyError):
    """No instrument with that symbol (on that market)."""

    def __init__(self, symbol: str, market: str | None = None) -> None:
        super().__init__(symbol)
        self.symbol = symbol
        self.market = market

    def __str__(self) -> str:
        where = f" on {self.market}" if self.market else ""
        return f"unknown symbol {self.symbol!r}{where}"


@dataclass(frozen=True, slots=True)
class TradedRange:
    """Prices and volume traded over an interval (``Market.traded_range``)."""

    low: Decimal
    high: Decimal
    volume: int
