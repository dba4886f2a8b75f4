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

Modules: ``values`` (what the market hands out), ``grid`` (ticks, limits, units), ``noise`` (keyed hashes and
variates), ``paths`` (one day's minute path), ``process`` (bars, paths and intraday state, cached) and ``core``
(``Market``: lookup, sessions, quotes, books, bars).
"""

from pykis.emulator.market.core import Market
from pykis.emulator.market.values import (
    SESSIONS,
    Bar,
    BookLevel,
    DayState,
    OrderBook,
    PriceLimits,
    Quote,
    TradedRange,
    UnknownSymbol,
)

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
