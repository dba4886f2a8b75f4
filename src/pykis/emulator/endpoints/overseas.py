"""Overseas stock quotations: HHDFS00000300 현재체결가 and HHDFS76200200 현재가상세.

Prices carry ``zdiv`` decimals (``"131.2800"`` for US listings). ``diff`` is unsigned (its direction is
``sign``), ``rate`` is signed. An unknown symbol or an exchange code that does not list it is answered
``rt_cd`` "0" with empty fields, as the real service answers an unlisted SYMB.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pykis.emulator.endpoints._format import dec, fmt_date, fmt_fixed, fmt_int, fmt_rate, pct, sign_code
from pykis.emulator.rest import ApiRequest, ApiResponse, EmulatorContext, EndpointRegistry, invalid_field, ok

__all__ = ["EXCD_MARKETS", "FX_RATES", "ZDIV", "register"]

PRICE = "/uapi/overseas-price/v1/quotations/price"
PRICE_DETAIL = "/uapi/overseas-price/v1/quotations/price-detail"

# EXCD (PROTOCOL.md §9) → instrument market; BAQ/BAY/BAA are the US daytime-session codes.
EXCD_MARKETS: dict[str, str] = {
    "NAS": "NASDAQ",
    "NYS": "NYSE",
    "AMS": "AMEX",
    "BAQ": "NASDAQ",
    "BAY": "NYSE",
    "BAA": "AMEX",
    "HKS": "SEHK",
    "SHS": "SSE",
    "SZS": "SZSE",
    "TSE": "TSE",
    "HNX": "HNX",
    "HSX": "HSX",
}
# Display decimals per market (emulator choice: US four places as the real feed shows them).
ZDIV: dict[str, int] = {
    "NASDAQ": 4,
    "NYSE": 4,
    "AMEX": 4,
    "SEHK": 3,
    "SSE": 2,
    "SZSE": 2,
    "TSE": 1,
    "HNX": 0,
    "HSX": 0,
}
# KRW per unit for the 원환산 columns (emulator constants; the market has no FX model).
FX_RATES: dict[str, Decimal] = {
    "USD": Decimal("1380.00"),
    "HKD": Decimal("176.50"),
    "CNY": Decimal("190.20"),
    "JPY": Decimal("9.20"),
    "VND": Decimal("0.0545"),
}

PRICE_COLUMNS = ("rsym", "zdiv", "base", "pvol", "last", "sign", "diff", "rate", "tvol", "tamt", "ordy")


def _lookup(ctx: EmulatorContext, request: ApiRequest) -> tuple[str, Any, Any] | ApiResponse | None:
    """(EXCD, instrument, quote); ``None`` for a symbol the exchange does not list."""
    excd = request.param("EXCD").strip().upper()
    market = EXCD_MARKETS.get(excd)
    if market is None:
        return invalid_field("EXCD")
    symbol = request.param("SYMB").strip().upper()
    instrument = ctx.market.instrument(symbol, market=market) if symbol else None
    if instrument is None or instrument.market != market:
        return None
    return excd, instrument, ctx.market.quote(instrument.symbol, market=market)


def _price_fields(excd: str, instrument: Any, quote: Any) -> dict[str, str]:
    places = ZDIV[instrument.market]
    price, base = dec(quote.price), dec(quote.prev_close)
    return {
        "rsym": f"D{excd}{instrument.symbol}",
        "zdiv": str(places),
        "base": fmt_fixed(base, places),
        "pvol": str(int(quote.prev_volume)),
        "last": fmt_fixed(price, places),
        "sign": sign_code(price, base),
        "diff": fmt_fixed(abs(price - base), places),
        "rate": fmt_rate(pct(price - base, base)),
        "tvol": str(int(quote.volume)),
        "tamt": fmt_int(quote.amount),
        "ordy": "매수불가" if quote.halted else "매수가능",
    }


def price(request: ApiRequest, ctx: EmulatorContext) -> ApiResponse:
    """HHDFS00000300 해외주식 현재체결가."""
    found = _lookup(ctx, request)
    if isinstance(found, ApiResponse):
        return found
    if found is None:
        return ok({"output": dict.fromkeys(PRICE_COLUMNS, "")})
    return ok({"output": _price_fields(*found)})


DETAIL_COLUMNS = (
    "rsym", "pvol", "open", "high", "low", "last", "base", "tomv", "pamt", "uplp", "dnlp", "h52p", "h52d",
    "l52p", "l52d", "perx", "pbrx", "epsx", "bpsx", "shar", "mcap", "curr", "zdiv", "vnit", "t_xprc", "t_xdif",
    "t_xrat", "p_xprc", "p_xdif", "p_xrat", "t_rate", "p_rate", "t_xsgn", "p_xsng", "e_ordyn", "e_hogau",
    "e_icod", "e_parp", "tvol", "tamt", "etyp_nm",
)  # fmt: skip


def price_detail(request: ApiRequest, ctx: EmulatorContext) -> ApiResponse:
    """HHDFS76200200 해외주식 현재가상세 (real host only: ``demo_supported`` is false)."""
    found = _lookup(ctx, request)
    if isinstance(found, ApiResponse):
        return found
    if found is None:
        return ok({"output": dict.fromkeys(DETAIL_COLUMNS, "")})
    excd, instrument, quote = found
    places = ZDIV[instrument.market]
    price_, base = dec(quote.price), dec(quote.prev_close)
    rate = FX_RATES.get(instrument.currency, Decimal(1))
    krw_now, krw_prev = price_ * rate, base * rate
    # The previous-day 원환산 columns compare the previous close with the close before it, which the
    # quote does not carry: they repeat the previous close with no change.
    out = {
        "rsym": f"D{excd}{instrument.symbol}",
        "pvol": str(int(quote.prev_volume)),
        "open": fmt_fixed(quote.open, places),
        "high": fmt_fixed(quote.high, places),
        "low": fmt_fixed(quote.low, places),
        "last": fmt_fixed(price_, places),
        "base": fmt_fixed(base, places),
        "tomv": fmt_int(price_ * instrument.listed_shares),
        "pamt": fmt_int(base * int(quote.prev_volume)),
        "uplp": fmt_fixed(quote.upper_limit, places),
        "dnlp": fmt_fixed(quote.lower_limit, places),
        "h52p": fmt_fixed(quote.week52_high, places),
        "h52d": fmt_date(quote.week52_high_date, instrument.timezone),
        "l52p": fmt_fixed(quote.week52_low, places),
        "l52d": fmt_date(quote.week52_low_date, instrument.timezone),
        "perx": fmt_rate(quote.per),
        "pbrx": fmt_rate(quote.pbr),
        "epsx": fmt_rate(quote.eps),
        "bpsx": fmt_rate(quote.bps),
        "shar": str(instrument.listed_shares),
        "mcap": "0",
        "curr": instrument.currency,
        "zdiv": str(places),
        "vnit": str(instrument.lot_size),
        "t_xprc": fmt_int(krw_now),
        "t_xdif": fmt_int(abs(krw_now - krw_prev)),
        "t_xrat": fmt_rate(pct(krw_now - krw_prev, krw_prev)),
        "p_xprc": fmt_int(krw_prev),
        "p_xdif": "0",
        "p_xrat": "0.00",
        "t_rate": fmt_fixed(rate, 2),
        "p_rate": fmt_fixed(rate, 2),
        "t_xsgn": sign_code(krw_now, krw_prev),
        "p_xsng": "3",
        "e_ordyn": "매매 불가" if quote.halted else "매매 가능",
        "e_hogau": fmt_fixed(quote.tick, places),
        "e_icod": instrument.sector_name or "",
        "e_parp": "0",
        "tvol": str(int(quote.volume)),
        "tamt": fmt_int(quote.amount),
        "etyp_nm": "ETF" if instrument.kind == "etf" else "",
    }
    return ok({"output": out})


def register(registry: EndpointRegistry) -> None:
    """Add the overseas quotation endpoints to ``registry``."""
    registry.add(PRICE, price)
    registry.add(PRICE_DETAIL, price_detail)
