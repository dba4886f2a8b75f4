"""The engine's records: accounts, positions, orders, fills, order events and the journal that stores them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Protocol
from zoneinfo import ZoneInfo

BUY = "buy"
SELL = "sell"
_SEOUL = ZoneInfo("Asia/Seoul")


@dataclass(slots=True)
class Position:
    """Holdings of one instrument. ``committed`` shares are tied up in open sell orders."""

    symbol: str
    market: str
    currency: str
    qty: int = 0
    avg_price: Decimal = Decimal(0)
    committed: int = 0

    @property
    def sellable(self) -> int:
        """Quantity that may still be sold (``ord_psbl_qty``)."""
        return self.qty - self.committed


@dataclass(slots=True)
class Account:
    """A trading account: cash and reservations per currency, positions, realized P&L, fees and taxes paid."""

    number: str
    cash: dict[str, Decimal] = field(default_factory=dict)
    reserved: dict[str, Decimal] = field(default_factory=dict)
    positions: dict[tuple[str, str], Position] = field(default_factory=dict)
    realized: dict[str, Decimal] = field(default_factory=dict)
    fees: dict[str, Decimal] = field(default_factory=dict)
    taxes: dict[str, Decimal] = field(default_factory=dict)

    def available(self, currency: str) -> Decimal:
        """Cash not reserved by open buy orders."""
        return self.cash.get(currency, Decimal(0)) - self.reserved.get(currency, Decimal(0))

    def position(self, symbol: str, market: str) -> Position | None:
        """The position in ``symbol`` on ``market``, if any shares are held or committed."""
        return self.positions.get((market, symbol))


@dataclass(slots=True)
class Order:
    """One order as KIS numbers it. Modify and cancel requests are orders too (``kind``)."""

    order_no: str
    """``ODNO``: 10-digit zero-padded."""
    branch: str
    """``KRX_FWDG_ORD_ORGNO``: 5-digit branch number."""
    account: str
    symbol: str
    market: str
    currency: str
    side: str
    ord_dvsn: str
    qty: int
    price: Decimal
    """Limit price; ``0`` for orders without one (market, MOO/MOC, midpoint)."""
    time: datetime
    seq: int
    kind: str = "new"
    """``new``, ``modify`` or ``cancel``."""
    original_order_no: str = ""
    exchange: str = "KRX"
    tif: str = "day"
    """``day``, ``ioc`` or ``fok``."""
    filled_qty: int = 0
    filled_amount: Decimal = Decimal(0)
    cancelled_qty: int = 0
    status: str = "open"
    """``open``, ``filled``, ``cancelled``, ``modified`` (all moved to a modify order) or ``done`` (a
    modify/cancel record)."""
    reserve_price: Decimal = Decimal(0)
    reserved: Decimal = Decimal(0)
    """Cash a buy still ties up; released in proportion as it fills or is cancelled."""
    expires: datetime | None = None
    window_start: datetime | None = None
    window_end: datetime | None = None
    message: str = ""

    @property
    def remaining(self) -> int:
        """Quantity still working (``psbl_qty``)."""
        if self.kind not in {"new", "modify"}:
            return 0
        return self.qty - self.filled_qty - self.cancelled_qty

    @property
    def is_open(self) -> bool:
        """Whether the order can still fill."""
        return self.status == "open" and self.remaining > 0

    @property
    def avg_fill_price(self) -> Decimal:
        """Average fill price, ``0`` before the first fill."""
        return self.filled_amount / self.filled_qty if self.filled_qty else Decimal(0)

    @property
    def ord_tmd(self) -> str:
        """``ORD_TMD``: order time ``HHMMSS`` in Korea time."""
        return self.time.astimezone(_SEOUL).strftime("%H%M%S")

    @property
    def ord_dt(self) -> str:
        """``ORD_DT``: order date ``YYYYMMDD`` in Korea time."""
        return self.time.astimezone(_SEOUL).strftime("%Y%m%d")


@dataclass(frozen=True, slots=True)
class Fill:
    """One execution."""

    fill_no: int
    order_no: str
    account: str
    symbol: str
    market: str
    side: str
    qty: int
    price: Decimal
    amount: Decimal
    fee: Decimal
    tax: Decimal
    time: datetime
    realized: Decimal = Decimal(0)
    """For a sell: ``(price - average cost) * qty`` at the moment of the fill (period profit, TTTC8715R).
    Not journaled: fills read back from a state file carry 0."""


@dataclass(frozen=True, slots=True)
class OrderEvent:
    """Something an execution notice (H0STCNI0 / H0GSCNI0) reports.

    ``kind`` is ``acknowledged``, ``filled``, ``modified``, ``cancelled`` or ``rejected``. For ``filled``,
    ``fill_qty``/``fill_price`` describe this execution; ``filled_qty`` is the order's running total.
    """

    kind: str
    account: str
    order_no: str
    original_order_no: str
    branch: str
    symbol: str
    market: str
    side: str
    ord_dvsn: str
    order_qty: int
    order_price: Decimal
    fill_qty: int
    fill_price: Decimal
    filled_qty: int
    remaining: int
    time: datetime
    cancelled_qty: int = 0
    """For ``cancelled``: the quantity this cancel (or expiry, or IOC/FOK remainder) took off."""
    message: str = ""

    @property
    def cntg_yn(self) -> str:
        """``CNTG_YN``: ``2`` for a fill notice, ``1`` for an order/modify/cancel/reject acknowledgement."""
        return "2" if self.kind == "filled" else "1"

    @property
    def rfus_yn(self) -> str:
        """``RFUS_YN``: ``Y`` when the order was refused."""
        return "Y" if self.kind == "rejected" else "N"

    @property
    def rvse_cncl_dvsn_cd(self) -> str:
        """``RVSE_CNCL_DVSN_CD``: ``0`` new, ``1`` modify, ``2`` cancel."""
        return {"modified": "1", "cancelled": "2"}.get(self.kind, "0")

    @property
    def seln_byov_cls(self) -> str:
        """``SELN_BYOV_CLS``: ``01`` sell, ``02`` buy."""
        return "01" if self.side == SELL else "02"


@dataclass(slots=True)
class Snapshot:
    """Everything the journal stores."""

    accounts: dict[str, Account] = field(default_factory=dict)
    orders: dict[str, Order] = field(default_factory=dict)
    fills: list[Fill] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)


class Journal(Protocol):
    """Durable storage for the engine (``state.Store``)."""

    def load(self) -> Snapshot:
        """Everything stored so far."""
        ...

    def write(
        self, accounts: Iterable[Account], orders: Iterable[Order], fills: Iterable[Fill], counters: Mapping[str, int]
    ) -> None:
        """Store the changed records in one transaction and commit before returning."""
        ...
