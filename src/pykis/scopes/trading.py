"""Orders: placing, modifying and cancelling them, written once as flows; ``KisOrder`` and its asyncio twin.

Order types (PROTOCOL.md §10, §15) are chosen from ``price``, ``condition`` and ``execution``:

==========================  ==========================================================================
domestic (KRX/NXT/SOR)      ``price`` → 00 limit, none → 01 market; ``condition``: ``"condition"`` 02,
                            ``"best"`` 03, ``"priority"`` 04, ``"before"`` 05 (pre-market at the previous
                            close), ``"after"`` 06 (post-market at the close), ``"extended"`` 07 (after-hours
                            single price), ``"midpoint"`` 21; ``"gtp"``/``"gtp_best"``/``"gtp_priority"`` 27/28/29
                            (NXT pre-market); ``"after_market"``/``"after_market_best"``/``"after_market_priority"``
                            41/44/47 (KRX after-market 16:00–20:00); ``execution`` ``"IOC"``/``"FOK"`` picks
                            11–16, 23/24, 42/43, 45/46
US (NASDAQ/NYSE/AMEX)       ``price`` → 00; ``"LOO"`` 32, ``"LOC"`` 34, ``"MOO"`` 31 and ``"MOC"`` 33 (sells),
                            ``"TWAP"`` 35 / ``"VWAP"`` 36 (``start``/``end`` window); ``daytime=True``: the US
                            daytime session (TTTS6036U/6037U, limit only)
other exchanges             ``price`` → 00 limit only
==========================  ==========================================================================

Without a price, overseas orders become marketable limits (the last price ± 5 %, on the grid, inside the
limits), since KIS has no market type abroad. The virtual service takes domestic 00–04 on KRX and overseas 00.

Before anything is sent, :func:`validate` and the prechecks refuse orders that break a rule (tick grid, daily
limits, lots, types, sessions, cash and shares when known) with a :class:`~pykis.errors.KisOrderValidationError`.
Orders, modifies and cancels are never resent: when an answer is lost (timeout, dropped connection, garbled
answer, EGW00301/302), the request is looked up among the day's orders (see :mod:`pykis._journal`) and either
confirmed or reported as :class:`~pykis.errors.KisOrderUnknownError`.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo

from pykis._journal import JournalEntry, OrderJournal
from pykis.api._generated import domestic_stock, overseas_stock
from pykis.auth import KisAccountNumber
from pykis.errors import (
    KisAPIError,
    KisAuthError,
    KisDecodeError,
    KisError,
    KisGatewayTimeoutError,
    KisHTTPError,
    KisInsufficientError,
    KisOrderRejectedError,
    KisOrderTypeError,
    KisOrderUnknownError,
    KisPriceError,
    KisQuantityError,
    KisRateLimitError,
    KisTransportError,
    KisValidationError,
)
from pykis.markets import MarketInfo, market_info, tick_size
from pykis.models._base import dec, render
from pykis.models.order import (
    DomesticCcldBody,
    DomesticPendingBody,
    ForeignOrderBody,
    ForeignOrderRow,
    OrderSide,
)
from pykis.protocol.flow import Action, Sleep
from pykis.protocol.paging import next_page

if TYPE_CHECKING:
    import pandas
    import polars

    from pykis.client import AsyncPyKis, PyKis, _ClientCore
    from pykis.masters import MasterRow
    from pykis.protocol.envelope import Envelope
    from pykis.protocol.request import ApiCall
    from pykis.scopes.stock import StockBase

__all__ = [
    "AsyncKisOrder",
    "AsyncKisPendingOrder",
    "Condition",
    "Execution",
    "KisOrder",
    "KisPendingOrder",
    "KisPendingOrders",
    "Listing",
    "OrderFacts",
    "PendingFacts",
    "domestic_order_type",
    "foreign_order_type",
    "order_type_name",
]

KST = ZoneInfo("Asia/Seoul")
Condition = Literal[
    "condition",
    "best",
    "priority",
    "before",
    "after",
    "extended",
    "midpoint",
    "gtp",
    "gtp_best",
    "gtp_priority",
    "after_market",
    "after_market_best",
    "after_market_priority",
    "LOO",
    "LOC",
    "MOO",
    "MOC",
    "TWAP",
    "VWAP",
]
Execution = Literal["IOC", "FOK"]
Quantity = int | float | Decimal
Price = int | float | Decimal | str

# (condition, has price, execution) → ORD_DVSN for KRX/NXT; None in "has price" means either.
_DOMESTIC_TYPES: dict[tuple[str | None, bool | None, str | None], str] = {
    (None, True, None): "00",
    (None, False, None): "01",
    ("condition", True, None): "02",
    ("best", None, None): "03",
    ("priority", None, None): "04",
    ("before", False, None): "05",
    ("after", False, None): "06",
    ("extended", True, None): "07",
    (None, True, "IOC"): "11",
    (None, True, "FOK"): "12",
    (None, False, "IOC"): "13",
    (None, False, "FOK"): "14",
    ("best", None, "IOC"): "15",
    ("best", None, "FOK"): "16",
    ("midpoint", False, None): "21",
    ("midpoint", False, "IOC"): "23",
    ("midpoint", False, "FOK"): "24",
    ("gtp", True, None): "27",
    ("gtp_best", None, None): "28",
    ("gtp_priority", None, None): "29",
    ("after_market", True, None): "41",
    ("after_market", True, "IOC"): "42",
    ("after_market", True, "FOK"): "43",
    ("after_market_best", None, None): "44",
    ("after_market_best", None, "IOC"): "45",
    ("after_market_best", None, "FOK"): "46",
    ("after_market_priority", None, None): "47",
}
PRICED_DOMESTIC = frozenset({"00", "02", "07", "11", "12", "27", "41", "42", "43"})
VIRTUAL_DOMESTIC = frozenset({"00", "01", "02", "03", "04"})
_NXT_ONLY = frozenset({"27", "28", "29"})
_KRX_ONLY = frozenset({"05", "06", "07", "41", "42", "43", "44", "45", "46", "47"})
_US_TYPES: dict[tuple[str | None, str], str] = {
    (None, "buy"): "00",
    (None, "sell"): "00",
    ("LOO", "buy"): "32",
    ("LOO", "sell"): "32",
    ("LOC", "buy"): "34",
    ("LOC", "sell"): "34",
    ("MOO", "sell"): "31",
    ("MOC", "sell"): "33",
    ("TWAP", "buy"): "35",
    ("TWAP", "sell"): "35",
    ("VWAP", "buy"): "36",
    ("VWAP", "sell"): "36",
}
_NO_PRICE_US = frozenset({"31", "33"})
MARKETABLE_SLIPPAGE = Decimal("0.05")

RESOLVE_DELAYS: tuple[float, ...] = (0.2, 0.4, 0.8, 1.6, 3.2)
"""Pauses between the day's-orders inquiries that settle an order whose answer was lost (about 6 s in all)."""
RESOLVE_SKEW = timedelta(seconds=120)
"""How much earlier than the local send time the server may have stamped the order (clock skew)."""

_JOURNALS: weakref.WeakKeyDictionary[Any, OrderJournal] = weakref.WeakKeyDictionary()
_LIMITS: weakref.WeakKeyDictionary[Any, dict[tuple[str, date], tuple[Decimal, Decimal, Decimal]]] = (
    weakref.WeakKeyDictionary()
)


