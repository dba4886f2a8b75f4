"""``Engine``: new orders, modifications and cancellations entered against the ledger and the matcher."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TypedDict, Unpack

from pykis.emulator.engine.admission import OrderRequest, admit, check_limit_price
from pykis.emulator.engine.ledger import Attempt
from pykis.emulator.engine.matching import Matching
from pykis.emulator.engine.order_types import PRICED
from pykis.emulator.engine.records import BUY, SELL, Account, Order
from pykis.emulator.engine.rejects import (
    BAD_LOT,
    MSG_ACCEPTED,
    NO_CASH,
    NO_ORDER,
    NOTHING_LEFT,
    TOO_MUCH,
    EngineReject,
    reject,
)
from pykis.emulator.instruments import Instrument

__all__ = ["Engine", "PlaceOptions"]


class PlaceOptions(TypedDict, total=False):
    """Keyword options of ``Engine.place``."""

    market: str | None
    """Instrument market, EXCD or OVRS_EXCG_CD when the symbol is listed more than once."""
    exchange: str
    """Domestic venue (``KRX``, ``NXT``, ``SOR``); default ``KRX``."""
    start: datetime | None
    """TWAP/VWAP window start (default: now)."""
    end: datetime | None
    """TWAP/VWAP window end (default: the regular close)."""


@dataclass(frozen=True, slots=True)
class _Revision:
    """A modify (``price``/``ord_dvsn`` may change) or cancel request against an open order."""

    kind: str
    qty: int | None
    all_qty: bool
    price: Decimal | int | str | None = None
    ord_dvsn: str | None = None


class Engine(Matching):
    """Accounts and orders matched against a ``Market``."""

    def place(
        self,
        number: str,
        symbol: str,
        side: str,
        qty: int,
        price: Decimal | int | str = 0,
        ord_dvsn: str = "00",
        **options: Unpack[PlaceOptions],
    ) -> Order:
        """Place a new order and return it (``ODNO``, branch, ``ORD_TMD``). Raises ``EngineReject``.

        ``side`` is ``"buy"``/``"sell"``; ``ord_dvsn`` is the KIS order type (PROTOCOL §10, §15). ``start``/
        ``end`` bound TWAP/VWAP orders (default: now until the regular close).
        """
        now = self._now()
        self._match(now)
        account = self.account(number)
        instrument = self._instrument(symbol, options.get("market"))
        price = Decimal(str(price))
        if side not in (BUY, SELL):
            raise ValueError(f"side must be 'buy' or 'sell', got {side!r}")
        request = OrderRequest(
            side, qty, price, ord_dvsn, options.get("exchange", "KRX"), options.get("start"), options.get("end")
        )
        try:
            order = self._admit(account, instrument, request, now)
        except EngineReject as error:
            self._emit_reject(Attempt(number, instrument, side, ord_dvsn, qty, price), now, error)
            self._commit()
            raise
        self._accept(account, instrument, order, now)
        self._commit()
        return order

    def _admit(self, account: Account, instrument: Instrument, request: OrderRequest, now: datetime) -> Order:
        admitted = admit(self.market, self.fees, account, instrument, request, now)
        self._seq += 1
        return Order(
            order_no=self._new_order_no(),
            branch=self.branch,
            account=account.number,
            symbol=instrument.symbol,
            market=instrument.market,
            currency=instrument.currency,
            side=request.side,
            ord_dvsn=request.ord_dvsn,
            qty=request.qty,
            price=admitted.price,
            time=now,
            seq=self._seq,
            exchange=request.exchange,
            tif=admitted.tif,
            reserve_price=admitted.reserve_price,
            expires=admitted.expires,
            window_start=admitted.window_start,
            window_end=admitted.window_end,
        )

    def _accept(self, account: Account, instrument: Instrument, order: Order, now: datetime) -> None:
        self._orders[order.order_no] = order
        self._dirty_orders.add(order.order_no)
        self._dirty_accounts.add(account.number)
        if order.side == BUY:
            order.reserved = self._reserve_amount(instrument, order.qty, order.reserve_price, now.date())
            account.reserved[order.currency] = account.reserved.get(order.currency, Decimal(0)) + order.reserved
        else:
            position = account.positions[(instrument.market, instrument.symbol)]
            position.committed += order.qty
        self._emit("acknowledged", order, now, message=MSG_ACCEPTED[1])
        self._open.setdefault((order.market, order.symbol), []).append(order)
        # ``place`` matched every resting order up to ``now``; the new one must not see earlier prices.
        self._last_match[(order.market, order.symbol)] = now
        self._execute_on_entry(instrument, order, now)

    # ------------------------------------------------------------------------------------------------ revisions

    def modify(
        self,
        number: str,
        order_no: str,
        *,
        price: Decimal | int | str | None = None,
        qty: int | None = None,
        all_qty: bool = True,
        ord_dvsn: str | None = None,
    ) -> Order:
        """Modify (정정) an open order: a new order for the moved quantity at the new price (TTTC0013U, 01).

        With ``all_qty`` the whole remaining quantity moves; otherwise ``qty`` shares of it. Raises
        ``EngineReject`` (``APBK0927``) if nothing is left, e.g. when the original filled in the meantime.
        """
        return self._revise(number, order_no, _Revision("modify", qty, all_qty, price, ord_dvsn))

    def cancel(self, number: str, order_no: str, *, qty: int | None = None, all_qty: bool = True) -> Order:
        """Cancel (취소) all or ``qty`` shares of an open order; returns the cancel record (a new order number).

        Raises ``EngineReject`` (``APBK0927``) if nothing is left, e.g. the order filled in the meantime.
        """
        return self._revise(number, order_no, _Revision("cancel", qty, all_qty))

    def _original(self, number: str, order_no: str) -> Order:
        original = self._orders.get(order_no.zfill(10))
        if original is None or original.account != number or original.kind == "cancel":
            raise reject(NO_ORDER, order_no)
        return original

    def _revise(self, number: str, order_no: str, revision: _Revision) -> Order:
        """Take quantity off an open order and record it under a new order number (KIS numbers both requests)."""
        now = self._now()
        self._match(now)
        original = self._original(number, order_no)
        instrument = self._instrument(original.symbol, original.market)
        try:
            if not original.is_open:
                raise reject(NOTHING_LEFT, original.status)
            moved = original.remaining if revision.all_qty else (revision.qty or 0)
            if moved <= 0 or moved > original.remaining:
                raise reject(TOO_MUCH, f"remaining {original.remaining}")
            if revision.kind == "modify":
                new_price, dvsn = self._check_modify(instrument, original, revision, moved, now)
            else:
                new_price, dvsn = original.price, original.ord_dvsn
        except EngineReject as error:
            price = Decimal(str(revision.price or 0))
            attempt = Attempt(
                number, instrument, original.side, original.ord_dvsn, revision.qty or 0, price, original.order_no
            )
            self._emit_reject(attempt, now, error)
            self._commit()
            raise
        # The moved shares leave the original (its reservation goes with them) and go to the new record.
        original.cancelled_qty += moved
        self._release(original, moved, now)
        if original.remaining == 0:
            original.status = "modified" if revision.kind == "modify" else "cancelled"
            self._close(original)
        self._dirty_orders.add(original.order_no)
        if revision.kind == "modify":
            record = self._replace(instrument, original, moved, new_price, dvsn, now)
        else:
            record = self._record(original, "cancel", moved, original.price, original.ord_dvsn, now)
            record.status = "done"
            self._orders[record.order_no] = record
            self._dirty_orders.add(record.order_no)
            self._emit("cancelled", record, now, message=MSG_ACCEPTED[1], cancelled_qty=moved)
        self._commit()
        return record

    def _check_modify(
        self, instrument: Instrument, original: Order, revision: _Revision, moved: int, now: datetime
    ) -> tuple[Decimal, str]:
        """The new price and order type of a modify; refused off the grid, outside the limits or without cash."""
        if moved % instrument.lot_size:
            raise reject(BAD_LOT, str(instrument.lot_size))
        new_price = original.price if revision.price is None else Decimal(str(revision.price))
        dvsn = revision.ord_dvsn or original.ord_dvsn
        pricing = self._pricing(instrument, original) if dvsn == original.ord_dvsn else "limit"
        if pricing in PRICED:
            check_limit_price(self.market, instrument, new_price, self.market.quote_at(instrument, now))
        account = self._accounts[original.account]
        day = now.astimezone(instrument.timezone).date()
        if original.side == BUY and new_price > original.reserve_price:
            extra = self._reserve_amount(instrument, moved, new_price, day) - self._reserve_amount(
                instrument, moved, original.reserve_price, day
            )
            if account.available(original.currency) < extra:
                raise reject(NO_CASH, f"{extra} {original.currency}")
        return new_price, dvsn

    def _replace(
        self, instrument: Instrument, original: Order, moved: int, new_price: Decimal, dvsn: str, now: datetime
    ) -> Order:
        """The modify order: ``moved`` shares at ``new_price``, reserved anew and executed like a new order."""
        keeps_priority = new_price == original.price
        if not keeps_priority:
            self._seq += 1
        replacement = self._record(original, "modify", moved, new_price, dvsn, now)
        replacement.seq = original.seq if keeps_priority else self._seq
        replacement.tif = original.tif
        replacement.reserve_price = new_price if new_price > 0 else original.reserve_price
        replacement.expires = original.expires
        replacement.window_start = original.window_start
        replacement.window_end = original.window_end
        self._orders[replacement.order_no] = replacement
        self._dirty_orders.add(replacement.order_no)
        account = self._accounts[original.account]
        if replacement.side == BUY:
            replacement.reserved = self._reserve_amount(instrument, moved, replacement.reserve_price, now.date())
            reserved = account.reserved.get(replacement.currency, Decimal(0))
            account.reserved[replacement.currency] = reserved + replacement.reserved
        else:
            account.positions[(replacement.market, replacement.symbol)].committed += moved
        self._open.setdefault((replacement.market, replacement.symbol), []).append(replacement)
        self._emit("modified", replacement, now, message=MSG_ACCEPTED[1])
        self._execute_on_entry(instrument, replacement, now)
        return replacement

    def _record(self, original: Order, kind: str, qty: int, price: Decimal, ord_dvsn: str, now: datetime) -> Order:
        """A new order number recording a revision of ``original``."""
        return Order(
            order_no=self._new_order_no(),
            branch=self.branch,
            account=original.account,
            symbol=original.symbol,
            market=original.market,
            currency=original.currency,
            side=original.side,
            ord_dvsn=ord_dvsn,
            qty=qty,
            price=price,
            time=now,
            seq=original.seq,
            kind=kind,
            original_order_no=original.order_no,
            exchange=original.exchange,
        )
