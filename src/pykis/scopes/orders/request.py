"""What an order asks, written down once: the public calls (``stock.buy/sell/order``, ``account.order``) build a
frozen :class:`OrderRequest` from their keyword options, and the flows carry it to the wire unchanged.
"""

from __future__ import annotations

from datetime import time
from typing import TypedDict

import msgspec

from pykis.models.order import OrderSide
from pykis.scopes.orders.rules import Condition, Execution, Price, Quantity

__all__ = ["OrderOptions", "OrderRequest", "Revision"]


class OrderOptions(TypedDict, total=False):
    """The keyword options of ``buy``, ``sell`` and ``order`` (each field of :class:`OrderRequest` but the side,
    price and quantity)."""

    condition: Condition | None
    execution: Execution | None
    exchange: str | None
    daytime: bool
    precheck: bool
    start: time | None
    end: time | None


class OrderRequest(msgspec.Struct, frozen=True, kw_only=True):
    """A new order as the caller asked it, before validation (:func:`~pykis.scopes.orders.plan.plan_flow` turns
    it into what is sent).

    ``price`` None is a market order (overseas: a marketable limit); ``qty`` None on a sell sells everything
    sellable. ``condition``/``execution`` pick the order type (see :mod:`pykis.scopes.orders`); ``exchange``
    routes a domestic order (KRX, NXT, SOR); ``daytime`` sends a US order to the daytime session; ``precheck``
    asks the orderable cash or sellable shares first; ``start``/``end`` bound a TWAP/VWAP order (local time).
    """

    side: OrderSide
    price: Price | None = None
    qty: Quantity | None = None
    condition: Condition | None = None
    execution: Execution | None = None
    exchange: str | None = None
    daytime: bool = False
    precheck: bool = True
    start: time | None = None
    end: time | None = None


class Revision(msgspec.Struct, frozen=True, kw_only=True):
    """A modify (정정) or cancel (취소) of an acknowledged order.

    ``qty`` None moves (or cancels) the whole remaining quantity; ``price`` None keeps the order's price;
    ``condition``/``execution`` change a domestic order's type.
    """

    cancel: bool
    price: Price | None = None
    qty: Quantity | None = None
    condition: Condition | None = None
    execution: Execution | None = None
