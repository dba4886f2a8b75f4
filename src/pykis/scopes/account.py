"""The account scope: ``kis.account()`` / ``kis.account("NNNNNNNN-NN")`` — balance, history, profit, orderable
amounts, sellable quantities, open orders and orders by symbol.

Every operation is written once as a flow; :class:`KisAccount` and :class:`AsyncKisAccount` only drive it.
The virtual service lacks some inquiries, and the flows fall back as the broker's users do:

==================================  ============================  ===========================================
what                                real                          virtual
==================================  ============================  ===========================================
open orders                         TTTC0084R                     TTTC0081R with CCLD_DVSN 02 (미체결)
sellable quantity (domestic)        TTTC8408R                     TTTC8434R's ``ord_psbl_qty``
realized profit                     TTTC8715R / TTTS3039R         worked out from the executions (estimated)
==================================  ============================  ===========================================
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any, Literal, Unpack

from pykis.errors import KisValidationError
from pykis.exchanges.markets import market_info
from pykis.scopes.balance import balance_flow
from pykis.scopes.history import daily_orders_flow, profits_flow
from pykis.scopes.orders.capacity import orderable_flow, sellable_flow
from pykis.scopes.orders.handles import AsyncKisOrder, AsyncKisPendingOrder, KisOrder, KisPendingOrder, KisPendingOrders
from pykis.scopes.orders.pending import pending_orders_flow
from pykis.scopes.orders.request import OrderOptions, OrderRequest
from pykis.scopes.orders.rules import Listing, Price, Quantity, to_price
from pykis.scopes.orders.send import order_flow
from pykis.scopes.resolve import resolve_flow

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable
    from datetime import date, datetime

    from pykis.auth import KisAccountNumber
    from pykis.client import AsyncPyKis, PyKis, _ClientCore
    from pykis.models.balance import KisIntegrationBalance
    from pykis.models.order import KisDailyOrders, KisOrderableAmount, KisOrderProfits, OrderSide
    from pykis.protocol.flow import Action
    from pykis.realtime import KisEventTicket
    from pykis.scopes.orders.facts import OrderFacts, PendingFacts

__all__ = ["AccountBase", "AsyncKisAccount", "KisAccount"]


def _listing_flow(core: _ClientCore, symbol: str, market: str | None) -> Generator[Action, Any, Listing]:
    row = yield from resolve_flow(core, symbol, market)
    return Listing.of_row(row)


def _scope(market: str | None) -> tuple[bool, bool]:
    if market is None:
        return True, True
    domestic = market_info(market).domestic
    return domestic, not domestic


class AccountBase:
    """One account (``NNNNNNNN-NN``) of the client's trading credentials."""

    __slots__ = ("_core", "account_number")

    def __init__(self, core: _ClientCore, account_number: KisAccountNumber) -> None:
        self._core = core
        self.account_number = account_number

    def __repr__(self) -> str:
        return f"{type(self).__name__}(account_number={self.account_number!r}, virtual={self._core.virtual})"

    def _execution_subscription(
        self, event: str, overseas: bool, where: Callable[[Any], bool] | None
    ) -> tuple[str, str, Callable[[Any], bool]]:
        """(TR ID, key, filter) of this account's execution notices (H0STCNI0/9, H0GSCNI0/9)."""
        # The realtime layer loads with the first subscription, not with the account scope.
        from pykis.protocol.env import Environment  # noqa: PLC0415
        from pykis.protocol.websocket import execution_tr  # noqa: PLC0415

        if event != "execution":
            raise KisValidationError(f"an account streams 'execution' events, not {event!r}")
        environment = Environment.VIRTUAL if self._core.virtual else Environment.REAL
        tr = execution_tr(environment, self._core.trading_auth.id, overseas=overseas)
        number = self.account_number.number

        def mine(notice: Any) -> bool:
            # ACNT_NO carries CANO (+ the product code): one HTS ID may hold several accounts.
            return str(notice.account).replace("-", "").startswith(number) and (where is None or where(notice))

        return tr.id, tr.key, mine

    def _order_flow(self, symbol: str, market: str | None, request: OrderRequest) -> Generator[Action, Any, OrderFacts]:
        listing = yield from _listing_flow(self._core, symbol, market)
        return (yield from order_flow(self._core, self.account_number, listing, request))

    def _sellable_flow(self, symbol: str, market: str | None) -> Generator[Action, Any, int]:
        listing = yield from _listing_flow(self._core, symbol, market)
        return (yield from sellable_flow(self._core, self.account_number, listing))

    def _orderable_flow(
        self, symbol: str, market: str | None, price: Price | None
    ) -> Generator[Action, Any, KisOrderableAmount]:
        listing = yield from _listing_flow(self._core, symbol, market)
        return (yield from orderable_flow(self._core, self.account_number, listing, to_price(price)))