def journal_of(core: _ClientCore) -> OrderJournal:
    """The order journal of ``core`` (files under ``<cache>/orders``)."""
    journal = _JOURNALS.get(core)
    if journal is None:
        from pykis.client import default_cache_dir

        directory: Path | None = default_cache_dir() / "orders"
        journal = _JOURNALS[core] = OrderJournal(directory, core.clock.now)
    return journal


# ------------------------------------------------------------------------------------------------ values


@dataclass(frozen=True, slots=True)
class Listing:
    """What orders need to know about a stock."""

    symbol: str
    info: MarketInfo
    name: str = ""
    kind: str = "stock"
    lot_size: int = 1

    @classmethod
    def of_row(cls, row: MasterRow) -> Listing:
        """From a symbol master row."""
        return cls(row.symbol, market_info(row.market), row.name, row.kind, max(row.lot_size, 1))

    @classmethod
    def of_stock(cls, stock: StockBase) -> Listing:
        """From a stock scope."""
        return cls(stock.symbol, stock.info, stock.name, stock.kind, max(getattr(stock, "lot_size", 1) or 1, 1))

    @property
    def domestic(self) -> bool:
        """Whether the stock is listed on KRX."""
        return self.info.domestic

    @property
    def us(self) -> bool:
        """Whether the stock is listed in the US."""
        return self.info.currency == "USD"

    @property
    def etf(self) -> bool:
        """ETFs and ETNs trade on their own KRX tick table."""
        return self.kind.lower() in ("etf", "etn")


@dataclass(frozen=True, slots=True)
class OrderFacts:
    """An order as the server acknowledged it."""

    account_number: KisAccountNumber
    symbol: str
    market: str
    currency: str
    side: OrderSide
    order_type: str
    price: Decimal | None
    qty: int
    branch: str
    number: str
    time: datetime
    exchange: str
    daytime: bool = False
    condition: str | None = None
    execution: str | None = None
    original_number: str | None = None
    kind: Literal["new", "modify", "cancel"] = "new"
    name: str = ""
    client_id: str | None = None


@dataclass(frozen=True, slots=True)
class PendingFacts:
    """An order still working: the facts plus its executed and pending quantities."""

    facts: OrderFacts
    executed_qty: int
    pending_qty: int
    executed_amount: Decimal = field(default=Decimal(0))


# ------------------------------------------------------------------------------------------------ rules


def to_qty(value: Quantity | None, lot: int = 1) -> int:
    """A positive whole number of shares in ``lot`` units; ints, floats and Decimals when exact."""
    if value is None or isinstance(value, bool):
        raise KisQuantityError(f"quantity must be a number, got {value!r}")
    try:
        exact = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise KisQuantityError(f"quantity must be a number, got {value!r}") from None
    if not exact.is_finite() or exact != exact.to_integral_value():
        raise KisQuantityError(f"quantity must be a whole number of shares, got {value!r}")
    qty = int(exact)
    if qty <= 0:
        raise KisQuantityError(f"quantity must be positive, got {value!r}")
    if qty % lot:
        raise KisQuantityError(f"quantity {qty} is not a multiple of the lot size {lot}", rule="lot")
    return qty


def to_price(value: Price | None) -> Decimal | None:
    """A price as Decimal (``None`` stays ``None``: a market order); must be positive and finite."""
    if value is None:
        return None
    try:
        price = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise KisPriceError(f"price must be a number, got {value!r}", rule="price") from None
    if not price.is_finite() or price <= 0:
        raise KisPriceError(f"price must be positive, got {value!r}", rule="price")
    return price


def check_tick(listing: Listing, price: Decimal) -> None:
    """Refuse a price off the market's grid (KRX table; US $0.01 from $1, $0.0001 below; …)."""
    tick = tick_size(listing.info.code, price, etf=listing.etf)
    if price % tick:
        raise KisPriceError(
            f"{render(price)} is not on the {listing.info.code} tick grid ({render(tick)} at this price)", rule="tick"
        )


def check_limits(listing: Listing, price: Decimal, lower: Decimal, upper: Decimal) -> None:
    """Refuse a price outside the day's limits (when the market has them)."""
    if upper > 0 and not lower <= price <= upper:
        raise KisPriceError(
            f"{render(price)} is outside {listing.symbol}'s daily limits {render(lower)}~{render(upper)}",
            rule="price_limit",
        )


def domestic_order_type(condition: str | None, execution: str | None, has_price: bool, exchange: str) -> str:
    """ORD_DVSN of a KRX/NXT/SOR order (PROTOCOL §10, §15); raises :class:`KisOrderTypeError`."""
    if exchange not in ("KRX", "NXT", "SOR"):
        raise KisOrderTypeError(f"exchange must be KRX, NXT or SOR, got {exchange!r}", rule="exchange")
    code = _DOMESTIC_TYPES.get((condition, has_price, execution)) or _DOMESTIC_TYPES.get((condition, None, execution))
    if code is None:
        price = "with a price" if has_price else "without a price"
        raise KisOrderTypeError(f"no domestic order type for condition={condition!r}, execution={execution!r} {price}")
    if code in _NXT_ONLY and exchange != "NXT":
        raise KisOrderTypeError(f"{condition} orders (ORD_DVSN {code}) trade on NXT only", rule="exchange")
    if code in _KRX_ONLY and exchange != "KRX":
        raise KisOrderTypeError(f"{condition} orders (ORD_DVSN {code}) trade on KRX only", rule="exchange")
    return code


def foreign_order_type(listing: Listing, side: str, condition: str | None, execution: str | None, daytime: bool) -> str:
    """ORD_DVSN of an overseas order; raises :class:`KisOrderTypeError`."""
    if execution is not None:
        raise KisOrderTypeError(f"{listing.info.code} takes no IOC/FOK orders")
    if daytime:
        if not listing.us:
            raise KisOrderTypeError(f"{listing.info.code} has no daytime session; only US exchanges do")
        if condition is not None:
            raise KisOrderTypeError("US daytime orders are limit orders only", rule="order_type")
        return "00"
    if listing.us:
        code = _US_TYPES.get((condition, side))
        if code is None:
            raise KisOrderTypeError(f"US exchanges take no {side} orders with condition={condition!r}")
        return code
    if condition is not None:
        raise KisOrderTypeError(f"{listing.info.code} takes limit orders only, got condition={condition!r}")
    return "00"


def order_type_name(code: str, market: str) -> str:
    """An order type in words: ``"00"`` → ``"limit"``, ``"01"`` → ``"market"``, ``"11"`` → ``"limit IOC"``,
    ``"34"`` (US) → ``"LOC"``; the code itself when it names none."""
    if market == "KRX":
        for (condition, priced, execution), known in _DOMESTIC_TYPES.items():
            if known == code:
                words = condition.replace("_", " ") if condition else "limit" if priced else "market"
                return f"{words} {execution}" if execution else words
        return code
    if code == "00":
        return "limit"
    return next((condition for (condition, _), known in _US_TYPES.items() if known == code and condition), code)


def check_virtual(listing: Listing, order_type: str, exchange: str, daytime: bool) -> None:
    """The virtual service takes fewer order types (domestic 00–04 on KRX, overseas 00, no daytime)."""
    if listing.domestic:
        if order_type not in VIRTUAL_DOMESTIC:
            raise KisOrderTypeError(f"the virtual service does not take ORD_DVSN {order_type}", rule="virtual")
        if exchange != "KRX":
            raise KisOrderTypeError(f"the virtual service routes to KRX only, not {exchange}", rule="virtual")
    elif order_type != "00" or daytime:
        raise KisOrderTypeError("the virtual service takes overseas limit orders (00) only", rule="virtual")


