"""pykis.gateway — one process holds the app keys; any number of programs on any machine share them over NATS.

The gateway (``pykis gateway --nats nats://HOST:PORT --secret FILE …``, or :class:`KisGateway`) holds the keys,
their tokens, rate budgets and WebSocket connections. Clients hold no secret::

    kis = PyKis(gateway="nats://127.0.0.1:4222")        # the same API as a keyed client
    kis.stock("005930").quote()

REST calls are NATS request/reply (``kis.rest``) run through the key's own flow (its limit, retries of
inquiries, never a resent order); realtime registrations are opened once per (TR, key), shared by reference
count, and published on ``kis.rt.<TR>.<key>``. Needs the ``gateway`` extra (``pip install 'pykis-client[gateway]'``).
"""

from __future__ import annotations

from pykis.gateway.wire import NatsOptions, Subjects

__all__ = ["KisGateway", "NatsOptions", "Subjects"]


def __getattr__(name: str) -> object:
    if name == "KisGateway":
        from pykis.gateway.server import KisGateway  # noqa: PLC0415 - lazy: the server loads the client

        return KisGateway
    raise AttributeError(name)
