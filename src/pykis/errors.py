"""The exceptions pykis raises.

Every error the library raises derives from :class:`KisError`::

    KisError
    ├── KisValidationError          bad input, refused before any request is sent (also a ValueError)
    │   ├── KisCredentialError      a malformed app key, secret, account number or secret file
    │   └── KisNotFoundError        an unknown symbol (also a LookupError)
    ├── KisTransportError           the request did not complete: connection refused, reset, TLS, …
    │   └── KisTimeoutError         no answer within the configured timeout
    ├── KisHTTPError                an HTTP status that carries no KIS envelope (proxy pages, 404s, …)
    ├── KisDecodeError              a body that is not the JSON envelope KIS promises
    └── KisAPIError                 the server answered with rt_cd != "0" (carries rt_cd, msg_cd, msg1, tr_id)
        ├── KisAuthError            the gateway refused the credentials or the token
        │   ├── KisTokenExpiredError    EGW00123, the access token expired
        │   └── KisTokenIssueLimitError EGW00133, a second token issue within a minute
        ├── KisRateLimitError       EGW00201, too many requests per second
        └── KisGatewayTimeoutError  EGW00301/EGW00302: the outcome of the request is unknown

Messages never contain an app key, a secret, an access token or an approval key.
"""

from __future__ import annotations

__all__ = [
    "KisAPIError",
    "KisAuthError",
    "KisCredentialError",
    "KisDecodeError",
    "KisError",
    "KisGatewayTimeoutError",
    "KisHTTPError",
    "KisNotFoundError",
    "KisRateLimitError",
    "KisTimeoutError",
    "KisTokenExpiredError",
    "KisTokenIssueLimitError",
    "KisTransportError",
    "KisValidationError",
]


class KisError(Exception):
    """Base class of every pykis error."""


class KisValidationError(KisError, ValueError):
    """Input that cannot be sent: the request was refused locally, nothing left the machine."""


class KisCredentialError(KisValidationError):
    """A malformed credential (app key, secret, account number, HTS ID) or secret file."""


class KisNotFoundError(KisValidationError, LookupError):
    """No listing matches the symbol (in the market, when one was named)."""

    def __init__(self, symbol: str, market: str | None = None) -> None:
        where = f" on {market}" if market else ""
        super().__init__(f"no stock {symbol!r}{where} in the symbol masters or the product inquiries")
        self.symbol = symbol
        self.market = market


class KisTransportError(KisError):
    """The request could not be completed at the transport level (connection, TLS, reset)."""

    def __init__(self, message: str, *, tr_id: str | None = None) -> None:
        super().__init__(message)
        self.tr_id = tr_id

    def __str__(self) -> str:
        base = super().__str__()
        return f"{base} (tr_id={self.tr_id})" if self.tr_id else base


class KisTimeoutError(KisTransportError):
    """No complete answer arrived within the timeout. For an order, its outcome is unknown."""


class KisHTTPError(KisError):
    """An HTTP error status whose body is not a KIS envelope."""

    def __init__(self, status: int, *, tr_id: str | None = None, body: str = "") -> None:
        super().__init__(status, tr_id, body)
        self.status = status
        self.tr_id = tr_id
        self.body = body[:200]

    def __str__(self) -> str:
        tail = f": {self.body}" if self.body else ""
        return f"HTTP {self.status} (tr_id={self.tr_id}){tail}"


class KisDecodeError(KisError):
    """The server's answer could not be decoded as the documented envelope."""

    def __init__(self, reason: str, *, tr_id: str | None = None, status: int | None = None) -> None:
        super().__init__(reason, tr_id, status)
        self.reason = reason
        self.tr_id = tr_id
        self.status = status

    def __str__(self) -> str:
        return f"undecodable response (tr_id={self.tr_id}, status={self.status}): {self.reason}"


class KisAPIError(KisError):
    """The server answered with ``rt_cd`` other than ``"0"``."""

    def __init__(
        self,
        *,
        rt_cd: str,
        msg_cd: str,
        msg1: str,
        tr_id: str | None = None,
        status: int = 200,
    ) -> None:
        super().__init__(rt_cd, msg_cd, msg1, tr_id, status)
        self.rt_cd = rt_cd
        self.msg_cd = msg_cd
        self.msg1 = msg1
        self.tr_id = tr_id
        self.status = status

    def __str__(self) -> str:
        return f"[{self.msg_cd}] {self.msg1.strip()} (rt_cd={self.rt_cd}, tr_id={self.tr_id}, status={self.status})"


class KisAuthError(KisAPIError):
    """The gateway refused the app key, the secret or the access token."""


class KisTokenExpiredError(KisAuthError):
    """EGW00123: the access token expired. The client re-issues it once and retries once."""


class KisTokenIssueLimitError(KisAuthError):
    """EGW00133: KIS issues at most one token per minute per app key."""


class KisRateLimitError(KisAPIError):
    """EGW00201: the per-second request limit of the app key was exceeded."""


class KisGatewayTimeoutError(KisAPIError):
    """EGW00301/EGW00302: the gateway timed out forwarding the request; its outcome is unknown."""
