"""The half of the blocking and the asyncio WebSocket clients that is not I/O.

Registering and releasing callbacks, the views, queueing what the readers hand over, routing decoded frames
to callbacks, stepping each connection's flow (:class:`~pykis.protocol.websocket.WebsocketSession`) and the
connection options live here once; :mod:`pykis.drivers.websocket_blocking` and
:mod:`pykis.drivers.websocket_asyncio` add the threads or tasks, the sockets and the calls.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Generator, Iterator
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Self, TypeVar

from pykis.drivers.websocket_handlers import (
    Handler,
    KisEventTicket,
    KisSubscriptionEventArgs,
    RealtimeCore,
    RealtimeOptions,
    decode_frame,
)
from pykis.errors import KisRealtimeDecodeError
from pykis.protocol.websocket import (
    Cipher,
    Close,
    DataFrame,
    Deliver,
    KisReconnectEvent,
    KisWebsocketTR,
    Lost,
    Open,
    Receive,
    SessionAction,
    Wait,
    WebsocketSession,
    Write,
    websocket_url,
)

if TYPE_CHECKING:
    from pykis.protocol.env import Environment

__all__ = ["MAX_FRAME_BYTES", "WIRE_LOG", "SessionBase", "WebsocketClientBase", "lost"]

log = logging.getLogger("pykis")

DriverAction = Open | Receive | Write | Close | Wait
"""The actions of a session flow that need I/O: the rest are performed here."""


class _RedactApprovalKeys(logging.Filter):
    """Mask approval keys and the notices' AES key and IV in websockets' frame logs (at DEBUG:
    ``> TEXT '{"header":{"approval_key":"…"'``, ``< TEXT '{…"output":{"iv":"…","key":"…"}}'``)."""

    # ``\b`` keeps ``tr_key`` and ``approval_key`` from matching as ``key``.
    _PATTERN = re.compile(r"""((?:approval_key|\bkey|\biv)["']?\s*[:=]\s*["']?)[^"',}\s]*""")
    # websockets cuts the middle out of long frames ('{"header": …...…zbibvzhre"}}}'), so the tail of a
    # subscribe reply can show most of the key with its name cut off: the tail of a JSON frame is masked.
    _ELIDED_TAIL = re.compile(r"""(TEXT '\{.*?\.\.\.)[^']*'""")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = self._ELIDED_TAIL.sub(r"\1***'", self._PATTERN.sub(r"\1***", message))
        if masked != message:
            record.msg, record.args = masked, ()
        return True


WIRE_LOG = logging.getLogger("pykis.websockets")
"""The logger the WebSocket connections log their frames to (DEBUG), approval keys masked."""
WIRE_LOG.addFilter(_RedactApprovalKeys())
MAX_FRAME_BYTES = 16 << 20
"""The largest WebSocket message accepted (KIS frames are a few KB; a bigger one closes the connection)."""


def lost(exc: Exception) -> Lost:
    """A failed read or write as the session flow's :class:`Lost`: a closed connection or another failure."""
    # By name: this module loads before websockets does (the drivers import it with the first connection).
    closed = any(kind.__name__ == "ConnectionClosed" for kind in type(exc).__mro__)
    return Lost(f"connection closed ({exc})" if closed else f"connection failed ({exc!r})")


