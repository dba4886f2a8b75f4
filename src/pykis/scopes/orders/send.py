"""Sending an order exactly once, and settling it when its answer is lost.

An order, modify or cancel is written in the client's journal (:mod:`pykis.drivers.journal`), sent once, and never
resent: when its answer is lost (timeout, dropped connection, garbled answer, EGW00301/302) the request may have
reached the trading system, so it is looked for among the day's orders — after growing pauses, since it may land
late — and either confirmed or reported as :class:`~pykis.errors.KisOrderUnknownError`.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import msgspec

from pykis.errors import (
    KisAPIError,
    KisAuthError,
    KisDecodeError,
    KisError,
    KisGatewayTimeoutError,
    KisHTTPError,
    KisOrderRejectedError,
    KisOrderUnknownError,
    KisRateLimitError,
    KisTransportError,
)
from pykis.models._base import dec
from pykis.models.order import DomesticCcldBody
from pykis.protocol.flow import Sleep
from pykis.protocol.paging import next_page
from pykis.protocol.retry import is_server_failure
from pykis.scopes.orders.facts import (
    OrderFacts,
    daily_ccld_call,
    foreign_orders_flow,
    foreign_row_time,
    kst_time,
    ymd,
)
from pykis.scopes.orders.plan import Plan, plan_flow
from pykis.scopes.orders.rules import KST, wire_price

if TYPE_CHECKING:
    from pykis.auth import KisAccountNumber
    from pykis.client import _ClientCore
    from pykis.drivers.journal import JournalEntry
    from pykis.protocol.flow import Action
    from pykis.protocol.request import ApiCall
    from pykis.scopes.orders.request import OrderRequest
    from pykis.scopes.orders.rules import Listing

__all__ = ["RESOLVE_DELAYS", "RESOLVE_SKEW", "Found", "OrderAck", "order_flow", "send_once_flow", "settle_flow"]

RESOLVE_DELAYS: tuple[float, ...] = (0.2, 0.4, 0.8, 1.6, 3.2)
"""Pauses between the day's-orders inquiries that settle an order whose answer was lost (about 6 s in all)."""
RESOLVE_SKEW = timedelta(seconds=120)
"""How much earlier than the local send time the server may have stamped the order (clock skew)."""


class OrderAck(msgspec.Struct, frozen=True):
    """The ``output`` of an order, modify or cancel answer: upper case on every order TR, domestic and overseas
    (PROTOCOL.md §16)."""

    KRX_FWDG_ORD_ORGNO: str = ""
    """The branch (order organisation) number."""
    ODNO: str = ""
    """The order number."""
    ORD_TMD: str = ""
    """The time the order was taken, ``HHMMSS`` Korea time."""


class _AckBody(msgspec.Struct, frozen=True):
    output: OrderAck | None = None


Found = tuple[str, str, datetime]
"""An order of the day's list that may be the lost one: (number, branch, time)."""


def send_once_flow(
    core: _ClientCore, call: ApiCall, entry: JournalEntry
) -> Generator[Action, Any, OrderAck | KisError]:
    """Send an order, modify or cancel exactly once. Returns the acknowledgement, or the error when the outcome
    is unknown (a lost, cut-off or garbled answer, or the server failing on it (EGW00002): the request may have
    reached the trading system, so it is looked for, never resent); raises, with ``entry`` settled as rejected,
    when it was refused."""
    try:
        envelope = yield from core.request_flow(call)
        body = envelope.decode(_AckBody)
    except (KisTransportError, KisGatewayTimeoutError, KisDecodeError) as error:
        return error
    except KisHTTPError as error:
        if 400 <= error.status < 500:
            core.journal.settle(entry, "rejected")
            raise  # refused before processing
        return error
    except (KisAuthError, KisRateLimitError):
        core.journal.settle(entry, "rejected")
        raise  # refused by the gateway: the request never reached the trading system
    except KisAPIError as error:
        if is_server_failure(error):
            return error  # the server failed while handling it: placed or not is unknown until looked for
        core.journal.settle(entry, "rejected")
        raise KisOrderRejectedError(
            rt_cd=error.rt_cd, msg_cd=error.msg_cd, msg1=error.msg1, tr_id=error.tr_id, status=error.status
        ) from None
    return body.output or OrderAck()


def settle_flow(
    core: _ClientCore, entry: JournalEntry, lookup: Callable[[], Generator[Action, Any, list[Found]]]
) -> Generator[Action, Any, tuple[Found | None, list[Found]]]:
    """Find the request of ``entry`` whose answer was lost among what ``lookup`` lists, asking again after
    growing pauses (it may land late). Numbers other journal entries own and orders stamped before the send
    are not candidates. Returns (the one found or ``None``, the candidates of the last look); settles ``entry``."""
    candidates: list[Found] = []
    for pause in (0.0, *RESOLVE_DELAYS):
        if pause:
            yield Sleep(pause)
        try:
            rows = yield from lookup()
        except KisError:
            continue  # the inquiry failed too; try again after the next pause
        claimed = core.journal.claimed(entry.account, entry.sent_at)
        earliest = entry.sent_at - RESOLVE_SKEW
        candidates = [row for row in rows if row[0].lstrip("0") not in claimed and row[2] >= earliest]
        if len(candidates) == 1:
            core.journal.settle(entry, "confirmed", candidates[0][0])
            return candidates[0], candidates
        if candidates:
            break  # more than one: ambiguous, never guess
    core.journal.settle(entry, "unknown")
    return None, candidates


