"""The blocking realtime client: one reader thread per environment, one dispatcher thread for callbacks.

The reader owns the socket: it answers PINGPONG, follows control replies, restores registrations after a
reconnect and hands data frames to a bounded queue without ever waiting on it (a full queue drops the frame
and counts it), so a slow callback cannot stall the heartbeat. The dispatcher decodes frames and runs the
callbacks; a callback that raises is logged and the stream goes on.
"""

from __future__ import annotations

import logging
import queue
import random
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pykis._realtime import (
    MAX_FRAME_BYTES,
    WIRE_LOG,
    KisEventTicket,
    KisReconnectEvent,
    KisSubscriptionEventArgs,
    RealtimeCore,
    RealtimeOptions,
    describe,
)
from pykis.protocol.env import Environment
from pykis.protocol.realtime import (
    Cipher,
    ControlReply,
    DataFrame,
    KisRealtimeDecodeError,
    KisWebsocketTR,
    Malformed,
    PingPong,
    ReplyKind,
    SubscribeCommand,
    decode_frame,
    parse_message,
    subscribe_message,
    websocket_url,
)

if TYPE_CHECKING:
    from websockets.sync.client import ClientConnection

    from pykis.client import PyKis

__all__ = ["KisWebsocketClient"]

log = logging.getLogger("pykis")

_STOP = object()


class _Session:
    """One environment's connection, kept alive by its reader thread."""

    def __init__(self, client: KisWebsocketClient, environment: Environment) -> None:
        self.client = client
        self.core = client._core
        self.environment = environment
        self.conn: ClientConnection | None = None
        self.approval = ""
        self.stopping = threading.Event()
        self.renew = False
        self.connects = 0
        self.thread = threading.Thread(target=self._run, name=f"pykis-ws-{environment.value}", daemon=True)
        self.thread.start()

    # -- sending (callers hold core.lock) ------------------------------------------------------------

    def send(self, commands: list[SubscribeCommand]) -> None:
        conn = self.conn
        if conn is None:
            return
        for command in commands:
            try:
                conn.send(subscribe_message(self.approval, command.tr, register=command.register))
            except Exception as exc:  # noqa: BLE001 — the reader sees the broken connection and reconnects
                log.debug("RTC Send of %s failed: %r", command.tr, exc)
                return

    # -- the reader thread ----------------------------------------------------------------------------

    def _connect(self) -> ClientConnection:
        from websockets.sync.client import connect

        options = self.core.options
        self.approval = self.client._kis.approval_key(self.environment, renew=self.renew)
        self.renew = False
        url = websocket_url(self.client._kis.hosts(self.environment).websocket, options.path)
        return connect(
            url,
            open_timeout=options.open_timeout,
            close_timeout=options.close_timeout,
            ping_interval=None,  # KIS keeps connections alive with its own PINGPONG (PROTOCOL.md §5)
            compression=None,
            proxy=None,
            max_size=MAX_FRAME_BYTES,
            logger=WIRE_LOG,
            legacy=True,  # a plain connection; reconnection is ours (websockets 17 warns otherwise)
        )

    def _run(self) -> None:
        policy = self.core.options.reconnect
        rng = random.Random()
        delays = policy.delays(rng)
        failures = 0
        reason = ""
        while not self.stopping.is_set():
            try:
                conn = self._connect()
            except Exception as exc:  # noqa: BLE001 — every failure to connect is retried with backoff
                failures += 1
                reason = f"connect failed: {exc!r}"
                self.renew = True  # a refused handshake may mean a stale approval key
                if policy.gives_up(failures):
                    log.error("RTC Giving up on the %s server after %d attempts: %s", self.environment.value,
                              failures, reason)  # fmt: skip
                    return
                delay = next(delays)
                log.warning("RTC %s; retrying in %.2fs", reason, delay)
                if self.stopping.wait(delay):
                    return
                continue
            started = time.monotonic()
            with self.core.lock:
                if self.stopping.is_set():
                    conn.close()
                    return
                self.conn = conn
                commands = self.core.session(self.environment).connected()
                log.info("RTC Connected to %s server", self.environment.value)
                if commands:
                    log.info("RTC Restoring subscriptions... %s", describe([c.tr for c in commands]))
                self.send(commands)
            self.connects += 1
            if self.connects > 1:
                restored = tuple(command.tr for command in commands)
                self.client._enqueue(("reconnect", KisReconnectEvent(self.environment, failures, restored, reason)))
            failures = 0
            reason = self._read(conn)
            with self.core.lock:
                self.conn = None
                self.core.session(self.environment).disconnected()
            try:
                conn.close()
            except Exception:  # noqa: BLE001, S110 — closing a dead socket may fail; it is gone either way
                pass
            if self.stopping.is_set():
                return
            if time.monotonic() - started >= policy.maximum:
                delays = policy.delays(rng)  # a connection that lived a while resets the backoff
            delay = next(delays)
            log.warning("RTC Disconnected from %s server (%s); reconnecting in %.2fs", self.environment.value,
                        reason, delay)  # fmt: skip
            if self.stopping.wait(delay):
                return

    def _read(self, conn: ClientConnection) -> str:
        """Read until the connection ends; returns why it ended."""
        from websockets.exceptions import ConnectionClosed

        heartbeat = self.core.options.heartbeat
        state = self.core.session(self.environment)
        client = self.client
        last = time.monotonic()
        while not self.stopping.is_set():
            remaining = heartbeat.remaining(time.monotonic(), last)
            if remaining <= 0:
                return f"no PINGPONG or data for {heartbeat.timeout:g}s"
            try:
                data = conn.recv(timeout=remaining)
            except TimeoutError:
                continue
            except ConnectionClosed as exc:
                return f"connection closed ({exc})"
            except Exception as exc:  # noqa: BLE001 — any socket failure ends this connection
                return f"connection failed ({exc!r})"
            now = time.monotonic()
            last = now
            text = data if isinstance(data, str) else data.decode("utf-8", "replace")
            message = parse_message(text)
            if isinstance(message, DataFrame):
                cipher = state.ciphers.get(message.tr_id) if message.encrypted else None
                client._enqueue_frame(message, cipher, self.core.today(client._kis.clock.timestamp()))
            elif isinstance(message, PingPong):
                try:
                    conn.send(message.text)
                except Exception as exc:  # noqa: BLE001
                    return f"PINGPONG echo failed ({exc!r})"
            elif isinstance(message, ControlReply):
                if self._on_reply(message):
                    return "the server refused the approval key"
            else:
                assert isinstance(message, Malformed)
                log.warning("RTC Skipped a malformed frame (%s): %.80s", message.reason, message.text)
        return "closing"

    def _on_reply(self, reply: ControlReply) -> bool:
        """Follow a control reply; True when the approval key was refused (reconnect with a fresh one)."""
        kind = reply.kind
        with self.core.lock:
            commands = self.core.session(self.environment).on_reply(reply)
            self.send(commands)
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
            if kind is ReplyKind.INVALID_KEY:
                self.renew = True
                return True
        return False

    def stop(self) -> None:
        self.stopping.set()
        with self.core.lock:
            conn = self.conn
        if conn is not None:
            try:
                conn.close()
            except Exception:  # noqa: BLE001, S110
                pass


