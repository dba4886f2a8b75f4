"""Which registrations should exist against which the server holds, on one session (PROTOCOL.md §5).

The wanted set is reference counted; the server's side follows the control replies. A release and a
register of the same (TR, key) never cross, nothing is sent twice, and a new connection registers
everything wanted (the server starts empty).
"""

from __future__ import annotations

from enum import Enum

import msgspec

from pykis.errors import KisSubscriptionLimitError
from pykis.protocol.env import Environment
from pykis.protocol.websocket.cipher import Cipher
from pykis.protocol.websocket.frames import ControlReply, ReplyKind
from pykis.protocol.websocket.registrations import MAX_SUBSCRIPTIONS, KisWebsocketTR

__all__ = ["ServerState", "SubscribeCommand", "Subscriptions"]


class ServerState(Enum):
    """Where a registration stands on the current connection."""

    SUBSCRIBING = "subscribing"
    SUBSCRIBED = "subscribed"
    UNSUBSCRIBING = "unsubscribing"


class SubscribeCommand(msgspec.Struct, frozen=True):
    """Send a register (``register=True``) or release message for ``tr``."""

    tr: KisWebsocketTR
    register: bool


class Subscriptions(msgspec.Struct):
    """What should be registered (reference counted) against what the server has, on one session.

    - :meth:`add` / :meth:`remove` change the wanted set and return the messages to send now (none while
      disconnected: :meth:`connected` sends them all on the next connection).
    - The server's state follows the replies (:meth:`on_reply`); a release and a register of the same
      (TR, key) never cross: the later one waits for the earlier reply. Nothing is ever sent twice.
    - :meth:`add` raises :class:`KisSubscriptionLimitError` for a new registration past ``limit`` before
      anything changes.
    """

    limit: int = MAX_SUBSCRIPTIONS
    environment: Environment | None = None
    wanted: dict[KisWebsocketTR, int] = msgspec.field(default_factory=dict)
    server: dict[KisWebsocketTR, ServerState] = msgspec.field(default_factory=dict)
    ciphers: dict[str, Cipher] = msgspec.field(default_factory=dict)
    refused: dict[KisWebsocketTR, ControlReply] = msgspec.field(default_factory=dict)
    is_connected: bool = False

    def add(self, tr: KisWebsocketTR) -> list[SubscribeCommand]:
        """One more reference to ``tr``."""
        count = self.wanted.get(tr, 0)
        if count == 0 and len(self.wanted) >= self.limit:
            raise KisSubscriptionLimitError(tr, self.limit, self.environment)
        self.wanted[tr] = count + 1
        if count:
            return []
        self.refused.pop(tr, None)
        return self._converge(tr)

    def remove(self, tr: KisWebsocketTR) -> list[SubscribeCommand]:
        """One reference to ``tr`` fewer; the last one releases the registration."""
        count = self.wanted.get(tr, 0)
        if count == 0:
            return []
        if count > 1:
            self.wanted[tr] = count - 1
            return []
        del self.wanted[tr]
        self.refused.pop(tr, None)
        return self._converge(tr)

    def _converge(self, tr: KisWebsocketTR) -> list[SubscribeCommand]:
        if not self.is_connected:
            return []
        state = self.server.get(tr)
        if tr in self.wanted:
            if state is None and tr not in self.refused:
                self.server[tr] = ServerState.SUBSCRIBING
                return [SubscribeCommand(tr, True)]
            return []  # registered or on its way; or a release is in flight and on_reply re-registers
        if state is ServerState.SUBSCRIBING or state is ServerState.SUBSCRIBED:
            self.server[tr] = ServerState.UNSUBSCRIBING
            return [SubscribeCommand(tr, False)]
        return []

    def connected(self) -> list[SubscribeCommand]:
        """A new connection is open: register everything wanted (the server starts empty)."""
        self.is_connected = True
        self.server.clear()
        self.ciphers.clear()
        self.refused.clear()
        commands = []
        for tr in sorted(self.wanted):
            self.server[tr] = ServerState.SUBSCRIBING
            commands.append(SubscribeCommand(tr, True))
        return commands

    def disconnected(self) -> None:
        """The connection is gone, and every registration with it."""
        self.is_connected = False
        self.server.clear()
        self.ciphers.clear()

    def on_reply(self, reply: ControlReply) -> list[SubscribeCommand]:
        """Follow a control reply; returns what to send next."""
        tr = reply.tr
        kind = reply.kind
        state = self.server.get(tr)
        if reply.key and reply.iv:
            self.ciphers[tr.id] = Cipher(reply.key, reply.iv)
        if kind is ReplyKind.SUBSCRIBED or kind is ReplyKind.ALREADY:
            if state is ServerState.SUBSCRIBING:
                self.server[tr] = ServerState.SUBSCRIBED
            elif state is None:
                self.server[tr] = ServerState.SUBSCRIBED
                return self._converge(tr)
            return []
        if kind is ReplyKind.UNSUBSCRIBED or kind is ReplyKind.UNSUBSCRIBE_ERROR:
            if state is ServerState.UNSUBSCRIBING:
                del self.server[tr]
                return self._converge(tr)
            return []
        # A refusal: the server holds nothing for tr; do not retry it on this connection.
        if state is not None:
            del self.server[tr]
        if tr in self.wanted:
            self.refused[tr] = reply
        return []

    def cipher(self, tr_id: str) -> Cipher | None:
        """The key and IV of an encrypted TR, once its subscribe reply arrived."""
        return self.ciphers.get(tr_id)

    @property
    def confirmed(self) -> frozenset[KisWebsocketTR]:
        """Registrations the server confirmed on the current connection."""
        return frozenset(tr for tr, state in self.server.items() if state is ServerState.SUBSCRIBED)

    @property
    def pending(self) -> frozenset[KisWebsocketTR]:
        """Registrations sent but not answered yet."""
        return frozenset(tr for tr, state in self.server.items() if state is ServerState.SUBSCRIBING)