def unknown(
    entry: JournalEntry, price: Decimal | None, cause: KisError, candidates: list[Found]
) -> KisOrderUnknownError:
    """The report of a request whose outcome could not be settled."""
    return KisOrderUnknownError(
        account=entry.account,
        symbol=entry.symbol,
        market=entry.market,
        side=entry.side,
        qty=entry.qty,
        price=price,
        sent_at=entry.sent_at,
        client_id=entry.client_id,
        cause=cause,
        candidates=tuple(number for number, _, _ in candidates),
        kind=entry.kind,
        original_number=entry.original,
    )


def _facts(plan: Plan, found: Found, client_id: str) -> OrderFacts:
    number, branch, at = found
    return OrderFacts(
        account_number=plan.account,
        symbol=plan.listing.symbol,
        market=plan.listing.info.code,
        currency=plan.listing.info.currency,
        side=plan.request.side,
        order_type=plan.order_type,
        price=plan.price,
        qty=plan.qty,
        branch=branch,
        number=number,
        time=at,
        exchange=plan.exchange,
        daytime=plan.request.daytime,
        condition=plan.request.condition,
        execution=plan.request.execution,
        name=plan.listing.name,
        client_id=client_id,
    )


def acknowledged(ack: OrderAck, today: date) -> Found:
    """(number, branch, time) of an acknowledgement."""
    return ack.ODNO, ack.KRX_FWDG_ORD_ORGNO, kst_time(ack.ORD_TMD, today)


def order_flow(
    core: _ClientCore, account: KisAccountNumber, listing: Listing, request: OrderRequest
) -> Generator[Action, Any, OrderFacts]:
    """Validate, journal, send once, and settle an order whose answer was lost."""
    plan = yield from plan_flow(core, account, listing, request)
    entry = core.journal.begin(
        account=str(account),
        symbol=listing.symbol,
        market=listing.info.code,
        side=request.side,
        qty=plan.qty,
        price=wire_price(plan.price),
        order_type=plan.order_type,
    )
    answer = yield from send_once_flow(core, plan.call(), entry)
    if isinstance(answer, OrderAck):
        core.journal.settle(entry, "confirmed", answer.ODNO)
        return _facts(plan, acknowledged(answer, core.clock.today(KST)), entry.client_id)
    found, candidates = yield from settle_flow(core, entry, lambda: _todays_orders_flow(core, plan))
    if found is None:
        raise unknown(entry, plan.price, answer, candidates) from answer
    return _facts(plan, found, entry.client_id)


def _todays_orders_flow(core: _ClientCore, plan: Plan) -> Generator[Action, Any, list[Found]]:
    """(number, branch, time) of today's new orders that ask exactly what ``plan`` asked."""
    today = (yield from core._now_flow(KST)).date()
    found: list[Found] = []
    price = plan.price or Decimal(0)
    side_code = "01" if plan.request.side == "sell" else "02"
    symbol = plan.listing.symbol
    if plan.listing.domestic:
        # TTTC0081R 주식일별주문체결조회 (the last three months).
        call: ApiCall | None = daily_ccld_call(plan.account, today, today, side=side_code, symbol=symbol)
        while call is not None:
            envelope = yield from core.request_flow(call)
            for row in envelope.decode(DomesticCcldBody).output1:
                if (
                    row.pdno == symbol
                    and row.sll_buy_dvsn_cd == side_code
                    and row.cncl_yn != "Y"
                    and not row.orgn_odno.strip()
                    and int(dec(row.ord_qty)) == plan.qty
                    and dec(row.ord_unpr) == price
                    and row.ord_dvsn_cd == plan.order_type
                ):
                    found.append((row.odno, row.ord_gno_brno, kst_time(row.ord_tmd, ymd(row.ord_dt) or today)))
            call = next_page(call, envelope)
        return found
    rows = yield from foreign_orders_flow(core, plan.account, today - timedelta(days=1), today + timedelta(days=1))
    for foreign in rows:
        if (
            foreign.pdno == symbol
            and foreign.sll_buy_dvsn_cd == side_code
            and (foreign.rvse_cncl_dvsn or foreign.rvse_cncl_dvsn_cd or "00") == "00"
            and not foreign.orgn_odno.strip()
            and int(dec(foreign.ft_ord_qty)) == plan.qty
            and dec(foreign.ft_ord_unpr3) == price
        ):
            found.append((foreign.odno, foreign.ord_gno_brno, foreign_row_time(foreign, today)))
    return found