def _minutes(at: datetime) -> int:
    return at.hour * 60 + at.minute


# KST windows (minutes of the day) in which each domestic type is taken (PROTOCOL §15 sessions).
_DOMESTIC_WINDOWS: dict[str, tuple[int, int]] = {
    "05": (8 * 60 + 30, 8 * 60 + 40),
    "06": (15 * 60 + 40, 16 * 60),
    "07": (16 * 60, 18 * 60),
    "27": (8 * 60, 8 * 60 + 50),
    "28": (8 * 60, 8 * 60 + 50),
    "29": (8 * 60, 8 * 60 + 50),
}


def check_session(listing: Listing, order_type: str, exchange: str, daytime: bool, now: datetime) -> None:
    """Refuse an order type outside the session that takes it (domestic sessions, the US daytime session)."""
    local = now.astimezone(KST)
    if listing.domestic:
        if local.weekday() >= 5:
            raise KisOrderTypeError("KRX and NXT do not trade on weekends", rule="session")
        minute = _minutes(local)
        if order_type in _DOMESTIC_WINDOWS:
            start, end = _DOMESTIC_WINDOWS[order_type]
        elif order_type[:1] == "4":
            start, end = 16 * 60, 20 * 60
        elif exchange == "KRX":
            start, end = 8 * 60 + 30, 15 * 60 + 30
        else:
            start, end = 8 * 60, 20 * 60
        if not start <= minute < end:
            window = f"{start // 60:02d}:{start % 60:02d}–{end // 60:02d}:{end % 60:02d}"
            raise KisOrderTypeError(f"ORD_DVSN {order_type} is taken {window} KST only", rule="session")
    elif daytime and not 10 * 60 <= _minutes(local) < 16 * 60:
        raise KisOrderTypeError("the US daytime session takes orders 10:00–16:00 KST only", rule="session")


def _session_checks(core: _ClientCore) -> bool:
    """``core.check_sessions``, or (``None``) whether the client talks to the broker's own hosts."""
    if core.check_sessions is not None:
        return core.check_sessions
    side = core._side_for(trading=True)
    return "koreainvestment.com" in side.hosts.rest


def _wire_price(price: Decimal | None) -> str:
    if price is None:
        return "0"
    return format(price, "f")


def _kst_time(hhmmss: str, day: date) -> datetime:
    """``HHMMSS`` on ``day`` in Korea time (the start of ``day`` when the text is not a time)."""
    text = hhmmss.strip().zfill(6)[:6]
    try:
        return datetime.combine(day, time(int(text[:2]), int(text[2:4]), int(text[4:6])), tzinfo=KST)
    except ValueError:
        return datetime.combine(day, time.min, tzinfo=KST)


def _ymd(text: str) -> date | None:
    text = text.strip()
    if len(text) != 8 or not text.isdigit():
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


# ------------------------------------------------------------------------------------------------ flows


def _domestic_limits(core: _ClientCore, listing: Listing) -> Generator[Action, Any, tuple[Decimal, Decimal, Decimal]]:
    """(lower, upper, last) of today, from FHKST01010100 주식현재가 시세, cached for the day."""
    cache = _LIMITS.setdefault(core, {})
    key = (listing.symbol, (yield from core._now_flow(KST)).date())
    if key in cache:
        return cache[key]
    request = domestic_stock.inquire_price(FID_COND_MRKT_DIV_CODE="J", FID_INPUT_ISCD=listing.symbol)
    envelope = yield from core.request_flow(request.call)
    output = envelope.output() or {}
    value = (dec(output.get("stck_llam", "")), dec(output.get("stck_mxpr", "")), dec(output.get("stck_prpr", "")))
    cache[key] = value
    return value


def _foreign_last(core: _ClientCore, listing: Listing) -> Generator[Action, Any, tuple[Decimal, Decimal, Decimal]]:
    """(lower, upper, last) of an overseas stock from HHDFS76200200 (real service only)."""
    request = overseas_stock.price_detail(AUTH="", EXCD=listing.info.excd or "", SYMB=listing.symbol)
    try:
        envelope = yield from core.request_flow(request.call)
    except KisValidationError:
        raise KisOrderTypeError(
            "an overseas order without a price needs the last price, which only the real service quotes; pass a price",
            rule="order_type",
        ) from None
    output = envelope.output() or {}
    return dec(output.get("dnlp", "")), dec(output.get("uplp", "")), dec(output.get("last", ""))


def _marketable(listing: Listing, side: str, lower: Decimal, upper: Decimal, last: Decimal) -> Decimal:
    """A limit price that trades at once: the last price ± 5 %, on the grid, inside the limits."""
    if last <= 0:
        raise KisOrderTypeError(f"no last price for {listing.symbol}; pass a price", rule="order_type")
    target = last * (1 + MARKETABLE_SLIPPAGE if side == "buy" else 1 - MARKETABLE_SLIPPAGE)
    tick = tick_size(listing.info.code, target)
    rounding = ROUND_CEILING if side == "buy" else ROUND_FLOOR
    price = (target / tick).to_integral_value(rounding) * tick
    if upper > 0:
        price = min(max(price, lower), upper)
    return price


@dataclass(frozen=True, slots=True)
class _Plan:
    """An order ready to send."""

    account: KisAccountNumber
    listing: Listing
    side: OrderSide
    order_type: str
    price: Decimal | None
    qty: int
    exchange: str
    daytime: bool
    condition: str | None
    execution: str | None
    window: tuple[str | None, str | None] = (None, None)
    """TWAP/VWAP (ORD_DVSN 35/36) START_TIME and END_TIME (local HHMMSS), sent only when given."""

    def call(self) -> ApiCall:
        account, symbol = self.account, self.listing.symbol
        if self.listing.domestic:
            # TTTC0012U buy / TTTC0011U sell, chosen by the catalog's ord_dv.
            return domestic_stock.order_cash(
                ord_dv=self.side,
                CANO=account.number,
                ACNT_PRDT_CD=account.product,
                PDNO=symbol,
                ORD_DVSN=self.order_type,
                ORD_QTY=str(self.qty),
                ORD_UNPR=_wire_price(self.price),
                EXCG_ID_DVSN_CD=self.exchange,
                SLL_TYPE="01" if self.side == "sell" else "",
                CNDT_PRIC="",
            ).call
        code = self.listing.info.ovrs_excg_cd or ""
        if self.daytime:
            # TTTS6036U buy / TTTS6037U sell (real only).
            return overseas_stock.daytime_order(
                order_dv=self.side,
                CANO=account.number,
                ACNT_PRDT_CD=account.product,
                OVRS_EXCG_CD=code,
                PDNO=symbol,
                ORD_QTY=str(self.qty),
                OVRS_ORD_UNPR=_wire_price(self.price),
                CTAC_TLNO="",
                MGCO_APTM_ODNO="",
                ORD_SVR_DVSN_CD="0",
                ORD_DVSN=self.order_type,
            ).call
        # The TR per side and exchange (PROTOCOL.md §11) comes from the catalog's ord_dv and OVRS_EXCG_CD.
        return overseas_stock.order(
            ord_dv=self.side,
            CANO=account.number,
            ACNT_PRDT_CD=account.product,
            OVRS_EXCG_CD=code,
            PDNO=symbol,
            ORD_QTY=str(self.qty),
            OVRS_ORD_UNPR=_wire_price(self.price),
            CTAC_TLNO="",
            MGCO_APTM_ODNO="",
            SLL_TYPE="00" if self.side == "sell" else "",
            ORD_SVR_DVSN_CD="0",
            ORD_DVSN=self.order_type,
            START_TIME=self.window[0],
            END_TIME=self.window[1],
        ).call


