"""The emulator's TCP listeners, bounded: a header-read timeout and a cap on open connections.

Without them, half-open requests (a client that sends part of a request line and waits) pile up until the
process runs out of file descriptors and stops accepting. Each connection must deliver a complete request
head within ``header_timeout`` seconds (aiohttp's idle timer, which closes a connection still waiting for
its first or next request); connections past ``max_connections`` — counted over every listener of one
emulator — are closed as soon as they are accepted.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Awaitable, Callable

from aiohttp import web

__all__ = ["Listeners", "default_max_connections"]

log = logging.getLogger("pykis.emulator")


def default_max_connections() -> int:
    """Half the process's file-descriptor limit, at most 1024: room for files, the loop and the logs."""
    try:
        import resource  # noqa: PLC0415 -- Unix only: the ImportError below is the other platforms

        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    except (ImportError, OSError, ValueError):
        return 256
    if soft == resource.RLIM_INFINITY:
        return 1024
    return max(16, min(1024, soft // 2))


class _Refuse(asyncio.Protocol):
    """Accepted past the cap: closed at once, before anything is read."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if isinstance(transport, asyncio.Transport):
            transport.abort()
        else:
            transport.close()


class Listeners:
    """Every listener of one emulator, sharing one connection cap."""

    def __init__(self, *, header_timeout: float, max_connections: int) -> None:
        self.header_timeout = header_timeout
        self.max_connections = max_connections
        self._runners: list[web.AppRunner] = []
        self._servers: list[asyncio.Server] = []
        self._warned = False
        # Handlers made but not yet connected: asyncio may accept a burst of connections and make all their
        # protocols before the first one's connection_made; those count too (for a second, lost or not).
        self._fresh: list[tuple[float, web.RequestHandler]] = []
        self._served: weakref.WeakSet[asyncio.BaseTransport] = weakref.WeakSet()

    def open_connections(self) -> int:
        """Connections currently open (or just accepted) on every listener."""
        now = asyncio.get_running_loop().time()
        self._fresh = [(made, h) for made, h in self._fresh if h.transport is None and now - made < 1.0]
        return len(self._fresh) + sum(len(r.server.connections) for r in self._runners if r.server is not None)

    async def serve(self, app: web.Application, host: str, port: int) -> int:
        """Listen on ``host:port`` (0: ephemeral) with ``app``; returns the bound port."""
        app.middlewares.append(self._mark)
        runner = web.AppRunner(
            app,
            access_log=None,
            handle_signals=False,
            shutdown_timeout=1.0,
            keepalive_timeout=self.header_timeout,
        )
        await runner.setup()
        self._runners.append(runner)
        server = runner.server
        assert server is not None

        def factory() -> asyncio.BaseProtocol:
            if self.open_connections() >= self.max_connections:
                if not self._warned:
                    self._warned = True
                    log.warning("the emulator has %d connections open; refusing more", self.max_connections)
                return _Refuse()
            handler = server()
            loop = asyncio.get_running_loop()
            self._fresh.append((loop.time(), handler))
            loop.call_later(self.header_timeout, self._expire, handler)
            return handler

        listener = await asyncio.get_running_loop().create_server(factory, host, port, reuse_address=True)
        self._servers.append(listener)
        return int(listener.sockets[0].getsockname()[1])

    @web.middleware
    async def _mark(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        """A request head arrived whole on this connection."""
        if request.transport is not None:
            self._served.add(request.transport)
        return await handler(request)

    def _expire(self, handler: web.RequestHandler) -> None:
        """Close a connection that has not delivered its first request head in time. (aiohttp's idle timer
        covers the time between requests, and from 3.14.5 this one too.)"""
        transport = handler.transport
        if isinstance(transport, asyncio.Transport) and transport not in self._served and not transport.is_closing():
            transport.abort()

    async def close(self) -> None:
        """Stop listening, then close every connection."""
        for listener in self._servers:
            listener.close()
        self._servers.clear()
        for runner in reversed(self._runners):
            try:
                await runner.cleanup()
            except Exception:
                log.debug("closing a listener failed", exc_info=True)
        self._runners.clear()
