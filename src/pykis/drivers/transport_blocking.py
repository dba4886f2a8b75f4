"""The blocking REST transport: the standard library's HTTP/1.1 client under a small keep-alive pool.

A short script's first quote pays for every module it imports (issue 15): httpx with httpcore and h11 cost
~35 ms more than ``http.client``. What both transports share (the request's bytes, the pool, the size cap, the
errors) is in :mod:`pykis.drivers.transport`; the fault suites run both.
"""

from __future__ import annotations

import http.client

from pykis.drivers.transport import (
    CHUNK,
    CappedBody,
    Endpoint,
    IdlePool,
    TransportOptions,
    Watch,
    connection_failure,
    exchange_failure,
    idle_and_open,
    log_exchange,
)
from pykis.protocol.http import HttpRequest, HttpResponse

__all__ = ["SyncTransport"]


class SyncTransport:
    """Keep-alive connections to one REST base URL, shared by the client's threads."""

    def __init__(self, base_url: str, options: TransportOptions) -> None:
        self._endpoint = Endpoint(base_url, options.verify)
        self.base_url = base_url
        self._options = options
        self._pool: IdlePool[http.client.HTTPConnection] = IdlePool(options.max_connections, _close)

    def __repr__(self) -> str:
        return f"SyncTransport({self.base_url!r})"

    def _open(self) -> http.client.HTTPConnection:
        kept = self._pool.take(_reusable)
        if kept is not None:
            return kept
        where, timeout = self._endpoint, self._options.connect_timeout
        connection: http.client.HTTPConnection
        if where.context is not None:
            connection = http.client.HTTPSConnection(where.host, where.port, timeout=timeout, context=where.context)
        else:
            connection = http.client.HTTPConnection(where.host, where.port, timeout=timeout)
        connection.connect()
        assert connection.sock is not None
        connection.sock.settimeout(self._options.timeout)
        return connection

    def send(self, request: HttpRequest, watch: Watch | None = None) -> HttpResponse:
        """Send and read the whole answer (``watch`` told of each chunk's arrival); transport failures become
        :class:`KisTransportError`."""
        outgoing = self._endpoint.outgoing(request)
        try:
            connection = self._open()
        except OSError as exc:
            raise connection_failure(exc, request, self.base_url) from None
        try:
            connection.request(request.method, outgoing.target, body=outgoing.body, headers=outgoing.headers)
            response = connection.getresponse()
            body = CappedBody(request, self._options.max_response_bytes, response.getheader, watch)
            while chunk := response.read(CHUNK):
                body.add(chunk)
        except BaseException as exc:
            connection.close()  # half-read or broken: never reused
            if isinstance(exc, http.client.HTTPException | OSError):
                raise exchange_failure(exc, request, self.base_url) from None
            raise
        if response.will_close:
            connection.close()
        else:
            self._pool.keep(connection)
        log_exchange(request, response.status)
        headers = {name.lower(): value for name, value in response.getheaders()}
        return HttpResponse(response.status, headers, body.content())

    def close(self) -> None:
        """Close the kept connections."""
        for connection in self._pool.drain():
            connection.close()


def _close(connection: http.client.HTTPConnection) -> None:
    connection.close()


def _reusable(connection: http.client.HTTPConnection) -> bool:
    return idle_and_open(connection.sock)
