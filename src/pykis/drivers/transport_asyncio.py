"""The asyncio REST transport: asyncio streams under a small keep-alive pool, HTTP/1.1 read by
:func:`pykis.drivers.transport.read_answer` (the same reading as the blocking transport's).

What both transports share (the request's bytes, the reading of the answer, the pool, the size cap, the errors)
is in :mod:`pykis.drivers.transport`; the fault suites run both.
"""

from __future__ import annotations

import asyncio
import contextlib

import msgspec

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

__all__ = ["AsyncTransport"]


class _Connection(msgspec.Struct):
    """One open stream."""

    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter

    def usable(self) -> bool:
        """Open, and nothing unasked has arrived (an idle kept-alive stream that has data is at EOF or holds
        junk)."""
        if self.writer.is_closing() or self.reader.at_eof():
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
        return _Connection(reader, writer)

    async def send(self, request: HttpRequest, watch: Watch | None = None) -> HttpResponse:
        """Send and read the whole answer (``watch`` told of each chunk's arrival); transport failures become
        :class:`KisTransportError`."""
        wire = self._endpoint.wire(request)
        try:
            connection = await self._open()
        except OSError as exc:  # TimeoutError included
            raise connection_failure(exc, request, self.base_url) from None
        try:
            answer, reusable = await self._exchange(connection, request, wire, watch)
        except BaseException as exc:
            connection.close()  # half-read or broken: never reused
            if isinstance(exc, HttpProtocolError | OSError):
                raise exchange_failure(exc, request, self.base_url) from None
            raise
        if reusable:
            self._pool.keep(connection)
        else:  # the server asked to close (or answered without a length, up to EOF)
            connection.close()
        log_exchange(request, answer.status)
        return answer

    async def _exchange(
        self, connection: _Connection, request: HttpRequest, wire: bytes, watch: Watch | None
    ) -> tuple[HttpResponse, bool]:
        timeout = self._options.timeout
        async with asyncio.timeout(timeout):
            connection.writer.write(wire)
            await connection.writer.drain()
        reading = read_answer(request, self._options.max_response_bytes, watch)
        try:
            next(reading)
            while True:
                async with asyncio.timeout(timeout):  # each read within the timeout, as the blocking socket's
                    data = await connection.reader.read(CHUNK)
                reading.send(data)
        except StopIteration as read:
            result: tuple[HttpResponse, bool] = read.value
            return result

    async def close(self) -> None:
        """Close the kept connections."""
        idle = self._pool.drain()
        for connection in idle:
            connection.close()
        for connection in idle:
            with contextlib.suppress(OSError):
                await connection.writer.wait_closed()
