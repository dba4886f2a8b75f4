"""The order scope's former single module, kept so ``from pykis.scopes.trading import KisOrder`` keeps working;
the code lives in :mod:`pykis.scopes.orders`, by concern."""

from pykis.scopes.orders import (
    AsyncKisOrder,
    AsyncKisPendingOrder,
    Condition,
    Execution,
    KisOrder,
    KisPendingOrder,
    KisPendingOrders,
    Listing,
    OrderFacts,
    OrderOptions,
    OrderRequest,
    PendingFacts,
    Revision,
    domestic_order_type,
    foreign_order_type,
    order_type_name,
)
from pykis.scopes.orders.facts import account_of

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
    "order_type_name",
]
