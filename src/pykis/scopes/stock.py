"""The stock scope: ``kis.stock("005930")`` / ``kis.stock("NVDA")`` and what can be asked of a stock.

Every operation is written once as a flow in :class:`StockBase`; :class:`KisStock` and
:class:`AsyncKisStock` only drive it (blocking or asyncio).
"""

from __future__ import annotations

from collections.abc import Generator
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, Unpack

from pykis.errors import KisValidationError
from pykis.exchanges.markets import MarketInfo, market_info, tick_size
from pykis.exchanges.masters import MasterRow
from pykis.models.quote import (
    DomesticOvertimeQuoteBody,
    DomesticQuoteBody,
    ForeignQuoteBody,
    KisQuote,
    domestic_overtime_quote,
    domestic_quote,
    foreign_quote,
)
from pykis.protocol.flow import Action

ChartStart = date | datetime | timedelta | str | None

RealtimeKind = Literal["price", "orderbook"]

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable

    from pykis.auth import KisAccountNumber
    from pykis.client import AsyncPyKis, PyKis, _ClientCore
    from pykis.exchanges.sessions import KisTradingHours
    from pykis.models.chart import ChartPeriod, KisChart
    from pykis.models.order import OrderSide
    from pykis.models.orderbook import KisOrderbook
    from pykis.realtime import KisEventTicket
    from pykis.scopes.orders import AsyncKisOrder, KisOrder, OrderOptions
    from pykis.scopes.orders.rules import Price, Quantity

__all__ = ["AsyncKisStock", "KisStock", "StockBase", "Venue"]

Venue = Literal["KRX", "NXT", "UN"]
_VENUE_CODES: dict[str, str] = {"KRX": "J", "NXT": "NX", "UN": "UN"}