def plan_flow(
    core: _ClientCore,
    account: KisAccountNumber,
    listing: Listing,
    side: OrderSide,
    price: Price | None,
    qty: Quantity | None,
    condition: str | None,
    execution: str | None,
    exchange: str | None,
    daytime: bool,
    precheck: bool,
    start: time | None = None,
    end: time | None = None,
) -> Generator[Action, Any, _Plan]:
    """Validate an order and work out what to send; nothing is sent to the order TR here."""
    if side not in ("buy", "sell"):
        raise KisValidationError(f"side must be 'buy' or 'sell', got {side!r}")
    if execution is not None and execution not in ("IOC", "FOK"):
        raise KisOrderTypeError(f"execution must be 'IOC' or 'FOK', got {execution!r}")
    limit = to_price(price)
    virtual = core.virtual
    if listing.domestic:
        venue = (exchange or "KRX").upper()
        order_type = domestic_order_type(condition, execution, limit is not None, venue)
        if order_type not in PRICED_DOMESTIC:
            limit = None  # best/priority/market/midpoint/closing-price types carry no price (ORD_UNPR 0)
    else:
        venue = listing.info.ovrs_excg_cd or ""
        order_type = foreign_order_type(listing, side, condition, execution, daytime)
        if order_type in _NO_PRICE_US:
            limit = None
        elif order_type in ("00", "32", "34") and limit is None and condition in ("LOO", "LOC"):
            raise KisOrderTypeError(f"{condition} orders need a price")
    if virtual:
        check_virtual(listing, order_type, venue, daytime)
    if _session_checks(core):
        check_session(listing, order_type, venue, daytime, (yield from core._now_flow(UTC)))
    # Sell everything sellable when no quantity is given.
    if qty is None:
        if side != "sell":
            raise KisQuantityError("a buy needs a quantity")
        from pykis.scopes.account import sellable_flow

        sellable = yield from sellable_flow(core, account, listing)
        if sellable <= 0:
            raise KisInsufficientError(f"no sellable {listing.symbol} in {account}", rule="shares")
        count = sellable
    else:
        count = to_qty(qty, listing.lot_size if listing.domestic or side == "buy" else 1)
        if not listing.domestic and count % listing.lot_size and side == "buy":
            raise KisQuantityError(f"quantity {count} is not a multiple of the lot size {listing.lot_size}", rule="lot")
    if limit is not None:
        check_tick(listing, limit)
    if listing.domestic:
        if limit is not None:
            lower, upper, _ = yield from _domestic_limits(core, listing)
            check_limits(listing, limit, lower, upper)
    elif limit is None and order_type in ("00",):
        lower, upper, last = yield from _foreign_last(core, listing)
        limit = _marketable(listing, side, lower, upper, last)
    if precheck:
        if side == "sell" and qty is not None:
            from pykis.scopes.account import sellable_flow

            sellable = yield from sellable_flow(core, account, listing)
            if count > sellable:
                raise KisInsufficientError(
                    f"{count} {listing.symbol} to sell, {sellable} sellable in {account}", rule="shares"
                )
        elif side == "buy":
            from pykis.scopes.account import orderable_flow

            orderable = yield from orderable_flow(core, account, listing, limit, order_type)
            if count > orderable.qty:
                raise KisInsufficientError(
                    f"{count} {listing.symbol} at {render(orderable.unit_price)} needs more than the orderable "
                    f"{render(orderable.amount)} {orderable.currency} (at most {orderable.qty})",
                    rule="cash",
                )
    window: tuple[str | None, str | None] = (None, None)
    if order_type in ("35", "36"):
        window = (
            None if start is None else start.strftime("%H%M%S"),
            None if end is None else end.strftime("%H%M%S"),
        )
    return _Plan(account, listing, side, order_type, limit, count, venue, daytime, condition, execution, window)


def order_flow(
    core: _ClientCore,
    account: KisAccountNumber,
    listing: Listing,
    side: OrderSide,
    price: Price | None,
    qty: Quantity | None,
    condition: str | None = None,
    execution: str | None = None,
    exchange: str | None = None,
    daytime: bool = False,
    precheck: bool = True,
    start: time | None = None,
    end: time | None = None,
) -> Generator[Action, Any, OrderFacts]:
    """Validate, journal, send once, and settle an order whose answer was lost."""
    plan = yield from plan_flow(
        core, account, listing, side, price, qty, condition, execution, exchange, daytime, precheck, start, end
    )
    journal = journal_of(core)
    entry = journal.begin(
        account=str(account),
        symbol=listing.symbol,
        market=listing.info.code,
        side=side,
        qty=plan.qty,
        price=_wire_price(plan.price),
        order_type=plan.order_type,
    )
    answer = yield from _send_once_flow(core, plan.call(), entry)
    if isinstance(answer, KisError):
        return (yield from _resolve_flow(core, plan, entry, answer))
    output = answer.output() or {}
    number = str(output.get("ODNO") or output.get("odno") or "")
    branch = str(output.get("KRX_FWDG_ORD_ORGNO") or output.get("krx_fwdg_ord_orgno") or "")
    stamp = str(output.get("ORD_TMD") or output.get("ord_tmd") or "")
    journal.settle(entry, "confirmed", number)
    return _facts(plan, number, branch, _kst_time(stamp, core.clock.today(KST)), entry.client_id)


def _send_once_flow(
    core: _ClientCore, call: ApiCall, entry: JournalEntry
) -> Generator[Action, Any, Envelope | KisError]:
    """Send an order, modify or cancel exactly once. Returns the answer, or the error when the outcome is
    unknown (a lost, cut-off or garbled answer: the request may have reached the trading system, so it is
    looked for, never resent); raises, with ``entry`` settled as rejected, when it was refused."""
    journal = journal_of(core)
    try:
        envelope: Envelope = yield from core.request_flow(call)
    except (KisTransportError, KisGatewayTimeoutError, KisDecodeError) as error:
        return error
    except KisHTTPError as error:
        if 400 <= error.status < 500:
            journal.settle(entry, "rejected")
            raise  # refused before processing
        return error
    except (KisAuthError, KisRateLimitError):
        journal.settle(entry, "rejected")
        raise  # refused by the gateway: the request never reached the trading system
    except KisAPIError as error:
        journal.settle(entry, "rejected")
        raise KisOrderRejectedError(
            rt_cd=error.rt_cd, msg_cd=error.msg_cd, msg1=error.msg1, tr_id=error.tr_id, status=error.status
        ) from None
    return envelope


Found = tuple[str, str, datetime]
"""An order of the day's list that may be the lost one: (number, branch, time)."""


