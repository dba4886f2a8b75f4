"""Markets the client knows: codes for each API family, currency, time zone, tick rules.

Names follow python-kis: ``"KRX"`` for domestic listings, ``"NASDAQ"``, ``"NYSE"``, ``"AMEX"``, ``"TYO"``,
``"HKEX"``, ``"SSE"``, ``"SZSE"``, ``"HNX"``, ``"HSX"`` abroad. Codes: PROTOCOL.md §9.
"""

from __future__ import annotations

from datetime import tzinfo
from decimal import Decimal
from functools import cache
from typing import Literal

import msgspec

from pykis.errors import KisValidationError
from pykis.protocol.clock import KST

__all__ = ["MARKETS", "MarketCode", "MarketInfo", "krx_tick", "market_info", "tick_size", "zone"]

MarketCode = Literal["KRX", "NASDAQ", "NYSE", "AMEX", "TYO", "HKEX", "SSE", "SZSE", "HNX", "HSX"]


class MarketInfo(msgspec.Struct, frozen=True):
    """One market: its quote code (EXCD), trading code (OVRS_EXCG_CD), product type, currency and zone."""

    code: MarketCode
    excd: str | None
    ovrs_excg_cd: str | None
    daytime_excd: str | None
    prdt_type_cd: str
    currency: str
    timezone_name: str
    master_file: str

    @property
    def domestic(self) -> bool:
        """Whether the market is KRX (domestic)."""
        return self.code == "KRX"

    @property
    def timezone(self) -> tzinfo:
        """The market's own time zone."""
        return zone(self.timezone_name)


@cache
def zone(name: str) -> tzinfo:
    """The time zone of IANA ``name``: Korea's as the fixed :data:`~pykis.protocol.clock.KST`, the others from
    the zone database (loaded on first use: a domestic quote never needs it)."""
    if name == "Asia/Seoul":
        return KST
    from zoneinfo import ZoneInfo  # noqa: PLC0415 — ~2.4 ms of a cold start that only overseas markets need

    return ZoneInfo(name)


MARKETS: dict[str, MarketInfo] = {
    info.code: info
    for info in (
        MarketInfo("KRX", None, None, None, "300", "KRW", "Asia/Seoul", "kospi_code.mst"),
        MarketInfo("NASDAQ", "NAS", "NASD", "BAQ", "512", "USD", "America/New_York", "nasmst.cod"),
        MarketInfo("NYSE", "NYS", "NYSE", "BAY", "513", "USD", "America/New_York", "nysmst.cod"),
        MarketInfo("AMEX", "AMS", "AMEX", "BAA", "529", "USD", "America/New_York", "amsmst.cod"),
        MarketInfo("TYO", "TSE", "TKSE", None, "515", "JPY", "Asia/Tokyo", "tsemst.cod"),
        MarketInfo("HKEX", "HKS", "SEHK", None, "501", "HKD", "Asia/Hong_Kong", "hksmst.cod"),
        MarketInfo("SSE", "SHS", "SHAA", None, "551", "CNY", "Asia/Shanghai", "shsmst.cod"),
        MarketInfo("SZSE", "SZS", "SZAA", None, "552", "CNY", "Asia/Shanghai", "szsmst.cod"),
        MarketInfo("HNX", "HNX", "HASE", None, "507", "VND", "Asia/Ho_Chi_Minh", "hnxmst.cod"),
        MarketInfo("HSX", "HSX", "VNSE", None, "508", "VND", "Asia/Ho_Chi_Minh", "hsxmst.cod"),
    )
}
_BY_EXCD = {info.excd: info for info in MARKETS.values() if info.excd}
_BY_EXCD.update({info.ovrs_excg_cd: info for info in MARKETS.values() if info.ovrs_excg_cd})
_ALIASES = {"KOSPI": "KRX", "KOSDAQ": "KRX", "KONEX": "KRX", "TSE": "TYO", "SEHK": "HKEX", "NAS": "NASDAQ"}


def market_info(code: str) -> MarketInfo:
    """The market for a name (``"NASDAQ"``), an EXCD (``"NAS"``) or an exchange code (``"NASD"``)."""
    upper = code.upper()
    info = MARKETS.get(_ALIASES.get(upper, upper)) or _BY_EXCD.get(upper)
    if info is None:
        raise KisValidationError(f"unknown market {code!r}; expected one of {', '.join(MARKETS)}")
    return info


