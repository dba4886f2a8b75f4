"""The order rules checked before anything is sent: order types, tick grid, daily limits, lots, sessions.

Each rule raises a :class:`~pykis.errors.KisOrderValidationError` subclass naming the rule it enforces.
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Literal

import msgspec

from pykis.errors import KisOrderTypeError, KisPriceError, KisQuantityError
from pykis.exchanges.markets import MarketInfo, market_info, tick_size
from pykis.models._base import render
from pykis.protocol.clock import KST
from pykis.protocol.env import Environment

if TYPE_CHECKING:
    from pykis.client import _ClientCore
    from pykis.exchanges.masters import MasterRow
    from pykis.scopes.stock import StockBase

__all__ = [
    "KST",
    "Condition",
    "Execution",
    "Listing",
    "Price",
    "Quantity",
    "check_limits",
    "check_session",
    "check_tick",
    "check_virtual",
    "domestic_order_type",
    "foreign_order_type",
    "marketable",
    "order_type_name",
    "session_checks",
    "to_price",
    "to_qty",
    "wire_price",
]

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
NO_PRICE_US = frozenset({"31", "33"})
MARKETABLE_SLIPPAGE = Decimal("0.05")
"""How far past the last price an overseas order without a price is placed (KIS has no market type abroad)."""


class Listing(msgspec.Struct, frozen=True):
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


def session_checks(core: _ClientCore) -> bool:
    """``core.check_sessions``, or (``None``) whether the client talks to the broker's own hosts."""
    if core.check_sessions is not None:
        return core.check_sessions
    environment = Environment.VIRTUAL if core.virtual else Environment.REAL
    return "koreainvestment.com" in core.hosts(environment).rest


def wire_price(price: Decimal | None) -> str:
    """A price as the order TRs take it (``"0"``: none)."""
    if price is None:
        return "0"
    return format(price, "f")


def marketable(listing: Listing, side: str, lower: Decimal, upper: Decimal, last: Decimal) -> Decimal:
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
