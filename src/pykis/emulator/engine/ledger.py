"""The engine's books: accounts and cash, orders and fills, the events they raise and the journal they go to."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from pykis.emulator.engine.fees import DEFAULT_FEES, DEFAULT_RATES, Fees, money, reserve_amount
from pykis.emulator.engine.records import BUY, Account, Fill, Journal, Order, OrderEvent, Position, Snapshot
from pykis.emulator.engine.rejects import NO_ACCOUNT, NO_CASH, NO_SYMBOL, EngineReject, reject
from pykis.emulator.instruments import Instrument
from pykis.emulator.market import Market

__all__ = ["Attempt", "Ledger"]


@dataclass(frozen=True, slots=True)
class Attempt:
    """A refused request as its ``rejected`` event reports it."""

    account: str
    instrument: Instrument
    side: str
    ord_dvsn: str
    qty: int
    price: Decimal
    original: str = ""
    """The order a refused modify or cancel named."""


class Ledger:
    """Accounts, orders, fills and events of the engine, and their journal; the base of ``Engine``."""

    def __init__(
        self,
        market: Market,
        *,
        fees: Fees = DEFAULT_FEES,
        rates: Mapping[str, Decimal] = DEFAULT_RATES,
        branch: str = "91252",
        journal: Journal | None = None,
        first_order_no: int = 1,
    ) -> None:
        if len(branch) != 5 or not branch.isdigit():
            raise ValueError(f"branch must be 5 digits, got {branch!r}")
        self.market = market
        self.fees = fees
        self.rates = dict(rates)
        self.branch = branch
        self._journal = journal
        snapshot = journal.load() if journal is not None else Snapshot()
        self._accounts = snapshot.accounts
        self._orders = snapshot.orders
        self._fills = snapshot.fills
        self._next_order = snapshot.counters.get("order_no", first_order_no)
        self._next_fill = snapshot.counters.get("fill_no", 1)
        self._seq = snapshot.counters.get("seq", 0)
        self._open: dict[tuple[str, str], list[Order]] = {}
        for order in self._orders.values():
            if order.is_open:
                self._open.setdefault((order.market, order.symbol), []).append(order)
        self._events: list[OrderEvent] = []
        self._last_match: dict[tuple[str, str], datetime] = {}
        self._taken: dict[tuple[str, str], tuple[datetime, dict[Decimal, int]]] = {}
        self._dirty_accounts: set[str] = set()
        self._dirty_orders: set[str] = set()
        self._new_fills: list[Fill] = []

    # ------------------------------------------------------------------------------------------------ accounts

    def open_account(
        self,
        number: str,
        *,
        cash: Mapping[str, Decimal | int | str] | None = None,
        positions: Iterable[tuple[str, str | None, int, Decimal | int | str]] = (),
    ) -> Account:
        """Create (or return the existing) account ``number``, e.g. ``"50123456-01"``.

        ``cash`` seeds balances per currency; ``positions`` seeds holdings as ``(symbol, market, qty, avg)``.
        """
        existing = self._accounts.get(number)
        if existing is not None:
            return existing
        account = Account(number)
        for currency, amount in (cash or {}).items():
            account.cash[currency] = Decimal(str(amount))
        for symbol, market_code, qty, avg in positions:
            instrument = self._instrument(symbol, market_code)
            account.positions[(instrument.market, instrument.symbol)] = Position(
                instrument.symbol, instrument.market, instrument.currency, qty, Decimal(str(avg))
            )
        self._accounts[number] = account
        self._dirty_accounts.add(number)
        self._commit()
        return account

    def account(self, number: str) -> Account:
        """The account ``number``; raises ``EngineReject`` if unknown."""
        account = self._accounts.get(number)
        if account is None:
            raise reject(NO_ACCOUNT, number)
        return account

    def accounts(self) -> Sequence[Account]:
        """All accounts."""
        return list(self._accounts.values())

    def deposit(self, number: str, currency: str, amount: Decimal) -> Decimal:
        """Add (or, if negative, withdraw) cash; returns the new balance."""
        account = self.account(number)
        balance = account.cash.get(currency, Decimal(0)) + amount
        if balance < account.reserved.get(currency, Decimal(0)):
            raise reject(NO_CASH, currency)
        account.cash[currency] = balance
        self._dirty_accounts.add(number)
        self._commit()
        return balance

    def exchange(self, number: str, source: str, target: str, amount: Decimal) -> Decimal:
        """Convert ``amount`` of ``source`` cash into ``target`` at the rate table; returns the amount bought."""
        account = self.account(number)
        if amount <= 0 or account.available(source) < amount:
            raise reject(NO_CASH, source)
        bought = money(amount * self.rates[source] / self.rates[target], target)
        account.cash[source] = account.cash.get(source, Decimal(0)) - amount
        account.cash[target] = account.cash.get(target, Decimal(0)) + bought
        self._dirty_accounts.add(number)
        self._commit()
        return bought

    def value(self, number: str, *, currency: str = "KRW", at_cost: bool = False) -> Decimal:
        """Cash plus positions valued at the last price (or at average cost), converted into ``currency``."""
        account = self.account(number)
        total = Decimal(0)
        for ccy, amount in account.cash.items():
            total += amount * self.rates[ccy]
        for position in account.positions.values():
            price = position.avg_price if at_cost else self.market.quote(position.symbol, position.market).price
            total += position.qty * price * self.rates[position.currency]
        return total / self.rates[currency]

    # ------------------------------------------------------------------------------------------------ queries

    def order(self, order_no: str) -> Order | None:
        """The order ``order_no`` (any kind)."""
        return self._orders.get(order_no.zfill(10))

    def orders(self, number: str | None = None, *, open_only: bool = False) -> list[Order]:
        """Orders, oldest first, optionally of one account and/or still working."""
        return [
            order
            for order in self._orders.values()
            if (number is None or order.account == number) and (not open_only or order.is_open)
        ]

    def fills(self, number: str | None = None) -> list[Fill]:
        """Executions, oldest first."""
        return [fill for fill in self._fills if number is None or fill.account == number]

    def drain_events(self) -> list[OrderEvent]:
        """Events collected since the last call, oldest first (the realtime layer turns them into notices)."""
        events, self._events = self._events, []
        return events

    def buying_power(self, number: str, symbol: str, price: Decimal, *, market: str | None = None) -> int:
        """Most shares ``available`` cash buys at ``price`` including commission, in whole lots."""
        account = self.account(number)
        instrument = self._instrument(symbol, market)
        unit = price * (1 + self.fees.commission_rate(instrument))
        if unit <= 0:
            return 0
        lots = int(account.available(instrument.currency) / unit) // instrument.lot_size
        return max(lots, 0) * instrument.lot_size

    # ------------------------------------------------------------------------------------------------ helpers

    def _instrument(self, symbol: str, market: str | None) -> Instrument:
        instrument = self.market.instrument(symbol, market)
        if instrument is None:
            raise reject(NO_SYMBOL, symbol)
        return instrument

    def _now(self) -> datetime:
        return self.market.clock.now().astimezone(UTC)

    def _new_order_no(self) -> str:
        number = self._next_order
        self._next_order += 1
        return f"{number:010d}"

    def _reserve_amount(self, instrument: Instrument, qty: int, price: Decimal, day: date) -> Decimal:
        return reserve_amount(self.fees, instrument, qty, price, day)

    # ------------------------------------------------------------------------------------------------ fills

    def _fill(self, order: Order, qty: int, price: Decimal, now: datetime) -> None:
        if qty <= 0:
            return
        account = self._accounts[order.account]
        instrument = self._instrument(order.symbol, order.market)
        currency = order.currency
        day = now.astimezone(instrument.timezone).date()
        amount = qty * price
        fee = money(amount * self.fees.commission_rate(instrument), currency)
        tax = money(amount * self.fees.tax_rate(instrument, order.side, day), currency)
        key = (order.market, order.symbol)
        position = account.positions.get(key)
        if position is None:
            position = account.positions[key] = Position(order.symbol, order.market, currency)
        zero = Decimal(0)
        realized = zero
        if order.side == BUY:
            # Release this slice's share of the reservation, then pay the actual cost.
            self._unreserve(account, order, qty, order.remaining)
            account.cash[currency] = account.cash.get(currency, zero) - amount - fee - tax
            total = position.qty + qty
            position.avg_price = ((position.avg_price * position.qty + amount) / total).quantize(Decimal("0.0001"))
            position.qty = total
        else:
            account.cash[currency] = account.cash.get(currency, zero) + amount - fee - tax
            realized = (price - position.avg_price) * qty
            account.realized[currency] = account.realized.get(currency, zero) + realized
            position.qty -= qty
            position.committed -= qty
            if position.qty == 0 and position.committed == 0:
                del account.positions[key]
        account.fees[currency] = account.fees.get(currency, zero) + fee
        account.taxes[currency] = account.taxes.get(currency, zero) + tax
        order.filled_qty += qty
        order.filled_amount += amount
        if order.remaining == 0:
            order.status = "filled"
            self._close(order)
        fill = Fill(
            self._next_fill,
            order.order_no,
            order.account,
            order.symbol,
            order.market,
            order.side,
            qty,
            price,
            amount,
            fee,
            tax,
            now,
            realized,
        )
        self._next_fill += 1
        self._fills.append(fill)
        self._new_fills.append(fill)
        self._dirty_orders.add(order.order_no)
        self._dirty_accounts.add(order.account)
        self._emit("filled", order, now, fill_qty=qty, fill_price=price)

    def _close(self, order: Order) -> None:
        entries = self._open.get((order.market, order.symbol))
        if entries is not None and order in entries:
            entries.remove(order)

    def _release(self, order: Order, qty: int, now: datetime) -> None:
        """Give back the cash or shares ``qty`` unfilled shares of ``order`` tied up."""
        account = self._accounts[order.account]
        if order.side == BUY:
            self._unreserve(account, order, qty, order.remaining + qty)
        else:
            position = account.positions.get((order.market, order.symbol))
            if position is not None:
                position.committed -= qty
                if position.qty == 0 and position.committed == 0:
                    del account.positions[(order.market, order.symbol)]
        self._dirty_accounts.add(order.account)

    @staticmethod
    def _unreserve(account: Account, order: Order, qty: int, before: int) -> None:
        """Release the reservation of ``qty`` of the ``before`` shares that were still working."""
        released = order.reserved if qty >= before else money(order.reserved * qty / before, order.currency)
        order.reserved -= released
        account.reserved[order.currency] = account.reserved.get(order.currency, Decimal(0)) - released

    def _cancel_rest(self, order: Order, now: datetime, reason: str) -> None:
        qty = order.remaining
        if qty <= 0:
            return
        order.cancelled_qty += qty
        order.status = "cancelled"
        self._release(order, qty, now)
        self._close(order)
        self._dirty_orders.add(order.order_no)
        self._emit("cancelled", order, now, message=reason, cancelled_qty=qty)

    # ------------------------------------------------------------------------------------------------ events & journal

    def _emit(
        self,
        kind: str,
        order: Order,
        now: datetime,
        *,
        fill_qty: int = 0,
        fill_price: Decimal = Decimal(0),
        cancelled_qty: int = 0,
        message: str = "",
    ) -> None:
        self._events.append(
            OrderEvent(
                kind=kind,
                account=order.account,
                order_no=order.order_no,
                original_order_no=order.original_order_no,
                branch=order.branch,
                symbol=order.symbol,
                market=order.market,
                side=order.side,
                ord_dvsn=order.ord_dvsn,
                order_qty=order.qty,
                order_price=order.price,
                fill_qty=fill_qty,
                fill_price=fill_price,
                filled_qty=order.filled_qty,
                remaining=order.remaining,
                time=now,
                cancelled_qty=cancelled_qty,
                message=message,
            )
        )

    def _emit_reject(self, attempt: Attempt, now: datetime, error: EngineReject) -> None:
        self._events.append(
            OrderEvent(
                "rejected",
                attempt.account,
                "",
                attempt.original,
                self.branch,
                attempt.instrument.symbol,
                attempt.instrument.market,
                attempt.side,
                attempt.ord_dvsn,
                attempt.qty,
                attempt.price,
                0,
                Decimal(0),
                0,
                0,
                now,
                0,
                f"{error.code} {error.message}",
            )
        )

    def _commit(self) -> None:
        if self._journal is None:
            self._dirty_accounts.clear()
            self._dirty_orders.clear()
            self._new_fills.clear()
            return
        if not (self._dirty_accounts or self._dirty_orders or self._new_fills):
            return
        self._journal.write(
            [self._accounts[number] for number in sorted(self._dirty_accounts)],
            [self._orders[number] for number in sorted(self._dirty_orders)],
            list(self._new_fills),
            {"order_no": self._next_order, "fill_no": self._next_fill, "seq": self._seq},
        )
        self._dirty_accounts.clear()
        self._dirty_orders.clear()
        self._new_fills.clear()
