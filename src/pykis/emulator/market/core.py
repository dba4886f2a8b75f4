"""``Market``: lookup, sessions, price grids and what clients read (quotes, books, bars) over the price process.

The model is described in :mod:`pykis.emulator.market`; the numbers come from :class:`PriceProcess`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from pykis.emulator.calendar import ALIASES, DAYTIME
from pykis.emulator.clock import Clock
from pykis.emulator.instruments import UNIVERSE, Instrument
from pykis.emulator.market.grid import (
    _DECIMALS,
    _INSTRUMENT_CALENDAR,
    _VENUE,
    _ceil_units,
    _decimal,
    _floor_units,
    _limits_units,
    _next_down,
    _next_up,
    _round_units,
    _tick_units,
    _units,
)
from pykis.emulator.market.noise import _h, _unit
from pykis.emulator.market.paths import _DayPath, _Position, intra
from pykis.emulator.market.process import PriceProcess
from pykis.emulator.market.values import (
    Bar,
    BookLevel,
    DayState,
    OrderBook,
    PriceLimits,
    Quote,
    TradedRange,
    UnknownSymbol,
)

__all__ = ["Market"]

_SEOUL_ZONE = ZoneInfo("Asia/Seoul")


class Market(PriceProcess):
    """The simulated market behind the emulator: deterministic for a given seed and clock."""

    def __init__(
        self,
        clock: Clock,
        *,
        seed: int = 20240101,
        universe: Sequence[Instrument] = UNIVERSE,
        always_open: bool = False,
    ) -> None:
        super().__init__(clock, seed=seed, universe=universe, always_open=always_open)
        self._by_symbol: dict[str, list[Instrument]] = {}
        for instrument in self._universe:
            entries = self._by_symbol.setdefault(instrument.symbol, [])
            if any(other.market == instrument.market for other in entries):
                raise ValueError(f"duplicate instrument {instrument.symbol} on {instrument.market}")
            entries.append(instrument)

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

    # ---------------------------------------------------------------------------------------------- snapshots
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
                _, top, bottom = intra(path, complete + 1, position.frac)
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
        value = intra(path, minute + 1, frac)[0]
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
