"""The simulated market: deterministic prices, bars, order books, sessions and calendars. Pure; clock injected.

Model
-----
Prices are integers in each market's minimal unit (won, 1/10000 dollar, 1/1000 HK dollar, …) and converted to
``Decimal`` only at the edge, so every price sits exactly on the tick grid.

* **Daily bars** are closed-form: the log-deviation of the close from the instrument's anchor price is a sum of
  value-noise octaves over the trading-day index, hashed from ``(seed, symbol, octave, knot)``. The noise is bounded,
  so one day never moves further than the market's daily price limit (the close is still clamped, as a guard).
  Open, high, low and volume are hashed per day. A daily bar therefore costs a few microseconds and needs no
  history.
* **Intraday**: each day's regular session is a minute path that starts at the open, touches the day's high and
  low at hashed minutes and ends at the close (Brownian bridges clipped to ``[low, high]``). Inside a minute the
  price moves linearly through four hashed waypoints (open, high/low, low/high, close), so a quote at any second
  agrees with the minute bars so far, and the minute bars aggregate exactly to the daily bar.
* Outside the regular session prices do not move: before the open the quote shows the previous close, after the
  close the day's final state. Non-trading days show the last trading day.
* ``always_open=True`` makes *now* a trading moment in every market: today (whatever its day) and every exchange
  day trade around the clock; weekends and holidays other than today stay closed (demos and tests).

Sessions are computed in each market's own time zone (``zoneinfo``), so US sessions follow daylight saving.
Calendars (:mod:`pykis.emulator.calendar`) are the exchanges' own, computed for any year.
"""

from __future__ import annotations

import functools
import math
import operator
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from hashlib import blake2b
from itertools import accumulate, islice, pairwise
from typing import NamedTuple, cast
from zoneinfo import ZoneInfo

from pykis.emulator.calendar import ALIASES, CALENDAR_ZONES, DAYTIME, Calendar
from pykis.emulator.clock import Clock
from pykis.emulator.instruments import UNIVERSE, Instrument

__all__ = [
    "SESSIONS",
    "Bar",
    "BookLevel",
    "DayState",
    "Market",
    "OrderBook",
    "PriceLimits",
    "Quote",
    "TradedRange",
    "UnknownSymbol",
]

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


# --------------------------------------------------------------------------------------------------------------
# value types


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


# --------------------------------------------------------------------------------------------------------------
# hashing: a splitmix64 finaliser keyed by integers; str hashes go through blake2b (``hash()`` is salted)

_MASK = (1 << 64) - 1


def _mix(value: int) -> int:
    value = (value + 0x9E3779B97F4A7C15) & _MASK
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & _MASK
    return value ^ (value >> 31)


_HA, _HB, _HC = 0xD6E8FEB86659FD93, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9


def _h(key: int, a: int, b: int = 0, c: int = 0) -> int:
    # One finaliser over a keyed linear combination: the key is already a random 64-bit value.
    return _mix(key ^ ((a * _HA + b * _HB + c * _HC) & _MASK))


def _tris(key: int, a: int, first: int, count: int) -> list[float]:
    """``[_tri(_h(key, a, b)) for b in range(first, first + count)]``, the hash inlined."""
    out: list[float] = []
    append = out.append
    base = a * _HA
    for b in range(first, first + count):
        value = ((key ^ ((base + b * _HB) & _MASK)) + 0x9E3779B97F4A7C15) & _MASK
        value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & _MASK
        value ^= value >> 31
        append(((value & 0x1FFFFF) + ((value >> 21) & 0x1FFFFF) + ((value >> 42) & 0x1FFFFF)) * _TRI_SCALE - 3.0)
    return out


def _unit(value: int) -> float:
    """A uniform float in [0, 1) from the top 53 bits."""
    return (value >> 11) * (1.0 / 9007199254740992.0)


_TRI_SCALE = 2.0 / 2097152.0


def _tri(value: int) -> float:
    """A bounded, bell-shaped variate in [-3, 3] with unit variance (sum of three uniforms)."""
    return ((value & 0x1FFFFF) + ((value >> 21) & 0x1FFFFF) + ((value >> 42) & 0x1FFFFF)) * _TRI_SCALE - 3.0


def _text_key(text: str) -> int:
    return int.from_bytes(blake2b(text.encode(), digest_size=8).digest(), "big")


# --------------------------------------------------------------------------------------------------------------
# price grids: ticks and limits per market, in minimal units

_DECIMALS = {"KRX": 0, "US": 4, "HK": 3, "CN": 2, "JP": 0, "VN": 0}
_VENUE = {
    "KOSPI": "KRX",
    "KOSDAQ": "KRX",
    "NASDAQ": "US",
    "NYSE": "US",
    "AMEX": "US",
    "SEHK": "HK",
    "SSE": "CN",
    "SZSE": "CN",
    "TSE": "JP",
    "HNX": "VN",
    "HSX": "VN",
}
# KRX since 2023-01-25 (KRX 유가증권시장 업무규정 시행세칙, 호가가격단위): "below X won".
_KRX_TICKS = ((2_000, 1), (5_000, 5), (20_000, 10), (50_000, 50), (200_000, 100), (500_000, 500))
# HKEX Rules of the Exchange, Second Schedule (spread table, Part A) after Phase 1 of the minimum spread reduction
# (2025-08-04: 0.01 up to 20 HKD, 0.02 up to 50 HKD); "over X up to Y". Phase 2 (0.005 from 0.50 to 10 HKD) was
# announced for mid-2026 without a confirmed date and is not modelled.
_HK_TICKS = (  # upper bound inclusive, in 1/1000 HKD
    (250, 1),
    (500, 5),
    (20_000, 10),
    (50_000, 20),
    (100_000, 50),
    (200_000, 100),
    (500_000, 200),
    (1_000_000, 500),
    (2_000_000, 1_000),
    (5_000_000, 2_000),
)
# TSE Business Regulations Rule 14, standard table (tick table 01): "up to X yen". TOPIX500 constituents trade on
# the finer table 03 in reality.
_JP_TICKS = (  # upper bound inclusive, yen
    (3_000, 1),
    (5_000, 5),
    (30_000, 10),
    (50_000, 50),
    (300_000, 100),
    (500_000, 500),
    (3_000_000, 1_000),
    (5_000_000, 5_000),
    (30_000_000, 10_000),
    (50_000_000, 50_000),
)
_JP_LIMITS = (  # base price below -> allowed move, yen
    (100, 30),
    (200, 50),
    (500, 80),
    (700, 100),
    (1_000, 150),
    (1_500, 300),
    (2_000, 400),
    (3_000, 500),
    (5_000, 700),
    (7_000, 1_000),
    (10_000, 1_500),
    (15_000, 3_000),
    (20_000, 4_000),
    (30_000, 5_000),
    (50_000, 7_000),
    (70_000, 10_000),
    (100_000, 15_000),
    (150_000, 30_000),
    (200_000, 40_000),
    (300_000, 50_000),
    (500_000, 70_000),
    (700_000, 100_000),
    (1_000_000, 150_000),
)
# Daily limit as a fraction of the previous close (KRX ±30 %, SSE/SZSE main board ±10 %, HOSE ±7 %, HNX ±10 %).
_LIMIT_RATE = {"KOSPI": 0.30, "KOSDAQ": 0.30, "SSE": 0.10, "SZSE": 0.10, "HSX": 0.07, "HNX": 0.10}
# Volatility multiplier, small enough that the bounded noise never exceeds the daily limit (see _max_daily_move).
_VOL = {"KRX": 1.0, "US": 1.0, "HK": 1.0, "CN": 0.6, "JP": 1.0, "VN": 0.45}


