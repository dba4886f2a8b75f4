"""How the two clients perform what the protocol core (:mod:`pykis.protocol`) asks: everything that touches a
socket, a file, a thread or an event loop, and nothing else. Internal; the public names are re-exported from
:mod:`pykis`.

- REST: ``transport`` (what both transports share: TLS, the request's bytes, reading the answer with the
  sans-I/O :mod:`pykis.protocol.http1`, the idle pool, size caps, errors), ``transport_blocking`` (a socket) and
  ``transport_asyncio`` (asyncio streams); master-file downloads ride them too (``masters_fetch``).
- Realtime: ``websocket_client`` (the bookkeeping both drivers share around the sans-I/O
  :class:`~pykis.protocol.websocket.WebsocketSession`), ``websocket_blocking`` (a thread) and
  ``websocket_asyncio`` (a task); ``websocket_handlers`` (tickets, routing, typed events).
- Shared state on disk: ``tokens`` (one token per key across processes), ``limiter`` (the rate limit across
  processes), ``journal`` (every order written down before it is sent), ``locks_asyncio`` (the cross-process
  locks of :mod:`pykis._files` taken without blocking a loop).
"""
