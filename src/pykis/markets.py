"""Markets the client knows: codes for each API family, currency, time zone, tick rules.

Names follow python-kis: ``"KRX"`` for domestic listings, ``"NASDAQ"``, ``"NYSE"``, ``"AMEX"``, ``"TYO"``,
``"HKEX"``, ``"SSE"``, ``"SZSE"``, ``"HNX"``, ``"HSX"`` abroad. Codes: PROTOCOL.md §9.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Literal
from zoneinfo import ZoneInfo

from pykis.errors import KisValidationError

__all__ = ["MARKETS", "MarketCode", "MarketInfo", "krx_tick", "market_info", "tick_size"]

MarketCode = Literal["KRX", "NASDAQ", "NYSE", "AMEX", "TYO", "HKEX", "SSE", "SZSE", "HNX", "HSX"]


@dataclass(frozen=True, slots=True)
class MarketInfo:
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
    def timezone(self) -> ZoneInfo:
        """The market's own time zone."""
        return _zone(self.timezone_name)


@cache
def _zone(name: str) -> ZoneInfo:
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


# KRX tick table since 2023-01-25 (stocks; ETFs/ETNs trade in 5 won below 2,000 won and 5 won above).
_KRX_TICKS = (
    (Decimal(2000), Decimal(1)),
    (Decimal(5000), Decimal(5)),
    (Decimal(20000), Decimal(10)),
    (Decimal(50000), Decimal(50)),
    (Decimal(200000), Decimal(100)),
    (Decimal(500000), Decimal(500)),
)


def krx_tick(price: Decimal, *, etf: bool = False) -> Decimal:
    """The KRX tick size at ``price``."""
    if etf:
        return Decimal(1) if price < 2000 else Decimal(5)
    for bound, tick in _KRX_TICKS:
        if price < bound:
            return tick
    return Decimal(1000)


def tick_size(market: str, price: Decimal, *, etf: bool = False) -> Decimal:
    """The tick size for ``price`` on ``market`` (US: $0.01 at or above $1, $0.0001 below)."""
    info = market_info(market)
    if info.domestic:
        return krx_tick(price, etf=etf)
    if info.currency == "USD":
        return Decimal("0.01") if price >= 1 else Decimal("0.0001")
    if info.code == "TYO":
        return Decimal(1) if price < 3000 else Decimal(5) if price < 30000 else Decimal(10)
    if info.code == "HKEX":
        return Decimal("0.01") if price < 10 else Decimal("0.02") if price < 20 else Decimal("0.05")
    if info.currency == "VND":
        return Decimal(100)
    return Decimal("0.01")