def _tick_units(instrument: Instrument, units: int) -> int:
    venue = _VENUE[instrument.market]
    if venue == "KRX":
        if instrument.kind != "stock":  # ETF/ETN (KRX 2023 revision): 1 won below 2,000, else 5 won
            return 1 if units < 2_000 else 5
        for bound, tick in _KRX_TICKS:
            if units < bound:
                return tick
        return 1_000
    if venue == "US":  # SEC Regulation NMS Rule 612: $0.01 from $1, $0.0001 below
        return 100 if units >= 10_000 else 1
    if venue == "HK":
        for bound, tick in _HK_TICKS:
            if units <= bound:
                return tick
        return 5_000
    if venue == "JP":
        for bound, tick in _JP_TICKS:
            if units <= bound:
                return tick
        return 100_000
    if venue == "VN":
        # HNX trading regulation: 100 VND for stocks; HOSE: 10 VND below 10,000, 50 below 50,000, else 100.
        if instrument.market == "HNX":
            return 100
        return 10 if units < 10_000 else 50 if units < 50_000 else 100
    return 1  # CN: 0.01 yuan (SSE and SZSE trading rules for A shares)


def _round_units(instrument: Instrument, value: float) -> int:
    """Nearest point of the tick grid (at least one tick)."""
    units = max(1, int(value))
    tick = _tick_units(instrument, units)
    return max(tick, round(value / tick) * tick)


def _floor_units(instrument: Instrument, units: int) -> int:
    tick = _tick_units(instrument, units)
    return units // tick * tick