class _TickTable(msgspec.Struct, frozen=True):
    """An exchange's price bands, ascending: ``(bound, tick)`` pairs and the tick above the last bound, as written
    in its rule (text or whole numbers, read as ``Decimal`` when asked).

    ``inclusive`` says whether a bound belongs to the band it closes ("up to 3,000 yen") or opens the next one
    ("below 2,000 won"); the exchanges' own wording decides it.
    """

    bands: tuple[tuple[int | str, int | str], ...]
    top: int | str
    inclusive: bool

    def at(self, price: Decimal) -> Decimal:
        for bound, tick in self.bands:
            limit = Decimal(bound)
            if price < limit or (self.inclusive and price == limit):
                return Decimal(tick)
        return Decimal(self.top)


# Each table is the exchange's published rule; the emulator keeps its own copy (emulator/market.py) on purpose,
# and tests/integration/test_tick_tables.py compares the two across every band.
_TICKS: dict[str, _TickTable] = {
    # KRX (KOSPI and KOSDAQ alike) since 2023-01-25: KRX 유가증권시장 업무규정 시행세칙 호가가격단위, "below X".
    "KRX": _TickTable(
        (
            (2000, 1),
            (5000, 5),
            (20000, 10),
            (50000, 50),
            (200000, 100),
            (500000, 500),
        ),
        1000,
        inclusive=False,
    ),
    # KRX ETFs and ETNs since the 2023 revision of the same rules: 1 won below 2,000 won, 5 won from 2,000.
    "KRX-ETF": _TickTable(((2000, 1),), 5, inclusive=False),
    # SEC Regulation NMS Rule 612: $0.01 for quotes at or above $1.00, $0.0001 below.
    "USD": _TickTable(((1, "0.0001"),), "0.01", inclusive=False),
    # TSE Business Regulations Rule 14, the standard table (tick table 01; TOPIX500 constituents use the finer
    # table 03, which the client does not model): "up to X yen".
    "TYO": _TickTable(
        (
            (3000, 1),
            (5000, 5),
            (30000, 10),
            (50000, 50),
            (300000, 100),
            (500000, 500),
            (3000000, 1000),
            (5000000, 5000),
            (30000000, 10000),
            (50000000, 50000),
        ),
        100000,
        inclusive=True,
    ),
    # HKEX Rules of the Exchange, Second Schedule (spread table, Part A) as reduced by Phase 1 of the minimum
    # spread reduction on 2025-08-04 (0.01 to 20 HKD, 0.02 to 50 HKD); "over X up to Y". Phase 2 (0.005 from 0.50
    # to 10 HKD) was announced for mid-2026 without a confirmed date and is not modelled.
    "HKEX": _TickTable(
        (
            ("0.25", "0.001"),
            ("0.50", "0.005"),
            (20, "0.01"),
            (50, "0.02"),
            (100, "0.05"),
            (200, "0.1"),
            (500, "0.2"),
            (1000, "0.5"),
            (2000, 1),
            (5000, 2),
        ),
        5,
        inclusive=True,
    ),
    # HOSE trading regulation (stocks and closed-end fund certificates): 10 VND below 10,000, 50 VND below 50,000,
    # 100 VND from 50,000.
    "HSX": _TickTable(
        (
            (10000, 10),
            (50000, 50),
        ),
        100,
        inclusive=False,
    ),
    # HNX trading regulation: 100 VND for stocks at every price.
    "HNX": _TickTable((), 100, inclusive=False),
    # SSE and SZSE trading rules: A shares quote in 0.01 yuan.
    "CNY": _TickTable((), "0.01", inclusive=False),
}


def krx_tick(price: Decimal, *, etf: bool = False) -> Decimal:
    """The KRX tick size at ``price`` (ETFs and ETNs: 1 won below 2,000 won, else 5)."""
    return _TICKS["KRX-ETF" if etf else "KRX"].at(price)


def tick_size(market: str, price: Decimal, *, etf: bool = False) -> Decimal:
    """The tick size for ``price`` on ``market`` under the exchange's published table (see ``_TICKS``)."""
    info = market_info(market)
    if info.domestic:
        return krx_tick(price, etf=etf)
    table = _TICKS.get(info.code) or _TICKS[info.currency]
    return table.at(price)
