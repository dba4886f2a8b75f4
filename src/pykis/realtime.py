"""Realtime (WebSocket) events: the clients, the registration and ticket types, the typed events.

>>> from pykis import KisRealtimePrice, KisSubscriptionEventArgs, KisWebsocketClient, PyKis
>>> def on_price(sender: KisWebsocketClient, e: KisSubscriptionEventArgs[KisRealtimePrice]) -> None:
...     print(e.response)
>>> ticket = kis.websocket.on("H0STCNT0", "000660", on_price)        # doctest: +SKIP
>>> kis.websocket.subscriptions                                      # doctest: +SKIP
{KisWebsocketTR(id='H0STCNT0', key='000660')}
>>> ticket.unsubscribe()                                             # doctest: +SKIP

The asyncio twin, :class:`AsyncKisWebsocketClient` (``AsyncPyKis.websocket``), offers the same ``on`` and
also ``async for e in kis.websocket.stream("H0STCNT0", "000660"): e.response``.
"""

from __future__ import annotations

from pykis.drivers.websocket_asyncio import AsyncKisWebsocketClient
from pykis.drivers.websocket_blocking import KisWebsocketClient
from pykis.drivers.websocket_handlers import (
    KisEventTicket,
    KisSubscriptionEventArgs,
    RealtimeOptions,
    order_filter,
    symbol_filter,
)
from pykis.errors import KisRealtimeDecodeError, KisSubscriptionError, KisSubscriptionLimitError
from pykis.models.realtime import (
    KisDomesticRealtimeExecution,
    KisDomesticRealtimeOrderbook,
    KisDomesticRealtimePrice,
    KisForeignRealtimeExecution,
    KisForeignRealtimeOrderbook,
    KisForeignRealtimePrice,
    KisRealtimeEvent,
    KisRealtimeExecution,
    KisRealtimeLevel,
    KisRealtimeOrderbook,
    KisRealtimePrice,
    KisRealtimeRecord,
)
from pykis.protocol.websocket import (
    MAX_SUBSCRIPTIONS,
    Heartbeat,
    KisReconnectEvent,
    KisWebsocketTR,
    ReconnectPolicy,
    execution_tr,
    orderbook_tr,
    price_tr,
)

__all__ = [
    "MAX_SUBSCRIPTIONS",
    "AsyncKisWebsocketClient",
    "Heartbeat",
    "KisDomesticRealtimeExecution",
    "KisDomesticRealtimeOrderbook",
    "KisDomesticRealtimePrice",
    "KisEventTicket",
    "KisForeignRealtimeExecution",
    "KisForeignRealtimeOrderbook",
    "KisForeignRealtimePrice",
    "KisRealtimeDecodeError",
    "KisRealtimeEvent",
    "KisRealtimeExecution",
    "KisRealtimeLevel",
    "KisRealtimeOrderbook",
    "KisRealtimePrice",
    "KisRealtimeRecord",
    "KisReconnectEvent",
    "KisSubscriptionError",
    "KisSubscriptionEventArgs",
    "KisSubscriptionLimitError",
    "KisWebsocketClient",
    "KisWebsocketTR",
    "RealtimeOptions",
    "ReconnectPolicy",
    "execution_tr",
    "order_filter",
    "orderbook_tr",
    "price_tr",
    "symbol_filter",
]
