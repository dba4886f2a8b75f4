"""Planning an order: validate an :class:`~pykis.scopes.orders.request.OrderRequest` against the rules and the
account, and work out what goes on the wire. Nothing is sent to an order TR here; the inquiries it may make
(today's limits, the last price abroad, the sellable shares, the orderable cash) are actions like any other.
"""

from __future__ import annotations

from collections.abc import Generator
from datetime import UTC, time
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import msgspec

from pykis.api._generated import domestic_stock, overseas_stock
from pykis.errors import KisInsufficientError, KisOrderTypeError, KisQuantityError, KisValidationError
from pykis.models._base import dec, render
from pykis.scopes.orders.capacity import orderable_flow, sellable_flow
from pykis.scopes.orders.rules import (
    KST,
    NO_PRICE_US,
    PRICED_DOMESTIC,
    Listing,
    check_limits,
    check_session,
    check_tick,
    check_virtual,
    domestic_order_type,
    foreign_order_type,
    marketable,
    session_checks,
    to_price,
    to_qty,
    wire_price,
)

if TYPE_CHECKING:
    from pykis.auth import KisAccountNumber
    from pykis.client import _ClientCore
    from pykis.protocol.flow import Action
    from pykis.protocol.request import ApiCall
    from pykis.scopes.orders.request import OrderRequest

__all__ = ["Plan", "domestic_limits_flow", "plan_flow"]

Limits = tuple[Decimal, Decimal, Decimal]
"""(lower, upper, last) of a stock today; ``upper`` 0 when the market has no daily limits."""


def domestic_limits_flow(core: _ClientCore, listing: Listing) -> Generator[Action, Any, Limits]:
    """(lower, upper, last) of today, from FHKST01010100 주식현재가 시세; the client keeps them for the day."""
    day = (yield from core._now_flow(KST)).date()
    kept = core.price_limits.get(listing.symbol)
    if kept is not None and kept[0] == day:
        return kept[1]
    request = domestic_stock.inquire_price(FID_COND_MRKT_DIV_CODE="J", FID_INPUT_ISCD=listing.symbol)
    envelope = yield from core.request_flow(request.call)
    output = envelope.output() or {}
    value = (dec(output.get("stck_llam", "")), dec(output.get("stck_mxpr", "")), dec(output.get("stck_prpr", "")))
    core.price_limits[listing.symbol] = (day, value)
    return value


def _foreign_last_flow(core: _ClientCore, listing: Listing) -> Generator[Action, Any, Limits]:
    """(lower, upper, last) of an overseas stock from HHDFS76200200 (real service only)."""
    request = overseas_stock.price_detail(AUTH="", EXCD=listing.info.excd or "", SYMB=listing.symbol)
    try:
        envelope = yield from core.request_flow(request.call)
    except KisValidationError:
        raise KisOrderTypeError(
            "an overseas order without a price needs the last price, which only the real service quotes; pass a price",
            rule="order_type",
        ) from None
    output = envelope.output() or {}
    return dec(output.get("dnlp", "")), dec(output.get("uplp", "")), dec(output.get("last", ""))


class Plan(msgspec.Struct, frozen=True):
    """An order ready to send: the request, and what validation made of it."""

    account: KisAccountNumber
    listing: Listing
    request: OrderRequest
    order_type: str
    price: Decimal | None
    qty: int
    exchange: str
    """``KRX``/``NXT``/``SOR`` at home, the ``OVRS_EXCG_CD`` abroad."""

    def _window(self, at: time | None) -> str | None:
        """TWAP/VWAP (ORD_DVSN 35/36) START_TIME and END_TIME (local HHMMSS), sent only when given."""
        if at is None or self.order_type not in ("35", "36"):
            return None
        return at.strftime("%H%M%S")

    def call(self) -> ApiCall:
        """The order TR's call."""
        account, symbol, side = self.account, self.listing.symbol, self.request.side
        if self.listing.domestic:
            # TTTC0012U buy / TTTC0011U sell, chosen by the catalog's ord_dv.
            return domestic_stock.order_cash(
                ord_dv=side,
                CANO=account.number,
                ACNT_PRDT_CD=account.product,
                PDNO=symbol,
                ORD_DVSN=self.order_type,
                ORD_QTY=str(self.qty),
                ORD_UNPR=wire_price(self.price),
                EXCG_ID_DVSN_CD=self.exchange,
                SLL_TYPE="01" if side == "sell" else "",
                CNDT_PRIC="",
            ).call
        code = self.listing.info.ovrs_excg_cd or ""
        if self.request.daytime:
            # TTTS6036U buy / TTTS6037U sell (real only).
            return overseas_stock.daytime_order(
                order_dv=side,
                CANO=account.number,
                ACNT_PRDT_CD=account.product,
                OVRS_EXCG_CD=code,
                PDNO=symbol,
                ORD_QTY=str(self.qty),
                OVRS_ORD_UNPR=wire_price(self.price),
                CTAC_TLNO="",
                MGCO_APTM_ODNO="",
                ORD_SVR_DVSN_CD="0",
                ORD_DVSN=self.order_type,
            ).call
        # The TR per side and exchange (PROTOCOL.md §11) comes from the catalog's ord_dv and OVRS_EXCG_CD.
        return overseas_stock.order(
            ord_dv=side,
            CANO=account.number,
            ACNT_PRDT_CD=account.product,
            OVRS_EXCG_CD=code,
            PDNO=symbol,
            ORD_QTY=str(self.qty),
            OVRS_ORD_UNPR=wire_price(self.price),
            CTAC_TLNO="",
            MGCO_APTM_ODNO="",
            SLL_TYPE="00" if side == "sell" else "",
            ORD_SVR_DVSN_CD="0",
            ORD_DVSN=self.order_type,
            START_TIME=self._window(self.request.start),
            END_TIME=self._window(self.request.end),
        ).call


