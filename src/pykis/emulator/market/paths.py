"""One trading day's minute path: the day bar, the path built from it and where a day stands at an instant."""

from __future__ import annotations

import math
import operator
import random
from dataclasses import dataclass
from itertools import accumulate, islice, pairwise

from pykis.emulator.instruments import Instrument
from pykis.emulator.market.grid import _next_down, _next_up, _round_units, _tick_units
from pykis.emulator.market.noise import _gaussians, _volume_profile


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


# Every value a path holds is pinned by the seed: the random draws, their order and the float expressions are those
# of the straightforward per-minute loop (tests/emulator/test_market_reference.py keeps a copy of it); only the
# bookkeeping runs in comprehensions and itertools instead of Python statements per minute. The three stages below
# draw from one generator in this order: the bridge steps, then per minute its range and waypoints, then volumes.


def build_path(instrument: Instrument, bar: _DayBar, rng: random.Random) -> _DayPath:
    """The minute path of ``bar``'s day, drawn from ``rng`` (seeded per instrument and day)."""
    n = bar.minutes
    tick = _tick_units(instrument, bar.low)
    # Tick tables grow with price, so one tick at both ends means one tick for the whole day: round inline.
    flat = tick == _tick_units(instrument, bar.high)
    close = _bridge(instrument, bar, rng, tick, flat)
    highs, lows, run_high, run_low, prices, way = _minutes(instrument, bar, rng, close, tick, flat)
    # Volume: U-shaped intraday profile with hashed noise, allocated in whole lots by cumulative rounding.
    lot = instrument.lot_size
    total_lots = bar.volume // lot
    weights = [shape * (0.5 + rng.random()) for shape in _volume_profile(n)]
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
    cum_amount = [0]
    if value_sum:
        cum_amount += [bar.amount * acc // value_sum for acc in accumulate(value_weights)]
    else:
        cum_amount += [0] * n
    amount = [0]
    amount += map(operator.sub, islice(cum_amount, 1, None), cum_amount)
    return _DayPath(bar, close, highs, lows, volume, amount, run_high, run_low, cum_volume, cum_amount, way)


def _bridge(instrument: Instrument, bar: _DayBar, rng: random.Random, tick: int, flat: bool) -> list[int]:
    """Minute closes: Brownian bridges from the open through the day's high and low (at hashed minutes) to the close."""
    n = bar.minutes
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
    # The segments draw their n steps back to back: draw them at once.
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
    return close


_Minutes = tuple[list[int], list[int], list[int], list[int], list[int], list[tuple[float, int, float, int]]]


def _minutes(
    instrument: Instrument, bar: _DayBar, rng: random.Random, close: list[int], tick: int, flat: bool
) -> _Minutes:
    """Each minute: a hashed extension of its range beyond open/close, and two waypoints inside it.

    Returns the minutes' highs and lows, the running high and low, each minute's first + top + bottom + last (its
    share of the day's amount) and the waypoints.
    """
    open_, high, low = bar.open, bar.high, bar.low
    highs = [open_]
    lows = [open_]
    run_high = [open_]
    run_low = [open_]
    prices: list[int] = []
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
    return highs, lows, run_high, run_low, prices, way


def intra(path: _DayPath, k: int, frac: float) -> tuple[float, int, int]:
    """(exact price, highest and lowest waypoint passed) inside minute ``k`` after ``frac`` of it."""
    first, last = path.close[k - 1], path.close[k]
    t1, p1, t2, p2 = path.way[k]
    if frac < t1:
        return first + (p1 - first) * frac / t1, first, first
    if frac < t2:
        return p1 + (p2 - p1) * (frac - t1) / (t2 - t1), max(first, p1), min(first, p1)
    return p2 + (last - p2) * (frac - t2) / (1.0 - t2), max(first, p1, p2), min(first, p1, p2)
