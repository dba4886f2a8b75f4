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

__version__ = "0.1.0"

__all__ = [
    "ApiCall",
    "AsyncPyKis",
    "Envelope",
    "Environment",
    "KisAPIError",
    "KisAccountNumber",
    "KisAuth",
    "KisAuthError",
    "KisCredentialError",
    "KisDecodeError",
    "KisError",
    "KisGatewayTimeoutError",
    "KisHTTPError",
    "KisHosts",
    "KisNotFoundError",
    "KisRateLimitError",
    "KisTimeoutError",
    "KisTokenExpiredError",
    "KisTokenIssueLimitError",
    "KisTransportError",
    "KisValidationError",
    "PyKis",
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