def _order_type(listing: Listing, request: OrderRequest) -> tuple[str, str, Decimal | None]:
    """(venue, ORD_DVSN, limit price) of ``request``; the price is dropped for the types that carry none."""
    if request.side not in ("buy", "sell"):
        raise KisValidationError(f"side must be 'buy' or 'sell', got {request.side!r}")
    if request.execution is not None and request.execution not in ("IOC", "FOK"):
        raise KisOrderTypeError(f"execution must be 'IOC' or 'FOK', got {request.execution!r}")
    limit = to_price(request.price)
    if listing.domestic:
        venue = (request.exchange or "KRX").upper()
        order_type = domestic_order_type(request.condition, request.execution, limit is not None, venue)
        # best/priority/market/midpoint/closing-price types carry no price (ORD_UNPR 0)
        return venue, order_type, limit if order_type in PRICED_DOMESTIC else None
    venue = listing.info.ovrs_excg_cd or ""
    order_type = foreign_order_type(listing, request.side, request.condition, request.execution, request.daytime)
    if order_type in NO_PRICE_US:
        return venue, order_type, None
    if limit is None and request.condition in ("LOO", "LOC"):
        raise KisOrderTypeError(f"{request.condition} orders need a price")
    return venue, order_type, limit


def _quantity_flow(
    core: _ClientCore, account: KisAccountNumber, listing: Listing, request: OrderRequest
) -> Generator[Action, Any, int]:
    """The shares to order: ``request.qty`` in whole lots, or (a sell without one) everything sellable."""
    if request.qty is not None:
        count = to_qty(request.qty, listing.lot_size if listing.domestic or request.side == "buy" else 1)
        return count
    if request.side != "sell":
        raise KisQuantityError("a buy needs a quantity")
    sellable = yield from sellable_flow(core, account, listing)
    if sellable <= 0:
        raise KisInsufficientError(f"no sellable {listing.symbol} in {account}", rule="shares")
    return sellable


def _precheck_flow(core: _ClientCore, plan: Plan) -> Generator[Action, Any, None]:
    """Refuse an order the account cannot carry: more shares than sellable, more cash than orderable."""
    account, listing, count = plan.account, plan.listing, plan.qty
    if plan.request.side == "sell":
        if plan.request.qty is None:
            return  # everything sellable was asked just now
        sellable = yield from sellable_flow(core, account, listing)
        if count > sellable:
            raise KisInsufficientError(
                f"{count} {listing.symbol} to sell, {sellable} sellable in {account}", rule="shares"
            )
        return
    orderable = yield from orderable_flow(core, account, listing, plan.price, plan.order_type)
    if count > orderable.qty:
        raise KisInsufficientError(
            f"{count} {listing.symbol} at {render(orderable.unit_price)} needs more than the orderable "
            f"{render(orderable.amount)} {orderable.currency} (at most {orderable.qty})",
            rule="cash",
        )


def plan_flow(
    core: _ClientCore, account: KisAccountNumber, listing: Listing, request: OrderRequest
) -> Generator[Action, Any, Plan]:
    """Validate ``request`` and work out what to send; nothing is sent to the order TR here."""
    venue, order_type, limit = _order_type(listing, request)
    if core.virtual:
        check_virtual(listing, order_type, venue, request.daytime)
    if session_checks(core):
        check_session(listing, order_type, venue, request.daytime, (yield from core._now_flow(UTC)))
    count = yield from _quantity_flow(core, account, listing, request)
    if limit is not None:
        check_tick(listing, limit)
        if listing.domestic:
            lower, upper, _ = yield from domestic_limits_flow(core, listing)
            check_limits(listing, limit, lower, upper)
    elif not listing.domestic and order_type == "00":
        lower, upper, last = yield from _foreign_last_flow(core, listing)
        limit = marketable(listing, request.side, lower, upper, last)
    plan = Plan(account, listing, request, order_type, limit, count, venue)
    if request.precheck:
        yield from _precheck_flow(core, plan)
    return plan
