"""What the blocking and asyncio transports share: the base URL and TLS context, the bytes of a request, the
reading of an answer, the pool of idle kept-alive connections, the size cap and the mapping of failures to the
pykis error tree.

Both speak HTTP/1.1 to one host with no proxies (the environment is not read) and follow no redirects, through
the sans-I/O :mod:`pykis.protocol.http1`; they differ only in how bytes move: a socket, or asyncio streams
(issue 15: httpx cost an asyncio script ~130 ms of imports before its first quote; h11 and ``http.client``
~8 and ~6 ms more than the protocol module). They carry the REST calls and the master-file downloads alike.
"""

from __future__ import annotations

import select
import socket
import sys
import threading
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Generic, TypeVar

import msgspec

from pykis.errors import KisResponseRefusedError, KisTimeoutError, KisTransportError, KisValidationError
from pykis.protocol.http import HttpRequest, HttpResponse
from pykis.protocol.http1 import END, ResponseReader, request_bytes
from pykis.protocol.urls import query, split

if TYPE_CHECKING:
    import ssl

__all__ = [
    "CappedBody",
    "Endpoint",
    "IdlePool",
    "Reading",
    "TransportOptions",
    "Watch",
    "connection_failure",
    "exchange_failure",
    "idle_and_open",
    "log_exchange",
    "read_answer",
]

C = TypeVar("C")

CHUNK = 1 << 16
"""How much one read asks for."""
USER_AGENT = "pykis/0.1"


class TransportOptions(msgspec.Struct, frozen=True):
    """Connection pooling and timeouts for one REST host."""

    timeout: float = 10.0
    connect_timeout: float = 5.0
    max_connections: int = 20
    verify: bool = True
    max_response_bytes: int = 64 << 20
    """The largest answer read (KIS answers are KBs); a bigger one is a :class:`KisTransportError`, so a
    hostile or broken server cannot exhaust memory."""


class Endpoint:
    """One REST base URL: where to connect, how (TLS verified with the default context, or plain), and how
    a request is written for it."""

    def __init__(self, base_url: str, verify: bool) -> None:
        parts = split(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"a REST base URL is http(s)://host[:port], got {base_url!r}")
        self.base_url = base_url
        self.host = parts.hostname
        self.tls = parts.scheme == "https"
        self.port = parts.port or (443 if self.tls else 80)
        self._prefix = parts.path.rstrip("/")
        shown = f"[{self.host}]" if ":" in self.host else self.host
        self._host_header = shown if self.port == (443 if self.tls else 80) else f"{shown}:{self.port}"
        self.context: ssl.SSLContext | None = _tls_context(verify) if self.tls else None

    def wire(self, request: HttpRequest) -> bytes:
        """The request's bytes: target, headers (``host``, ``content-length`` included) and JSON body; a header
        that would split the message is a :class:`KisValidationError`, raised before anything is sent."""
        target = self._prefix + request.path
        if request.params:
            target += "?" + query(request.params)
        headers = {
            "host": self._host_header,
            "user-agent": USER_AGENT,
            "accept": "*/*",
            "accept-encoding": "identity",  # nothing here decompresses
            **request.headers,
        }
        body: bytes | None = None
        if request.json is not None:
            import json  # noqa: PLC0415 — a JSON body (a POST); a quote's GET needs no json package (issue 15)

            body = json.dumps(dict(request.json), ensure_ascii=False, separators=(",", ":")).encode()
            headers["content-type"] = "application/json"
            headers["content-length"] = str(len(body))
        elif request.method == "POST":
            headers["content-length"] = "0"
        try:
            return request_bytes(request.method, target, headers, body)
        except ValueError as exc:
            raise KisValidationError(f"{request.method} {request.path}: {exc}") from None


def log_exchange(request: HttpRequest, status: int) -> None:
    """The debug line of one exchange. A process that never imported :mod:`logging` cannot have asked for debug
    lines, so none is made there (importing it costs a short script's first quote ~5 ms, issue 15)."""
    logging = sys.modules.get("logging")
    if logging is not None:
        logging.getLogger("pykis").debug("%s %s tr_id=%s -> %d", request.method, request.path, request.tr_id, status)


def idle_and_open(sock: socket.socket | None) -> bool:
    """Whether an idle kept-alive connection can carry the next request: a readable idle socket means the
    server closed it (EOF) or sent something unasked, and it is dropped rather than reused."""
    if sock is None:
        return False
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return False
    return not readable


def _tls_context(verify: bool) -> ssl.SSLContext:
    import ssl  # noqa: PLC0415 — only an https host needs TLS (the local sandbox is plain http): ~5 ms cold

    context = ssl.create_default_context()
    if not verify:  # the client warns once per process about verify=False
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