def _settle_flow(
    core: _ClientCore, entry: JournalEntry, lookup: Callable[[], Generator[Action, Any, list[Found]]]
) -> Generator[Action, Any, tuple[Found | None, list[Found]]]:
    """Find the request of ``entry`` whose answer was lost among what ``lookup`` lists, asking again after
    growing pauses (it may land late). Numbers other journal entries own and orders stamped before the send
    are not candidates. Returns (the one found or ``None``, the candidates of the last look); settles ``entry``."""
    journal = journal_of(core)
    candidates: list[Found] = []
    for pause in (0.0, *RESOLVE_DELAYS):
        if pause:
            yield Sleep(pause)
        try:
            rows = yield from lookup()
        except KisError:
            continue  # the inquiry failed too; try again after the next pause
        claimed = journal.claimed(entry.account, entry.sent_at)
        earliest = entry.sent_at - RESOLVE_SKEW
        candidates = [row for row in rows if row[0].lstrip("0") not in claimed and row[2] >= earliest]
        if len(candidates) == 1:
            journal.settle(entry, "confirmed", candidates[0][0])
            return candidates[0], candidates
        if len(candidates) > 1:
            break  # ambiguous: never guess
    journal.settle(entry, "unknown")
    return None, candidates


def _unknown(
    entry: JournalEntry, price: Decimal | None, cause: KisError, candidates: list[Found]
) -> KisOrderUnknownError:
    return KisOrderUnknownError(
        account=entry.account,
        symbol=entry.symbol,
        market=entry.market,
        side=entry.side,
        qty=entry.qty,
        price=price,
        sent_at=entry.sent_at,
        client_id=entry.client_id,
        cause=cause,
        candidates=tuple(number for number, _, _ in candidates),
        kind=entry.kind,
        original_number=entry.original,
    )


def _facts(plan: _Plan, number: str, branch: str, at: datetime, client_id: str | None) -> OrderFacts:
    return OrderFacts(
        account_number=plan.account,
        symbol=plan.listing.symbol,
        market=plan.listing.info.code,
        currency=plan.listing.info.currency,
        side=plan.side,
        order_type=plan.order_type,
        price=plan.price,
        qty=plan.qty,
        branch=branch,
        number=number,
        time=at,
        exchange=plan.exchange,
        daytime=plan.daytime,
        condition=plan.condition,
        execution=plan.execution,
        name=plan.listing.name,
        client_id=client_id,
    )


def _resolve_flow(
    core: _ClientCore, plan: _Plan, entry: JournalEntry, cause: KisError
) -> Generator[Action, Any, OrderFacts]:
    """Settle an order whose answer was lost by finding it among the day's orders."""
    found, candidates = yield from _settle_flow(core, entry, lambda: _todays_orders_flow(core, plan))
    if found is None:
        raise _unknown(entry, plan.price, cause, candidates) from cause
    number, branch, at = found
    return _facts(plan, number, branch, at, entry.client_id)


def _todays_orders_flow(core: _ClientCore, plan: _Plan) -> Generator[Action, Any, list[tuple[str, str, datetime]]]:
    """(number, branch, time) of today's new orders that ask exactly what ``plan`` asked."""
    today = (yield from core._now_flow(KST)).date()
    found: list[tuple[str, str, datetime]] = []
    price = plan.price or Decimal(0)
    side_code = "01" if plan.side == "sell" else "02"
    if plan.listing.domestic:
        # TTTC0081R 주식일별주문체결조회 (the last three months).
        call: ApiCall | None = daily_ccld_call(plan.account, today, today, side=side_code, symbol=plan.listing.symbol)
        while call is not None:
            envelope = yield from core.request_flow(call)
            for row in envelope.decode(DomesticCcldBody).output1:
                if (
                    row.pdno == plan.listing.symbol
                    and row.sll_buy_dvsn_cd == side_code
                    and row.cncl_yn != "Y"
                    and not row.orgn_odno.strip()
                    and int(dec(row.ord_qty)) == plan.qty
                    and dec(row.ord_unpr) == price
                    and row.ord_dvsn_cd == plan.order_type
                ):
                    found.append((row.odno, row.ord_gno_brno, _kst_time(row.ord_tmd, _ymd(row.ord_dt) or today)))
            call = next_page(call, envelope)
        return found
    rows = yield from foreign_orders_flow(core, plan.account, today - timedelta(days=1), today + timedelta(days=1))
    for foreign in rows:
        if (
            foreign.pdno == plan.listing.symbol
            and foreign.sll_buy_dvsn_cd == side_code
            and (foreign.rvse_cncl_dvsn or foreign.rvse_cncl_dvsn_cd or "00") in ("00", "")
            and not foreign.orgn_odno.strip()
            and int(dec(foreign.ft_ord_qty)) == plan.qty
            and dec(foreign.ft_ord_unpr3) == price
        ):
            found.append((foreign.odno, foreign.ord_gno_brno, foreign_row_time(foreign, today)))
    return found


def foreign_row_time(row: ForeignOrderRow, today: date) -> datetime:
    """The order time of an overseas row in Korea time (당사주문시각), else the local order time."""
    if row.dmst_ord_dt.strip() and row.thco_ord_tmd.strip():
        return _kst_time(row.thco_ord_tmd, _ymd(row.dmst_ord_dt) or today)
    return _kst_time(row.ord_tmd, _ymd(row.ord_dt) or today)


def foreign_orders_flow(
    core: _ClientCore, account: KisAccountNumber, start: date, end: date
) -> Generator[Action, Any, list[ForeignOrderRow]]:
    """Every overseas order between local dates (TTTS3035R 해외주식 주문체결내역), all pages.

    The virtual service takes only empty filters there (PROTOCOL §9), so the library filters locally.
    """
    call: ApiCall | None = overseas_stock.inquire_ccnl(
        CANO=account.number,
        ACNT_PRDT_CD=account.product,
        PDNO="" if core.virtual else "%",
        ORD_STRT_DT=f"{start:%Y%m%d}",
        ORD_END_DT=f"{end:%Y%m%d}",
        SLL_BUY_DVSN="00",
        CCLD_NCCS_DVSN="00",
        OVRS_EXCG_CD="" if core.virtual else "%",
        SORT_SQN="DS",
        ORD_DT="",
        ORD_GNO_BRNO="",
        ODNO="",
        CTX_AREA_NK200="",
        CTX_AREA_FK200="",
    ).call
    rows: list[ForeignOrderRow] = []
    while call is not None:
        envelope = yield from core.request_flow(call)
        rows.extend(envelope.decode(ForeignOrderBody).output)
        call = next_page(call, envelope)
    return rows


# ------------------------------------------------------------------------------------------------ modify / cancel