class KisAccount(AccountBase):
    """An account, driven by the blocking :class:`~pykis.PyKis`."""

    def on(
        self,
        event: Literal["execution"],
        callback: Callable[[Any, Any], Any],
        *,
        overseas: bool = False,
        where: Callable[[Any], bool] | None = None,
    ) -> KisEventTicket:
        """Execution notices of this account (acknowledgements and fills; domestic, or ``overseas``).
        Keep the returned ticket: when it is garbage-collected the subscription ends."""
        tr_id, key, mine = self._execution_subscription(event, overseas, where)
        return self._core.websocket.on(tr_id, key, callback, where=mine)

    __slots__ = ()
    _core: PyKis

    def balance(self) -> KisIntegrationBalance:
        """Deposits per currency and every domestic and overseas position."""
        return self._core.run(balance_flow(self._core, self.account_number))

    def daily_orders(
        self, start: date | datetime | None = None, end: date | datetime | None = None, *, market: str | None = None
    ) -> KisDailyOrders:
        """Orders and executions from ``start`` to ``end`` (default: today), any range (split as the API needs)."""
        domestic, overseas = _scope(market)
        return self._core.run(
            daily_orders_flow(self._core, self.account_number, start, end, domestic=domestic, overseas=overseas)
        )

    def profits(
        self, start: date | datetime | None = None, end: date | datetime | None = None, *, market: str | None = None
    ) -> KisOrderProfits:
        """Realized profit per day and symbol from ``start`` to ``end`` (default: today)."""
        domestic, overseas = _scope(market)
        return self._core.run(
            profits_flow(self._core, self.account_number, start, end, domestic=domestic, overseas=overseas)
        )

    def orderable_amount(
        self, symbol: str, price: Price | None = None, *, market: str | None = None
    ) -> KisOrderableAmount:
        """Orderable cash and the most shares of ``symbol`` it buys at ``price`` (``None``: at the market)."""
        return self._core.run(self._orderable_flow(symbol, market, price))

    def sellable_quantity(self, symbol: str, *, market: str | None = None) -> int:
        """Shares of ``symbol`` that may be sold now."""
        return self._core.run(self._sellable_flow(symbol, market))

    def pending_orders(self, *, market: str | None = None) -> KisPendingOrders:
        """Every open order; each can be modified or cancelled like the order that placed it."""
        domestic, overseas = _scope(market)
        found: list[PendingFacts] = self._core.run(
            pending_orders_flow(self._core, self.account_number, domestic=domestic, overseas=overseas)
        )
        return KisPendingOrders(self.account_number, [KisPendingOrder(self._core, p) for p in found])

    def order(
        self,
        symbol: str,
        price: Price | None = None,
        qty: Quantity | None = None,
        *,
        side: OrderSide,
        market: str | None = None,
        **options: Unpack[OrderOptions],
    ) -> KisOrder:
        """Place an order for ``symbol`` with the options of :meth:`pykis.scopes.stock.StockTrading.order`;
        ``market`` picks the listing when the symbol is ambiguous."""
        request = OrderRequest(side=side, price=price, qty=qty, **options)
        return KisOrder(self._core, self._core.run(self._order_flow(symbol, market, request)))

    def buy(
        self,
        symbol: str,
        price: Price | None = None,
        qty: Quantity | None = None,
        *,
        market: str | None = None,
        **options: Unpack[OrderOptions],
    ) -> KisOrder:
        """Buy ``qty`` of ``symbol`` at ``price`` (``None``: at the market)."""
        return self.order(symbol, price, qty, side="buy", market=market, **options)

    def sell(
        self,
        symbol: str,
        price: Price | None = None,
        qty: Quantity | None = None,
        *,
        market: str | None = None,
        **options: Unpack[OrderOptions],
    ) -> KisOrder:
        """Sell ``qty`` of ``symbol`` (``None``: everything sellable) at ``price`` (``None``: at the market)."""
        return self.order(symbol, price, qty, side="sell", market=market, **options)


