"""pykis — a typed sync and asyncio client for the KIS (한국투자증권) Open Trading API.

``import pykis`` is kept cheap: the HTTP, WebSocket and crypto stacks load on first use.
"""

from __future__ import annotations

import importlib

from pykis.errors import (
    KisAPIError,
    KisAuthError,
    KisCredentialError,
    KisDecodeError,
    KisError,
    KisGatewayTimeoutError,
    KisGatewayUnreachableError,
    KisHTTPError,
    KisInsufficientError,
    KisNotFoundError,
    KisOrderRejectedError,
    KisOrderTypeError,
    KisOrderUnknownError,
    KisOrderValidationError,
    KisPriceError,
    KisQuantityError,
    KisRateLimitError,
    KisResponseRefusedError,
    KisTimeoutError,
    KisTokenExpiredError,
    KisTokenIssueLimitError,
    KisTransportError,
    KisValidationError,
)

# Not ``typing.TYPE_CHECKING``: importing typing alone costs a third of the import budget.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from pykis.auth import KisAccountNumber, KisAuth
    from pykis.client import AsyncPyKis, PyKis
    from pykis.exchanges.sessions import KisMarketSession, KisTradingHours
    from pykis.models.balance import (
        KisBalance,
        KisBalanceStock,
        KisDeposit,
        KisDomesticBalanceStock,
        KisDomesticDeposit,
        KisForeignBalanceStock,
        KisForeignPresentDeposit,
        KisIntegrationBalance,
    )
    from pykis.models.chart import KisChart, KisChartBar
    from pykis.models.order import KisDailyOrder, KisDailyOrders, KisOrderableAmount, KisOrderProfit, KisOrderProfits
    from pykis.models.orderbook import KisOrderbook, KisOrderbookLevel
    from pykis.models.quote import (
        KisDomesticBatchQuote,
        KisDomesticIndicator,
        KisDomesticQuote,
        KisForeignIndicator,
        KisForeignQuote,
        KisIndicator,
        KisQuote,
    )
    from pykis.protocol.env import Environment, KisHosts
    from pykis.protocol.envelope import Envelope
    from pykis.protocol.request import ApiCall
    from pykis.realtime import (
        AsyncKisWebsocketClient,
        KisDomesticRealtimeExecution,
        KisDomesticRealtimeOrderbook,
        KisDomesticRealtimePrice,
        KisEventTicket,
        KisForeignRealtimeExecution,
        KisForeignRealtimeOrderbook,
        KisForeignRealtimePrice,
        KisRealtimeDecodeError,
        KisRealtimeEvent,
        KisRealtimeExecution,
        KisRealtimeOrderbook,
        KisRealtimePrice,
        KisReconnectEvent,
        KisSubscriptionError,
        KisSubscriptionEventArgs,
        KisSubscriptionLimitError,
        KisWebsocketClient,
        KisWebsocketTR,
        RealtimeOptions,
    )
    from pykis.scopes.account import AsyncKisAccount, KisAccount
    from pykis.scopes.orders import AsyncKisOrder, AsyncKisPendingOrder, KisOrder, KisPendingOrder, KisPendingOrders
    from pykis.scopes.stock import AsyncKisStock, KisStock

__version__ = "0.1.0"

__all__ = [
    "ApiCall",
    "AsyncKisAccount",
    "AsyncKisOrder",
    "AsyncKisPendingOrder",
    "AsyncKisStock",
    "AsyncKisWebsocketClient",
    "AsyncPyKis",
    "Envelope",
    "Environment",
    "KisAPIError",
    "KisAccount",
    "KisAccountNumber",
    "KisAuth",
    "KisAuthError",
    "KisBalance",
    "KisBalanceStock",
    "KisChart",
    "KisChartBar",
    "KisCredentialError",
    "KisDailyOrder",
    "KisDailyOrders",
    "KisDecodeError",
    "KisDeposit",
    "KisDomesticBalanceStock",
    "KisDomesticBatchQuote",
    "KisDomesticDeposit",
    "KisDomesticIndicator",
    "KisDomesticQuote",
    "KisDomesticRealtimeExecution",
    "KisDomesticRealtimeOrderbook",
    "KisDomesticRealtimePrice",
    "KisError",
    "KisEventTicket",
    "KisForeignBalanceStock",
    "KisForeignIndicator",
    "KisForeignPresentDeposit",
    "KisForeignQuote",
    "KisForeignRealtimeExecution",
    "KisForeignRealtimeOrderbook",
    "KisForeignRealtimePrice",
    "KisGatewayTimeoutError",
    "KisGatewayUnreachableError",
    "KisHTTPError",
    "KisHosts",
    "KisIndicator",
    "KisInsufficientError",
    "KisIntegrationBalance",
    "KisMarketSession",
    "KisNotFoundError",
    "KisOrder",
    "KisOrderProfit",
    "KisOrderProfits",
    "KisOrderRejectedError",
    "KisOrderTypeError",
    "KisOrderUnknownError",
    "KisOrderValidationError",
    "KisOrderableAmount",
    "KisOrderbook",
    "KisOrderbookLevel",
    "KisPendingOrder",
    "KisPendingOrders",
    "KisPriceError",
    "KisQuantityError",
    "KisQuote",
    "KisRateLimitError",
    "KisRealtimeDecodeError",
    "KisRealtimeEvent",
    "KisRealtimeExecution",
    "KisRealtimeOrderbook",
    "KisRealtimePrice",
    "KisReconnectEvent",
    "KisResponseRefusedError",
    "KisStock",
    "KisSubscriptionError",
    "KisSubscriptionEventArgs",
    "KisSubscriptionLimitError",
    "KisTimeoutError",
    "KisTokenExpiredError",
    "KisTokenIssueLimitError",
    "KisTradingHours",
    "KisTransportError",
    "KisValidationError",
    "KisWebsocketClient",
    "KisWebsocketTR",
    "PyKis",
    "RealtimeOptions",
    "__version__",
]

