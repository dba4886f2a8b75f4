"""The asyncio REST transport: h11 (the sans-I/O HTTP/1.1 state machine) over asyncio streams, under a small
keep-alive pool.

A short asyncio script's first quote pays for every module it imports (issue 15). Measured here in fresh
interpreters: ``import asyncio, httpx`` (httpcore, anyio, and its CLI's rich and click when installed) took
~225 ms, ``import asyncio, ssl, h11`` ~110 ms; asyncio's streams come with asyncio. What both transports share
(the request's bytes, the pool, the size cap, the errors) is in :mod:`pykis.drivers.transport`; the fault suites run
both.
"""

from __future__ import annotations

import asyncio
import contextlib

import h11
import msgspec

from pykis.drivers.transport import (
    CHUNK,
    CappedBody,
    Endpoint,
    IdlePool,
    Outgoing,
    TransportOptions,
    Watch,
    connection_failure,
    exchange_failure,
    idle_and_open,
    log_exchange,
)
from pykis.protocol.http import HttpRequest, HttpResponse

__all__ = ["AsyncTransport"]


class _Connection(msgspec.Struct):
    """One open stream and the HTTP/1.1 state of its exchanges."""

    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    http: h11.Connection

    def usable(self) -> bool:
        """Idle, open, and nothing unasked has arrived (an idle kept-alive stream that has data is at EOF or
        holds junk)."""
        if self.writer.is_closing() or self.reader.at_eof() or self.http.our_state is not h11.IDLE:
            return False
        return idle_and_open(self.writer.get_extra_info("socket"))

    def close(self) -> None:
        self.writer.close()


class AsyncTransport:
    """Keep-alive connections to one REST base URL, used from one event loop."""

    def __init__(self, base_url: str, options: TransportOptions) -> None:
        self._endpoint = Endpoint(base_url, options.verify)
        self.base_url = base_url
        self._options = options
        self._pool: IdlePool[_Connection] = IdlePool(options.max_connections, _Connection.close)

    def __repr__(self) -> str:
        return f"AsyncTransport({self.base_url!r})"

    async def _open(self) -> _Connection:
        kept = self._pool.take(_Connection.usable)
        if kept is not None:
            return kept
        where = self._endpoint
        async with asyncio.timeout(self._options.connect_timeout):
            reader, writer = await asyncio.open_connection(
                where.host, where.port, ssl=where.context, server_hostname=where.host if where.tls else None
            )
        return _Connection(reader, writer, h11.Connection(h11.CLIENT, max_incomplete_event_size=CHUNK))

    async def send(self, request: HttpRequest, watch: Watch | None = None) -> HttpResponse:
        """Send and read the whole answer (``watch`` told of each chunk's arrival); transport failures become
        :class:`KisTransportError`."""
        outgoing = self._endpoint.outgoing(request)
        try:
            connection = await self._open()
        except OSError as exc:  # TimeoutError included
            raise connection_failure(exc, request, self.base_url) from None
        try:
            answer = await self._exchange(connection, request, outgoing, watch)
        except BaseException as exc:
            connection.close()  # half-read or broken: never reused
            if isinstance(exc, h11.ProtocolError | OSError):
                raise exchange_failure(exc, request, self.base_url) from None
            raise
        if connection.http.our_state is h11.DONE and connection.http.their_state is h11.DONE:
            connection.http.start_next_cycle()
            self._pool.keep(connection)
        else:  # the server asked to close (or answered without a length, up to EOF)
            connection.close()
        log_exchange(request, answer.status)
        return answer

    async def _exchange(
        self, connection: _Connection, request: HttpRequest, outgoing: Outgoing, watch: Watch | None
    ) -> HttpResponse:
        http = connection.http
        headers = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in outgoing.headers.items()]
        wire = http.send(h11.Request(method=request.method, target=outgoing.target.encode(), headers=headers))
        if outgoing.body:
            wire += http.send(h11.Data(data=outgoing.body))
        wire += http.send(h11.EndOfMessage())
        async with asyncio.timeout(self._options.timeout):
            connection.writer.write(wire)
            await connection.writer.drain()
        event = await self._next(connection)
        while isinstance(event, h11.InformationalResponse):
            event = await self._next(connection)
        if not isinstance(event, h11.Response):
            raise h11.RemoteProtocolError(f"expected an HTTP response, got {type(event).__name__}")
        answered = {name.decode("latin-1"): value.decode("latin-1") for name, value in event.headers}
        body = CappedBody(request, self._options.max_response_bytes, answered.get, watch)
        while isinstance(chunk := await self._next(connection), h11.Data):
            body.add(bytes(chunk.data))
        return HttpResponse(event.status_code, answered, body.content())

    async def _next(self, connection: _Connection) -> object:
        """The next HTTP event, reading from the stream as h11 needs (each read within the timeout)."""
        http = connection.http
        while (event := http.next_event()) is h11.NEED_DATA:
            async with asyncio.timeout(self._options.timeout):
                data = await connection.reader.read(CHUNK)
            http.receive_data(data)  # b"" is EOF: h11 then reports a cut message as a RemoteProtocolError
        return event

    async def close(self) -> None:
        """Close the kept connections."""
        idle = self._pool.drain()
        for connection in idle:
            connection.close()
        for connection in idle:
            with contextlib.suppress(OSError):
                await connection.writer.wait_closed()
