"""The market's fast paths against a straightforward reference: the same prices, volumes and bars, bit for bit.

``Market`` computes a day's minute path, the raw daily closes and the 52-week range with batched draws,
comprehensions and pruning (they dominate the first quote of an instrument on a day). The functions below
compute the same things the plain way — one minute, one day, one random draw at a time, every day of the
year for the 52-week range — as the market did before it was optimised. Both must agree exactly for every
seed and clock: tests and users rely on the simulation's determinism.
"""

from __future__ import annotations

import dataclasses
import math
import random
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest

from pykis.emulator.clock import FrozenClock
from pykis.emulator.instruments import UNIVERSE, Instrument
from pykis.emulator.market import Market, grid, noise, paths

# ---------------------------------------------------------------------------------------------------- reference

PathArrays = tuple[list[Any], ...]


def reference_path(  # noqa: PLR0912, PLR0915 — the old path builder, kept line for line as the reference
    market: Market, instrument: Instrument, bar: Any
) -> PathArrays:
    """The day's minute path, one minute and one draw at a time (``Market._build_path`` as first written)."""
    n = bar.minutes
    key = market._key(instrument)
    rng = random.Random(noise._h(key, 300, bar.ordinal))
    high, low = bar.high, bar.low
    anchors = {0: bar.open, n: bar.close}
    if n >= 3 and high != low:
        at_high = rng.randrange(1, n)
        at_low = rng.randrange(1, n - 1)
        if at_low >= at_high:
            at_low += 1
        anchors[at_high] = high
        anchors[at_low] = low
    points = sorted(anchors.items())
    sigma = (high - low) / (2.0 * math.sqrt(max(n, 1)))
    tick = grid._tick_units(instrument, low)
    flat = tick == grid._tick_units(instrument, high)
    close = [bar.open] * (n + 1)
    for (start, start_price), (end, end_price) in pairwise(points):
        span = end - start
        walk = [0.0]
        level = 0.0
        for _ in range(span):
            level += rng.gauss(0.0, sigma)
            walk.append(level)
        slope = (end_price - start_price - walk[-1]) / span
        for step in range(1, span):
            value = start_price + slope * step + walk[step]
            units = round(value / tick) * tick if flat else grid._round_units(instrument, value)
            close[start + step] = low if units < low else high if units > high else units
        close[end] = end_price
    highs, lows = [bar.open], [bar.open]
    way: list[tuple[float, int, float, int]] = [(0.0, bar.open, 0.0, bar.open)]
    for k in range(1, n + 1):
        first, last = close[k - 1], close[k]
        top, bottom = (first, last) if first >= last else (last, first)
        bits = rng.getrandbits(5)
        for _ in range(bits & 3 if bits & 3 < 3 else 0):
            up = top + tick if flat else grid._next_up(instrument, top)
            if up <= high:
                top = up
        for _ in range((bits >> 2) & 3 if (bits >> 2) & 3 < 3 else 0):
            down = bottom - tick if flat else grid._next_down(instrument, bottom)
            if down >= low:
                bottom = down
        highs.append(top)
        lows.append(bottom)
        t1 = 0.1 + 0.35 * rng.random()
        t2 = 0.55 + 0.35 * rng.random()
        way.append((t1, top, t2, bottom) if bits & 16 else (t1, bottom, t2, top))
    lot = instrument.lot_size
    total_lots = bar.volume // lot
    weights = []
    for k in range(1, n + 1):
        centre = (k - 0.5) / n - 0.5
        weights.append((1.0 + 6.0 * centre * centre) * (0.5 + rng.random()))
    weight_sum = sum(weights) or 1.0
    volume, cum_volume = [0], [0]
    acc = 0.0
    for weight in weights:
        acc += weight
        cum = round(total_lots * acc / weight_sum) * lot
        volume.append(cum - cum_volume[-1])
        cum_volume.append(cum)
    cum_volume[-1] = bar.volume
    volume[-1] = bar.volume - cum_volume[-2] if n else 0
    value_weights = [volume[k] * (close[k - 1] + highs[k] + lows[k] + close[k]) for k in range(1, n + 1)]
    value_sum = sum(value_weights)
    amount, cum_amount = [0], [0]
    acc_int = 0
    for weight in value_weights:
        acc_int += weight
        cum = bar.amount * acc_int // value_sum if value_sum else 0
        amount.append(cum - cum_amount[-1])
        cum_amount.append(cum)
    run_high, run_low = [bar.open], [bar.open]
    for k in range(1, n + 1):
        run_high.append(max(run_high[-1], highs[k]))
        run_low.append(min(run_low[-1], lows[k]))
    return close, highs, lows, volume, amount, run_high, run_low, cum_volume, cum_amount, way


