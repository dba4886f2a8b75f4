"""The exceptions pykis raises.

Every error the library raises derives from :class:`KisError`::

    KisError
    ├── KisValidationError          bad input, refused before any request is sent (also a ValueError)
    │   ├── KisCredentialError      a malformed app key, secret, account number or secret file
    │   ├── KisNotFoundError        an unknown symbol (also a LookupError)
    │   ├── KisSubscriptionLimitError   a 42nd realtime registration on one session (KIS allows 41)
    │   └── KisOrderValidationError an order that breaks a trading rule (``rule`` names it); nothing was sent
    │       ├── KisPriceError           off the tick grid, or outside the daily price limits
    │       ├── KisQuantityError        not a positive whole number of lots
    │       ├── KisOrderTypeError       an order type the market, session or environment does not take
    │       └── KisInsufficientError    not enough cash or sellable shares
    ├── KisTransportError           the request did not complete: connection refused, reset, TLS, …
    │   ├── KisTimeoutError         no answer within the configured timeout
    │   └── KisGatewayUnreachableError  no pykis gateway (NATS) could be reached: nothing was delivered
    ├── KisHTTPError                an HTTP status that carries no KIS envelope (proxy pages, 404s, …)
    ├── KisDecodeError              a body that is not the JSON envelope KIS promises
    │   └── KisRealtimeDecodeError  a realtime data frame that cannot be decoded (COUNT, width, base64, key)
    ├── KisAPIError                 the server answered with rt_cd != "0" (carries rt_cd, msg_cd, msg1, tr_id)
    │   ├── KisAuthError            the gateway refused the credentials or the token
    │   │   ├── KisTokenExpiredError    EGW00123 expired / EGW00121 unknown token: re-issued once
    │   │   └── KisTokenIssueLimitError EGW00133, a second token issue within a minute
    │   ├── KisRateLimitError       EGW00201, too many requests per second
    │   ├── KisGatewayTimeoutError  EGW00301/EGW00302: the outcome of the request is unknown
    │   ├── KisSubscriptionError    the realtime server refused a (un)registration
    │   └── KisOrderRejectedError   the trading system refused an order, modify or cancel (nothing changed)
    └── KisOrderUnknownError        an order was sent, its answer was lost, and the day's orders did not settle
                                    it: it may or may not exist (carries what is known; never resent)

Messages never contain an app key, a secret, an access token or an approval key.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pykis._secrets import redact

if TYPE_CHECKING:
    from pykis.protocol.env import Environment
    from pykis.protocol.websocket.registrations import KisWebsocketTR

__all__ = [
    "KisAPIError",
    "KisAuthError",
    "KisCredentialError",
    "KisDecodeError",
    "KisError",
    "KisGatewayTimeoutError",
    "KisGatewayUnreachableError",
    "KisHTTPError",
    "KisInsufficientError",
    "KisNotFoundError",
    "KisOrderRejectedError",
    "KisOrderTypeError",
    "KisOrderUnknownError",
    "KisOrderValidationError",
    "KisPriceError",
    "KisQuantityError",
    "KisRateLimitError",
    "KisRealtimeDecodeError",
    "KisResponseRefusedError",
    "KisSubscriptionError",
    "KisSubscriptionLimitError",
    "KisTimeoutError",
    "KisTokenExpiredError",
    "KisTokenIssueLimitError",
    "KisTransportError",
    "KisValidationError",
]


class KisError(Exception):
    """Base class of every pykis error. Its message and repr never show a secret this process holds."""

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        own = cls.__dict__.get("__str__")
        if own is not None and own not in _REDACTED:

            def __str__(self: KisError) -> str:
                return redact(own(self))

            _REDACTED.add(__str__)
            cls.__str__ = __str__  # type: ignore[method-assign]

    def __str__(self) -> str:
        return redact(super().__str__())

    def __repr__(self) -> str:
        return redact(super().__repr__())


_REDACTED: set[object] = set()


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


class KisResponseRefusedError(KisTransportError):
    """An answer the client refuses unread: larger than it reads (``max_response_bytes``; a master file past
    its cap), or content-encoded although the request asked for identity (never inflated)."""


class KisTimeoutError(KisTransportError):
    """No complete answer arrived within the timeout. For an order, its outcome is unknown."""


class KisGatewayUnreachableError(KisTransportError):
    """A pykis gateway (:mod:`pykis.gateway`) could not be reached: NATS is down, or no gateway answers. The
    request was delivered to no gateway."""


class KisHTTPError(KisError):
    """An HTTP error status whose body is not a KIS envelope."""

    def __init__(self, status: int, *, tr_id: str | None = None, body: str = "") -> None:
        # Masked before it is cut, so that no part of an echoed secret survives the cut.
        body = redact(body)[:200]
        super().__init__(status, tr_id, body)
        self.status = status
        self.tr_id = tr_id
        self.body = body

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
        msg1 = redact(msg1)
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
    """EGW00123 (the access token expired) or EGW00121 (the gateway no longer knows it: revoked elsewhere, or
    the service restarted). The client re-issues it once and retries once; the gateway refused the request
    before it reached the trading system, so even an order is safe to resend."""


class KisTokenIssueLimitError(KisAuthError):
    """EGW00133: KIS issues at most one token per minute per app key."""


class KisRateLimitError(KisAPIError):
    """EGW00201: the per-second request limit of the app key was exceeded."""


class KisGatewayTimeoutError(KisAPIError):
    """EGW00301/EGW00302: the gateway timed out forwarding the request; its outcome is unknown."""


class KisOrderValidationError(KisValidationError):
    """An order refused locally because it breaks a trading rule; no request was sent.

    ``rule`` names the rule (``"tick"``, ``"price_limit"``, ``"quantity"``, ``"lot"``, ``"order_type"``,
    ``"session"``, ``"virtual"``, ``"cash"``, ``"shares"``, …).
    """

    rule = "order"

    def __init__(self, message: str, *, rule: str | None = None) -> None:
        super().__init__(message)
        if rule is not None:
            self.rule = rule

    def __str__(self) -> str:
        return f"{super().__str__()} [rule: {self.rule}]"


class KisPriceError(KisOrderValidationError):
    """The price is off the market's tick grid or outside the day's price limits."""

    rule = "tick"


class KisQuantityError(KisOrderValidationError):
    """The quantity is not a positive whole number of lots."""

    rule = "quantity"


class KisOrderTypeError(KisOrderValidationError):
    """The order type is not taken by the market, the session or the environment (virtual takes fewer)."""

    rule = "order_type"


class KisInsufficientError(KisOrderValidationError):
    """Not enough orderable cash (buy) or sellable shares (sell) for the order."""

    rule = "cash"


class KisOrderRejectedError(KisAPIError):
    """The trading system refused an order, a modify or a cancel (``rt_cd`` != "0"); nothing changed."""


def _what_happened(cause: BaseException | None) -> str:
    """In words, what became of an order's answer."""
    if isinstance(cause, KisGatewayTimeoutError):
        return "the gateway timed out"
    if isinstance(cause, KisAPIError):
        return f"the server failed on it ({cause.msg1.strip() or cause.msg_cd})"
    if isinstance(cause, KisTimeoutError):
        return "no answer in time"
    if isinstance(cause, KisTransportError):
        return "the connection failed"
    if isinstance(cause, KisDecodeError | KisHTTPError):
        return "the answer was garbled"
    return "no answer"