def revise_flow(
    core: _ClientCore,
    facts: OrderFacts,
    *,
    cancel: bool,
    price: Price | None = None,
    qty: Quantity | None = None,
    condition: str | None = None,
    execution: str | None = None,
) -> Generator[Action, Any, OrderFacts]:
    """Modify (정정) or cancel (취소) an order: TTTC0013U domestic, TTTT1004U / TTTS6038U overseas.

    ``qty`` None moves (or cancels) the whole remaining quantity; otherwise ``qty`` shares of it. ``price`` None
    keeps the order's price. Returns the modify or cancel record, which has its own order number.
    """
    listing = Listing(facts.symbol, market_info(facts.market), facts.name)
    count = None if qty is None else to_qty(qty, 1)
    new_price = facts.price if price is None else to_price(price)
    order_type = facts.order_type
    if not cancel and (condition is not None or execution is not None or price is not None) and listing.domestic:
        order_type = domestic_order_type(condition, execution, new_price is not None, facts.exchange)
        if order_type not in PRICED_DOMESTIC:
            new_price = None
    if core.virtual:
        check_virtual(listing, order_type, facts.exchange if listing.domestic else "", facts.daytime)
    if not cancel and new_price is not None:
        check_tick(listing, new_price)
        if listing.domestic:
            lower, upper, _ = yield from _domestic_limits(core, listing)
            check_limits(listing, new_price, lower, upper)
    account = facts.account_number
    revise = "02" if cancel else "01"
    if listing.domestic:
        call = domestic_stock.order_rvsecncl(
            CANO=account.number,
            ACNT_PRDT_CD=account.product,
            KRX_FWDG_ORD_ORGNO=facts.branch,
            ORGN_ODNO=facts.number,
            ORD_DVSN=order_type,
            RVSE_CNCL_DVSN_CD=revise,
            ORD_QTY=str(count or 0),
            ORD_UNPR="0" if cancel else _wire_price(new_price),
            QTY_ALL_ORD_YN="Y" if count is None else "N",
            EXCG_ID_DVSN_CD=facts.exchange,
            CNDT_PRIC="",
        ).call
    elif facts.daytime:
        # TTTS6038U (real only)
        call = overseas_stock.daytime_order_rvsecncl(
            CANO=account.number,
            ACNT_PRDT_CD=account.product,
            OVRS_EXCG_CD=listing.info.ovrs_excg_cd or "",
            PDNO=facts.symbol,
            ORGN_ODNO=facts.number,
            RVSE_CNCL_DVSN_CD=revise,
            ORD_QTY=str(count or facts.qty),
            OVRS_ORD_UNPR="0" if cancel else _wire_price(new_price),
            CTAC_TLNO="",
            MGCO_APTM_ODNO="",
            ORD_SVR_DVSN_CD="0",
        ).call
    else:
        call = overseas_stock.order_rvsecncl(
            CANO=account.number,
            ACNT_PRDT_CD=account.product,
            OVRS_EXCG_CD=listing.info.ovrs_excg_cd or "",
            PDNO=facts.symbol,
            ORGN_ODNO=facts.number,
            RVSE_CNCL_DVSN_CD=revise,
            ORD_QTY=str(count or facts.qty),
            OVRS_ORD_UNPR="0" if cancel else _wire_price(new_price),
            MGCO_APTM_ODNO="",
            ORD_SVR_DVSN_CD="0",
        ).call
    kind: Literal["modify", "cancel"] = "cancel" if cancel else "modify"
    journal = journal_of(core)
    entry = journal.begin(
        account=str(account),
        symbol=facts.symbol,
        market=facts.market,
        side=facts.side,
        qty=count if count is not None else facts.qty,
        price=_wire_price(None if cancel else new_price),
        order_type=order_type,
        kind=kind,
        original=facts.number,
    )
    answer = yield from _send_once_flow(core, call, entry)
    if isinstance(answer, KisError):
        found, candidates = yield from _settle_flow(core, entry, lambda: _revisions_flow(core, facts, kind))
        if found is None:
            raise _unknown(entry, None if cancel else new_price, answer, candidates) from answer
        number, branch, at = found
    else:
        output = answer.output() or {}
        number = str(output.get("ODNO") or output.get("odno") or "")
        branch = str(output.get("KRX_FWDG_ORD_ORGNO") or output.get("krx_fwdg_ord_orgno") or facts.branch)
        at = _kst_time(str(output.get("ORD_TMD") or output.get("ord_tmd") or ""), core.clock.today(KST))
        journal.settle(entry, "confirmed", number)
    return replace(
        facts,
        order_type=order_type,
        price=facts.price if cancel else new_price,
        qty=count if count is not None else facts.qty,
        branch=branch or facts.branch,
        number=number,
        time=at,
        original_number=facts.number,
        kind=kind,
        client_id=entry.client_id,
    )


def _revisions_flow(
    core: _ClientCore, facts: OrderFacts, kind: Literal["modify", "cancel"]
) -> Generator[Action, Any, list[Found]]:
    """Today's modify (정정) or cancel (취소) records of the order ``facts``."""
    today = (yield from core._now_flow(KST)).date()
    original = facts.number.strip().lstrip("0")
    found: list[Found] = []
    if market_info(facts.market).domestic:
        call: ApiCall | None = daily_ccld_call(facts.account_number, today, today, symbol=facts.symbol)
        while call is not None:
            envelope = yield from core.request_flow(call)
            for row in envelope.decode(DomesticCcldBody).output1:
                if row.orgn_odno.strip().lstrip("0") == original and (row.cncl_yn == "Y") == (kind == "cancel"):
                    found.append((row.odno, row.ord_gno_brno, _kst_time(row.ord_tmd, _ymd(row.ord_dt) or today)))
            call = next_page(call, envelope)
        return found
    code = "02" if kind == "cancel" else "01"
    rows = yield from foreign_orders_flow(
        core, facts.account_number, today - timedelta(days=1), today + timedelta(days=1)
    )
    for foreign in rows:
        if (
            foreign.orgn_odno.strip().lstrip("0") == original
            and (foreign.rvse_cncl_dvsn_cd or foreign.rvse_cncl_dvsn) == code
        ):
            found.append((foreign.odno, foreign.ord_gno_brno, foreign_row_time(foreign, today)))
    return found


# ------------------------------------------------------------------------------------------------ pending orders


def _domestic_pending_rows(core: _ClientCore, account: KisAccountNumber) -> Generator[Action, Any, list[PendingFacts]]:
    """Open domestic orders: TTTC0084R in real; the day's orders with the unfilled filter in virtual."""
    today = (yield from core._now_flow(KST)).date()
    found: list[PendingFacts] = []
    base = {"account_number": account, "market": "KRX", "currency": "KRW"}
    if not core.virtual:
        # TTTC0084R 주식정정취소가능주문조회 (real only)
        call: ApiCall | None = domestic_stock.inquire_psbl_rvsecncl(
            CANO=account.number,
            ACNT_PRDT_CD=account.product,
            INQR_DVSN_1="0",
            INQR_DVSN_2="0",
            CTX_AREA_FK100="",
            CTX_AREA_NK100="",
        ).call
        while call is not None:
            envelope = yield from core.request_flow(call)
            for row in envelope.decode(DomesticPendingBody).output:
                qty = int(dec(row.ord_qty))
                facts = OrderFacts(
                    symbol=row.pdno,
                    side="sell" if row.sll_buy_dvsn_cd == "01" else "buy",
                    order_type=row.ord_dvsn_cd,
                    price=dec(row.ord_unpr) or None,
                    qty=qty,
                    branch=row.ord_gno_brno,
                    number=row.odno,
                    time=_kst_time(row.ord_tmd, today),
                    exchange=row.excg_id_dvsn_cd or "KRX",
                    original_number=row.orgn_odno or None,
                    kind="modify" if row.orgn_odno.strip() else "new",
                    **base,  # type: ignore[arg-type]
                )
                executed = int(dec(row.tot_ccld_qty))
                found.append(PendingFacts(facts, executed, int(dec(row.psbl_qty)), dec(row.tot_ccld_amt)))
            call = next_page(call, envelope)
        return found
    # VTTC0084R does not exist: the day's orders (VTTC0081R) with CCLD_DVSN 02 (미체결) instead.
    call = daily_ccld_call(account, today, today, executed="02")
    while call is not None:
        envelope = yield from core.request_flow(call)
        for ccld in envelope.decode(DomesticCcldBody).output1:
            remaining = int(dec(ccld.rmn_qty))
            if remaining <= 0 or ccld.cncl_yn == "Y":
                continue
            facts = OrderFacts(
                symbol=ccld.pdno,
                side="sell" if ccld.sll_buy_dvsn_cd == "01" else "buy",
                order_type=ccld.ord_dvsn_cd,
                price=dec(ccld.ord_unpr) or None,
                qty=int(dec(ccld.ord_qty)),
                branch=ccld.ord_gno_brno,
                number=ccld.odno,
                time=_kst_time(ccld.ord_tmd, _ymd(ccld.ord_dt) or today),
                exchange=ccld.excg_id_dvsn_Cd or ccld.excg_id_dvsn_cd or "KRX",
                original_number=ccld.orgn_odno or None,
                kind="modify" if ccld.orgn_odno.strip() else "new",
                **base,  # type: ignore[arg-type]
            )
            found.append(PendingFacts(facts, int(dec(ccld.tot_ccld_qty)), remaining, dec(ccld.tot_ccld_amt)))
        call = next_page(call, envelope)
    return found