class IdlePool(Generic[C]):
    """Kept-alive connections waiting for the next request, at most ``size``; safe across threads."""

    def __init__(self, size: int, close: Callable[[C], object]) -> None:
        self._size = size
        self._close = close
        self._idle: list[C] = []
        self._lock = threading.Lock()
        self._closed = False

    def take(self, usable: Callable[[C], bool]) -> C | None:
        """The most recently kept connection still usable; the unusable ones met on the way are closed."""
        while True:
            with self._lock:
                if not self._idle:
                    return None
                idle = self._idle.pop()
            if usable(idle):
                return idle
            self._close(idle)

    def keep(self, connection: C) -> None:
        """Keep ``connection`` for reuse, or close it when the pool is full or closed."""
        with self._lock:
            if not self._closed and len(self._idle) < self._size:
                self._idle.append(connection)
                return
        self._close(connection)

    def drain(self) -> list[C]:
        """Refuse further connections and hand back the idle ones, for the caller to close."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        return idle


Watch = Callable[[int, "int | None"], object]
"""Told the bytes received so far and the announced length (``None`` when not announced), after each chunk."""


class CappedBody:
    """An answer's body gathered chunk by chunk, refused past ``limit`` bytes (announced or received)."""

    def __init__(
        self, request: HttpRequest, limit: int, headers: Callable[[str], str | None], watch: Watch | None
    ) -> None:
        """``headers`` reads a header of the answer by its lower-case name."""
        self._request = request
        encoding = (headers("content-encoding") or "identity").strip().lower()
        if encoding != "identity":  # every request asks for identity: nothing here inflates (a gzip bomb stays out)
            raise KisResponseRefusedError(
                f"{request.method} {request.path} answered {encoding}-encoded, unasked; refused", tr_id=request.tr_id
            )
        declared = headers("content-length")
        self._limit = limit
        self._chunks: list[bytes] = []
        self._size = 0
        self._watch = watch
        self._declared = int(declared) if declared is not None and declared.strip().isdigit() else None
        if self._declared is not None and self._declared > limit:
            raise too_large(request, limit)

    def add(self, chunk: bytes) -> None:
        self._size += len(chunk)
        if self._size > self._limit:
            raise too_large(self._request, self._limit)
        self._chunks.append(chunk)
        if self._watch is not None:
            self._watch(self._size, self._declared)

    def content(self) -> bytes:
        return b"".join(self._chunks)


Reading = Generator[None, bytes, tuple[HttpResponse, bool]]


def read_answer(request: HttpRequest, limit: int, watch: Watch | None) -> Reading:
    """The answer to ``request`` from the bytes sent in (each ``yield`` asks the driver for its next read,
    ``b""`` at the end of the connection), capped at ``limit`` bytes; returns it and whether the connection can
    carry the next request. Failures: :class:`HttpProtocolError`, or the cap's :class:`KisResponseRefusedError`."""
    reader = ResponseReader()
    while (head := reader.head()) is None:
        reader.receive((yield))
    body = CappedBody(request, limit, head.headers.get, watch)
    while True:
        piece = reader.body()
        if isinstance(piece, bytes):
            body.add(piece)
        elif piece is END:
            return HttpResponse(head.status, head.headers, body.content()), reader.reusable
        else:
            reader.receive((yield))


def too_large(request: HttpRequest, limit: int) -> KisResponseRefusedError:
    """The error for an answer past ``TransportOptions.max_response_bytes``."""
    shown = f"{limit >> 20} MiB" if limit and not limit % (1 << 20) else f"{limit:,} bytes"
    return KisResponseRefusedError(
        f"{request.method} {request.path} answered more than {shown}; refused", tr_id=request.tr_id
    )


def connection_failure(exc: OSError, request: HttpRequest, base_url: str) -> KisTransportError:
    """A connection that could not be opened (refused, unresolvable, TLS refused, timed out), naming the URL
    but never the headers (they carry secrets)."""
    where = f"{request.method} {base_url}{request.path}"
    hint = _not_running_hint(base_url)
    if isinstance(exc, TimeoutError):
        return KisTimeoutError(f"{where} timed out connecting ({type(exc).__name__}: {exc}){hint}", tr_id=request.tr_id)
    return KisTransportError(f"{where} could not connect ({type(exc).__name__}: {exc}){hint}", tr_id=request.tr_id)


def exchange_failure(exc: Exception, request: HttpRequest, base_url: str) -> KisTransportError:
    """A request that was sent, or half-sent, and got no whole answer (reset, cut, garbled, timed out)."""
    where = f"{request.method} {base_url}{request.path}"
    if isinstance(exc, TimeoutError):
        return KisTimeoutError(f"{where} timed out ({type(exc).__name__})", tr_id=request.tr_id)
    return KisTransportError(f"{where} failed: {type(exc).__name__}: {exc}", tr_id=request.tr_id)


def _not_running_hint(base_url: str) -> str:
    """For a loopback host nothing answers at, the likely cause: the local sandbox is not running."""
    import ipaddress  # noqa: PLC0415 — for an error's hint only; off a cold start (~0.8 ms)

    host = split(base_url).hostname or ""
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
