"""KIS's realtime (WebSocket) protocol without I/O, one concern a module (PROTOCOL.md §5).

- :mod:`~pykis.protocol.websocket.registrations`: the (TR, key) pair, its builders, the subscribe message.
- :mod:`~pykis.protocol.websocket.frames`: what the server sends, classified; records split from payloads.
- :mod:`~pykis.protocol.websocket.cipher`: the execution notices' AES.
- :mod:`~pykis.protocol.websocket.subscriptions`: what should be registered against what the server holds.
- :mod:`~pykis.protocol.websocket.liveness`: the heartbeat bound and the reconnect backoff.
- :mod:`~pykis.protocol.websocket.session`: one connection's bookkeeping as a flow the drivers perform.

Records stay text here: typed events are the driver layer's (:func:`pykis.drivers.websocket_handlers.decode_frame`).
The errors live in :mod:`pykis.errors`::

    KisValidationError
    └── KisSubscriptionLimitError   a 42nd registration, refused before anything is sent
    KisDecodeError
    └── KisRealtimeDecodeError      a malformed data frame or a notice that does not decrypt
    KisAPIError
    └── KisSubscriptionError        the server refused a registration (MAX SUBSCRIBE OVER, invalid key, …)
"""

from __future__ import annotations

from pykis.protocol.websocket.cipher import Cipher, decrypt, encrypt
from pykis.protocol.websocket.frames import (
    ControlReply,
    DataFrame,
    Malformed,
    Message,
    PingPong,
    ReplyKind,
    frame_payload,
    parse_message,
    split_records,
)
from pykis.protocol.websocket.liveness import Heartbeat, ReconnectPolicy, reconnect_delays
from pykis.protocol.websocket.registrations import (
    MAX_SUBSCRIPTIONS,
    NOTICE_TRS,
    KisWebsocketTR,
    environment_of,
    execution_tr,
    is_notice_tr,
    orderbook_tr,
    price_tr,
    subscribe_message,
    websocket_url,
)
from pykis.protocol.websocket.session import (
    Close,
    Deliver,
    KisReconnectEvent,
    Lost,
    Open,
    Receive,
    SessionAction,
    Wait,
    WebsocketSession,
    Write,
)
from pykis.protocol.websocket.subscriptions import ServerState, SubscribeCommand, Subscriptions

__all__ = [
    "MAX_SUBSCRIPTIONS",
    "NOTICE_TRS",
    "Cipher",
    "Close",
    "ControlReply",
    "DataFrame",
    "Deliver",
    "Heartbeat",
    "KisReconnectEvent",
    "KisWebsocketTR",
    "Lost",
    "Malformed",
    "Message",
    "Open",
    "PingPong",
    "Receive",
    "ReconnectPolicy",
    "ReplyKind",
    "ServerState",
    "SessionAction",
    "SubscribeCommand",
    "Subscriptions",
    "Wait",
    "WebsocketSession",
    "Write",
    "decrypt",
    "encrypt",
    "environment_of",
    "execution_tr",
    "frame_payload",
    "is_notice_tr",
    "orderbook_tr",
    "parse_message",
    "price_tr",
    "reconnect_delays",
    "split_records",
    "subscribe_message",
    "websocket_url",
]