def _foreign_pending(account: KisAccountNumber, row: ForeignOrderRow, today: date) -> PendingFacts | None:
    remaining = int(dec(row.nccs_qty))
    if remaining <= 0 or (row.rvse_cncl_dvsn or row.rvse_cncl_dvsn_cd) == "02":
        return None
    try:
        info = market_info(row.ovrs_excg_cd)
    except KisValidationError:
        return None
    facts = OrderFacts(
        account_number=account,
        symbol=row.pdno,
        market=info.code,
        currency=row.tr_crcy_cd or info.currency,
        side="sell" if row.sll_buy_dvsn_cd == "01" else "buy",
        order_type="00",
        price=dec(row.ft_ord_unpr3) or None,
        qty=int(dec(row.ft_ord_qty)),
        branch=row.ord_gno_brno,
        number=row.odno,
        time=foreign_row_time(row, today),
        exchange=row.ovrs_excg_cd,
        original_number=row.orgn_odno or None,
        kind="modify" if row.orgn_odno.strip() else "new",
        name=row.prdt_name,
    )
    return PendingFacts(facts, int(dec(row.ft_ccld_qty)), remaining, dec(row.ft_ccld_amt3))


def pending_orders_flow(
    core: _ClientCore, account: KisAccountNumber, *, domestic: bool = True, overseas: bool = True
) -> Generator[Action, Any, list[PendingFacts]]:
    """Every open order of ``account``, domestic first."""
    found: list[PendingFacts] = []
    if domestic:
        found.extend((yield from _domestic_pending_rows(core, account)))
    if overseas:
        today = (yield from core._now_flow(KST)).date()
        rows = yield from foreign_orders_flow(core, account, today - timedelta(days=2), today + timedelta(days=1))
        for row in rows:
            pending = _foreign_pending(account, row, today)
            if pending is not None:
                found.append(pending)
    return found


def pending_order_flow(core: _ClientCore, facts: OrderFacts) -> Generator[Action, Any, PendingFacts | None]:
    """The order ``facts`` names, if part of it still works."""
    info = market_info(facts.market)
    if info.domestic:
        rows = yield from _domestic_pending_rows(core, facts.account_number)
    else:
        # TTTS3018R 해외주식 미체결내역 of the order's exchange.
        account = facts.account_number
        call: ApiCall | None = overseas_stock.inquire_nccs(
            CANO=account.number,
            ACNT_PRDT_CD=account.product,
            OVRS_EXCG_CD=info.ovrs_excg_cd or "",
            SORT_SQN="DS",
            CTX_AREA_FK200="",
            CTX_AREA_NK200="",
        ).call
        rows = []
        while call is not None:
            envelope = yield from core.request_flow(call)
            for row in envelope.decode(ForeignOrderBody).output:
                pending = _foreign_pending(facts.account_number, row, core.clock.today(KST))
                if pending is not None:
                    rows.append(pending)
            call = next_page(call, envelope)
    wanted = facts.number.lstrip("0")
    for pending in rows:
        if pending.facts.number.lstrip("0") == wanted:
            return pending
    return None


# ------------------------------------------------------------------------------------------------ live orders


class OrderBase:
    """An order the server acknowledged: number, branch, market, symbol, side, price, quantity and time.

    ``repr`` never makes a request. Flows are shared by :class:`KisOrder` and :class:`AsyncKisOrder`.
    """

    __slots__ = ("_core", "_facts")

    _repr_fields: tuple[str, ...] = (
        "account_number",
        "market",
        "symbol",
        "side",
        "order_type",
        "price",
        "qty",
        "branch",
        "number",
        "time",
    )

    def __init__(self, core: _ClientCore, facts: OrderFacts) -> None:
        self._core = core
        self._facts = facts

    def __repr__(self) -> str:
        pad = "    "
        parts = [f"{pad}{name}={render(getattr(self, name), 1)}" for name in self._repr_fields]
        return f"{type(self).__name__}(\n" + ",\n".join(parts) + "\n)"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, OrderBase):
            return NotImplemented
        return (self.account_number, self.number.lstrip("0")) == (other.account_number, other.number.lstrip("0"))

    def __hash__(self) -> int:
        return hash((self.account_number, self.number.lstrip("0")))

    @property
    def facts(self) -> OrderFacts:
        """Everything known about the order, as a frozen record."""
        return self._facts

    @property
    def account_number(self) -> KisAccountNumber:
        """The account."""
        return self._facts.account_number

    @property
    def market(self) -> str:
        """``"KRX"``, ``"NASDAQ"``…"""
        return self._facts.market

    @property
    def symbol(self) -> str:
        """The stock's symbol."""
        return self._facts.symbol

    @property
    def side(self) -> OrderSide:
        """``"buy"`` or ``"sell"``."""
        return self._facts.side

    @property
    def order_type(self) -> str:
        """``ORD_DVSN``."""
        return self._facts.order_type

    @property
    def price(self) -> Decimal | None:
        """The limit price; ``None`` for orders without one (market, best, closing price…)."""
        return self._facts.price

    @property
    def qty(self) -> int:
        """Ordered quantity."""
        return self._facts.qty

    @property
    def branch(self) -> str:
        """``KRX_FWDG_ORD_ORGNO``: the branch (order organisation) number."""
        return self._facts.branch

    @property
    def number(self) -> str:
        """``ODNO``: the order number."""
        return self._facts.number

    @property
    def time(self) -> datetime:
        """When the server took the order (Korea time)."""
        return self._facts.time

    @property
    def exchange(self) -> str:
        """``KRX``/``NXT``/``SOR`` for domestic orders, the ``OVRS_EXCG_CD`` abroad."""
        return self._facts.exchange

    @property
    def currency(self) -> str:
        """The trading currency."""
        return self._facts.currency

    @property
    def kind(self) -> str:
        """``"new"``, ``"modify"`` or ``"cancel"``."""
        return self._facts.kind

    @property
    def original_number(self) -> str | None:
        """For a modify or cancel: the order it changed."""
        return self._facts.original_number

    @property
    def client_id(self) -> str | None:
        """The local journal's id of the request that placed the order."""
        return self._facts.client_id

    @property
    def type(self) -> OrderSide:
        """Same as :attr:`side` (python-kis's name)."""
        return self._facts.side


