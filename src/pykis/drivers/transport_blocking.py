"""The blocking REST transport: sockets (TLS by the standard library) under a small keep-alive pool, HTTP/1.1
read by :func:`pykis.drivers.transport.read_answer`.

What both transports share (the request's bytes, the reading of the answer, the pool, the size cap, the errors)
is in :mod:`pykis.drivers.transport`; the fault suites run both.
"""

from __future__ import annotations

import socket

from pykis.drivers.transport import (
    CHUNK,
    Endpoint,
    IdlePool,
    TransportOptions,
    Watch,
    connection_failure,
    exchange_failure,
    idle_and_open,
    log_exchange,
    read_answer,
)
from pykis.protocol.http import HttpRequest, HttpResponse
from pykis.protocol.http1 import HttpProtocolError

__all__ = ["SyncTransport"]


class SyncTransport:
    """Keep-alive connections to one REST base URL, shared by the client's threads."""

    def __init__(self, base_url: str, options: TransportOptions) -> None:
        self._endpoint = Endpoint(base_url, options.verify)
        self.base_url = base_url
        self._options = options
        self._pool: IdlePool[socket.socket] = IdlePool(options.max_connections, socket.socket.close)

    def __repr__(self) -> str:
        return f"SyncTransport({self.base_url!r})"

    def _open(self) -> socket.socket:
        kept = self._pool.take(idle_and_open)
        if kept is not None:
            return kept
        where = self._endpoint
        sock = socket.create_connection((where.host, where.port), timeout=self._options.connect_timeout)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # the request goes in one write
            if where.context is not None:  # the handshake, under the connect timeout
                sock = where.context.wrap_socket(sock, server_hostname=where.host)
            sock.settimeout(self._options.timeout)
        except BaseException:
            sock.close()
            raise
        return sock

    def send(self, request: HttpRequest, watch: Watch | None = None) -> HttpResponse:
        """Send and read the whole answer (``watch`` told of each chunk's arrival); transport failures become
        :class:`KisTransportError`."""
        wire = self._endpoint.wire(request)
        try:
            sock = self._open()
        except OSError as exc:
            raise connection_failure(exc, request, self.base_url) from None
        reading = read_answer(request, self._options.max_response_bytes, watch)
        try:
            sock.sendall(wire)
            next(reading)
            while True:
                reading.send(sock.recv(CHUNK))
        except StopIteration as read:
            answer: HttpResponse = read.value[0]
            reusable: bool = read.value[1]
        except BaseException as exc:
            sock.close()  # half-read or broken: never reused
            if isinstance(exc, HttpProtocolError | OSError):
                raise exchange_failure(exc, request, self.base_url) from None
            raise
        if reusable:
            self._pool.keep(sock)
        else:
            sock.close()
        log_exchange(request, answer.status)
        return answer

    def close(self) -> None:
        """Close the kept connections."""
        for sock in self._pool.drain():
            sock.close()