def path_arrays(path: Any) -> PathArrays:
    return (
        path.close,
        path.high,
        path.low,
        path.volume,
        path.amount,
        path.run_high,
        path.run_low,
        path.cum_volume,
        path.cum_amount,
        path.way,
    )


def reference_raw_close(market: Market, instrument: Instrument, index: int) -> int:
    """The ``index``-th trading day's close before the limit clamp, on the tick grid."""
    return grid._round_units(instrument, reference_raw_value(market, instrument, index))


def reference_raw_value(market: Market, instrument: Instrument, index: int) -> float:
    """The same before rounding: the module docstring's sum of noise terms, one index and one term at a time."""
    key = market._key(instrument)
    deviation = noise._IID * noise._tri(noise._h(key, 100, index))
    for octave, (spacing, amplitude) in enumerate(noise._OCTAVES):
        knot, rest = divmod(index, spacing)
        left = noise._tri(noise._h(key, 101 + octave, knot))
        right = noise._tri(noise._h(key, 101 + octave, knot + 1))
        t = rest / spacing
        deviation += amplitude * (left + (right - left) * t * t * (3 - 2 * t))
    anchor = float(instrument.base_price.scaleb(grid._DECIMALS[grid._VENUE[instrument.market]]))
    volatility = noise._VOL[grid._VENUE[instrument.market]] * noise._KIND_VOL[instrument.kind]
    return anchor * math.exp(deviation * volatility)


def reference_week52(market: Market, instrument: Instrument, ordinal: int) -> tuple[int, int, int, int]:
    """(high, day, low, day) over every trading day of the year before ``ordinal``; ties go to the later day."""
    calendar = market._instrument_calendar(instrument)
    days = calendar.days(date.fromordinal(ordinal - 364), date.fromordinal(ordinal - 1))
    if not days or instrument.halted:
        bar = market._bar(instrument, ordinal)
        previous = calendar.previous(ordinal)
        return bar.prev_close, previous, bar.prev_close, previous
    bars = [market._bar(instrument, day) for day in days]
    high, high_day = max((bar.high, bar.ordinal) for bar in bars)
    low, low_day = min((bar.low, -bar.ordinal) for bar in bars)
    return high, high_day, low, -low_day


# ---------------------------------------------------------------------------------------------------- samples


def sample_instruments() -> list[Instrument]:
    """One instrument of every (market, kind, halted) group, plus a fixed handful of KRX stocks."""
    groups: dict[tuple[str, str, bool], Instrument] = {}
    for instrument in UNIVERSE:
        groups.setdefault((instrument.market, instrument.kind, instrument.halted), instrument)
    krx = [i for i in UNIVERSE if i.domestic and i.kind == "stock" and not i.halted]
    return [*groups.values(), *random.Random(11).sample(krx, 6)]


INSTRUMENTS = sample_instruments()
# KRX mid-session, a US early close, and beyond both ends of the trading-day table (2010–2045).
INSTANTS = [
    datetime(2026, 11, 26, 5, 17, 31, tzinfo=UTC),
    datetime(2025, 11, 28, 16, 45, tzinfo=UTC),
    datetime(2010, 1, 20, 4, 0, tzinfo=UTC),
    datetime(2046, 2, 2, 3, 30, tzinfo=UTC),
]


def fields(value: Any) -> dict[str, Any]:
    return {field.name: getattr(value, field.name) for field in dataclasses.fields(value)}


# ---------------------------------------------------------------------------------------------------- tests


@pytest.mark.parametrize(
    ("seed", "always_open"), [(20240101, False), (20240101, True), (7, False)], ids=["calendar", "always-open", "seed7"]
)
def test_minute_paths_raw_closes_and_week52_match_the_reference(seed: int, always_open: bool) -> None:
    compared = 0
    for at in INSTANTS:
        market = Market(FrozenClock(at), seed=seed, always_open=always_open)  # cold: nothing cached yet
        for instrument in INSTRUMENTS:
            position = market._position(instrument, at)
            ordinal = position.ordinal
            # The year behind the 52-week range first, while the market's caches are cold.
            assert market._week52(instrument, ordinal) == reference_week52(market, instrument, ordinal)
            index = market._instrument_calendar(instrument).index(ordinal)
            expected = [reference_raw_close(market, instrument, i) for i in range(index - 12, index + 3)]
            assert market._raw_closes(instrument, index - 12, 15) == expected, instrument.symbol
            # Unrounded too, so that a float computed in another order would show (rounding hides most ulps).
            values = [reference_raw_value(market, instrument, i) for i in range(index - 120, index + 3)]
            assert market._raw_values(instrument, index - 120, 123) == values, instrument.symbol
            bar = market._bar(instrument, ordinal)
            if instrument.halted or not bar.minutes:
                continue
            assert path_arrays(market._path(instrument, ordinal)) == reference_path(market, instrument, bar), (
                instrument.symbol,
                at,
            )
            compared += 1
    assert compared >= 40