class KisOrder(OrderBase):
    """An order of the blocking client: ``pending``, ``pending_order``, ``modify`` and ``cancel`` ask the server."""

    __slots__ = ()
    _core: PyKis

    @property
    def pending_order(self) -> KisPendingOrder | None:
        """The order as it stands, if part of it still works (one inquiry)."""
        found: PendingFacts | None = self._core.run(pending_order_flow(self._core, self._facts))
        return None if found is None else KisPendingOrder(self._core, found)

    @property
    def pending(self) -> bool:
        """Whether part of the order still works (one inquiry)."""
        return self.pending_order is not None

    def modify(
        self,
        price: Price | None = None,
        qty: Quantity | None = None,
        *,
        condition: Condition | None = None,
        execution: Execution | None = None,
    ) -> KisOrder:
        """Move ``qty`` shares (default: all that remain) to ``price`` (default: the same); returns the new order."""
        facts: OrderFacts = self._core.run(
            revise_flow(
                self._core, self._facts, cancel=False, price=price, qty=qty, condition=condition, execution=execution
            )
        )
        return KisOrder(self._core, facts)

    def cancel(self, qty: Quantity | None = None) -> KisOrder:
        """Cancel ``qty`` shares (default: all that remain); returns the cancel record."""
        facts: OrderFacts = self._core.run(revise_flow(self._core, self._facts, cancel=True, qty=qty))
        return KisOrder(self._core, facts)


# <generated: AsyncKisOrder from KisOrder by scripts/generate_twins.py; do not edit>
class AsyncKisOrder(OrderBase):
    """An order of :class:`~pykis.AsyncPyKis`: the same operations as coroutines
    (``await order.pending``, ``await order.pending_order``, ``await order.cancel()``)."""

    __slots__ = ()
    _core: AsyncPyKis

    @property
    async def pending_order(self) -> AsyncKisPendingOrder | None:
        """The order as it stands, if part of it still works (one inquiry)."""
        found: PendingFacts | None = await self._core.run(pending_order_flow(self._core, self._facts))
        return None if found is None else AsyncKisPendingOrder(self._core, found)

    @property
    async def pending(self) -> bool:
        """Whether part of the order still works (one inquiry)."""
        return (await self.pending_order) is not None

    async def modify(
        self,
        price: Price | None = None,
        qty: Quantity | None = None,
        *,
        condition: Condition | None = None,
        execution: Execution | None = None,
    ) -> AsyncKisOrder:
        """Move ``qty`` shares (default: all that remain) to ``price`` (default: the same); returns the new order."""
        facts: OrderFacts = await self._core.run(
            revise_flow(
                self._core, self._facts, cancel=False, price=price, qty=qty, condition=condition, execution=execution
            )
        )
        return AsyncKisOrder(self._core, facts)

    async def cancel(self, qty: Quantity | None = None) -> AsyncKisOrder:
        """Cancel ``qty`` shares (default: all that remain); returns the cancel record."""
        facts: OrderFacts = await self._core.run(revise_flow(self._core, self._facts, cancel=True, qty=qty))
        return AsyncKisOrder(self._core, facts)


# </generated>


class _PendingMixin:
    __slots__ = ()
    _pending: PendingFacts

    @property
    def executed_qty(self) -> int:
        """Quantity executed so far."""
        return self._pending.executed_qty

    @property
    def pending_qty(self) -> int:
        """Quantity still working (정정취소가능수량)."""
        return self._pending.pending_qty

    @property
    def executed_amount(self) -> Decimal:
        """Amount executed so far."""
        return self._pending.executed_amount


class KisPendingOrder(_PendingMixin, KisOrder):
    """An open order (from ``account.pending_orders()`` or ``order.pending_order``): a :class:`KisOrder`
    with ``executed_qty`` and ``pending_qty`` as of the inquiry."""

    __slots__ = ("_pending",)
    _repr_fields = (*OrderBase._repr_fields, "executed_qty", "pending_qty")

    def __init__(self, core: PyKis, pending: PendingFacts) -> None:
        super().__init__(core, pending.facts)
        self._pending = pending


# <generated: AsyncKisPendingOrder from KisPendingOrder by scripts/generate_twins.py; do not edit>
class AsyncKisPendingOrder(_PendingMixin, AsyncKisOrder):
    """An open order of the asyncio client (see :class:`KisPendingOrder`)."""

    __slots__ = ("_pending",)
    _repr_fields = (*OrderBase._repr_fields, "executed_qty", "pending_qty")

    def __init__(self, core: AsyncPyKis, pending: PendingFacts) -> None:
        super().__init__(core, pending.facts)
        self._pending = pending


# </generated>


PENDING_ORDER_COLUMNS = (
    "time",
    "market",
    "symbol",
    "side",
    "order_type",
    "number",
    "price",
    "qty",
    "executed_qty",
    "pending_qty",
    "executed_amount",
    "exchange",
    "currency",
)


class KisPendingOrders:
    """An account's open orders; iterate it, index it, or look one up by ``order(number)``."""

    __slots__ = ("account_number", "orders")

    def __init__(self, account_number: KisAccountNumber, orders: list[Any]) -> None:
        self.account_number = account_number
        self.orders = orders

    def __iter__(self) -> Iterator[Any]:
        return iter(self.orders)

    def __len__(self) -> int:
        return len(self.orders)

    def __getitem__(self, index: int) -> Any:
        return self.orders[index]

    def order(self, number: str) -> Any:
        """The open order numbered ``number``, or ``None``."""
        wanted = number.lstrip("0")
        return next((o for o in self.orders if o.number.lstrip("0") == wanted), None)

    def to_pandas(self) -> pandas.DataFrame:
        """The open orders, one row each (needs the ``pandas`` extra); prices and amounts as floats."""
        from pykis.models._frames import columns_of, pandas_frame

        return pandas_frame(columns_of(self.orders, PENDING_ORDER_COLUMNS))

    def to_polars(self) -> polars.DataFrame:
        """The open orders as a polars DataFrame (needs the ``polars`` extra); see :meth:`to_pandas`."""
        from pykis.models._frames import columns_of, polars_frame

        return polars_frame(columns_of(self.orders, PENDING_ORDER_COLUMNS))

    def __repr__(self) -> str:
        inner = ",\n".join("        " + repr(o).replace("\n", "\n        ") for o in self.orders)
        body = f"[\n{inner}\n    ]" if self.orders else "[]"
        return f"KisPendingOrders(\n    account_number={self.account_number!r},\n    orders={body}\n)"


# ------------------------------------------------------------------------------------------------ stock mixins


def account_of(core: _ClientCore, account: str | KisAccountNumber | None) -> KisAccountNumber:
    """The account an order names, or the client's primary one."""
    if account is None:
        return core.primary_account
    if isinstance(account, KisAccountNumber):
        return account
    return KisAccountNumber.parse(account)


def daily_ccld_call(
    account: KisAccountNumber,
    first: date,
    last: date,
    *,
    period: Literal["inner", "before"] = "inner",
    side: str = "00",
    symbol: str = "",
    executed: str = "00",
) -> ApiCall:
    """주식일별주문체결조회 from ``first`` to ``last``: TTTC0081R within three months (``inner``), CTSC9215R before
    (``before``); ``side`` 00 all / 01 sell / 02 buy, ``executed`` (CCLD_DVSN) 00 all / 01 executed / 02 open."""
    return domestic_stock.inquire_daily_ccld(
        pd_dv=period,
        CANO=account.number,
        ACNT_PRDT_CD=account.product,
        INQR_STRT_DT=f"{first:%Y%m%d}",
        INQR_END_DT=f"{last:%Y%m%d}",
        SLL_BUY_DVSN_CD=side,
        PDNO=symbol,
        CCLD_DVSN=executed,
        INQR_DVSN="01",
        INQR_DVSN_3="00",
        ORD_GNO_BRNO="",
        ODNO="",
        INQR_DVSN_1="",
        CTX_AREA_FK100="",
        CTX_AREA_NK100="",
    ).call