class StockBase:
    """A listed stock: symbol, market, name, currency and time zone. Never makes a request in ``repr``."""

    __slots__ = ("_core", "board", "english_name", "info", "kind", "lot_size", "name", "symbol")

    def __init__(self, core: _ClientCore, row: MasterRow) -> None:
        self._core = core
        self.symbol = row.symbol
        self.name = row.name
        self.english_name = row.english_name
        self.board = row.board
        self.kind = row.kind
        self.lot_size: int = row.lot_size
        """Shares per order unit (1 on KRX and US exchanges, 100 in Tokyo, Hong Kong boards vary…)."""
        self.info: MarketInfo = market_info(row.market)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(symbol={self.symbol!r}, market={self.market!r}, name={self.name!r})"

    @property
    def market(self) -> str:
        """``"KRX"``, ``"NASDAQ"``, ``"NYSE"``, ``"AMEX"``, ``"TYO"``, ``"HKEX"``, ``"SSE"``, ``"SZSE"``, ``"HNX"``
        or ``"HSX"``."""
        return self.info.code

    @property
    def currency(self) -> str:
        """Trading currency (KRW, USD, JPY, HKD, CNY, VND)."""
        return self.info.currency

    @property
    def timezone(self) -> tzinfo:
        """The market's time zone."""
        return self.info.timezone

    @property
    def domestic(self) -> bool:
        """Whether the stock is listed on KRX."""
        return self.info.domestic

    @property
    def quote_code(self) -> str:
        """The code quote inquiries take: ETNs carry a ``Q`` prefix on KRX (PROTOCOL.md §9)."""
        return f"Q{self.symbol}" if self.domestic and self.kind == "etn" else self.symbol

    def tick_size(self, price: Decimal | int | str) -> Decimal:
        """The price increment at ``price`` on this stock's market (KRX ETFs/ETNs use their own table)."""
        return tick_size(self.market, Decimal(price), etf=self.domestic and self.kind in ("etf", "etn"))

    def trading_hours(self) -> KisTradingHours:
        """The sessions of this stock's market (built in; no request); ``hours.session(kis.now())`` names the
        current one."""
        return self._core.trading_hours(self.market)

    # ---- flows ---------------------------------------------------------------------------------
    def _quote_flow(self, extended: bool, venue: Venue) -> Generator[Action, Any, KisQuote]:
        # Each API package loads with the first call of its side: a KRX quote never loads the overseas one.
        if self.domestic:
            from pykis.api._generated import domestic_stock  # noqa: PLC0415 — loaded on first use (cold start)

            if venue not in _VENUE_CODES:
                raise KisValidationError(f"venue must be KRX, NXT or UN, got {venue!r}")
            market_code, code = _VENUE_CODES[venue], self.quote_code
            if extended:
                # 국내주식 시간외현재가: the after-hours single-price session.
                overtime_request = domestic_stock.inquire_overtime_price(
                    FID_COND_MRKT_DIV_CODE=market_code, FID_INPUT_ISCD=code
                )
                envelope = yield from self._core.request_flow(overtime_request.call)
                now = self._core.clock.now(self.timezone)  # the answer's Date is the service's now
                overtime = envelope.decode(DomesticOvertimeQuoteBody).output
                return domestic_overtime_quote(
                    overtime, symbol=self.symbol, market=self.market, name=self.name, time=now, venue=venue
                )
            request = domestic_stock.inquire_price(FID_COND_MRKT_DIV_CODE=market_code, FID_INPUT_ISCD=code)
            envelope = yield from self._core.request_flow(request.call)
            now = self._core.clock.now(self.timezone)  # the answer's Date is the service's now
            wire = envelope.decode(DomesticQuoteBody).output
            return domestic_quote(wire, symbol=self.symbol, market=self.market, name=self.name, time=now, venue=venue)
        excd = self.info.daytime_excd if extended else self.info.excd
        if excd is None:
            raise KisValidationError(f"{self.market} has no extended (daytime) session quotes")
        from pykis.api._generated import overseas_stock  # noqa: PLC0415

        foreign_request = overseas_stock.price_detail(EXCD=excd, SYMB=self.symbol)
        envelope = yield from self._core.request_flow(foreign_request.call)
        now = self._core.clock.now(self.timezone)  # the answer's Date is the service's now
        wire_foreign = envelope.decode(ForeignQuoteBody).output
        return foreign_quote(
            wire_foreign, symbol=self.symbol, market=self.market, name=self.name, time=now, extended=extended
        )

    def _orderbook_flow(self, venue: Venue) -> Generator[Action, Any, KisOrderbook]:
        # The order book's models load with the first order book, not with a quote.
        from pykis.models.orderbook import (  # noqa: PLC0415
            DomesticOrderbookBody,
            ForeignOrderbookBody,
            domestic_orderbook,
            foreign_orderbook,
        )

        if self.domestic:
            from pykis.api._generated import domestic_stock  # noqa: PLC0415

            book = domestic_stock.inquire_asking_price_exp_ccn(
                FID_COND_MRKT_DIV_CODE=_VENUE_CODES.get(venue, "J"), FID_INPUT_ISCD=self.quote_code
            )
            envelope = yield from self._core.request_flow(book.call)
            now = self._core.clock.now(self.timezone)  # the answer's Date is the service's now
            block = envelope.decode(DomesticOrderbookBody).output1
            return domestic_orderbook(block, symbol=self.symbol, market=self.market, day=now)
        from pykis.api._generated import overseas_stock  # noqa: PLC0415

        foreign = overseas_stock.inquire_asking_price(EXCD=self.info.excd or "", SYMB=self.symbol)
        envelope = yield from self._core.request_flow(foreign.call)
        now = self._core.clock.now(self.timezone)  # the answer's Date is the service's now
        return foreign_orderbook(envelope.decode(ForeignOrderbookBody), symbol=self.symbol, market=self.market, day=now)

    def _chart_flow(
        self, start: ChartStart, end: date | datetime | None, period: ChartPeriod | int, adjusted: bool
    ) -> Generator[Action, Any, KisChart]:
        # Charts (their models, the paging, the progress reporting) load with the first chart, not with a quote.
        from pykis.scopes.chart import chart_flow  # noqa: PLC0415

        return chart_flow(self, start, end, period, adjusted)

    def _realtime_tr(self, event: RealtimeKind, venue: Venue, extended: bool) -> tuple[str, str]:
        """(TR ID, key) of this stock's realtime ``event`` feed."""
        # The realtime layer loads with the first subscription, not with a quote.
        from pykis.protocol.websocket import orderbook_tr, price_tr  # noqa: PLC0415

        if event not in ("price", "orderbook"):
            raise KisValidationError(f"a stock streams 'price' or 'orderbook' events, not {event!r}")
        where = venue if self.domestic else (self.info.excd or self.market)
        build = price_tr if event == "price" else orderbook_tr
        tr = build(where, self.symbol, daytime=extended and not self.domestic)
        return tr.id, tr.key