_LAZY = {
    "KisBalance": "pykis.models.balance",
    "KisBalanceStock": "pykis.models.balance",
    "KisDeposit": "pykis.models.balance",
    "KisDomesticBalanceStock": "pykis.models.balance",
    "KisDomesticDeposit": "pykis.models.balance",
    "KisForeignBalanceStock": "pykis.models.balance",
    "KisForeignPresentDeposit": "pykis.models.balance",
    "KisIntegrationBalance": "pykis.models.balance",
    "KisDailyOrder": "pykis.models.order",
    "KisDailyOrders": "pykis.models.order",
    "KisOrderProfit": "pykis.models.order",
    "KisOrderProfits": "pykis.models.order",
    "KisOrderableAmount": "pykis.models.order",
    "KisOrder": "pykis.scopes.orders",
    "AsyncKisOrder": "pykis.scopes.orders",
    "KisPendingOrder": "pykis.scopes.orders",
    "AsyncKisPendingOrder": "pykis.scopes.orders",
    "KisPendingOrders": "pykis.scopes.orders",
    "KisAccount": "pykis.scopes.account",
    "AsyncKisAccount": "pykis.scopes.account",
    "KisAuth": "pykis.auth",
    "KisAccountNumber": "pykis.auth",
    "PyKis": "pykis.client",
    "AsyncPyKis": "pykis.client",
    "Environment": "pykis.protocol.env",
    "KisHosts": "pykis.protocol.env",
    "Envelope": "pykis.protocol.envelope",
    "ApiCall": "pykis.protocol.request",
    "AsyncKisWebsocketClient": "pykis.realtime",
    "KisDomesticRealtimeExecution": "pykis.realtime",
    "KisDomesticRealtimeOrderbook": "pykis.realtime",
    "KisDomesticRealtimePrice": "pykis.realtime",
    "KisEventTicket": "pykis.realtime",
    "KisForeignRealtimeExecution": "pykis.realtime",
    "KisForeignRealtimeOrderbook": "pykis.realtime",
    "KisForeignRealtimePrice": "pykis.realtime",
    "KisRealtimeDecodeError": "pykis.errors",
    "KisRealtimeEvent": "pykis.realtime",
    "KisRealtimeExecution": "pykis.realtime",
    "KisRealtimeOrderbook": "pykis.realtime",
    "KisRealtimePrice": "pykis.realtime",
    "KisReconnectEvent": "pykis.realtime",
    "KisSubscriptionError": "pykis.errors",
    "KisSubscriptionEventArgs": "pykis.realtime",
    "KisSubscriptionLimitError": "pykis.errors",
    "KisWebsocketClient": "pykis.realtime",
    "KisWebsocketTR": "pykis.realtime",
    "RealtimeOptions": "pykis.realtime",
    "KisQuote": "pykis.models.quote",
    "KisDomesticBatchQuote": "pykis.models.quote",
    "KisDomesticQuote": "pykis.models.quote",
    "KisForeignQuote": "pykis.models.quote",
    "KisIndicator": "pykis.models.quote",
    "KisDomesticIndicator": "pykis.models.quote",
    "KisForeignIndicator": "pykis.models.quote",
    "KisChart": "pykis.models.chart",
    "KisChartBar": "pykis.models.chart",
    "KisOrderbook": "pykis.models.orderbook",
    "KisOrderbookLevel": "pykis.models.orderbook",
    "KisStock": "pykis.scopes.stock",
    "AsyncKisStock": "pykis.scopes.stock",
    "KisTradingHours": "pykis.exchanges.sessions",
    "KisMarketSession": "pykis.exchanges.sessions",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'pykis' has no attribute {name!r}")

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
