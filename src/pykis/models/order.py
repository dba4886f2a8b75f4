"""Order history, realized profit and orderable amounts.

- :class:`KisDailyOrders` — orders and executions over a date range (TTTC0081R/CTSC9215R 주식일별주문체결조회,
  TTTS3035R 해외주식 주문체결내역).
- :class:`KisOrderProfits` — realized profit per day and symbol (TTTC8715R 기간별매매손익현황조회,
  TTTS3039R 해외주식 기간손익).
- :class:`KisOrderableAmount` — cash and the most shares it buys at a price (TTTC8908R 매수가능조회,
  TTTS3007R 해외주식 매수가능금액조회).

Live orders (``KisOrder``, ``KisPendingOrder``) live in :mod:`pykis.scopes.orders`.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar, Literal

from pykis.auth import KisAccountNumber
from pykis.models._base import KisModel, rate_of, won
from pykis.wire import _account

if TYPE_CHECKING:
    import pandas
    import polars

__all__ = [
    "KisDailyOrder",
    "KisDailyOrders",
    "KisOrderProfit",
    "KisOrderProfits",
    "KisOrderableAmount",
    "OrderSide",
]

OrderSide = Literal["buy", "sell"]
ZERO = Decimal(0)

DAILY_ORDER_COLUMNS = (
    "time",
    "market",
    "symbol",
    "name",
    "side",
    "kind",
    "order_type",
    "number",
    "original_number",
    "price",
    "qty",
    "executed_qty",
    "executed_amount",
    "pending_qty",
    "cancelled_qty",
    "exchange",
    "currency",
)


class KisDailyOrder(KisModel, frozen=True, kw_only=True):
    """One order of the day's (or a past day's) order book: what was asked and what executed.

    ``kind`` is ``"new"``, ``"modify"`` or ``"cancel"`` (modify and cancel requests carry their own
    number and name the original in ``original_number``).
    """

    __repr_fields__: ClassVar[tuple[str, ...]] = (
        "market",
        "symbol",
        "side",
        "kind",
        "number",
        "price",
        "qty",
        "executed_qty",
        "pending_qty",
        "time",
    )

    account_number: KisAccountNumber
    market: str
    symbol: str
    name: str
    side: OrderSide
    kind: Literal["new", "modify", "cancel"]
    order_type: str
    branch: str
    number: str
    original_number: str | None
    price: Decimal
    qty: int
    executed_qty: int
    executed_amount: Decimal
    pending_qty: int
    cancelled_qty: int
    time: datetime
    exchange: str
    currency: str

    @property
    def average_price(self) -> Decimal:
        """Average execution price (zero before the first execution)."""
        return self.executed_amount / self.executed_qty if self.executed_qty else ZERO

    @property
    def pending(self) -> bool:
        """Whether part of the order still works."""
        return self.pending_qty > 0


class KisDailyOrders(KisModel, frozen=True, kw_only=True):
    """Orders between ``start`` and ``end`` (inclusive), oldest first."""

    __repr_fields__: ClassVar[tuple[str, ...]] = ("account_number", "start", "end", "orders")

    account_number: KisAccountNumber
    start: date
    end: date
    orders: list[KisDailyOrder]

    def order(self, number: str) -> KisDailyOrder | None:
        """The order numbered ``number``."""
        wanted = number.lstrip("0")
        for order in self.orders:
            if order.number.lstrip("0") == wanted:
                return order
        return None

    @property
    def executed_qty(self) -> int:
        """Executed shares over the range."""
        return sum(order.executed_qty for order in self.orders)

    def __len__(self) -> int:
        return len(self.orders)

    def to_pandas(self) -> pandas.DataFrame:
        """The orders, one row each, oldest first (needs the ``pandas`` extra); prices and amounts as floats."""
        from pykis.models._frames import columns_of, pandas_frame  # noqa: PLC0415 — frames load only when a frame is asked for

        return pandas_frame(columns_of(self.orders, DAILY_ORDER_COLUMNS))

    def to_polars(self) -> polars.DataFrame:
        """The orders as a polars DataFrame (needs the ``polars`` extra); see :meth:`to_pandas`."""
        from pykis.models._frames import columns_of, polars_frame  # noqa: PLC0415 — frames load only when a frame is asked for

        return polars_frame(columns_of(self.orders, DAILY_ORDER_COLUMNS))


class KisOrderProfit(KisModel, frozen=True, kw_only=True):
    """Realized profit of one symbol on one day: shares sold, what they cost and fetched, net of fees and taxes."""

    __repr_fields__: ClassVar[tuple[str, ...]] = (
        "time",
        "market",
        "symbol",
        "qty",
        "buy_price",
        "sell_price",
        "profit",
        "profit_rate",
    )
    __money_fields__ = frozenset(("buy_amount", "sell_amount", "fees", "profit"))
    __rate_fields__ = frozenset(("profit_rate",))

    time: date
    market: str
    symbol: str
    name: str
    currency: str
    qty: int
    buy_price: Decimal
    sell_price: Decimal
    buy_amount: Decimal
    sell_amount: Decimal
    fees: Decimal
    profit: Decimal
    exchange_rate: Decimal = Decimal(1)

    @property
    def profit_rate(self) -> Decimal:
        """Profit against the cost of the shares sold, in percent."""
        return rate_of(self.profit, self.buy_amount)


class KisOrderProfits(KisModel, frozen=True, kw_only=True):
    """Realized profit per day and symbol between ``start`` and ``end``; ``profit`` in won.

    ``estimated`` is true where the virtual service offers no profit inquiry and the figures were worked
    out from the executions and the current average prices.
    """

    __repr_fields__: ClassVar[tuple[str, ...]] = ("account_number", "start", "end", "orders", "profit", "estimated")
    __money_fields__ = frozenset(("profit", "buy_amount", "sell_amount"))
    __currency__ = "KRW"

    account_number: KisAccountNumber
    start: date
    end: date
    orders: list[KisOrderProfit]
    estimated: bool = False

    @property
    def profit(self) -> Decimal:
        """Total realized profit, in won."""
        return sum((won(o.profit, o.exchange_rate) for o in self.orders), ZERO)

    @property
    def buy_amount(self) -> Decimal:
        """What the shares sold had cost, in won."""
        return sum((won(o.buy_amount, o.exchange_rate) for o in self.orders), ZERO)

    @property
    def sell_amount(self) -> Decimal:
        """What they were sold for, in won."""
        return sum((won(o.sell_amount, o.exchange_rate) for o in self.orders), ZERO)

    def __len__(self) -> int:
        return len(self.orders)


class KisOrderableAmount(KisModel, frozen=True, kw_only=True):
    """How much can be bought: orderable cash and the most shares it buys at ``unit_price``."""

    account_number: KisAccountNumber
    market: str
    symbol: str
    currency: str
    price: Decimal | None
    unit_price: Decimal
    amount: Decimal
    qty: int
    exchange_rate: Decimal = Decimal(1)


# ---- wire shapes: generated from the catalog (pykis.wire), named as the scopes read them -------------------

DomesticCcldBody = _account.DomesticStockInquireDailyCcldBody
"""TTTC0081R/CTSC9215R 주식일별주문체결조회's body (``output1`` rows)."""
DomesticCcldRow = _account.DomesticStockInquireDailyCcldRow
DomesticPendingBody = _account.DomesticStockInquirePsblRvsecnclBody
"""TTTC0084R 정정취소가능주문조회's body (``output`` rows)."""
DomesticPendingRow = _account.DomesticStockInquirePsblRvsecnclRow
ForeignOrderBody = _account.OverseasStockInquireCcnlBody
"""TTTS3035R 해외주식 주문체결내역's body; TTTS3018R 해외주식 미체결내역's rows are read through it too."""
ForeignOrderRow = _account.OverseasStockInquireCcnlRow
DomesticProfitBody = _account.DomesticStockInquirePeriodTradeProfitBody
"""TTTC8715R 기간별매매손익현황조회's body (``output1`` rows)."""
ForeignProfitBody = _account.OverseasStockInquirePeriodProfitBody
"""TTTS3039R 해외주식 기간손익's body (``output1`` rows)."""
DomesticOrderableBody = _account.DomesticStockInquirePsblOrderBody
"""TTTC8908R 매수가능조회's body (``output``)."""
ForeignOrderableBody = _account.OverseasStockInquirePsamountBody
"""TTTS3007R 해외주식 매수가능금액조회's body (``output``)."""
ForeignBalanceBody = _account.OverseasStockInquireBalanceBody
"""TTTS3012R 해외주식 잔고's body (``output1`` rows)."""
