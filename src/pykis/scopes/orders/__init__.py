"""Orders: placing, modifying and cancelling them, written once as flows; ``KisOrder`` and its asyncio twin.

By concern: :mod:`~.rules` (order types, tick grid, limits, lots, sessions), :mod:`~.request` (the frozen
:class:`OrderRequest` every public call builds), :mod:`~.plan` (validation against the rules and the account),
:mod:`~.send` (journal, send once, settle a lost answer), :mod:`~.revise` (modify, cancel), :mod:`~.pending`
(open orders), :mod:`~.facts` (records and the day's-orders inquiries) and :mod:`~.handles` (``KisOrder``…).

Order types (PROTOCOL.md §10, §15) are chosen from ``price``, ``condition`` and ``execution``:

==========================  ==========================================================================
domestic (KRX/NXT/SOR)      ``price`` → 00 limit, none → 01 market; ``condition``: ``"condition"`` 02,
                            ``"best"`` 03, ``"priority"`` 04, ``"before"`` 05 (pre-market at the previous
                            close), ``"after"`` 06 (post-market at the close), ``"extended"`` 07 (after-hours
                            single price), ``"midpoint"`` 21; ``"gtp"``/``"gtp_best"``/``"gtp_priority"`` 27/28/29
                            (NXT pre-market); ``"after_market"``/``"after_market_best"``/``"after_market_priority"``
                            41/44/47 (KRX after-market 16:00–20:00); ``execution`` ``"IOC"``/``"FOK"`` picks
                            11–16, 23/24, 42/43, 45/46
US (NASDAQ/NYSE/AMEX)       ``price`` → 00; ``"LOO"`` 32, ``"LOC"`` 34, ``"MOO"`` 31 and ``"MOC"`` 33 (sells),
                            ``"TWAP"`` 35 / ``"VWAP"`` 36 (``start``/``end`` window); ``daytime=True``: the US
                            daytime session (TTTS6036U/6037U, limit only)
other exchanges             ``price`` → 00 limit only
==========================  ==========================================================================

Without a price, overseas orders become marketable limits (the last price ± 5 %, on the grid, inside the
limits), since KIS has no market type abroad. The virtual service takes domestic 00–04 on KRX and overseas 00.

Before anything is sent, the rules and the prechecks refuse orders that break a rule (tick grid, daily
limits, lots, types, sessions, cash and shares when known) with a :class:`~pykis.errors.KisOrderValidationError`.
Orders, modifies and cancels are never resent: when an answer is lost (timeout, dropped connection, garbled
answer, EGW00301/302), the request is looked up among the day's orders (see :mod:`pykis.drivers.journal` and
:mod:`~.send`) and either confirmed or reported as :class:`~pykis.errors.KisOrderUnknownError`.
"""

from pykis.scopes.orders.facts import OrderFacts, PendingFacts, account_of
from pykis.scopes.orders.handles import (
    AsyncKisOrder,
    AsyncKisPendingOrder,
    KisOrder,
    KisPendingOrder,
    KisPendingOrders,
)
from pykis.scopes.orders.request import OrderOptions, OrderRequest, Revision
from pykis.scopes.orders.rules import (
    Condition,
    Execution,
    Listing,
    domestic_order_type,
    foreign_order_type,
    order_type_name,
)
from pykis.scopes.orders.send import order_flow

__all__ = [
    "AsyncKisOrder",
    "AsyncKisPendingOrder",
    "Condition",
    "Execution",
    "KisOrder",
    "KisPendingOrder",
    "KisPendingOrders",
    "Listing",
    "OrderFacts",
    "OrderOptions",
    "OrderRequest",
    "PendingFacts",
    "Revision",
    "account_of",
    "domestic_order_type",
    "foreign_order_type",
    "order_flow",
    "order_type_name",
]