class KisWebsocketClient:
    """Realtime events over KIS's WebSocket, for :class:`~pykis.PyKis` (``kis.websocket``).

    The connection opens on the first :meth:`on` (per environment: market data on the real server when
    configured, notices on the account's server), and reconnects by itself, restoring every registration.

    >>> ticket = kis.websocket.on("H0STCNT0", "000660", print)   # doctest: +SKIP
    >>> kis.websocket.subscriptions                               # doctest: +SKIP
    {KisWebsocketTR(id='H0STCNT0', key='000660')}
    """

    def __init__(self, kis: PyKis, options: RealtimeOptions | None = None) -> None:
        self._kis = kis
        self._core = RealtimeCore(kis, options)
        self._sessions: dict[Environment, _Session] = {}
        self._queue: queue.Queue[Any] = queue.Queue()  # sized by the options when the dispatcher starts
        self._dispatcher: threading.Thread | None = None
        self._closed = False
        self._warned_full = 0.0

    # -- configuration and views ----------------------------------------------------------------------

    @property
    def options(self) -> RealtimeOptions:
        """Backoff, heartbeat bound, queue size and limit; assign before the first :meth:`on`."""
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

    # -- subscribing ----------------------------------------------------------------------------------

    def on(
        self,
        tr_id: str,
        key: str,
        callback: Callable[[KisWebsocketClient, KisSubscriptionEventArgs[Any]], object],
        *,
        where: Callable[[Any], bool] | None = None,
    ) -> KisEventTicket:
        """Call ``callback(client, e)`` for every event of (``tr_id``, ``key``) that ``where`` keeps.

        Raises :class:`~pykis.realtime.KisSubscriptionLimitError` (nothing sent) past the registration limit.
        """
        if self._closed:
            raise RuntimeError("the realtime client is closed")
        self._drain_releases()
        self._start_dispatcher()
        with self._core.lock:
            handler, commands = self._core.register(tr_id, key, callback, where)
            session = self._session(handler.environment)
            session.send(commands)
        return KisEventTicket(self, handler.id, handler.tr)

    def on_reconnect(self, callback: Callable[[KisWebsocketClient, KisReconnectEvent], object]) -> KisEventTicket:
        """Call ``callback(client, event)`` after every reconnection (registrations already re-sent)."""
        ticket = self._core.add_reconnect_handler(callback)
        self._start_dispatcher()
        return KisEventTicket(self, ticket, KisWebsocketTR("RECONNECT", "*"))

    def _session(self, environment: Environment) -> _Session:
        session = self._sessions.get(environment)
        if session is None:
            session = self._sessions[environment] = _Session(self, environment)
        return session

    def _release(self, ticket: int) -> None:
        if self._core.reconnect_handlers.pop(ticket, None) is not None:
            return
        with self._core.lock:
            environment, commands = self._core.unregister(ticket)
            if environment is not None and environment in self._sessions:
                self._sessions[environment].send(commands)

    def _release_soon(self, ticket: int) -> None:
        self._core.releases.append(ticket)  # deque.append: safe from a finaliser on any thread

    def _drain_releases(self) -> None:
        releases = self._core.releases
        while releases:
            try:
                ticket = releases.popleft()
            except IndexError:
                return
            self._release(ticket)

    # -- dispatching ----------------------------------------------------------------------------------

    def _start_dispatcher(self) -> None:
        with self._core.lock:
            if self._dispatcher is not None:
                return
            self._queue = queue.Queue(self._core.options.queue_size)
            self._dispatcher = threading.Thread(target=self._dispatch, name="pykis-ws-dispatch", daemon=True)
            self._dispatcher.start()

    def _enqueue(self, item: Any) -> None:
        try:
            self._queue.put_nowait(item)
        except queue.Full:
            self._core.dropped += 1
            now = time.monotonic()
            if now - self._warned_full > 5.0:
                self._warned_full = now
                log.warning("RTC Callbacks are falling behind; %d frames dropped so far", self._core.dropped)

    def _enqueue_frame(self, frame: DataFrame, cipher: Cipher | None, day: Any) -> None:
        self._enqueue((frame, cipher, day))

    def _dispatch(self) -> None:
        core = self._core
        get = self._queue.get
        while True:
            try:
                item = get(timeout=0.1)
            except queue.Empty:
                self._drain_releases()
                if self._closed:
                    return
                continue
            if core.releases:
                self._drain_releases()
            if item is _STOP or self._closed:
                return
            if type(item) is tuple and len(item) == 3:
                self._deliver(*item)
            elif type(item) is tuple and item[0] == "reconnect":
                for callback in list(core.reconnect_handlers.values()):
                    try:
                        callback(self, item[1])
                    except Exception:
                        log.exception("RTC Reconnect callback raised")

    def _deliver(self, frame: DataFrame, cipher: Cipher | None, day: Any) -> None:
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
                try:
                    handler.callback(self, KisSubscriptionEventArgs(handler.tr, event))
                except Exception as exc:  # noqa: BLE001 - user code may raise anything: logged there
                    core.callback_raised(handler, exc)

    # -- lifecycle ------------------------------------------------------------------------------------

    def close(self) -> None:
        """Close the connections and stop the threads. Tickets become inert."""
        if self._closed:
            return
        self._closed = True
        sessions = list(self._sessions.values())
        for session in sessions:
            session.stop()
        current = threading.current_thread()
        for session in sessions:
            if session.thread is not current:
                session.thread.join(timeout=5)
        if self._dispatcher is not None:
            try:
                self._queue.put(_STOP, timeout=1)
            except queue.Full:
                pass
            if self._dispatcher is not current:
                self._dispatcher.join(timeout=5)
        self._core.summarize_all()

    def __enter__(self) -> KisWebsocketClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"KisWebsocketClient(subscriptions={len(self.subscriptions)}, connected={self.connected})"
