"""Matching: a new order's immediate execution against the displayed book, and resting orders as prices move.

See :mod:`pykis.emulator.engine` for the fill model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from pykis.emulator.engine.ledger import Ledger
from pykis.emulator.engine.order_types import pricing_of, regular_close
from pykis.emulator.engine.records import BUY, Order, OrderEvent
from pykis.emulator.instruments import Instrument
from pykis.emulator.market import BookLevel, OrderBook, Quote, TradedRange

__all__ = ["Matching"]


@dataclass(slots=True)
class _Step:
    """One matching step of one symbol up to ``end``: what traded, the quote then and the touch budget per price."""

    traded: TradedRange | None
    quote: Quote
    end: datetime
    budget: dict[Decimal, int]


class Matching(Ledger):
    """Order execution on entry and over time; the base of ``Engine``."""

    # ------------------------------------------------------------------------------------------------ on entry

    def _execute_on_entry(self, instrument: Instrument, order: Order, now: datetime) -> None:
        """Immediate execution of a new (or re-priced) order; handles IOC/FOK remainders."""
        pricing = self._pricing(instrument, order)
        quote = self.market.quote_at(instrument, now)
        if instrument.domestic and quote.session in ("pre", "opening_auction") and pricing == "limit":
            return  # queued for the opening; fills once the regular session trades through it
        if pricing in ("moo", "loo", "moc", "loc", "twap", "vwap", "single"):
            if pricing == "single" and self._crosses(order, quote.price):
                self._fill(order, order.qty - order.filled_qty, quote.price, now)
            return
        if pricing == "prev_close":
            self._fill(order, order.remaining, quote.prev_close, now)
            return
        if pricing == "close":
            self._fill(order, order.remaining, quote.price, now)
            return
        book = self.market.orderbook(order.symbol, order.market)
        if pricing == "mid":
            self._take_mid(order, book, now)
        else:
            self._walk_book(order, pricing, book, quote, now)
        if order.remaining and order.tif in ("ioc", "fok"):
            reason = "IOC remainder" if order.tif == "ioc" else "FOK not fillable"
            self._cancel_rest(order, now, reason)

    def _take_mid(self, order: Order, book: OrderBook, now: datetime) -> None:
        """A midpoint order takes what both best levels show, at their midpoint."""
        if not (book.asks and book.bids):
            return
        mid = (book.asks[0].price + book.bids[0].price) / 2
        depth = min(book.asks[0].qty, book.bids[0].qty)
        available = depth - self._taken_at(order, book.time, mid)
        qty = min(order.remaining, max(available, 0))
        if order.tif == "fok" and qty < order.remaining:
            qty = 0
        if qty:
            self._take(order, book.time, mid, qty)
            self._fill(order, qty, mid, now)

    def _walk_book(self, order: Order, pricing: str, book: OrderBook, quote: Quote, now: datetime) -> None:
        """Limit, market, best and priority orders take the opposite side level by level within their price."""
        opposite = book.asks if order.side == BUY else book.bids
        same = book.bids if order.side == BUY else book.asks
        if pricing == "best" and order.price == 0:
            order.price = opposite[0].price if opposite else (same[0].price if same else quote.price)
        elif pricing == "priority" and order.price == 0:
            order.price = same[0].price if same else quote.price
        levels = opposite[:1] if pricing == "best" else opposite
        plan = self._plan(order, book.time, levels)
        if order.tif == "fok" and sum(qty for _, qty in plan) < order.remaining:
            plan = []
        for level_price, qty in plan:
            self._take(order, book.time, level_price, qty)
            self._fill(order, qty, level_price, now)
        if pricing == "market" and order.remaining and plan:
            # A market order's unfilled rest stays as a limit at the worst price it reached.
            order.price = plan[-1][0]
        elif pricing == "market" and order.remaining:
            order.price = quote.upper_limit if order.side == BUY else quote.lower_limit
            if not order.price:
                order.price = quote.price

    def _pricing(self, instrument: Instrument, order: Order) -> str:
        return pricing_of(instrument, order)

    @staticmethod
    def _crosses(order: Order, price: Decimal) -> bool:
        if order.price == 0:
            return True
        return price <= order.price if order.side == BUY else price >= order.price

    def _taken_at(self, order: Order, stamp: datetime, price: Decimal) -> int:
        entry = self._taken.get((order.market, order.symbol))
        if entry is None or entry[0] != stamp:
            return 0
        return entry[1].get(price, 0)

    def _take(self, order: Order, stamp: datetime, price: Decimal, qty: int) -> None:
        key = (order.market, order.symbol)
        entry = self._taken.get(key)
        if entry is None or entry[0] != stamp:
            entry = (stamp, {})
            self._taken[key] = entry
        entry[1][price] = entry[1].get(price, 0) + qty

    def _plan(self, order: Order, stamp: datetime, levels: Sequence[BookLevel]) -> list[tuple[Decimal, int]]:
        """(price, qty) to take from the displayed ``levels`` within the order's limit."""
        plan: list[tuple[Decimal, int]] = []
        left = order.remaining
        for level in levels:
            if left <= 0:
                break
            if order.price and not self._crosses(order, level.price):
                break
            free = level.qty - self._taken_at(order, stamp, level.price)
            qty = min(left, free)
            if qty > 0:
                plan.append((level.price, qty))
                left -= qty
        return plan

    # ------------------------------------------------------------------------------------------------ over time

    def match(self, now: datetime | None = None) -> list[OrderEvent]:
        """Advance resting orders to ``now`` (default: the market clock); returns the events this step produced.

        The events stay queued for ``drain_events`` as well.
        """
        before = len(self._events)
        self._match(self._now() if now is None else now.astimezone(UTC))
        self._commit()
        return self._events[before:]

    advance = match

    def _match(self, now: datetime) -> None:
        for key, entries in list(self._open.items()):
            if not entries:
                continue
            since = self._last_match.get(key, now)
            if now <= since:
                continue
            self._last_match[key] = now
            instrument = self._instrument(key[1], key[0])
            self._match_symbol(instrument, sorted(entries, key=self._priority), since, now)

    @staticmethod
    def _priority(order: Order) -> tuple[int, Decimal, int]:
        # Buys: higher price first; sells: lower price first; then time (seq).
        return (0 if order.side == BUY else 1, -order.price if order.side == BUY else order.price, order.seq)

    def _match_symbol(self, instrument: Instrument, orders: list[Order], since: datetime, now: datetime) -> None:
        market = self.market
        span_end = now
        expiring = [order for order in orders if order.expires is not None and order.expires <= now]
        if expiring:
            span_end = max(min(order.expires for order in expiring if order.expires is not None), since)
        traded = market.traded_range(instrument, since, span_end)
        step = _Step(traded, market.quote_at(instrument, span_end), span_end, {})
        for order in orders:
            if order.is_open:
                self._match_order(instrument, order, step)
        for order in expiring:
            if order.is_open and order.expires is not None and order.expires <= span_end:
                self._cancel_rest(order, order.expires, "expired")
        if span_end < now:
            self._last_match[(instrument.market, instrument.symbol)] = span_end
            remaining = [order for order in orders if order.is_open]
            if remaining:
                self._match_symbol(instrument, sorted(remaining, key=self._priority), span_end, now)
            self._last_match[(instrument.market, instrument.symbol)] = now

    def _match_order(self, instrument: Instrument, order: Order, step: _Step) -> None:
        pricing = self._pricing(instrument, order)
        quote, span_end, traded = step.quote, step.end, step.traded
        if pricing in ("moo", "loo"):
            if quote.trading_day >= order.time.astimezone(instrument.timezone).date() and quote.volume > 0:
                if pricing == "moo" or self._crosses(order, quote.open):
                    self._fill(order, order.remaining, quote.open, span_end)
                else:
                    self._cancel_rest(order, span_end, "LOO not marketable at the open")
        elif pricing in ("moc", "loc"):
            self._match_at_close(instrument, order, pricing, span_end)
        elif pricing in ("twap", "vwap"):
            self._slice(instrument, order, quote.price, span_end)
        elif pricing == "single":
            if self._crosses(order, quote.price):
                self._fill(order, order.remaining, quote.price, span_end)
        elif pricing == "mid":
            if traded is not None and traded.volume > 0 and quote.ask and quote.bid:
                mid = (quote.ask + quote.bid) / 2
                self._fill(order, min(order.remaining, max(instrument.lot_size, traded.volume // 10)), mid, span_end)
        elif traded is not None and order.price > 0:
            self._match_resting(instrument, order, traded, step)

    def _match_at_close(self, instrument: Instrument, order: Order, pricing: str, span_end: datetime) -> None:
        close_at = regular_close(self.market, instrument, order.time.astimezone(instrument.timezone).date())
        if close_at is not None and span_end >= close_at:
            final = self.market.quote_at(instrument, close_at)
            if pricing == "moc" or self._crosses(order, final.price):
                self._fill(order, order.remaining, final.price, close_at)
            else:
                self._cancel_rest(order, close_at, "LOC not marketable at the close")

    def _match_resting(self, instrument: Instrument, order: Order, traded: TradedRange, step: _Step) -> None:
        """A resting limit fills whole once traded through, or from a tenth of the volume when only touched."""
        through = traded.low < order.price if order.side == BUY else traded.high > order.price
        touched = traded.low <= order.price if order.side == BUY else traded.high >= order.price
        if through:
            self._fill(order, order.remaining, order.price, step.end)
        elif touched:
            left = step.budget.setdefault(order.price, max(instrument.lot_size, traded.volume // 10))
            qty = min(order.remaining, left // instrument.lot_size * instrument.lot_size)
            if qty > 0:
                step.budget[order.price] = left - qty
                self._fill(order, qty, order.price, step.end)

    def _slice(self, instrument: Instrument, order: Order, price: Decimal, now: datetime) -> None:
        start, end = order.window_start, order.window_end
        if start is None or end is None or now < start:
            return
        fraction = min(Decimal(1), Decimal((now - start).total_seconds()) / Decimal((end - start).total_seconds()))
        lot = instrument.lot_size
        target = int(order.qty * fraction) // lot * lot
        qty = min(order.remaining, target - order.filled_qty)
        if qty > 0 and (order.price == 0 or self._crosses(order, price)):
            self._fill(order, qty, price, now)
        if now >= end and order.remaining:
            self._cancel_rest(order, end, "window over")
