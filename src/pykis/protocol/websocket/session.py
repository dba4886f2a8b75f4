"""One environment's WebSocket connection, as a flow: the bookkeeping the two drivers share.

:meth:`WebsocketSession.run` yields *actions* and receives their results, like the REST flows of
:mod:`pykis.protocol.flow`. It decides what to send on connect (every wanted registration), what each frame
means (a heartbeat to echo, a control reply to follow, a data frame to deliver, noise to skip), when a
connection is dead (no PINGPONG or data within the heartbeat bound), when to reconnect and after what delay
(jittered backoff from the injected random source, reset after a connection that lived a while), and when to
fetch a fresh approval key. The drivers (:mod:`pykis.drivers.websocket_blocking`,
:mod:`pykis.drivers.websocket_asyncio`) only open and close sockets, read and write text, sleep and hand
deliveries to the callbacks.

The clock is injected (``clock``: monotonic seconds), so a test drives the whole flow from scripted frames.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Generator

import msgspec

from pykis.protocol.env import Environment
from pykis.protocol.websocket.cipher import Cipher
from pykis.protocol.websocket.frames import ControlReply, DataFrame, Malformed, PingPong, ReplyKind, parse_message
from pykis.protocol.websocket.liveness import Heartbeat, ReconnectPolicy
from pykis.protocol.websocket.registrations import KisWebsocketTR, subscribe_message
from pykis.protocol.websocket.subscriptions import SubscribeCommand, Subscriptions

__all__ = [
    "Close",
    "Deliver",
    "KisReconnectEvent",
    "Lost",
    "Open",
    "Receive",
    "SessionAction",
    "Wait",
    "WebsocketSession",
    "Write",
    "describe",
]

log = logging.getLogger("pykis")


class Open(msgspec.Struct, frozen=True):
    """Open a connection. Result: the approval key it was opened with (a fresh one when ``renew``: the last
    was refused or the handshake failed), or :class:`Lost` when it could not be opened."""

    renew: bool


class Receive(msgspec.Struct, frozen=True):
    """Result: the next text frame; ``None`` when ``timeout`` seconds passed without one; :class:`Lost` when
    the connection failed."""

    timeout: float


class Write(msgspec.Struct, frozen=True):
    """Send ``text`` on the open connection. Result: ``None``, or :class:`Lost`."""

    text: str


class Close(msgspec.Struct, frozen=True):
    """The connection ended for ``reason``: close the socket (failures ignored). Result: ``None``."""

    reason: str


class Wait(msgspec.Struct, frozen=True):
    """Result: ``None`` after ``seconds``; a driver that is closing ends the flow instead."""

    seconds: float


class Deliver(msgspec.Struct):
    """Hand a data frame to the callbacks (never waiting on them), with its TR's cipher when encrypted.
    Result: ``None``."""

    frame: DataFrame
    cipher: Cipher | None


class KisReconnectEvent(msgspec.Struct, frozen=True):
    """A connection came back: ``attempt`` failures preceded it; ``restored`` lists the registrations sent
    again; ``reason`` says why the previous connection ended. As an action: tell the reconnect callbacks."""

    environment: Environment
    attempt: int
    restored: tuple[KisWebsocketTR, ...]
    reason: str


class Lost(msgspec.Struct, frozen=True):
    """The result of an action that failed: why (``connection closed (…)``, ``ConnectionRefusedError(…)``)."""

    reason: str


SessionAction = Open | Receive | Write | Close | Wait | Deliver | KisReconnectEvent
Result = str | Lost | None

KEY_REFUSED = "the server refused the approval key"


def describe(trs: list[KisWebsocketTR] | tuple[KisWebsocketTR, ...]) -> str:
    """``H0STCNT0.000660 H0STASP0.000660`` for log lines."""
    return " ".join(str(tr) for tr in trs)


class WebsocketSession:
    """The bookkeeping of one environment's connection; no sockets, threads or event loop.

    ``subscriptions`` is shared with the client (its :meth:`~Subscriptions.add` and
    :meth:`~Subscriptions.remove` run between steps, under the driver's lock); :meth:`messages` renders their
    commands for the current connection.
    """

    def __init__(
        self,
        environment: Environment,
        subscriptions: Subscriptions,
        *,
        reconnect: ReconnectPolicy | None = None,
        heartbeat: Heartbeat | None = None,
        clock: Callable[[], float],
        rng: random.Random | None = None,
    ) -> None:
        self.environment = environment
        self.subscriptions = subscriptions
        self.reconnect = reconnect or ReconnectPolicy()
        self.heartbeat = heartbeat or Heartbeat()
        self.clock = clock
        self.rng = rng or random.Random()
        self.approval = ""
        self.connects = 0
        self.renew = False

    def messages(self, commands: list[SubscribeCommand]) -> list[str]:
        """The texts of ``commands`` for the current connection's approval key."""
        return [subscribe_message(self.approval, command.tr, register=command.register) for command in commands]

    def run(self) -> Generator[SessionAction, Result, None]:
        """Connect, read, reconnect, forever (or until the reconnect policy gives up)."""
        policy = self.reconnect
        delays = policy.delays(self.rng)
        failures = 0
        reason = ""
        while True:
            opened = yield Open(self.renew)
            if not isinstance(opened, str):
                failures += 1
                reason = f"connect failed: {opened.reason if opened else 'no connection'}"
                self.renew = True  # a refused handshake may mean a stale approval key
                if policy.gives_up(failures):
                    log.error("RTC Giving up on the %s server after %d attempts: %s", self.environment.value,
                              failures, reason)  # fmt: skip
                    return
                delay = next(delays)
                log.warning("RTC %s; retrying in %.2fs", reason, delay)
                yield Wait(delay)
                continue
            started = self.clock()
            ended = yield from self._opened(opened, failures, reason)
            failures = 0
            reason = ended or (yield from self._read())
            self.subscriptions.disconnected()
            yield Close(reason)
            if self.clock() - started >= policy.maximum:
                delays = policy.delays(self.rng)  # a connection that lived a while resets the backoff
            delay = next(delays)
            log.warning("RTC Disconnected from %s server (%s); reconnecting in %.2fs", self.environment.value,
                        reason, delay)  # fmt: skip
            yield Wait(delay)

    def _opened(self, approval: str, failures: int, reason: str) -> Generator[SessionAction, Result, str | None]:
        """Register everything wanted on the new connection; a reconnection is announced."""
        self.approval = approval
        self.renew = False
        commands = self.subscriptions.connected()
        log.info("RTC Connected to %s server", self.environment.value)
        if commands:
            log.info("RTC Restoring subscriptions... %s", describe([command.tr for command in commands]))
        self.connects += 1
        ended = yield from self._write(self.messages(commands), "send failed")
        if self.connects > 1:
            yield KisReconnectEvent(self.environment, failures, tuple(command.tr for command in commands), reason)
        return ended

    def _write(self, texts: list[str], what: str) -> Generator[SessionAction, Result, str | None]:
        for text in texts:
            sent = yield Write(text)
            if isinstance(sent, Lost):
                return f"{what}: {sent.reason}"
        return None

    def _read(self) -> Generator[SessionAction, Result, str]:
        """Follow the connection until it ends; returns why it ended."""
        heartbeat = self.heartbeat
        clock = self.clock
        state = self.subscriptions
        last = clock()
        while True:
            remaining = heartbeat.remaining(clock(), last)
            if remaining <= 0:
                return f"no PINGPONG or data for {heartbeat.timeout:g}s"
            text = yield Receive(remaining)
            if text is None:
                continue
            if isinstance(text, Lost):
                return text.reason
            last = clock()
            message = parse_message(text)
            if isinstance(message, DataFrame):
                yield Deliver(message, state.ciphers.get(message.tr_id) if message.encrypted else None)
            elif isinstance(message, PingPong):
                ended = yield from self._write([message.text], "PINGPONG echo failed")
                if ended:
                    return ended
            elif isinstance(message, ControlReply):
                ended = yield from self._on_reply(message)
                if ended:
                    return ended
            else:
                assert isinstance(message, Malformed)
                log.warning("RTC Skipped a malformed frame (%s): %.80s", message.reason, message.text)

    def _on_reply(self, reply: ControlReply) -> Generator[SessionAction, Result, str | None]:
        """Follow a control reply and send what it calls for; a reason when the approval key was refused."""
        kind = reply.kind
        if kind is ReplyKind.SUBSCRIBED:
            log.info("RTC Subscribed to %s", reply.tr)
        elif kind is ReplyKind.UNSUBSCRIBED:
            log.info("RTC Unsubscribed from %s", reply.tr)
        elif kind is ReplyKind.ALREADY:
            log.debug("RTC Already subscribed to %s", reply.tr)
        elif kind is ReplyKind.UNSUBSCRIBE_ERROR:
            log.debug("RTC %s was not registered: %s", reply.tr, reply.msg1)
        else:
            log.error("RTC Server refused %s: %s", reply.tr, reply.error())
        ended = yield from self._write(self.messages(self.subscriptions.on_reply(reply)), "send failed")
        if kind is ReplyKind.INVALID_KEY:
            self.renew = True
            return KEY_REFUSED
        return ended