class StockTrading:
    """``buy``/``sell``/``order`` on a blocking stock scope (mixed into :class:`~pykis.scopes.stock.KisStock`)."""

    __slots__ = ()
    _core: PyKis

    def order(
        self,
        side: OrderSide,
        price: Price | None = None,
        qty: Quantity | None = None,
        *,
        account: str | KisAccountNumber | None = None,
        **options: Unpack[OrderOptions],
    ) -> KisOrder:
        """Place an order (see :mod:`pykis.scopes.orders` for the order types); ``price`` None is a market
        order, ``qty`` None on a sell sells everything sellable; ``options`` are :class:`OrderRequest`'s
        (``condition``, ``execution``, ``exchange``, ``daytime``, ``precheck``, ``start``, ``end``).
        Returns the acknowledged order."""
        # The order rules load with the first order, not with a quote (a cold script's first quote stays light).
        from pykis.scopes.orders import KisOrder, Listing, OrderRequest, account_of, order_flow  # noqa: PLC0415

        request = OrderRequest(side=side, price=price, qty=qty, **options)
        listing = Listing.of_stock(self)  # type: ignore[arg-type]
        return KisOrder(
            self._core, self._core.run(order_flow(self._core, account_of(self._core, account), listing, request))
        )

    def buy(
        self,
        price: Price | None = None,
        qty: Quantity | None = None,
        *,
        account: str | KisAccountNumber | None = None,
        **options: Unpack[OrderOptions],
    ) -> KisOrder:
        """Buy ``qty`` shares at ``price`` (``None``: at the market)."""
        return self.order("buy", price, qty, account=account, **options)

    def sell(
        self,
        price: Price | None = None,
        qty: Quantity | None = None,
        *,
        account: str | KisAccountNumber | None = None,
        **options: Unpack[OrderOptions],
    ) -> KisOrder:
        """Sell ``qty`` shares (``None``: everything sellable) at ``price`` (``None``: at the market)."""
        return self.order("sell", price, qty, account=account, **options)


# <generated: AsyncStockTrading from StockTrading by scripts/generate_twins.py; do not edit>
class AsyncStockTrading:
    """``buy``/``sell``/``order`` on an asyncio stock scope (see :class:`StockTrading`)."""

    __slots__ = ()
    _core: AsyncPyKis

    async def order(
        self,
        side: OrderSide,
        price: Price | None = None,
        qty: Quantity | None = None,
        *,
        account: str | KisAccountNumber | None = None,
        **options: Unpack[OrderOptions],
    ) -> AsyncKisOrder:
        """Place an order (see :mod:`pykis.scopes.orders` for the order types); ``price`` None is a market
        order, ``qty`` None on a sell sells everything sellable; ``options`` are :class:`OrderRequest`'s
        (``condition``, ``execution``, ``exchange``, ``daytime``, ``precheck``, ``start``, ``end``).
        Returns the acknowledged order."""
        # The order rules load with the first order, not with a quote (a cold script's first quote stays light).
        from pykis.scopes.orders import AsyncKisOrder, Listing, OrderRequest, account_of, order_flow  # noqa: PLC0415

        request = OrderRequest(side=side, price=price, qty=qty, **options)
        listing = Listing.of_stock(self)  # type: ignore[arg-type]
        return AsyncKisOrder(
            self._core, await self._core.run(order_flow(self._core, account_of(self._core, account), listing, request))
        )

    async def buy(
        self,
        price: Price | None = None,
        qty: Quantity | None = None,
        *,
        account: str | KisAccountNumber | None = None,
        **options: Unpack[OrderOptions],
    ) -> AsyncKisOrder:
        """Buy ``qty`` shares at ``price`` (``None``: at the market)."""
        return await self.order("buy", price, qty, account=account, **options)

    async def sell(
        self,
        price: Price | None = None,
        qty: Quantity | None = None,
        *,
        account: str | KisAccountNumber | None = None,
        **options: Unpack[OrderOptions],
    ) -> AsyncKisOrder:
        """Sell ``qty`` shares (``None``: everything sellable) at ``price`` (``None``: at the market)."""
        return await self.order("sell", price, qty, account=account, **options)


# </generated>


