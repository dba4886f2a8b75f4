"""The price process: closed-form daily bars, minute paths and the state of a day at an instant, all cached.

See :mod:`pykis.emulator.market` for the model.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from datetime import date, datetime
from itertools import pairwise
from typing import cast
from zoneinfo import ZoneInfo

from pykis.emulator.calendar import ALIASES, CALENDAR_ZONES, Calendar
from pykis.emulator.clock import Clock
from pykis.emulator.instruments import UNIVERSE, Instrument
from pykis.emulator.market.grid import (
    _DECIMALS,
    _INSTRUMENT_CALENDAR,
    _VENUE,
    _limits_units,
    _round_units,
    _tick_units,
)
from pykis.emulator.market.noise import _IID, _KIND_VOL, _OCTAVES, _SMOOTH, _VOL, _h, _text_key, _tri, _tris, _unit
from pykis.emulator.market.paths import _DayBar, _DayPath, _Position, build_path, intra

__all__ = ["PriceProcess"]


class PriceProcess:
    """Day bars, minute paths and intraday state of every instrument, cached; the base of ``Market``.

    Methods work in minimal units and local trading-day ordinals; ``Market`` turns them into what clients read.
    """

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

    # ---------------------------------------------------------------------------------------------- calendars

    def _calendar(self, market: str) -> Calendar:
        name = ALIASES.get(market.upper())
        if name is None:
            raise ValueError(f"unknown market {market!r}")
        return self._calendars[name]

    def _instrument_calendar(self, instrument: Instrument) -> Calendar:
        return self._calendars[_INSTRUMENT_CALENDAR[instrument.market]]

    # ---------------------------------------------------------------------------------------------- daily bars

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
        return build_path(instrument, bar, random.Random(_h(self._key(instrument), 300, bar.ordinal)))

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
        value, top, bottom = intra(path, k + 1, frac)
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

    # ---------------------------------------------------------------------------------------------- 52 weeks

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