class WebsocketClientBase:
    """What :class:`~pykis.KisWebsocketClient` and :class:`~pykis.AsyncKisWebsocketClient` share.

    A subclass supplies :meth:`_open_session` (a session object with ``conn`` and ``send(commands)``), the
    dispatch queue (``_queue``, whose overflow raises one of ``_full``) and the calls to the callbacks.
    """

    _full: ClassVar[tuple[type[Exception], ...]]

    def __init__(self, kis: Any, options: RealtimeOptions | None = None) -> None:
        self._kis = kis
        self._core = RealtimeCore(kis, options)
        self._sessions: dict[Environment, Any] = {}
        self._queue: Any = None
        self._closed = False
        self._warned_full = 0.0

    # -- configuration and views ----------------------------------------------------------------------

    @property
    def options(self) -> RealtimeOptions:
        """Backoff, heartbeat bound, queue size and limit; assign before the first ``on``."""
        return self._core.options

    @options.setter
    def options(self, options: RealtimeOptions) -> None:
        self._core.options = options
        for state in self._core.sessions.values():
            state.limit = options.limit

    @property
    def subscriptions(self) -> set[KisWebsocketTR]:
        """Every (TR, key) with a live ticket."""
        return self._core.subscriptions()

    @property
    def confirmed(self) -> set[KisWebsocketTR]:
        """Registrations the server has confirmed on the current connections."""
        return self._core.confirmed()

    @property
    def connected(self) -> bool:
        """Whether every started session has an open connection."""
        with self._core.lock:
            return bool(self._sessions) and all(s.conn is not None for s in self._sessions.values())

    @property
    def dropped(self) -> int:
        """Frames dropped because the callbacks fell behind by more than ``options.queue_size`` frames."""
        return self._core.dropped

    # -- registration ---------------------------------------------------------------------------------

    def on(
        self,
        tr_id: str,
        key: str,
        callback: Callable[[Self, KisSubscriptionEventArgs[Any]], object],
        *,
        where: Callable[[Any], bool] | None = None,
    ) -> KisEventTicket:
        """Call ``callback(client, e)`` for every event of (``tr_id``, ``key``) that ``where`` keeps; the asyncio
        client awaits a callback that returns an awaitable (register it on the event loop's thread).

        Raises :class:`~pykis.realtime.KisSubscriptionLimitError` (nothing sent) past the registration limit.
        """
        if not self._closed:
            self._prepare()
        return self._register(tr_id, key, callback, where)

    def _prepare(self) -> None:
        """Get the driver ready to deliver (its dispatcher running) before a registration."""
        raise NotImplementedError

    def _register(
        self, tr_id: str, key: str, callback: Callable[[Any, Any], Any], where: Callable[[Any], bool] | None
    ) -> KisEventTicket:
        if self._closed:
            raise RuntimeError("the realtime client is closed")
        with self._core.lock:
            handler, commands = self._core.register(tr_id, key, callback, where)
            self._session(handler.environment).send(commands)
        return KisEventTicket(self, handler.id, handler.tr)

    def _register_reconnect(self, callback: Callable[[Any, KisReconnectEvent], Any]) -> KisEventTicket:
        ticket = self._core.add_reconnect_handler(callback)
        return KisEventTicket(self, ticket, KisWebsocketTR("RECONNECT", "*"))

    def _session(self, environment: Environment) -> Any:
        session = self._sessions.get(environment)
        if session is None:
            session = self._sessions[environment] = self._open_session(environment)
        return session

    def _open_session(self, environment: Environment) -> Any:
        raise NotImplementedError

    def _release_soon(self, ticket: int) -> None:
        """Release ``ticket`` later, from the client's own thread or loop (a finaliser may run anywhere)."""
        raise NotImplementedError

    def _release(self, ticket: int) -> None:
        if self._core.reconnect_handlers.pop(ticket, None) is not None:
            return
        with self._core.lock:
            environment, commands = self._core.unregister(ticket)
            if environment is not None and environment in self._sessions:
                self._sessions[environment].send(commands)

    # -- the sessions' flows --------------------------------------------------------------------------

    def _flow(self, environment: Environment) -> tuple[WebsocketSession, Generator[SessionAction, Any, None]]:
        """The bookkeeping of ``environment``'s connection and its flow, on the monotonic clock."""
        options = self._core.options
        session = WebsocketSession(
            environment,
            self._core.session(environment),
            reconnect=options.reconnect,
            heartbeat=options.heartbeat,
            clock=time.monotonic,
        )
        return session, session.run()

    def _advance(self, flow: Generator[SessionAction, Any, None], result: object) -> DriverAction | None:
        """Step ``flow`` with the last action's result (under the core's lock, so the subscription state never
        changes mid-step); deliveries are queued here. ``None``: the flow gave up."""
        with self._core.lock:
            try:
                action = flow.send(result)
                while isinstance(action, Deliver | KisReconnectEvent):
                    if isinstance(action, Deliver):
                        self._enqueue_frame(action.frame, action.cipher, self._today())
                    else:
                        self._enqueue(("reconnect", action))
                    action = flow.send(None)
            except StopIteration:
                return None
        return action

    def _connect_options(self, environment: Environment) -> tuple[str, dict[str, Any]]:
        """The URL and the ``websockets`` connect options of ``environment``."""
        options = self._core.options
        url = websocket_url(self._kis.hosts(environment).websocket, options.path)
        return (
            url,
            {
                "open_timeout": options.open_timeout,
                "close_timeout": options.close_timeout,
                "ping_interval": None,  # KIS keeps connections alive with its own PINGPONG (PROTOCOL.md §5)
                "compression": None,
                "proxy": None,
                "max_size": MAX_FRAME_BYTES,
                "logger": WIRE_LOG,
            },
        )

    # -- dispatching ----------------------------------------------------------------------------------

    def _today(self) -> date:
        return self._core.today(self._kis.clock.timestamp())

    def _enqueue(self, item: Any) -> None:
        try:
            self._queue.put_nowait(item)
        except self._full:
            self._core.dropped += 1
            now = time.monotonic()
            if now - self._warned_full > 5.0:
                self._warned_full = now
                log.warning("RTC Callbacks are falling behind; %d frames dropped so far", self._core.dropped)

    def _enqueue_frame(self, frame: DataFrame, cipher: Cipher | None, day: date) -> None:
        self._enqueue((frame, cipher, day))

    def _calls(
        self, frame: DataFrame, cipher: Cipher | None, day: date
    ) -> Iterator[tuple[Handler, KisSubscriptionEventArgs[Any]]]:
        """The (handler, ``e``) pairs a queued frame makes: decoded, routed and filtered."""
        core = self._core
        try:
            events = decode_frame(frame, cipher, day)
        except KisRealtimeDecodeError as exc:
            log.warning("RTC Skipped a %s frame: %s", frame.tr_id, exc.reason)
            return
        tr_id = frame.tr_id
        for event in events:
            with core.lock:
                handlers = core.route(tr_id, event)
            for handler in handlers:
                if handler.where is not None and not core.accepts(handler, event):
                    continue
                yield handler, KisSubscriptionEventArgs(handler.tr, event)

    def _reconnect_calls(self) -> list[Callable[[Any, KisReconnectEvent], Any]]:
        return list(self._core.reconnect_handlers.values())

    def __repr__(self) -> str:
        return f"{type(self).__name__}(subscriptions={len(self.subscriptions)}, connected={self.connected})"


C = TypeVar("C", bound=WebsocketClientBase)
Conn = TypeVar("Conn")


class SessionBase(Generic[C, Conn]):
    """One environment's connection as both drivers hold it: its client, its socket (while open) and the
    sans-I/O flow that says what to do with it."""

    def __init__(self, client: C, environment: Environment) -> None:
        self.client = client
        self.environment = environment
        self.conn: Conn | None = None
        self.machine, self.flow = client._flow(environment)
