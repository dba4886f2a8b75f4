"""Admitting a new order: its type, the session, the price grid and limits, and the cash or shares it needs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from pykis.emulator.engine.fees import Fees, reserve_amount
from pykis.emulator.engine.order_types import (
    DOMESTIC_ENTRY,
    DOMESTIC_EXPIRY,
    DOMESTIC_TYPES,
    PRICED,
    SEOUL,
    US_SELL_ONLY,
    US_TYPES,
    kst_at,
    regular_close,
)
from pykis.emulator.engine.records import BUY, Account
from pykis.emulator.engine.rejects import (
    BAD_LOT,
    BAD_QTY,
    BAD_TICK,
    BAD_TYPE,
    CLOSED,
    HALTED,
    NO_CASH,
    NO_QTY,
    OUT_OF_LIMIT,
    reject,
)
from pykis.emulator.instruments import Instrument
from pykis.emulator.market import Market, Quote

__all__ = ["Admission", "OrderRequest", "admit", "check_limit_price"]


@dataclass(frozen=True, slots=True)
class OrderRequest:
    """A new order as ``Engine.place`` receives it: side, quantity, limit price and KIS order type (ORD_DVSN)."""

    side: str
    qty: int
    price: Decimal
    ord_dvsn: str
    exchange: str = "KRX"
    start: datetime | None = None
    """TWAP/VWAP window start (default: now)."""
    end: datetime | None = None
    """TWAP/VWAP window end (default: the regular close)."""


@dataclass(frozen=True, slots=True)
class Admission:
    """What admitting an order settled: how it prices, its time in force, price, reservation price and expiry."""

    pricing: str
    tif: str
    price: Decimal
    reserve_price: Decimal
    expires: datetime
    window_start: datetime | None
    window_end: datetime | None


def admit(
    market: Market, fees: Fees, account: Account, instrument: Instrument, request: OrderRequest, now: datetime
) -> Admission:
    """Check ``request`` against the rules at ``now``; raises ``EngineReject``."""
    if instrument.halted:
        raise reject(HALTED, instrument.symbol)
    if request.qty <= 0:
        raise reject(BAD_QTY, str(request.qty))
    if request.qty % instrument.lot_size:
        raise reject(BAD_LOT, f"{instrument.lot_size}")
    pricing, tif, expires = _entry(market, instrument, request, now)
    quote = market.quote_at(instrument, now)
    price = _admitted_price(market, instrument, pricing, request.price, quote)
    reserve_price = _reserve_price(market, instrument, pricing, price, quote)
    day = now.astimezone(instrument.timezone).date()
    if request.side == BUY:
        need = reserve_amount(fees, instrument, request.qty, reserve_price, day)
        if account.available(instrument.currency) < need:
            raise reject(NO_CASH, f"{need} {instrument.currency}")
    else:
        position = account.position(instrument.symbol, instrument.market)
        if position is None or position.sellable < request.qty:
            raise reject(NO_QTY, f"sellable {position.sellable if position else 0}")
    window_start = window_end = None
    if pricing in ("twap", "vwap"):
        window_start = request.start or now
        close_at = regular_close(market, instrument, day)
        window_end = request.end or close_at or expires
        if window_end <= window_start:
            raise reject(BAD_TYPE, "empty TWAP/VWAP window")
    return Admission(pricing, tif, price, reserve_price, expires, window_start, window_end)


def check_limit_price(market: Market, instrument: Instrument, price: Decimal, quote: Quote) -> None:
    """A limit price must be a positive point of the tick grid inside the daily limits."""
    if price <= 0 or not market.on_tick(instrument, price):
        raise reject(BAD_TICK, str(price))
    if quote.upper_limit and not (quote.lower_limit <= price <= quote.upper_limit):
        raise reject(OUT_OF_LIMIT, f"{quote.lower_limit}~{quote.upper_limit}")


def _reserve_price(market: Market, instrument: Instrument, pricing: str, price: Decimal, quote: Quote) -> Decimal:
    """What a buy ties up: the limit, else the upper limit (KIS prices market buys at the upper limit)."""
    if pricing == "prev_close":
        return quote.prev_close
    if price > 0:
        return price
    if quote.upper_limit:
        return quote.upper_limit
    return market.round_price(instrument, quote.price * Decimal("1.3"), "up")


def _admitted_price(market: Market, instrument: Instrument, pricing: str, price: Decimal, quote: Quote) -> Decimal:
    if pricing in PRICED or (pricing in ("twap", "vwap") and price > 0):
        check_limit_price(market, instrument, price, quote)
        # After-hours single price: within ±10 % of today's close (KRX rule).
        near_close = quote.price * Decimal("0.9") <= price <= quote.price * Decimal("1.1")
        if pricing == "single" and not market.always_open and not near_close:
            raise reject(OUT_OF_LIMIT, "±10% of the close")
        return price
    return Decimal(0) if pricing not in ("twap", "vwap") else price


def _entry(market: Market, instrument: Instrument, request: OrderRequest, now: datetime) -> tuple[str, str, datetime]:
    """``(pricing, time in force, expiry)`` of the order type, refused outside the sessions that take it."""
    session = market.session(instrument.market, now)
    always = market.always_open
    local = now.astimezone(instrument.timezone)
    tif = "day"
    if instrument.domestic:
        pricing, tif, expires = _domestic_entry(request.ord_dvsn, session, local, always)
    elif instrument.us:
        pricing, daytime_end = _us_entry(request, session, now, always)
        regular_end = datetime.combine(local.date(), time(20, 0), tzinfo=instrument.timezone).astimezone(UTC)
        expires = daytime_end or regular_end
    else:
        if request.ord_dvsn != "00":
            raise reject(BAD_TYPE, request.ord_dvsn)
        pricing = "limit"
        if not always and session in ("closed", "post"):
            raise reject(CLOSED, session)
        expires = datetime.combine(local.date(), time(23, 59), tzinfo=instrument.timezone).astimezone(UTC)
    if always:
        next_day = local.date() + timedelta(days=1)
        expires = datetime.combine(next_day, time(0), tzinfo=instrument.timezone).astimezone(UTC)
    return pricing, tif, expires


def _domestic_entry(ord_dvsn: str, session: str, local: datetime, always: bool) -> tuple[str, str, datetime]:
    spec = DOMESTIC_TYPES.get(ord_dvsn)
    if spec is None:
        raise reject(BAD_TYPE, ord_dvsn)
    pricing, tif, wanted = spec
    if not always:
        if session not in DOMESTIC_ENTRY[wanted] or (wanted == "single" and local.hour >= 18):
            raise reject(CLOSED, session)
        if wanted == "regular" and session != "regular" and pricing not in ("limit",):
            raise reject(CLOSED, f"{session}: limit orders only")
    return pricing, tif, kst_at(local.date(), *DOMESTIC_EXPIRY[wanted])


def _us_entry(request: OrderRequest, session: str, now: datetime, always: bool) -> tuple[str, datetime | None]:
    """``(pricing, expiry)``; the expiry is ``None`` for the regular 20:00 ET end of the day."""
    us_type = US_TYPES.get(request.ord_dvsn)
    if us_type is None or (request.side == BUY and request.ord_dvsn in US_SELL_ONLY):
        raise reject(BAD_TYPE, request.ord_dvsn)
    pricing = us_type
    if not always:
        if session == "closed" or (session == "daytime" and request.ord_dvsn != "00"):
            raise reject(CLOSED, session)
        if pricing in ("moo", "loo") and session not in ("pre", "daytime"):
            raise reject(CLOSED, f"{session}: opening orders are taken before the open")
        if pricing in ("moc", "loc", "twap", "vwap") and session not in ("pre", "regular"):
            raise reject(CLOSED, session)
    if session == "daytime":
        return pricing, kst_at(now.astimezone(SEOUL).date(), 16, 0)
    return pricing, None