def _ceil_units(instrument: Instrument, units: int) -> int:
    tick = _tick_units(instrument, units)
    return -(-units // tick) * tick


def _next_up(instrument: Instrument, units: int) -> int:
    return units + _tick_units(instrument, units)


def _next_down(instrument: Instrument, units: int) -> int:
    return units - _tick_units(instrument, max(1, units - 1))


def _limits_units(instrument: Instrument, prev: int) -> tuple[int, int]:
    """``(lower, upper)`` in units, rounded inward to the grid; ``(0, 0)`` where there is no limit."""
    market = instrument.market
    rate = _LIMIT_RATE.get(market)
    if rate is not None:
        upper = _floor_units(instrument, prev * round(rate * 100 + 100) // 100)
        lower = _ceil_units(instrument, -(-prev * round(100 - rate * 100) // 100))
        return max(lower, _tick_units(instrument, 1)), upper
    if market == "TSE":
        width = 300_000
        for bound, allowed in _JP_LIMITS:
            if prev < bound:
                width = allowed
                break
        return max(1, _ceil_units(instrument, prev - width)), _floor_units(instrument, prev + width)
    return 0, 0


def _decimal(instrument: Instrument, units: int) -> Decimal:
    venue = _VENUE[instrument.market]
    decimals = _DECIMALS[venue]
    if decimals == 0:
        return Decimal(units)
    if venue == "US" and units >= 10_000 and units % 100 == 0:
        return Decimal(units // 100).scaleb(-2)
    return Decimal(units).scaleb(-decimals)


def _units(instrument: Instrument, price: Decimal) -> int:
    return int(price.scaleb(_DECIMALS[_VENUE[instrument.market]]))


# --------------------------------------------------------------------------------------------------------------
# calendars

_SEOUL_ZONE = ZoneInfo("Asia/Seoul")
_INSTRUMENT_CALENDAR = {market: ("KRX" if venue == "KRX" else venue) for market, venue in _VENUE.items()}


# --------------------------------------------------------------------------------------------------------------
# the price process

# (knot spacing in trading days, amplitude of the log-deviation); plus an i.i.d. daily term
_OCTAVES = ((5, 0.015), (20, 0.035), (80, 0.07), (320, 0.12))
_IID = 0.008
_KIND_VOL = {"stock": 1.0, "etf": 0.6, "etn": 0.9}


def _max_daily_move() -> float:
    """Upper bound of the log move between consecutive trading days (smoothstep slope ≤ 1.5, knots in [-3, 3])."""
    return 2 * 3 * _IID + sum(amp * 1.5 * 6 / spacing for spacing, amp in _OCTAVES)


# Smoothstep abscissae of each octave, by position inside a knot interval: t = rest / spacing and 3 - 2t.
_SMOOTH = tuple(
    (tuple(rest / spacing for rest in range(spacing)), tuple(3 - 2 * (rest / spacing) for rest in range(spacing)))
    for spacing, _ in _OCTAVES
)
_TWOPI = 2.0 * math.pi


def _gaussians_inline(rng: random.Random, sigma: float, count: int) -> list[float]:
    # random.Random.gauss (Box–Muller in pairs, the second value cached) without a Python call per variate.
    random_ = rng.random
    cos, sin, log, sqrt, twopi = math.cos, math.sin, math.log, math.sqrt, _TWOPI
    out: list[float] = []
    append = out.append
    for _ in range((count + 1) >> 1):
        x2pi = random_() * twopi
        g2rad = sqrt(-2.0 * log(1.0 - random_()))
        append(0.0 + cos(x2pi) * g2rad * sigma)
        append(0.0 + sin(x2pi) * g2rad * sigma)
    del out[count:]
    return out


def _gaussians(rng: random.Random, sigma: float, count: int) -> list[float]:
    """``[rng.gauss(0.0, sigma) for _ in range(count)]`` from an ``rng`` that has not drawn a Gaussian yet.

    The same values from the same draws; the inline form is used only once it has been seen to reproduce this
    Python's ``gauss`` exactly.
    """
    if _gauss_inlinable():
        return _gaussians_inline(rng, sigma, count)
    gauss = rng.gauss
    return [gauss(0.0, sigma) for _ in range(count)]


@functools.cache
def _gauss_inlinable() -> bool:
    """Whether ``_gaussians_inline`` reproduces this Python's ``random.Random.gauss`` (and its draws) exactly."""
    for seed in (1, 20240101):
        for size in (1, 2, 7):
            reference, inline = random.Random(seed), random.Random(seed)
            expected = [*(reference.gauss(0.0, 1.7) for _ in range(size)), reference.random()]
            if [*_gaussians_inline(inline, 1.7, size), inline.random()] != expected:
                return False
    return True


_PROFILES: dict[int, tuple[float, ...]] = {}


def _volume_profile(n: int) -> tuple[float, ...]:
    """The U-shaped intraday volume weights of an ``n``-minute session (shared by every instrument)."""
    profile = _PROFILES.get(n)
    if profile is None:
        profile = _PROFILES[n] = tuple(1.0 + 6.0 * c * c for c in ((k - 0.5) / n - 0.5 for k in range(1, n + 1)))
    return profile


@dataclass(slots=True)
class _DayBar:
    """Daily OHLCV in units, plus the previous close and the session length in minutes."""

    ordinal: int
    open: int
    high: int
    low: int
    close: int
    volume: int
    amount: int
    prev_close: int
    prev_volume: int
    minutes: int


@dataclass(slots=True)
class _DayPath:
    """The day's minute path. Index k in 1..n is the k-th minute; arrays of length n + 1 (index 0 = the open)."""

    bar: _DayBar
    close: list[int]  # close[k] = price at the end of minute k; close[0] = open
    high: list[int]
    low: list[int]
    volume: list[int]
    amount: list[int]
    run_high: list[int]  # max of high[1..k] and the open
    run_low: list[int]
    cum_volume: list[int]
    cum_amount: list[int]
    way: list[tuple[float, int, float, int]]  # (t1, p1, t2, p2) intra-minute waypoints


@dataclass(slots=True)
class _Position:
    """Where a trading day stands at an instant: ``minute`` complete minutes plus ``frac`` of the next."""

    ordinal: int
    minute: int
    frac: float
    started: bool


class Market:
    """The simulated market behind the emulator: deterministic for a given seed and clock."""

    _CACHE_LIMIT = 200_000
    _PATH_LIMIT = 4_096

    def __init__(
        self,
        clock: Clock,
        *,
        seed: int = 20240101,
        universe: Sequence[Instrument] = UNIVERSE,
        always_open: bool = False,
    ) -> None:
        self.clock = clock
        self.seed = seed
        self.always_open = always_open
        self._universe = tuple(universe)
        self._by_symbol: dict[str, list[Instrument]] = {}
        for instrument in self._universe:
            entries = self._by_symbol.setdefault(instrument.symbol, [])
            if any(other.market == instrument.market for other in entries):
                raise ValueError(f"duplicate instrument {instrument.symbol} on {instrument.market}")
            entries.append(instrument)
        today = self._local_today if always_open else None
        self._calendars = {name: Calendar(name, today) for name in CALENDAR_ZONES}
        # Internal caches are keyed by a small integer per instrument: hashing a dataclass is comparatively slow.
        self._known: list[Instrument] = []
        self._by_id: dict[int, int] = {}
        self._by_value: dict[Instrument, int] = {}
        self._key_list: list[int] = []
        for instrument in self._universe:
            self._ix(instrument)
        self._knots: dict[tuple[int, int, int], float] = {}
        self._raw: dict[tuple[int, int], int] = {}
        self._bars: dict[tuple[int, int], _DayBar] = {}
        self._paths: dict[tuple[int, int], _DayPath] = {}
        self._w52: dict[tuple[int, int], tuple[int, int, int, int]] = {}

    def _local_today(self, zone: ZoneInfo) -> date:
        return self.clock.now().astimezone(zone).date()

    def _ix(self, instrument: Instrument) -> int:
        ix = self._by_id.get(id(instrument))
        if ix is not None and self._known[ix] is instrument:
            return ix
        ix = self._by_value.get(instrument)
        if ix is None:
            ix = len(self._known)
            self._known.append(instrument)
            self._by_value[instrument] = ix
            self._key_list.append(_text_key(f"{self.seed}:{instrument.market}:{instrument.symbol}"))
        self._by_id[id(instrument)] = ix
        return ix

    def _key(self, instrument: Instrument) -> int:
        return self._key_list[self._ix(instrument)]

    # ---------------------------------------------------------------------------------------------- lookup

    def instrument(self, symbol: str, market: str | None = None) -> Instrument | None:
        """Find an instrument by symbol; ``market`` may be an instrument market, EXCD or OVRS_EXCG_CD.

        A ``Q`` prefix (domestic ETN quote code) is accepted. Without ``market`` a domestic listing wins.
        """
        entries = self._by_symbol.get(symbol)
        if entries is None and len(symbol) == 7 and symbol[0] in "QJ":
            entries = self._by_symbol.get(symbol[1:])
        if not entries:
            return None
        if market is None:
            return entries[0]
        wanted = market.upper()
        for instrument in entries:
            if wanted in (instrument.market, instrument.excd, instrument.ovrs_excg_cd):
                return instrument
        calendar = ALIASES.get(wanted)
        for instrument in entries:
            if calendar is not None and _INSTRUMENT_CALENDAR[instrument.market] == (
                "KRX" if calendar == "NXT" else calendar
            ):
                # NASD also means "any US market"; J/UN/NX mean any domestic listing; BAQ/BAY/BAA map to US.
                return instrument
        return None

    def instruments(self) -> Sequence[Instrument]:
        """The whole universe, in order."""
        return self._universe

    def _require(self, symbol: str, market: str | None) -> Instrument:
        instrument = self.instrument(symbol, market)
        if instrument is None:
            raise UnknownSymbol(symbol, market)
        return instrument

    # ---------------------------------------------------------------------------------------------- calendars

    def _calendar(self, market: str) -> Calendar:
        name = ALIASES.get(market.upper())
        if name is None:
            raise ValueError(f"unknown market {market!r}")
        return self._calendars[name]

    def _instrument_calendar(self, instrument: Instrument) -> Calendar:
        return self._calendars[_INSTRUMENT_CALENDAR[instrument.market]]

    def is_trading_day(self, market: str, day: date) -> bool:
        """Whether ``market`` (any alias: KOSPI, KRX, NXT, US, NAS, SEHK, …) trades on local ``day``."""
        return self._calendar(market).is_trading_day(day)

    def session(self, market: str, at: datetime | None = None) -> str:
        """The session ``market`` is in at ``at`` (default: now), judged in the market's own time zone.

        One of ``SESSIONS``; ``always_open`` markets are always ``"regular"``.
        """
        if self.always_open:
            return "regular"
        calendar = self._calendar(market)
        at = self.clock.now() if at is None else at
        local = at.astimezone(calendar.tz)
        second = local.hour * 3600 + local.minute * 60 + local.second
        for start, end, name in calendar.schedule(local.date()):
            if start <= second < end:
                return name
        if calendar.name == "US":
            seoul = at.astimezone(_SEOUL_ZONE)
            kst_second = seoul.hour * 3600 + seoul.minute * 60 + seoul.second
            # The overnight session sold 10:00–16:00 KST belongs to the US trading day of the same date.
            if DAYTIME[0] <= kst_second < DAYTIME[1] and calendar.is_trading_day(seoul.date()):
                return "daytime"
        return "closed"

    def trading_days(self, market: str, start: date, end: date) -> list[date]:
        """Trading days of ``market`` in ``[start, end]``, ascending."""
        return [date.fromordinal(o) for o in self._calendar(market).days(start, end)]

    def previous_trading_day(self, market: str, day: date) -> date:
        """The last trading day of ``market`` strictly before ``day``."""
        return date.fromordinal(self._calendar(market).previous(day.toordinal()))

    # ---------------------------------------------------------------------------------------------- grids

    def tick_size(self, instrument: Instrument, price: Decimal) -> Decimal:
        """The tick size that applies at ``price`` (KRX 2023 table, ETFs 1/5 won, US $0.01/$0.0001, …)."""
        return _decimal(instrument, _tick_units(instrument, max(1, _units(instrument, price))))

    def on_tick(self, instrument: Instrument, price: Decimal) -> bool:
        """Whether ``price`` is a positive point of the instrument's tick grid."""
        units = price.scaleb(_DECIMALS[_VENUE[instrument.market]])
        if units != units.to_integral_value() or units <= 0:
            return False
        return int(units) % _tick_units(instrument, int(units)) == 0

    def round_price(self, instrument: Instrument, price: Decimal, direction: str = "nearest") -> Decimal:
        """``price`` moved onto the tick grid: ``"nearest"``, ``"down"`` or ``"up"``."""
        exact = price.scaleb(_DECIMALS[_VENUE[instrument.market]])
        if direction == "down":
            return _decimal(instrument, max(1, _floor_units(instrument, int(exact))))
        if direction == "up":
            return _decimal(instrument, _ceil_units(instrument, math.ceil(exact)))
        return _decimal(instrument, _round_units(instrument, float(exact)))

    def price_limits(self, instrument: Instrument, day: date | None = None) -> PriceLimits:
        """Daily price limits ``(lower, upper)`` of local ``day`` (default: the current trading day).

        Computed from the previous close and rounded inward to the tick grid (KRX ±30 %, SSE/SZSE ±10 %, HOSE
        ±7 %, HNX ±10 %, Tokyo's table); ``(0, 0)`` where the market has no daily limit (US, Hong Kong).
        """
        calendar = self._instrument_calendar(instrument)
        ordinal = self._current(instrument).ordinal if day is None else calendar.latest(day.toordinal())
        lower, upper = _limits_units(instrument, self._bar(instrument, ordinal).prev_close)
        return PriceLimits(_decimal(instrument, lower), _decimal(instrument, upper))

    # ---------------------------------------------------------------------------------------------- the process

    def _anchor(self, instrument: Instrument) -> float:
        return float(instrument.base_price.scaleb(_DECIMALS[_VENUE[instrument.market]]))

    def _knot(self, key: int, octave: int, knot: int) -> float:
        cache_key = (key, octave, knot)
        value = self._knots.get(cache_key)
        if value is None:
            if len(self._knots) > self._CACHE_LIMIT:
                self._knots.clear()
            value = self._knots[cache_key] = _tri(_h(key, 101 + octave, knot))
        return value

    def _raw_closes(self, instrument: Instrument, first: int, count: int) -> list[int]:
        """Closes of ``count`` consecutive trading-day indexes before any limit clamp (see the module docstring)."""
        ix = self._ix(instrument)
        raw = self._raw
        known = [raw.get((ix, index)) for index in range(first, first + count)]
        if None not in known:
            return cast("list[int]", known)
        if len(raw) > self._CACHE_LIMIT:
            raw.clear()
        result = [_round_units(instrument, value) for value in self._raw_values(instrument, first, count)]
        for index, value in enumerate(result, first):
            raw[(ix, index)] = value
        return result

    def _raw_values(self, instrument: Instrument, first: int, count: int) -> list[float]:
        """The raw closes of ``count`` consecutive trading-day indexes before rounding to the tick grid."""
        key = self._key(instrument)
        # The log-deviation term by term, in the order of the sum: the i.i.d. daily term, then each octave's
        # smoothstep between its knots. Each term is a list over the indexes; the float operations, and their
        # order, are those of computing one index at a time.
        terms = [[_IID * tri for tri in _tris(key, 100, first, count)]]
        for octave, ((spacing, amplitude), (ts, us)) in enumerate(zip(_OCTAVES, _SMOOTH, strict=True)):
            values: list[float] = []
            index, end = first, first + count
            while index < end:
                knot, rest = divmod(index, spacing)
                stop = min(end, index - rest + spacing)
                left, right = self._knot(key, octave, knot), self._knot(key, octave, knot + 1)
                delta = right - left
                values += [
                    amplitude * (left + delta * t * t * u)
                    for t, u in zip(ts[rest : rest + stop - index], us[rest : rest + stop - index], strict=True)
                ]
                index = stop
            terms.append(values)
        anchor = self._anchor(instrument)
        volatility = _VOL[_VENUE[instrument.market]] * _KIND_VOL[instrument.kind]
        exp = math.exp
        return [
            anchor * exp((daily + first_octave + second + third + fourth) * volatility)
            for daily, first_octave, second, third, fourth in zip(*terms, strict=True)
        ]

    def _bar(self, instrument: Instrument, ordinal: int) -> _DayBar:
        cache_key = (self._ix(instrument), ordinal)
        bar = self._bars.get(cache_key)
        if bar is not None:
            return bar
        if len(self._bars) > self._CACHE_LIMIT:
            self._bars.clear()
        calendar = self._instrument_calendar(instrument)
        day = date.fromordinal(ordinal)
        minutes = calendar.minutes(day)
        index = calendar.index(ordinal)
        if instrument.halted:
            price = _round_units(instrument, self._anchor(instrument))
            bar = _DayBar(ordinal, price, price, price, price, 0, 0, price, 0, minutes)
            self._bars[cache_key] = bar
            return bar
        prev, open_, high, low, close = self._prices(instrument, ordinal, index, minutes)
        volume = self._volume(instrument, ordinal, minutes)
        amount = volume * (open_ + high + low + close) // 4
        previous = calendar.previous(ordinal)
        prev_volume = self._volume(instrument, previous, calendar.minutes(date.fromordinal(previous)))
        bar = _DayBar(ordinal, open_, high, low, close, volume, amount, prev, prev_volume, minutes)
        self._bars[cache_key] = bar
        return bar

    def _prices(self, instrument: Instrument, ordinal: int, index: int, minutes: int) -> tuple[int, int, int, int, int]:
        """``(previous close, open, high, low, close)`` of a trading day (not halted), in units."""
        key = self._key(instrument)
        prev, raw_close = self._raw_closes(instrument, index - 1, 2)
        lower, upper = _limits_units(instrument, prev)
        ceiling = upper if upper else 1 << 62

        def clamp(units: int) -> int:
            return min(max(units, lower, 1), ceiling)

        close = clamp(raw_close)
        scale = _VOL[_VENUE[instrument.market]] * _KIND_VOL[instrument.kind]
        h_open, h_high, h_low = (_h(key, 200 + part, ordinal) for part in range(3))
        open_ = clamp(_round_units(instrument, prev * math.exp(0.004 * scale * _tri(h_open))))
        high = clamp(_round_units(instrument, max(open_, close) * math.exp(0.012 * scale * _unit(h_high))))
        low = clamp(_round_units(instrument, min(open_, close) * math.exp(-0.012 * scale * _unit(h_low))))
        high = max(high, open_, close)
        low = min(low, open_, close)
        if minutes < 3:  # too short to place the extremes inside the session
            high, low = max(open_, close), min(open_, close)
        return prev, open_, high, low, close

    def _extremes(self, instrument: Instrument, ordinal: int) -> tuple[int, int]:
        """``(high, low)`` of a trading day: the bar's, without building the whole bar (no volumes)."""
        bar = self._bars.get((self._ix(instrument), ordinal))
        if bar is not None:
            return bar.high, bar.low
        calendar = self._instrument_calendar(instrument)
        minutes = calendar.minutes(date.fromordinal(ordinal))
        _, _, high, low, _ = self._prices(instrument, ordinal, calendar.index(ordinal), minutes)
        return high, low

    def _volume(self, instrument: Instrument, ordinal: int, minutes: int) -> int:
        """The day's volume: hashed around a turnover of 0.25 % of listed shares, in whole lots."""
        if not minutes or instrument.halted:
            return 0
        lot = instrument.lot_size
        typical_lots = max(minutes, instrument.listed_shares // 400 // lot)
        return int(typical_lots * math.exp(0.35 * _tri(_h(self._key(instrument), 203, ordinal)))) * lot

    def _path(self, instrument: Instrument, ordinal: int) -> _DayPath:
        cache_key = (self._ix(instrument), ordinal)
        path = self._paths.get(cache_key)
        if path is not None:
            return path
        if len(self._paths) > self._PATH_LIMIT:
            self._paths.clear()
        bar = self._bar(instrument, ordinal)
        path = self._build_path(instrument, bar)
        self._paths[cache_key] = path
        return path

    def _build_path(self, instrument: Instrument, bar: _DayBar) -> _DayPath:
        # Every value here is pinned by the seed: the random draws, their order and the float expressions are
        # those of the straightforward per-minute loop (tests/emulator/test_market_reference.py keeps a copy of it);
        # only the bookkeeping runs in comprehensions and itertools instead of Python statements per minute.
        n = bar.minutes
        key = self._key(instrument)
        rng = random.Random(_h(key, 300, bar.ordinal))
        open_, high, low = bar.open, bar.high, bar.low
        anchors = {0: open_, n: bar.close}
        if n >= 3 and high != low:
            at_high = rng.randrange(1, n)
            at_low = rng.randrange(1, n - 1)
            if at_low >= at_high:
                at_low += 1
            anchors[at_high] = high
            anchors[at_low] = low
        points = sorted(anchors.items())
        sigma = (high - low) / (2.0 * math.sqrt(max(n, 1)))
        tick = _tick_units(instrument, low)
        # Tick tables grow with price, so one tick at both ends means one tick for the whole day: round inline.
        flat = tick == _tick_units(instrument, high)
        # Brownian bridges between the anchors. The segments draw their n steps back to back: draw them at once.
        steps = _gaussians(rng, sigma, n)
        close = [open_] * (n + 1)
        used = 0
        for (start, start_price), (end, end_price) in pairwise(points):
            span = end - start
            walk = list(accumulate(steps[used : used + span], initial=0.0))
            used += span
            slope = (end_price - start_price - walk[-1]) / span
            if flat:
                close[start + 1 : end] = [
                    low
                    if (units := round((start_price + slope * step + level) / tick) * tick) < low
                    else high
                    if units > high
                    else units
                    for step, level in zip(range(1, span), islice(walk, 1, span), strict=False)
                ]
            else:
                for step in range(1, span):
                    units = _round_units(instrument, start_price + slope * step + walk[step])
                    close[start + step] = low if units < low else high if units > high else units
            close[end] = end_price
        # Each minute: a hashed extension of its range beyond open/close, and two waypoints inside it.
        highs = [open_]
        lows = [open_]
        run_high = [open_]
        run_low = [open_]
        prices: list[int] = []  # first + top + bottom + last of each minute: its share of the day's amount
        way: list[tuple[float, int, float, int]] = [(0.0, open_, 0.0, open_)]
        add_high, add_low, add_peak, add_trough = highs.append, lows.append, run_high.append, run_low.append
        add_prices, add_way = prices.append, way.append
        random_ = rng.random
        bits_of = rng.getrandbits
        peak = trough = first = open_
        for last in islice(close, 1, None):
            top, bottom = (first, last) if first >= last else (last, first)
            bits = bits_of(5)
            grow, shrink = bits & 3, (bits >> 2) & 3
            if flat:  # up to two ticks beyond the range (3 counts as none), within the day's high and low
                if grow in (1, 2) and top + tick <= high:
                    top += tick
                    if grow == 2 and top + tick <= high:
                        top += tick
                if shrink in (1, 2) and bottom - tick >= low:
                    bottom -= tick
                    if shrink == 2 and bottom - tick >= low:
                        bottom -= tick
            else:
                for _ in range(grow if grow < 3 else 0):
                    up = _next_up(instrument, top)
                    if up <= high:
                        top = up
                for _ in range(shrink if shrink < 3 else 0):
                    down = _next_down(instrument, bottom)
                    if down >= low:
                        bottom = down
            add_high(top)
            add_low(bottom)
            peak = top if top > peak else peak  # not max(): a builtin call per minute costs more
            trough = bottom if bottom < trough else trough
            add_peak(peak)
            add_trough(trough)
            add_prices(first + top + bottom + last)
            t1 = 0.1 + 0.35 * random_()
            t2 = 0.55 + 0.35 * random_()
            add_way((t1, top, t2, bottom) if bits & 16 else (t1, bottom, t2, top))
            first = last
        # Volume: U-shaped intraday profile with hashed noise, allocated in whole lots by cumulative rounding.
        lot = instrument.lot_size
        total_lots = bar.volume // lot
        weights = [shape * (0.5 + random_()) for shape in _volume_profile(n)]
        weight_sum = sum(weights) or 1.0
        cum_volume = [0]
        cum_volume += [round(total_lots * acc / weight_sum) * lot for acc in accumulate(weights)]
        volume = [0]
        volume += map(operator.sub, islice(cum_volume, 1, None), cum_volume)
        cum_volume[-1] = bar.volume
        volume[-1] = bar.volume - cum_volume[-2] if n else 0
        # Amount: the day's amount shared by volume × the minute's four prices, by cumulative flooring.
        value_weights = list(map(operator.mul, islice(volume, 1, None), prices))
        value_sum = sum(value_weights)
        total_amount = bar.amount
        cum_amount = [0]
        if value_sum:
            cum_amount += [total_amount * acc // value_sum for acc in accumulate(value_weights)]
        else:
            cum_amount += [0] * n
        amount = [0]
        amount += map(operator.sub, islice(cum_amount, 1, None), cum_amount)
        return _DayPath(bar, close, highs, lows, volume, amount, run_high, run_low, cum_volume, cum_amount, way)

    # ---------------------------------------------------------------------------------------------- positions

    def _position(self, instrument: Instrument, at: datetime) -> _Position:
        calendar = self._instrument_calendar(instrument)
        local = at.astimezone(calendar.tz)
        day = local.date()
        if not calendar.is_trading_day(day):
            ordinal = calendar.previous(day.toordinal())
            return _Position(ordinal, calendar.minutes(date.fromordinal(ordinal)), 0.0, True)
        second = local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6
        elapsed = 0.0
        segments = calendar.regular(day)
        if not segments or second < segments[0][0]:
            return _Position(day.toordinal(), 0, 0.0, False)
        for start, end in segments:
            if second >= end:
                elapsed += end - start
            elif second >= start:
                elapsed += second - start
                break
            else:
                break
        minute, rest = divmod(elapsed, 60.0)
        n = calendar.minutes(day)
        if minute >= n:
            return _Position(day.toordinal(), n, 0.0, True)
        return _Position(day.toordinal(), int(minute), rest / 60.0, True)

    def _current(self, instrument: Instrument, at: datetime | None = None) -> _Position:
        return self._position(instrument, self.clock.now() if at is None else at)

    @staticmethod
    def _intra(path: _DayPath, k: int, frac: float) -> tuple[float, int, int]:
        """(exact price, highest and lowest waypoint passed) inside minute ``k`` after ``frac`` of it."""
        first, last = path.close[k - 1], path.close[k]
        t1, p1, t2, p2 = path.way[k]
        if frac < t1:
            return first + (p1 - first) * frac / t1, first, first
        if frac < t2:
            return p1 + (p2 - p1) * (frac - t1) / (t2 - t1), max(first, p1), min(first, p1)
        return p2 + (last - p2) * (frac - t2) / (1.0 - t2), max(first, p1, p2), min(first, p1, p2)

    def _state(self, instrument: Instrument, position: _Position) -> tuple[int, int, int, int, int, int]:
        """(price, open, high, low, volume, amount) of the day at ``position``, in units."""
        bar = self._bar(instrument, position.ordinal)
        if not position.started:
            return bar.prev_close, bar.prev_close, bar.prev_close, bar.prev_close, 0, 0
        if instrument.halted:
            return bar.close, bar.open, bar.high, bar.low, 0, 0
        if position.minute >= bar.minutes >= 1:
            # A complete session ends where its path ends: on the bar's close, its running extremes at the bar's
            # high and low (the path touches both), volume and amount shared out in full. No path needed, as
            # for the daily bar of a finished day (_daily).
            return bar.close, bar.open, bar.high, bar.low, bar.volume, bar.amount
        path = self._path(instrument, position.ordinal)
        k, frac = position.minute, position.frac
        if k >= path.bar.minutes or frac <= 0.0:
            return (
                path.close[k],
                path.bar.open,
                path.run_high[k],
                path.run_low[k],
                path.cum_volume[k],
                path.cum_amount[k],
            )
        value, top, bottom = self._intra(path, k + 1, frac)
        price = min(max(_round_units(instrument, value), path.low[k + 1]), path.high[k + 1])
        top, bottom = max(top, price), min(bottom, price)
        volume = path.volume[k + 1]
        lot = instrument.lot_size
        part = int(volume // lot * frac) * lot
        amount = path.amount[k + 1] * part // volume if volume else 0
        return (
            price,
            path.bar.open,
            max(path.run_high[k], top),
            min(path.run_low[k], bottom),
            path.cum_volume[k] + part,
            path.cum_amount[k] + amount,
        )

    # ---------------------------------------------------------------------------------------------- snapshots

    def _week52(self, instrument: Instrument, ordinal: int) -> tuple[int, int, int, int]:
        """(high, its ordinal, low, its ordinal) over the trading days of the year before ``ordinal``.

        Only the daily closes are scanned; a day's exact high (low) is computed only when a bound on it from the
        closes around it could still beat the best found, which keeps a cold quote cheap.
        """
        cache_key = (self._ix(instrument), ordinal)
        cached = self._w52.get(cache_key)
        if cached is not None:
            return cached
        if len(self._w52) > self._CACHE_LIMIT:
            self._w52.clear()
        calendar = self._instrument_calendar(instrument)
        days = calendar.days(date.fromordinal(ordinal - 364), date.fromordinal(ordinal - 1))
        if not days or instrument.halted:
            bar = self._bar(instrument, ordinal)
            previous = calendar.previous(ordinal)
            result = (bar.prev_close, previous, bar.prev_close, previous)
            self._w52[cache_key] = result
            return result
        first, count = calendar.index(days[0]), len(days)
        # Day i (trading-day index first + i) is bounded through the raw closes c, c' of indexes first + i − 1 and
        # first + i: open ≤ c·e^(0.012·s) and high ≤ max(open, c')·e^(0.012·s), so high ≤ next_up(int(max(c, c')·
        # e^(0.025·s)) + 1) (one tick of slack covers rounding); low ≥ next_down(int(min(c, c')·e^(−0.025·s))) alike.
        # A raw close is its unrounded value x on the grid, so within one tick (at the window's highest x) of x;
        # widening by that tick, and next_up/next_down by the tick at the highest bound (ticks grow with price),
        # makes every day's bound a float expression of x. Days are visited best bound first, and a day's high
        # (low) is computed only while its bound can still beat or tie the best found: a few days, not the year.
        scale = _VOL[_VENUE[instrument.market]] * _KIND_VOL[instrument.kind]
        grow, shrink = math.exp(0.025 * scale), math.exp(-0.025 * scale)
        values = self._raw_values(instrument, first - 1, count + 1)
        slack = _tick_units(instrument, int(max(values)) + 1)  # |rounded − x| ≤ one tick at x ≤ this one
        limit = _tick_units(instrument, int((max(values) + slack) * grow) + 1)  # ≥ every next_up/next_down step
        pairs = list(pairwise(values))
        uppers = [int(((a if a >= b else b) + slack) * grow) + 1 + limit for a, b in pairs]
        lowers = [int(((a if a <= b else b) - slack) * shrink) - limit for a, b in pairs]
        ix, raw = self._ix(instrument), self._raw
        if len(raw) > self._CACHE_LIMIT:
            raw.clear()

        def extremes(i: int) -> tuple[int, int]:
            for j in (i, i + 1):  # the day's raw closes, rounded as _raw_closes rounds them
                if (ix, first - 1 + j) not in raw:
                    raw[(ix, first - 1 + j)] = _round_units(instrument, values[j])
            return self._extremes(instrument, days[i])

        high, high_day = -1, days[-1]
        for i in sorted(range(count), key=uppers.__getitem__, reverse=True):
            if uppers[i] < high:
                break
            day_high = extremes(i)[0]
            if day_high > high or (day_high == high and days[i] > high_day):
                high, high_day = day_high, days[i]
        low, low_day = 1 << 62, days[-1]
        for i in sorted(range(count), key=lowers.__getitem__):
            if lowers[i] > low:
                break
            day_low = extremes(i)[1]
            if day_low < low or (day_low == low and days[i] > low_day):
                low, low_day = day_low, days[i]
        result = (high, high_day, low, low_day)
        self._w52[cache_key] = result
        return result

    def _fundamentals(self, instrument: Instrument, price: int) -> tuple[Decimal, Decimal, Decimal, Decimal]:
        if instrument.kind != "stock":
            zero = Decimal("0.00")
            return Decimal(0), Decimal(0), zero, zero
        key = self._key(instrument)
        anchor = self._anchor(instrument)
        per_target = 6.0 + 24.0 * _unit(_h(key, 500))
        pbr_target = 0.5 + 2.5 * _unit(_h(key, 501))
        decimals = _DECIMALS[_VENUE[instrument.market]]
        eps_units = max(1, int(anchor / per_target))
        bps_units = max(1, int(anchor / pbr_target))
        places = Decimal(1).scaleb(-min(decimals, 2))
        eps = Decimal(eps_units).scaleb(-decimals).quantize(places)
        bps = Decimal(bps_units).scaleb(-decimals).quantize(places)
        cent = Decimal("0.01")
        per = (Decimal(price) / eps_units).quantize(cent)
        pbr = (Decimal(price) / bps_units).quantize(cent)
        return eps, bps, per, pbr

    def quote(self, symbol: str, market: str | None = None) -> Quote:
        """The instrument's current quote. Raises ``UnknownSymbol``."""
        instrument = self._require(symbol, market)
        return self.quote_at(instrument, self.clock.now())

    def quote_at(self, instrument: Instrument, at: datetime) -> Quote:
        """The quote of ``instrument`` at an arbitrary instant ``at``."""
        position = self._position(instrument, at)
        bar = self._bar(instrument, position.ordinal)
        price, open_, high, low, volume, amount = self._state(instrument, position)
        lower, upper = _limits_units(instrument, bar.prev_close)
        if instrument.halted:
            ask = bid = 0
        else:
            bid = price
            ask = _next_up(instrument, price)
            if upper and ask > upper:
                ask = 0
        w52_high, w52_high_day, w52_low, w52_low_day = self._week52(instrument, position.ordinal)
        if position.started and high >= w52_high:
            w52_high, w52_high_day = high, position.ordinal
        if position.started and low <= w52_low:
            w52_low, w52_low_day = low, position.ordinal
        eps, bps, per, pbr = self._fundamentals(instrument, price)
        dec = _decimal
        return Quote(
            instrument=instrument,
            time=at.astimezone(UTC),
            session=self.session(instrument.market, at),
            price=dec(instrument, price),
            open=dec(instrument, open_),
            high=dec(instrument, high),
            low=dec(instrument, low),
            prev_close=dec(instrument, bar.prev_close),
            volume=volume,
            amount=dec(instrument, amount),
            prev_volume=bar.prev_volume,
            upper_limit=dec(instrument, upper),
            lower_limit=dec(instrument, lower),
            tick=dec(instrument, _tick_units(instrument, price)),
            ask=dec(instrument, ask),
            bid=dec(instrument, bid),
            week52_high=dec(instrument, w52_high),
            week52_high_date=date.fromordinal(w52_high_day),
            week52_low=dec(instrument, w52_low),
            week52_low_date=date.fromordinal(w52_low_day),
            eps=eps,
            bps=bps,
            per=per,
            pbr=pbr,
            halted=instrument.halted,
            trading_day=date.fromordinal(position.ordinal),
        )

    def day_state(self, instrument: Instrument, at: datetime) -> DayState:
        """The day's figures of ``instrument`` at ``at``: :meth:`quote_at` without the 52-week range and the rest.

        During a session a cold instrument still needs its day's minute path (price, volume and amount come from
        it), but never the year of daily bars behind the 52-week range.
        """
        position = self._position(instrument, at)
        bar = self._bar(instrument, position.ordinal)
        price, open_, high, low, volume, amount = self._state(instrument, position)
        dec = _decimal
        return DayState(
            instrument=instrument,
            time=at.astimezone(UTC),
            trading_day=date.fromordinal(position.ordinal),
            price=dec(instrument, price),
            open=dec(instrument, open_),
            high=dec(instrument, high),
            low=dec(instrument, low),
            prev_close=dec(instrument, bar.prev_close),
            volume=volume,
            amount=dec(instrument, amount),
            prev_volume=bar.prev_volume,
        )

    def previous_close(self, instrument: Instrument, at: datetime | None = None) -> tuple[Decimal, int]:
        """``(prev_close, prev_volume)`` of the quote at ``at`` (default: now), from the day's bar alone."""
        bar = self._bar(instrument, self._current(instrument, at).ordinal)
        return _decimal(instrument, bar.prev_close), bar.prev_volume

    def orderbook(self, symbol: str, market: str | None = None, depth: int = 10) -> OrderBook:
        """The displayed book around the last price: ``depth`` levels a side, quantities in whole lots.

        The best bid is the last price and the best ask one tick above; levels stop at the daily limits. A
        halted instrument has an empty book. Quantities are hashed per second of trading time, so they stay
        fixed while the market is closed.
        """
        instrument = self._require(symbol, market)
        now = self.clock.now()
        position = self._position(instrument, now)
        stamp = now.astimezone(UTC).replace(microsecond=0)
        if instrument.halted or depth <= 0:
            return OrderBook(stamp, (), ())
        bar = self._bar(instrument, position.ordinal)
        price = self._state(instrument, position)[0]
        lower, upper = _limits_units(instrument, bar.prev_close)
        bucket = position.minute * 60 + int(position.frac * 60) if position.started else -1
        key = self._key(instrument)
        lot = instrument.lot_size
        base_lots = max(1, bar.volume // lot // max(bar.minutes, 1) // 2) if bar.minutes else 10

        def qty(side: int, level: int) -> int:
            u = _unit(_h(key, 400 + side, position.ordinal, bucket * 64 + level))
            return (1 + int(base_lots * (0.2 + 1.8 * u))) * lot

        bids: list[BookLevel] = []
        level_price = price
        while len(bids) < depth and level_price >= max(lower, 1):
            bids.append(BookLevel(_decimal(instrument, level_price), qty(0, len(bids))))
            level_price = _next_down(instrument, level_price)
        asks: list[BookLevel] = []
        level_price = _next_up(instrument, price)
        while len(asks) < depth and (not upper or level_price <= upper):
            asks.append(BookLevel(_decimal(instrument, level_price), qty(1, len(asks))))
            level_price = _next_up(instrument, level_price)
        return OrderBook(stamp, tuple(asks), tuple(bids))

    # ---------------------------------------------------------------------------------------------- bars

    def _midnight(self, instrument: Instrument, ordinal: int) -> datetime:
        return datetime.combine(date.fromordinal(ordinal), time(0), tzinfo=instrument.timezone)

    def _daily(self, instrument: Instrument, ordinal: int, position: _Position) -> Bar | None:
        if ordinal > position.ordinal or (ordinal == position.ordinal and not position.started):
            return None
        if ordinal == position.ordinal and position.minute < self._bar(instrument, ordinal).minutes:
            price, open_, high, low, volume, amount = self._state(instrument, position)
        else:
            bar = self._bar(instrument, ordinal)
            price, open_, high, low, volume, amount = bar.close, bar.open, bar.high, bar.low, bar.volume, bar.amount
        dec = _decimal
        return Bar(
            self._midnight(instrument, ordinal),
            dec(instrument, open_),
            dec(instrument, high),
            dec(instrument, low),
            dec(instrument, price),
            volume,
            dec(instrument, amount),
        )

    def daily_bars(
        self,
        symbol: str,
        start: date,
        end: date,
        *,
        period: str = "D",
        adjusted: bool = True,
        market: str | None = None,
    ) -> list[Bar]:
        """Bars of trading days in ``[start, end]``, ascending; today's bar is the session so far.

        ``period`` ``D``/``W``/``M``/``Y`` aggregates days by ISO week, month or year (clipped to the range); an
        aggregated bar is stamped with its first trading day. There are no corporate actions in the
        simulation, so ``adjusted`` changes nothing.
        """
        del adjusted  # no splits or dividends are simulated
        if period not in ("D", "W", "M", "Y"):
            raise ValueError(f"period must be D, W, M or Y, got {period!r}")
        instrument = self._require(symbol, market)
        position = self._current(instrument)
        calendar = self._instrument_calendar(instrument)
        days: list[Bar] = []
        for ordinal in calendar.days(start, end):
            bar = self._daily(instrument, ordinal, position)
            if bar is None:
                break
            days.append(bar)
        if period == "D":
            return days
        return _aggregate(days, period)

    def _minute_time(self, instrument: Instrument, day: date, minute: int) -> datetime:
        """Local start time of the session's ``minute``-th minute (0-based)."""
        remaining = minute * 60
        for start, end in self._instrument_calendar(instrument).regular(day):
            if remaining < end - start:
                second = start + remaining
                return datetime.combine(day, time(0), tzinfo=instrument.timezone) + timedelta(seconds=second)
            remaining -= end - start
        raise ValueError(f"minute {minute} is outside the session of {day}")

    def minute_bars(
        self,
        symbol: str,
        day: date,
        *,
        interval: int = 1,
        until: datetime | None = None,
        market: str | None = None,
    ) -> list[Bar]:
        """Regular-session bars of local ``day``, ascending, stamped at each bar's first minute.

        Only minutes that have begun by ``until`` (default: now) are returned; the last bar may be partial, and
        then its close is the current price. ``interval`` groups consecutive minutes from the open.
        """
        if interval < 1:
            raise ValueError(f"interval must be positive, got {interval}")
        instrument = self._require(symbol, market)
        calendar = self._instrument_calendar(instrument)
        ordinal = day.toordinal()
        if not calendar.is_trading_day(day):
            return []
        position = self._current(instrument, until)
        if ordinal > position.ordinal or (ordinal == position.ordinal and not position.started):
            return []
        path = self._path(instrument, ordinal)
        n = path.bar.minutes
        if ordinal < position.ordinal:
            complete, partial = n, None
        else:
            complete = position.minute
            partial = None
            if complete < n and position.frac > 0.0:
                state = self._state(instrument, position)
                price = state[0]
                _, top, bottom = self._intra(path, complete + 1, position.frac)
                top, bottom = max(top, price), min(bottom, price)
                part_volume = state[4] - path.cum_volume[complete]
                part_amount = state[5] - path.cum_amount[complete]
                partial = (path.close[complete], top, bottom, price, part_volume, part_amount)
        rows: list[tuple[int, int, int, int, int, int, int]] = [
            (k - 1, path.close[k - 1], path.high[k], path.low[k], path.close[k], path.volume[k], path.amount[k])
            for k in range(1, complete + 1)
        ]
        if partial is not None:
            rows.append((complete, *partial))
        bars: list[Bar] = []
        dec = _decimal
        for first in range(0, len(rows), interval):
            group = rows[first : first + interval]
            bars.append(
                Bar(
                    self._minute_time(instrument, day, group[0][0]).astimezone(instrument.timezone),
                    dec(instrument, group[0][1]),
                    dec(instrument, max(row[2] for row in group)),
                    dec(instrument, min(row[3] for row in group)),
                    dec(instrument, group[-1][4]),
                    sum(row[5] for row in group),
                    dec(instrument, sum(row[6] for row in group)),
                )
            )
        return bars

    def traded_range(self, instrument: Instrument, start: datetime, end: datetime) -> TradedRange | None:
        """Lowest and highest price traded, and the volume, in ``(start, end]``; ``None`` if nothing traded.

        The matching engine uses this to fill resting limit orders the price has crossed since its last step.
        """
        if end <= start or instrument.halted:
            return None
        calendar = self._instrument_calendar(instrument)
        first = self._position(instrument, start)
        last = self._position(instrument, end)
        low = high = volume = 0
        for ordinal in calendar.days(date.fromordinal(first.ordinal), date.fromordinal(last.ordinal)):
            if ordinal == last.ordinal and not last.started:
                continue
            path = self._path(instrument, ordinal)
            # Before the open the first price traded is the open print at minute 0.
            begin = (first.minute, first.frac) if ordinal == first.ordinal and first.started else (0, 0.0)
            finish = (last.minute, last.frac) if ordinal == last.ordinal else (path.bar.minutes, 0.0)
            if finish <= begin:
                continue
            prices = self._range_in_day(instrument, path, begin, finish)
            low = min(prices) if not low else min(low, *prices)
            high = max(high, *prices)
            volume += self._cum_volume(instrument, path, finish) - self._cum_volume(instrument, path, begin)
        if not high:
            return None
        return TradedRange(_decimal(instrument, low), _decimal(instrument, high), volume)

    def _cum_volume(self, instrument: Instrument, path: _DayPath, at: tuple[int, float]) -> int:
        minute, frac = at
        if minute >= path.bar.minutes or frac <= 0.0:
            return path.cum_volume[minute]
        lot = instrument.lot_size
        return path.cum_volume[minute] + int(path.volume[minute + 1] // lot * frac) * lot

    def _price_at(self, instrument: Instrument, path: _DayPath, at: tuple[int, float]) -> int:
        minute, frac = at
        if minute >= path.bar.minutes or frac <= 0.0:
            return path.close[minute]
        value = self._intra(path, minute + 1, frac)[0]
        return min(max(_round_units(instrument, value), path.low[minute + 1]), path.high[minute + 1])

    def _range_in_day(
        self, instrument: Instrument, path: _DayPath, begin: tuple[int, float], finish: tuple[int, float]
    ) -> list[int]:
        """Every price the path visits between two positions of one day (``begin < finish``)."""
        prices = [self._price_at(instrument, path, begin), self._price_at(instrument, path, finish)]
        (k0, f0), (k1, f1) = begin, finish
        if k0 == k1:
            t1, p1, t2, p2 = path.way[k0 + 1]
            prices += [p for t, p in ((t1, p1), (t2, p2)) if f0 < t <= f1]
            return prices
        if f0 > 0.0:  # the rest of the first, partly elapsed minute
            t1, p1, t2, p2 = path.way[k0 + 1]
            prices += [p for t, p in ((t1, p1), (t2, p2)) if t > f0]
            prices.append(path.close[k0 + 1])
            k0 += 1
        for k in range(k0 + 1, k1 + 1):  # whole minutes
            prices += (path.high[k], path.low[k])
        if f1 > 0.0 and k1 < path.bar.minutes:
            t1, p1, t2, p2 = path.way[k1 + 1]
            prices += [p for t, p in ((t1, p1), (t2, p2)) if t <= f1]
        return prices


@dataclass(frozen=True, slots=True)
class TradedRange:
    """Prices and volume traded over an interval (``Market.traded_range``)."""

    low: Decimal
    high: Decimal
    volume: int


def _aggregate(days: list[Bar], period: str) -> list[Bar]:
    groups: dict[tuple[int, int], list[Bar]] = {}
    for bar in days:
        day = bar.time.date()
        if period == "W":
            iso = day.isocalendar()
            group = (iso.year, iso.week)
        elif period == "M":
            group = (day.year, day.month)
        else:
            group = (day.year, 0)
        groups.setdefault(group, []).append(bar)
    return [
        Bar(
            members[0].time,
            members[0].open,
            max(bar.high for bar in members),
            min(bar.low for bar in members),
            members[-1].close,
            sum(bar.volume for bar in members),
            sum((bar.amount for bar in members), Decimal(0)),
        )
        for members in groups.values()
    ]