class KisOrderUnknownError(KisError):
    """An order — or a modify or cancel of one — was sent but its answer was lost (timeout, dropped
    connection, gateway timeout), and the day's orders did not settle whether it exists. Check the account
    before sending it again.

    Carries what is known: ``account``, ``symbol``, ``market``, ``side``, ``qty``, ``price``, ``sent_at``,
    ``client_id`` (the local journal's id), ``candidates`` (order numbers that might be it), ``cause``, and
    ``kind`` (``"new"``, ``"modify"`` or ``"cancel"``) with ``original_number`` for a modify or cancel.
    """

    def __init__(  # noqa: PLR0913 — keyword-only: the facts the error carries
        self,
        *,
        account: str,
        symbol: str,
        market: str,
        side: str,
        qty: int,
        price: object,
        sent_at: object,
        client_id: str,
        cause: BaseException | None,
        candidates: tuple[str, ...] = (),
        kind: str = "new",
        original_number: str | None = None,
    ) -> None:
        super().__init__(account, symbol, side, qty)
        self.kind = kind
        self.original_number = original_number
        self.account = account
        self.symbol = symbol
        self.market = market
        self.side = side
        self.qty = qty
        self.price = price
        self.sent_at = sent_at
        self.client_id = client_id
        self.cause = cause
        self.candidates = candidates

    def __str__(self) -> str:
        price = "market" if self.price is None else self.price
        found = f"; {len(self.candidates)} orders match: {', '.join(self.candidates)}" if self.candidates else ""
        what = f"{self.side} order of {self.qty} {self.symbol} ({self.market}) at {price}"
        if self.kind != "new":
            what = f"{self.kind} of order {self.original_number} ({what})"
        return (
            f"the outcome of the {what} "
            f"for account {self.account} is unknown: {_what_happened(self.cause)}"
            f"{found}. Check the account's orders before sending it again (client id {self.client_id})."
        )


# ---- realtime ---------------------------------------------------------------------------------------------


class KisSubscriptionLimitError(KisValidationError):
    """More than :data:`MAX_SUBSCRIPTIONS` distinct (TR, key) registrations on one session."""

    def __init__(self, tr: KisWebsocketTR, limit: int, environment: Environment | None = None) -> None:
        super().__init__(tr, limit, environment)
        self.tr = tr
        self.limit = limit
        self.environment = environment

    def __str__(self) -> str:
        where = f" on the {self.environment.value} server" if self.environment else ""
        return (
            f"cannot subscribe to {self.tr.id}.{self.tr.key}: KIS allows {self.limit} realtime registrations"
            f"{where} and all are in use; unsubscribe a ticket first"
        )


class KisRealtimeDecodeError(KisDecodeError):
    """A data frame that cannot be decoded (bad COUNT, width, base64, key or padding)."""


class KisSubscriptionError(KisAPIError):
    """The server refused a (un)registration: its control reply had ``rt_cd`` ≠ 0."""
