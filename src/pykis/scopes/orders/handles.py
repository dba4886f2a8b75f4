"""Handles on acknowledged orders: :class:`KisOrder` (blocking) and :class:`AsyncKisOrder` (asyncio) ask whether an
order still works, modify it or cancel it; :class:`KisPendingOrders` lists an account's open orders."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar, overload

from pykis.models._base import render
from pykis.models._frames import columns_of, pandas_frame, polars_frame
from pykis.scopes.orders.pending import pending_order_flow
from pykis.scopes.orders.request import Revision
from pykis.scopes.orders.revise import revise_flow

if TYPE_CHECKING:
    from datetime import datetime

    import pandas
    import polars

    from pykis.auth import KisAccountNumber
    from pykis.client import AsyncPyKis, PyKis, _ClientCore
    from pykis.models.order import OrderSide
    from pykis.scopes.orders.facts import OrderFacts, PendingFacts
    from pykis.scopes.orders.rules import Condition, Execution, Price, Quantity

T = TypeVar("T")

__all__ = [
    "PENDING_ORDER_COLUMNS",
    "AsyncKisOrder",
    "AsyncKisPendingOrder",
    "KisOrder",
    "KisPendingOrder",
    "KisPendingOrders",
    "OrderBase",
]


class _Fact(Generic[T]):
    """An attribute of an order read from its :class:`OrderFacts` (the field of the same name)."""

    def __init__(self, doc: str) -> None:
        self.__doc__ = doc
        self._name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    @overload
    def __get__(self, order: None, owner: type) -> Self: ...
    @overload
    def __get__(self, order: OrderBase, owner: type) -> T: ...
    def __get__(self, order: OrderBase | None, owner: type) -> Self | T:
        if order is None:
            return self
        value: T = getattr(order.facts, self._name)
        return value


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

    account_number: _Fact[KisAccountNumber] = _Fact("The account.")
    market: _Fact[str] = _Fact('``"KRX"``, ``"NASDAQ"``…')
    symbol: _Fact[str] = _Fact("The stock's symbol.")
    side: _Fact[OrderSide] = _Fact('``"buy"`` or ``"sell"``.')
    order_type: _Fact[str] = _Fact("``ORD_DVSN``.")
    price: _Fact[Decimal | None] = _Fact(
        "The limit price; ``None`` for orders without one (market, best, closing price…)."
    )
    qty: _Fact[int] = _Fact("Ordered quantity.")
    branch: _Fact[str] = _Fact("``KRX_FWDG_ORD_ORGNO``: the branch (order organisation) number.")
    number: _Fact[str] = _Fact("``ODNO``: the order number.")
    time: _Fact[datetime] = _Fact("When the server took the order (Korea time).")
    exchange: _Fact[str] = _Fact("``KRX``/``NXT``/``SOR`` for domestic orders, the ``OVRS_EXCG_CD`` abroad.")
    currency: _Fact[str] = _Fact("The trading currency.")
    kind: _Fact[str] = _Fact('``"new"``, ``"modify"`` or ``"cancel"``.')
    original_number: _Fact[str | None] = _Fact("For a modify or cancel: the order it changed.")
    client_id: _Fact[str | None] = _Fact("The local journal's id of the request that placed the order.")

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
        found = self._core.run(pending_order_flow(self._core, self._facts))
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
        revision = Revision(cancel=False, price=price, qty=qty, condition=condition, execution=execution)
        return KisOrder(self._core, self._core.run(revise_flow(self._core, self._facts, revision)))

    def cancel(self, qty: Quantity | None = None) -> KisOrder:
        """Cancel ``qty`` shares (default: all that remain); returns the cancel record."""
        revision = Revision(cancel=True, qty=qty)
        return KisOrder(self._core, self._core.run(revise_flow(self._core, self._facts, revision)))


# <generated: AsyncKisOrder from KisOrder by scripts/generate_twins.py; do not edit>
class AsyncKisOrder(OrderBase):
    """An order of :class:`~pykis.AsyncPyKis`: the same operations as coroutines
    (``await order.pending``, ``await order.pending_order``, ``await order.cancel()``)."""

    __slots__ = ()
    _core: AsyncPyKis

    @property
    async def pending_order(self) -> AsyncKisPendingOrder | None:
        """The order as it stands, if part of it still works (one inquiry)."""
        found = await self._core.run(pending_order_flow(self._core, self._facts))
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
        revision = Revision(cancel=False, price=price, qty=qty, condition=condition, execution=execution)
        return AsyncKisOrder(self._core, await self._core.run(revise_flow(self._core, self._facts, revision)))

    async def cancel(self, qty: Quantity | None = None) -> AsyncKisOrder:
        """Cancel ``qty`` shares (default: all that remain); returns the cancel record."""
        revision = Revision(cancel=True, qty=qty)
        return AsyncKisOrder(self._core, await self._core.run(revise_flow(self._core, self._facts, revision)))


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
        return pandas_frame(columns_of(self.orders, PENDING_ORDER_COLUMNS))

    def to_polars(self) -> polars.DataFrame:
        """The open orders as a polars DataFrame (needs the ``polars`` extra); see :meth:`to_pandas`."""
        return polars_frame(columns_of(self.orders, PENDING_ORDER_COLUMNS))

    def __repr__(self) -> str:
        inner = ",\n".join("        " + repr(o).replace("\n", "\n        ") for o in self.orders)
        body = f"[\n{inner}\n    ]" if self.orders else "[]"
        return f"KisPendingOrders(\n    account_number={self.account_number!r},\n    orders={body}\n)"
