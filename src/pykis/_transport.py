"""What the sync and asyncio transports share: limits, timeouts and the mapping of httpx errors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, NoReturn

from pykis.errors import KisTimeoutError, KisTransportError
from pykis.protocol.http import HttpRequest, HttpResponse

if TYPE_CHECKING:
    import httpx

__all__ = [
    "TransportOptions",
    "connection_failure",
    "exchange_failure",
    "raise_transport_error",
    "to_response",
    "too_large",
]


@dataclass(frozen=True, slots=True)
class TransportOptions:
    """Connection pooling and timeouts for one REST host."""

    timeout: float = 10.0
    connect_timeout: float = 5.0
    max_connections: int = 20
    verify: bool = True
    max_response_bytes: int = 64 << 20
    """The largest answer read (KIS answers are KBs); a bigger one is a :class:`KisTransportError`, so a
    hostile or broken server cannot exhaust memory."""

    def client_kwargs(self, base_url: str) -> dict[str, object]:
        """Keyword arguments for ``httpx.Client`` / ``httpx.AsyncClient``."""
        import httpx

        return {
            "base_url": base_url,
            "timeout": httpx.Timeout(self.timeout, connect=self.connect_timeout),
            "limits": httpx.Limits(
                max_connections=self.max_connections, max_keepalive_connections=self.max_connections
            ),
            "verify": self.verify,
            "headers": {"user-agent": "pykis/0.1"},
            "trust_env": False,
        }


def request_kwargs(request: HttpRequest) -> dict[str, object]:
    """Keyword arguments for ``client.request``."""
    return {
        "method": request.method,
        "url": request.path,
        "headers": dict(request.headers),
        "params": dict(request.params) if request.params else None,
        "json": dict(request.json) if request.json is not None else None,
    }


def to_response(response: httpx.Response) -> HttpResponse:
    """httpx's response as the protocol core's plain value (lower-case header names)."""
    return HttpResponse(
        response.status_code,
        {name.lower(): value for name, value in response.headers.items()},
        response.content,
    )


def headers_of(response: httpx.Response) -> dict[str, str]:
    """Lower-case header names."""
    return {name.lower(): value for name, value in response.headers.items()}


def too_large(request: HttpRequest, limit: int) -> KisTransportError:
    """The error for an answer past ``TransportOptions.max_response_bytes``."""
    return KisTransportError(
        f"{request.method} {request.path} answered more than {limit} bytes; refused", tr_id=request.tr_id
    )


def declared_length(response: httpx.Response) -> int:
    """The Content-Length the server announced (0 when absent or unreadable)."""
    try:
        return int(response.headers.get("content-length", "0"))
    except ValueError:
        return 0


def raise_transport_error(exc: Exception, request: HttpRequest, base_url: str) -> NoReturn:
    """Map an httpx failure to the pykis error tree, naming the URL but never the headers (they carry secrets)."""
    import httpx

    where = f"{request.method} {base_url}{request.path}"
    if isinstance(exc, httpx.ConnectTimeout | httpx.ConnectError):
        hint = _not_running_hint(base_url)
        what = "timed out connecting" if isinstance(exc, httpx.TimeoutException) else "could not connect"
        error = KisTimeoutError if isinstance(exc, httpx.TimeoutException) else KisTransportError
        raise error(f"{where} {what} ({type(exc).__name__}: {exc}){hint}", tr_id=request.tr_id) from None
    if isinstance(exc, httpx.TimeoutException):
        raise KisTimeoutError(f"{where} timed out ({type(exc).__name__})", tr_id=request.tr_id) from None
    raise KisTransportError(f"{where} failed: {type(exc).__name__}: {exc}", tr_id=request.tr_id) from None


def connection_failure(exc: OSError, request: HttpRequest, base_url: str) -> KisTransportError:
    """The standard library's failure to connect, as :func:`raise_transport_error` words httpx's."""
    where = f"{request.method} {base_url}{request.path}"
    hint = _not_running_hint(base_url)
    if isinstance(exc, TimeoutError):
        return KisTimeoutError(f"{where} timed out connecting ({type(exc).__name__}: {exc}){hint}", tr_id=request.tr_id)
    return KisTransportError(f"{where} could not connect ({type(exc).__name__}: {exc}){hint}", tr_id=request.tr_id)


def exchange_failure(exc: Exception, request: HttpRequest, base_url: str) -> KisTransportError:
    """A request that was sent, or half-sent, and got no whole answer (reset, cut, timed out)."""
    where = f"{request.method} {base_url}{request.path}"
    if isinstance(exc, TimeoutError):
        return KisTimeoutError(f"{where} timed out ({type(exc).__name__})", tr_id=request.tr_id)
    return KisTransportError(f"{where} failed: {type(exc).__name__}: {exc}", tr_id=request.tr_id)


def _not_running_hint(base_url: str) -> str:
    """For a loopback host nothing answers at, the likely cause: the local sandbox is not running."""
    import ipaddress
    from urllib.parse import urlsplit

    host = urlsplit(base_url).hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        return ""
    return (
        f"; nothing is listening at {base_url}: is the sandbox running? Start it with `pykis emulator`, "
        "or use the secret files the running one wrote"
    )
