"""Price grids per market in minimal units: tick tables, daily limits and the unit/``Decimal`` conversion."""

from __future__ import annotations

from decimal import Decimal

from pykis.emulator.instruments import Instrument

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
# Tables searched "up to X" (bound inclusive), with the tick above the last bound.
_INCLUSIVE_TICKS = {"HK": (_HK_TICKS, 5_000), "JP": (_JP_TICKS, 100_000)}
# Daily limit as a fraction of the previous close (KRX ±30 %, SSE/SZSE main board ±10 %, HOSE ±7 %, HNX ±10 %).
_LIMIT_RATE = {"KOSPI": 0.30, "KOSDAQ": 0.30, "SSE": 0.10, "SZSE": 0.10, "HSX": 0.07, "HNX": 0.10}


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
    inclusive = _INCLUSIVE_TICKS.get(venue)
    if inclusive is not None:
        table, above = inclusive
        for bound, tick in table:
            if units <= bound:
                return tick
        return above
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


# The calendar (pykis.emulator.calendar) each instrument market trades on.
_INSTRUMENT_CALENDAR = {market: ("KRX" if venue == "KRX" else venue) for market, venue in _VENUE.items()}