class AsyncAccountBase(AccountBase):
    """What only the asyncio account scope has: :meth:`stream`."""

    __slots__ = ()
    _core: AsyncPyKis

    def stream(
        self, event: Literal["execution"], *, overseas: bool = False, where: Callable[[Any], bool] | None = None
    ) -> AsyncIterator[Any]:
        """``async for e in account.stream("execution"): e.response.kind`` — each ``e`` is what :meth:`on`'s
        callback gets."""
        tr_id, key, mine = self._execution_subscription(event, overseas, where)
        return self._core.websocket.stream(tr_id, key, where=mine)


# <generated: AsyncKisAccount from KisAccount by scripts/generate_twins.py; do not edit>
class AsyncKisAccount(AsyncAccountBase):
    """An account, driven by :class:`~pykis.AsyncPyKis`: the same operations as coroutines."""

    def on(
        self,
        event: Literal["execution"],
        callback: Callable[[Any, Any], Any],
        *,
        overseas: bool = False,
        where: Callable[[Any], bool] | None = None,
    ) -> KisEventTicket:
        """Execution notices of this account (acknowledgements and fills; domestic, or ``overseas``).
        Keep the returned ticket: when it is garbage-collected the subscription ends."""
        tr_id, key, mine = self._execution_subscription(event, overseas, where)
        return self._core.websocket.on(tr_id, key, callback, where=mine)

    __slots__ = ()
    _core: AsyncPyKis

    async def balance(self) -> KisIntegrationBalance:
        """Deposits per currency and every domestic and overseas position."""
        return await self._core.run(balance_flow(self._core, self.account_number))

    async def daily_orders(
        self, start: date | datetime | None = None, end: date | datetime | None = None, *, market: str | None = None
    ) -> KisDailyOrders:
        """Orders and executions from ``start`` to ``end`` (default: today), any range (split as the API needs)."""
        domestic, overseas = _scope(market)
        return await self._core.run(
            daily_orders_flow(self._core, self.account_number, start, end, domestic=domestic, overseas=overseas)
        )

    async def profits(
        self, start: date | datetime | None = None, end: date | datetime | None = None, *, market: str | None = None
    ) -> KisOrderProfits:
        """Realized profit per day and symbol from ``start`` to ``end`` (default: today)."""
        domestic, overseas = _scope(market)
        return await self._core.run(
            profits_flow(self._core, self.account_number, start, end, domestic=domestic, overseas=overseas)
        )

    async def orderable_amount(
        self, symbol: str, price: Price | None = None, *, market: str | None = None
    ) -> KisOrderableAmount:
        """Orderable cash and the most shares of ``symbol`` it buys at ``price`` (``None``: at the market)."""
        return await self._core.run(self._orderable_flow(symbol, market, price))

    async def sellable_quantity(self, symbol: str, *, market: str | None = None) -> int:
        """Shares of ``symbol`` that may be sold now."""
        return await self._core.run(self._sellable_flow(symbol, market))

    async def pending_orders(self, *, market: str | None = None) -> KisPendingOrders:
        """Every open order; each can be modified or cancelled like the order that placed it."""
        domestic, overseas = _scope(market)
        found: list[PendingFacts] = await self._core.run(
            pending_orders_flow(self._core, self.account_number, domestic=domestic, overseas=overseas)
        )
        return KisPendingOrders(self.account_number, [AsyncKisPendingOrder(self._core, p) for p in found])

    async def order(
        self,
        symbol: str,
        price: Price | None = None,
        qty: Quantity | None = None,
        *,
        side: OrderSide,
        market: str | None = None,
        **options: Unpack[OrderOptions],
    ) -> AsyncKisOrder:
        """Place an order for ``symbol`` with the options of :meth:`pykis.scopes.stock.StockTrading.order`;
        ``market`` picks the listing when the symbol is ambiguous."""
        request = OrderRequest(side=side, price=price, qty=qty, **options)
        return AsyncKisOrder(self._core, await self._core.run(self._order_flow(symbol, market, request)))

    async def buy(
        self,
        symbol: str,
        price: Price | None = None,
        qty: Quantity | None = None,
        *,
        market: str | None = None,
        **options: Unpack[OrderOptions],
    ) -> AsyncKisOrder:
        """Buy ``qty`` of ``symbol`` at ``price`` (``None``: at the market)."""
        return await self.order(symbol, price, qty, side="buy", market=market, **options)

    async def sell(
        self,
        symbol: str,
        price: Price | None = None,
        qty: Quantity | None = None,
        *,
        market: str | None = None,
        **options: Unpack[OrderOptions],
    ) -> AsyncKisOrder:
        """Sell ``qty`` of ``symbol`` (``None``: everything sellable) at ``price`` (``None``: at the market)."""
        return await self.order(symbol, price, qty, side="sell", market=market, **options)


# </generated>