class KisStock(StockBase, StockTrading):
    """A stock, driven by the blocking :class:`~pykis.PyKis`."""

    __slots__ = ()
    _core: PyKis

    def on(
        self,
        event: RealtimeKind,
        callback: Callable[[Any, Any], Any],
        *,
        venue: Venue = "KRX",
        extended: bool = False,
        where: Callable[[Any], bool] | None = None,
    ) -> KisEventTicket:
        """Subscribe to realtime ``"price"`` (체결가) or ``"orderbook"`` (호가) events. The callback gets
        ``(sender, e)`` with ``e.response`` the typed event; keep the returned ticket — when it is garbage-
        collected the subscription ends. ``extended``: the US daytime session feed."""
        tr_id, key = self._realtime_tr(event, venue, extended)
        return self._core.websocket.on(tr_id, key, callback, where=where)

    def quote(self, extended: bool = False, *, venue: Venue = "KRX") -> KisQuote:
        """The current quote. ``extended``: the US daytime session, or KRX after-hours single price.
        ``venue`` (domestic): ``"KRX"``, ``"NXT"`` or ``"UN"`` (the integrated feed)."""
        result: KisQuote = self._core.run(self._quote_flow(extended, venue))
        return result

    def orderbook(self, *, venue: Venue = "KRX") -> KisOrderbook:
        """The order book: every level's price and quantity, best first, with totals."""
        result: KisOrderbook = self._core.run(self._orderbook_flow(venue))
        return result

    def chart(
        self,
        start: ChartStart = None,
        end: date | datetime | None = None,
        *,
        period: ChartPeriod | int = "day",
        adjusted: bool = True,
    ) -> KisChart:
        """Bars from ``start`` (a date, a look-back like ``"1y"``/``"3h"``, or a timedelta) to ``end``
        (default now). ``period``: ``"day"``, ``"week"``, ``"month"``, ``"year"``, or minutes as an int."""
        result: KisChart = self._core.run(self._chart_flow(start, end, period, adjusted))
        return result


class AsyncStockBase(StockBase):
    """What only the asyncio stock scope has: :meth:`stream`."""

    __slots__ = ()
    _core: AsyncPyKis

    def stream(
        self,
        event: RealtimeKind,
        *,
        venue: Venue = "KRX",
        extended: bool = False,
        where: Callable[[Any], bool] | None = None,
    ) -> AsyncIterator[Any]:
        """``async for e in stock.stream("price"): e.response.price`` — each ``e`` is what :meth:`on`'s callback
        gets; the subscription ends with the loop."""
        tr_id, key = self._realtime_tr(event, venue, extended)
        return self._core.websocket.stream(tr_id, key, where=where)


# <generated: AsyncKisStock from KisStock by scripts/generate_twins.py; do not edit>
class AsyncKisStock(AsyncStockBase, AsyncStockTrading):
    """A stock, driven by :class:`~pykis.AsyncPyKis`: the same operations as coroutines."""

    __slots__ = ()
    _core: AsyncPyKis

    def on(
        self,
        event: RealtimeKind,
        callback: Callable[[Any, Any], Any],
        *,
        venue: Venue = "KRX",
        extended: bool = False,
        where: Callable[[Any], bool] | None = None,
    ) -> KisEventTicket:
        """Subscribe to realtime ``"price"`` (체결가) or ``"orderbook"`` (호가) events. The callback gets
        ``(sender, e)`` with ``e.response`` the typed event; keep the returned ticket — when it is garbage-
        collected the subscription ends. ``extended``: the US daytime session feed."""
        tr_id, key = self._realtime_tr(event, venue, extended)
        return self._core.websocket.on(tr_id, key, callback, where=where)

    async def quote(self, extended: bool = False, *, venue: Venue = "KRX") -> KisQuote:
        """The current quote. ``extended``: the US daytime session, or KRX after-hours single price.
        ``venue`` (domestic): ``"KRX"``, ``"NXT"`` or ``"UN"`` (the integrated feed)."""
        result: KisQuote = await self._core.run(self._quote_flow(extended, venue))
        return result

    async def orderbook(self, *, venue: Venue = "KRX") -> KisOrderbook:
        """The order book: every level's price and quantity, best first, with totals."""
        result: KisOrderbook = await self._core.run(self._orderbook_flow(venue))
        return result

    async def chart(
        self,
        start: ChartStart = None,
        end: date | datetime | None = None,
        *,
        period: ChartPeriod | int = "day",
        adjusted: bool = True,
    ) -> KisChart:
        """Bars from ``start`` (a date, a look-back like ``"1y"``/``"3h"``, or a timedelta) to ``end``
        (default now). ``period``: ``"day"``, ``"week"``, ``"month"``, ``"year"``, or minutes as an int."""
        result: KisChart = await self._core.run(self._chart_flow(start, end, period, adjusted))
        return result


# </generated>