def test_short_and_degenerate_sessions_match_the_reference() -> None:
    # 0, 1 or 2 minutes (no extremes placed), no range above the open/close, a high 30 % up (two tick sizes).
    market = Market(FrozenClock(INSTANTS[0]), seed=1)
    non_flat = 0
    for instrument in INSTRUMENTS:
        if instrument.halted:
            continue
        bar = market._bar(instrument, market._position(instrument, INSTANTS[0]).ordinal)
        for minutes in (0, 1, 2, 3, 4, 7, 61):
            for high in (bar.high, max(bar.open, bar.close), bar.high * 13 // 10 + 1):
                variant = dataclasses.replace(bar, minutes=minutes, high=high)
                built = path_arrays(market._build_path(instrument, variant))
                assert built == reference_path(market, instrument, variant), (instrument.symbol, minutes, high)
                non_flat += grid._tick_units(instrument, variant.low) != grid._tick_units(instrument, high)
    assert non_flat >= 20  # days whose range spans two tick sizes take the path's slower branch


@pytest.mark.parametrize("always_open", [False, True], ids=["calendar", "always-open"])
def test_a_complete_session_is_read_from_its_bar_as_its_path_would_give_it(always_open: bool) -> None:
    # After the close (and while closed), the day's state comes from its bar without building the minute path.
    market = Market(FrozenClock(INSTANTS[0]), seed=5, always_open=always_open)
    compared = 0
    for instrument in INSTRUMENTS:
        calendar = market._instrument_calendar(instrument)
        last = market._position(instrument, INSTANTS[0]).ordinal
        for ordinal in calendar.days(date.fromordinal(last - 9), date.fromordinal(last)):
            bar = market._bar(instrument, ordinal)
            if instrument.halted:
                continue
            state = market._state(instrument, paths._Position(ordinal, bar.minutes, 0.0, True))
            close, _, _, _, _, run_high, run_low, cum_volume, cum_amount, _ = reference_path(market, instrument, bar)
            assert state == (close[-1], bar.open, run_high[-1], run_low[-1], cum_volume[-1], cum_amount[-1])
            compared += 1
    assert compared >= 100
    assert not market._paths  # none was built for it


def test_the_batched_gaussian_steps_are_random_gauss_exactly() -> None:
    # Bit for bit (the bridge rounds them to the grid, which would hide a difference in the last place).
    for seed in (0, 5, 20240101, 2**40 + 3):
        for count in (0, 1, 2, 3, 390, 1439, 1440):
            reference, batched = random.Random(seed), random.Random(seed)
            expected = [reference.gauss(0.0, 3.7) for _ in range(count)]
            assert noise._gaussians(batched, 3.7, count) == expected
            assert batched.random() == reference.random()  # the same draws consumed
            if noise._gauss_inlinable():  # this Python's gauss is the one inlined (else plain calls are used)
                assert noise._gaussians_inline(random.Random(seed), 3.7, count) == expected


def test_one_different_draw_changes_the_compared_path(monkeypatch: pytest.MonkeyPatch) -> None:
    # The comparisons above are not vacuous: a path built from one different bit per minute differs.
    instrument = next(i for i in INSTRUMENTS if i.domestic and not i.halted)
    market = Market(FrozenClock(INSTANTS[0]), always_open=True)
    bar = market._bar(instrument, market._position(instrument, INSTANTS[0]).ordinal)
    expected = reference_path(market, instrument, bar)
    assert path_arrays(market._path(instrument, bar.ordinal)) == expected
    assert len(expected[0]) == 1441 and len(set(expected[0])) >= 8  # a path that moves
    original = random.Random.getrandbits
    monkeypatch.setattr(random.Random, "getrandbits", lambda self, k: original(self, k) ^ (k == 5))
    assert path_arrays(market._build_path(instrument, bar)) != expected


@pytest.mark.parametrize("always_open", [False, True], ids=["calendar", "always-open"])
def test_day_state_and_previous_close_are_the_quotes_figures(always_open: bool) -> None:
    # What rankings and master files read instead of whole quotes (cold, without the 52-week range).
    for at in INSTANTS[:2]:
        for offset in (timedelta(0), timedelta(hours=7, minutes=3, seconds=9)):
            when = at + offset
            quotes = Market(FrozenClock(when), always_open=always_open)
            states = Market(FrozenClock(when), always_open=always_open)
            closes = Market(FrozenClock(when), always_open=always_open)
            for instrument in INSTRUMENTS:
                state = fields(states.day_state(instrument, when))
                quote = fields(quotes.quote_at(instrument, when))
                assert state == {name: quote[name] for name in state}, (instrument.symbol, when)
                assert closes.previous_close(instrument) == (quote["prev_close"], quote["prev_volume"])
