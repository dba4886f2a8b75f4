"""Balances: deposits per currency and positions, domestic (TTTC8434R 주식잔고조회) and overseas
(CTRP6504R 해외주식 체결기준현재잔고), merged into one :class:`KisIntegrationBalance`.

Amounts are in each position's own currency; the totals of a balance are in won (KRW), converted with the
exchange rates the server reports. ``profit_rate`` is a percentage.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar

from pykis.auth import KisAccountNumber
from pykis.models._base import KisModel, rate_of, won
from pykis.wire import _account

if TYPE_CHECKING:
    import pandas
    import polars

__all__ = [
    "DomesticBalanceBody",
    "ForeignPresentBalanceBody",
    "KisBalance",
    "KisBalanceStock",
    "KisDeposit",
    "KisDomesticBalanceStock",
    "KisDomesticDeposit",
    "KisForeignBalanceStock",
    "KisForeignPresentDeposit",
    "KisIntegrationBalance",
]

ZERO = Decimal(0)

POSITION_COLUMNS = (
    "market",
    "symbol",
    "name",
    "currency",
    "qty",
    "orderable",
    "purchase_price",
    "price",
    "purchase_amount",
    "amount",
    "profit",
    "profit_rate",
    "exchange_rate",
)


class KisInlineModel(KisModel, frozen=True, kw_only=True):
    """A model printed on one line, as the seed README prints the entries of a balance."""

    def __repr__(self, indent: int = 0) -> str:
        names = self.__repr_fields__ or self.__struct_fields__
        return f"{type(self).__name__}(" + ", ".join(f"{n}={self._shown(n)}" for n in names) + ")"


class KisDeposit(KisInlineModel, frozen=True, kw_only=True):
    """Cash of one currency: ``amount`` deposited, ``withdrawable`` now, won per unit (``exchange_rate``)."""

    __repr_fields__: ClassVar[tuple[str, ...]] = ("account_number", "currency", "amount", "exchange_rate")
    __money_fields__ = frozenset(("amount", "withdrawable", "amount_krw"))

    account_number: KisAccountNumber
    currency: str
    amount: Decimal
    withdrawable: Decimal
    exchange_rate: Decimal

    @property
    def amount_krw(self) -> Decimal:
        """``amount`` in won."""
        return won(self.amount, self.exchange_rate)


class KisDomesticDeposit(KisDeposit, frozen=True, kw_only=True):
    """Won deposit (TTTC8434R ``output2``: 예수금총금액, D+2 예수금)."""


class KisForeignPresentDeposit(KisDeposit, frozen=True, kw_only=True):
    """Foreign-currency deposit (CTRP6504R ``output2``: 외화예수금액, 외화출금가능금액, 최초고시환율)."""


class KisBalanceStock(KisInlineModel, frozen=True, kw_only=True):
    """One position: quantity, sellable (``orderable``) quantity, average and current price, value and profit."""

    __repr_fields__: ClassVar[tuple[str, ...]] = (
        "account_number",
        "market",
        "symbol",
        "qty",
        "price",
        "amount",
        "profit",
        "profit_rate",
    )
    __money_fields__ = frozenset(("purchase_amount", "amount", "profit"))
    __rate_fields__ = frozenset(("profit_rate",))

    account_number: KisAccountNumber
    market: str
    symbol: str
    name: str
    currency: str
    qty: int
    orderable: int
    purchase_price: Decimal
    price: Decimal
    purchase_amount: Decimal
    amount: Decimal
    profit: Decimal
    exchange_rate: Decimal = Decimal(1)

    @property
    def profit_rate(self) -> Decimal:
        """Profit against the purchase amount, in percent."""
        return rate_of(self.profit, self.purchase_amount)

    @property
    def sellable(self) -> int:
        """Quantity that may be sold now (same as ``orderable``)."""
        return self.orderable


class KisDomesticBalanceStock(KisBalanceStock, frozen=True, kw_only=True):
    """A KRX position (TTTC8434R ``output1``)."""


class KisForeignBalanceStock(KisBalanceStock, frozen=True, kw_only=True):
    """An overseas position (CTRP6504R ``output1``)."""


class KisBalance(KisModel, frozen=True, kw_only=True):
    """An account's deposits and positions; totals in won."""

    __repr_fields__: ClassVar[tuple[str, ...]] = (
        "account_number",
        "deposits",
        "stocks",
        "purchase_amount",
        "current_amount",
        "profit",
        "profit_rate",
    )
    __money_fields__ = frozenset(("purchase_amount", "current_amount", "profit", "deposit_amount", "total"))
    __rate_fields__ = frozenset(("profit_rate",))
    __currency__ = "KRW"  # the totals are in won

    account_number: KisAccountNumber
    deposits: dict[str, KisDeposit]
    stocks: list[KisBalanceStock]

    @property
    def purchase_amount(self) -> Decimal:
        """What the positions cost, in won."""
        return sum((won(s.purchase_amount, s.exchange_rate) for s in self.stocks), ZERO)

    @property
    def current_amount(self) -> Decimal:
        """What the positions are worth now, in won."""
        return sum((won(s.amount, s.exchange_rate) for s in self.stocks), ZERO)

    @property
    def profit(self) -> Decimal:
        """Unrealized profit, in won."""
        return self.current_amount - self.purchase_amount

    @property
    def profit_rate(self) -> Decimal:
        """Unrealized profit against the purchase amount, in percent."""
        return rate_of(self.profit, self.purchase_amount)

    @property
    def deposit_amount(self) -> Decimal:
        """Every deposit, in won."""
        return sum((d.amount_krw for d in self.deposits.values()), ZERO)

    @property
    def total(self) -> Decimal:
        """Deposits plus positions, in won."""
        return self.deposit_amount + self.current_amount

    def stock(self, symbol: str, market: str | None = None) -> KisBalanceStock | None:
        """The position in ``symbol`` (on ``market``, when given)."""
        for stock in self.stocks:
            if stock.symbol == symbol and (market is None or stock.market == market):
                return stock
        return None

    def deposit(self, currency: str) -> KisDeposit | None:
        """The deposit of ``currency`` (``"KRW"``, ``"USD"``…)."""
        return self.deposits.get(currency.upper())

    def __len__(self) -> int:
        return len(self.stocks)

    def to_pandas(self) -> pandas.DataFrame:
        """The positions, one row each (needs the ``pandas`` extra); amounts in each position's currency, as
        floats. Deposits stay on ``deposits``."""
        from pykis.models._frames import columns_of, pandas_frame  # noqa: PLC0415 — frames load only when a frame is asked for

        return pandas_frame(columns_of(self.stocks, POSITION_COLUMNS))

    def to_polars(self) -> polars.DataFrame:
        """The positions as a polars DataFrame (needs the ``polars`` extra); see :meth:`to_pandas`."""
        from pykis.models._frames import columns_of, polars_frame  # noqa: PLC0415 — frames load only when a frame is asked for

        return polars_frame(columns_of(self.stocks, POSITION_COLUMNS))


class KisIntegrationBalance(KisBalance, frozen=True, kw_only=True):
    """Domestic and overseas deposits and positions in one balance (TTTC8434R + CTRP6504R)."""


# ---- wire shapes: generated from the catalog (pykis.wire), named as the scopes read them -------------------

DomesticBalanceBody = _account.DomesticStockInquireBalanceBody
"""TTTC8434R 주식잔고조회's body: ``output1`` positions, ``output2`` the summary (a one-element list)."""
DomesticBalanceSummary = _account.DomesticStockInquireBalanceRow
"""A row of TTTC8434R ``output2`` (the deposit summary)."""
ForeignPresentBalanceBody = _account.OverseasStockInquirePresentBalanceBody
"""CTRP6504R 해외주식 체결기준현재잔고's body: ``output1`` positions, ``output2`` deposits per currency."""
