"""pykis — a typed sync and asyncio client for the KIS (한국투자증권) Open Trading API.

``import pykis`` is kept cheap: the HTTP, WebSocket and crypto stacks load on first use.
"""

from __future__ import annotations

from pykis.errors import (
    KisAPIError,
    KisAuthError,
    KisCredentialError,
    KisDecodeError,
    KisError,
    KisGatewayTimeoutError,
    KisHTTPError,
    KisNotFoundError,
    KisRateLimitError,
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

__version__ = "0.1.0"

__all__ = [
    "ApiCall",
    "AsyncKisWebsocketClient",
    "AsyncPyKis",
    "Envelope",
    "Environment",
    "KisAPIError",
    "KisAccountNumber",
    "KisAuth",
    "KisAuthError",
    "KisCredentialError",
    "KisDecodeError",
    "KisDomesticRealtimeExecution",
    "KisDomesticRealtimeOrderbook",
    "KisDomesticRealtimePrice",
    "KisError",
    "KisEventTicket",
    "KisForeignRealtimeExecution",
    "KisForeignRealtimeOrderbook",
    "KisForeignRealtimePrice",
    "KisGatewayTimeoutError",
    "KisHTTPError",
    "KisHosts",
    "KisNotFoundError",
    "KisRateLimitError",
    "KisRealtimeDecodeError",
    "KisRealtimeEvent",
    "KisRealtimeExecution",
    "KisRealtimeOrderbook",
    "KisRealtimePrice",
    "KisReconnectEvent",
    "KisSubscriptionError",
    "KisSubscriptionEventArgs",
    "KisSubscriptionLimitError",
    "KisTimeoutError",
    "KisTokenExpiredError",
    "KisTokenIssueLimitError",
    "KisTransportError",
    "KisValidationError",
    "KisWebsocketClient",
    "KisWebsocketTR",
    "PyKis",
    "RealtimeOptions",
    "__version__",
]

_LAZY = {
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
    "KisRealtimeDecodeError": "pykis.realtime",
    "KisRealtimeEvent": "pykis.realtime",
    "KisRealtimeExecution": "pykis.realtime",
    "KisRealtimeOrderbook": "pykis.realtime",
    "KisRealtimePrice": "pykis.realtime",
    "KisReconnectEvent": "pykis.realtime",
    "KisSubscriptionError": "pykis.realtime",
    "KisSubscriptionEventArgs": "pykis.realtime",
    "KisSubscriptionLimitError": "pykis.realtime",
    "KisWebsocketClient": "pykis.realtime",
    "KisWebsocketTR": "pykis.realtime",
    "RealtimeOptions": "pykis.realtime",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'pykis' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
