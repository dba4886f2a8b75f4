"""The blocking realtime client: one reader thread per environment, one dispatcher thread for callbacks.

The reader thread performs its connection's flow (:class:`~pykis.protocol.websocket.WebsocketSession`:
PINGPONG replies, control replies, restoring registrations after a reconnect, backoff) and hands data frames
to a bounded queue without ever waiting on it (a full queue drops the frame and counts it), so a slow
callback cannot stall the heartbeat. The dispatcher decodes frames and runs the callbacks; a callback that
raises is logged and the stream goes on.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pykis.drivers.websocket_client import SessionBase, WebsocketClientBase, lost
from pykis.drivers.websocket_handlers import KisEventTicket, RealtimeOptions
from pykis.protocol.websocket import Close, DataFrame, KisReconnectEvent, Lost, Open, Receive, SubscribeCommand, Write

if TYPE_CHECKING:
    from websockets.sync.client import ClientConnection  # noqa: F401 — the session base's type argument

    from pykis.client import PyKis
    from pykis.protocol.env import Environment

__all__ = ["KisWebsocketClient"]

log = logging.getLogger("pykis")

_STOP = object()


class _Session(SessionBase["KisWebsocketClient", "ClientConnection"]):
    """One environment's connection, kept alive by its reader thread."""

    def __init__(self, client: KisWebsocketClient, environment: Environment) -> None:
        super().__init__(client, environment)
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name=f"pykis-ws-{environment.value}", daemon=True)
        self.thread.start()

    def send(self, commands: list[SubscribeCommand]) -> None:
        """Send now, from the caller's thread (which holds the core's lock); a failure is the reader's to see."""
        conn = self.conn
        if conn is None:
            return
        for text in self.machine.messages(commands):
            try:
                conn.send(text)
            except Exception as exc:  # noqa: BLE001 — the reader sees the broken connection and reconnects
                log.debug("RTC Send failed: %r", exc)
                return

    def _run(self) -> None:
        result: object = None
        while not self.stopping.is_set():
            action = self.client._advance(self.flow, result)
            result = None
            if action is None:
                return
            if isinstance(action, Receive):
                result = self._receive(action.timeout)
            elif isinstance(action, Write):
                result = self._write(action.text)
            elif isinstance(action, Open):
                result = self._open(action.renew)
            elif isinstance(action, Close):
                self._close()
            elif self.stopping.wait(action.seconds):
                return

    def _open(self, renew: bool) -> str | Lost:
        # websockets loads with the first subscription, not with the client.
        from websockets.sync.client import connect  # noqa: PLC0415 — lazy: cold start of a REST-only client

        try:
            approval: str = self.client._kis.approval_key(self.environment, renew=renew)
            url, options = self.client._connect_options(self.environment)
            # legacy=True: a plain connection; reconnection is ours (websockets 17 warns otherwise)
            conn = connect(url, legacy=True, **options)
        except Exception as exc:  # noqa: BLE001 — every failure to connect is retried with backoff
            return Lost(repr(exc))
        with self.client._core.lock:
            if self.stopping.is_set():
                conn.close()
                return Lost("closing")
            self.conn = conn
        return approval

    def _receive(self, timeout: float) -> str | Lost | None:
        assert self.conn is not None
        try:
            data = self.conn.recv(timeout=timeout)
        except TimeoutError:
            return None
        except Exception as exc:  # noqa: BLE001 — any socket failure ends this connection
            return lost(exc)
        return data if isinstance(data, str) else data.decode("utf-8", "replace")

    def _write(self, text: str) -> Lost | None:
        assert self.conn is not None
        try:
            self.conn.send(text)
        except Exception as exc:  # noqa: BLE001 — the flow ends this connection
            return lost(exc)
        return None

    def _close(self) -> None:
        with self.client._core.lock:
            conn, self.conn = self.conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:  # noqa: BLE001, S110 — closing a dead socket may fail; it is gone either way
                pass

    def stop(self) -> None:
        self.stopping.set()
        with self.client._core.lock:
            conn = self.conn
        if conn is not None:
            try:
                conn.close()
            except Exception:  # noqa: BLE001, S110
                pass


class KisWebsocketClient(WebsocketClientBase):
    """Realtime events over KIS's WebSocket, for :class:`~pykis.PyKis` (``kis.websocket``).

    The connection opens on the first :meth:`on` (per environment: market data on the real server when
    configured, notices on the account's server), and reconnects by itself, restoring every registration.

    >>> ticket = kis.websocket.on("H0STCNT0", "000660", print)   # doctest: +SKIP
    >>> kis.websocket.subscriptions                               # doctest: +SKIP
    {KisWebsocketTR(id='H0STCNT0', key='000660')}
    """

    _full = (queue.Full,)

    def __init__(self, kis: PyKis, options: RealtimeOptions | None = None) -> None:
        super().__init__(kis, options)
        self._queue: queue.Queue[Any] = queue.Queue()  # sized by the options when the dispatcher starts
        self._dispatcher: threading.Thread | None = None

    def _prepare(self) -> None:
        self._drain_releases()
        self._start_dispatcher()

    def on_reconnect(self, callback: Callable[[KisWebsocketClient, KisReconnectEvent], object]) -> KisEventTicket:
        """Call ``callback(client, event)`` after every reconnection (registrations already re-sent)."""
        ticket = self._register_reconnect(callback)
        self._start_dispatcher()
        return ticket

    def _open_session(self, environment: Environment) -> _Session:
        return _Session(self, environment)

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
                for callback in self._reconnect_calls():
                    try:
                        callback(self, item[1])
                    except Exception:
                        log.exception("RTC Reconnect callback raised")

    def _deliver(self, frame: DataFrame, cipher: Any, day: Any) -> None:
        for handler, e in self._calls(frame, cipher, day):
            try:
                handler.callback(self, e)
            except Exception as exc:  # noqa: BLE001 - user code may raise anything: logged there
                self._core.callback_raised(handler, exc)

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
