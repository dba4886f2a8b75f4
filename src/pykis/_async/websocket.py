"""The asyncio realtime client: one reader task (and one writer task) per environment, one dispatcher task.

The same rules as :mod:`pykis._sync.websocket`: the reader answers PINGPONG and follows control replies at
once and never waits on the callbacks (frames beyond ``queue_size`` are dropped and counted); callbacks may
be plain functions or coroutine functions; a callback that raises is logged and the stream goes on.
Call :meth:`AsyncKisWebsocketClient.on` from the event loop's thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import random
import time
from collections.abc import AsyncIterator, Callable
from datetime import date
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
    from websockets.asyncio.client import ClientConnection

    from pykis.client import AsyncPyKis

__all__ = ["AsyncKisWebsocketClient"]

log = logging.getLogger("pykis")


class _Session:
    """One environment's connection, kept alive by its task."""

    def __init__(self, client: AsyncKisWebsocketClient, environment: Environment) -> None:
        self.client = client
        self.core = client._core
        self.environment = environment
        self.conn: ClientConnection | None = None
        self.approval = ""
        self.renew = False
        self.connects = 0
        self.generation = 0
        self.outbox: asyncio.Queue[tuple[int, SubscribeCommand]] = asyncio.Queue()
        self.task = asyncio.get_running_loop().create_task(self._run(), name=f"pykis-ws-{environment.value}")

    def send(self, commands: list[SubscribeCommand]) -> None:
        """Queue messages for the current connection (dropped if it ends first: a reconnect re-sends)."""
        if self.conn is None:
            return
        for command in commands:
            self.outbox.put_nowait((self.generation, command))

    async def _writer(self, conn: ClientConnection, generation: int) -> None:
        while True:
            stamp, command = await self.outbox.get()
            if stamp != generation:
                continue
            await conn.send(subscribe_message(self.approval, command.tr, register=command.register))

    async def _connect(self) -> ClientConnection:
        from websockets.asyncio.client import connect

        options = self.core.options
        self.approval = await self.client._kis.approval_key(self.environment, renew=self.renew)
        self.renew = False
        url = websocket_url(self.client._kis.hosts(self.environment).websocket, options.path)
        return await connect(
            url,
            open_timeout=options.open_timeout,
            close_timeout=options.close_timeout,
            ping_interval=None,  # KIS keeps connections alive with its own PINGPONG (PROTOCOL.md §5)
            compression=None,
            proxy=None,
            max_size=MAX_FRAME_BYTES,
            logger=WIRE_LOG,
        )

    async def _run(self) -> None:
        policy = self.core.options.reconnect
        rng = random.Random()
        delays = policy.delays(rng)
        failures = 0
        reason = ""
        while True:
            try:
                conn = await self._connect()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 — every failure to connect is retried with backoff
                failures += 1
                reason = f"connect failed: {exc!r}"
                self.renew = True
                if policy.gives_up(failures):
                    log.error("RTC Giving up on the %s server after %d attempts: %s", self.environment.value,
                              failures, reason)  # fmt: skip
                    return
                delay = next(delays)
                log.warning("RTC %s; retrying in %.2fs", reason, delay)
                await asyncio.sleep(delay)
                continue
            started = time.monotonic()
            self.generation += 1
            with self.core.lock:
                self.conn = conn
                commands = self.core.session(self.environment).connected()
                log.info("RTC Connected to %s server", self.environment.value)
                if commands:
                    log.info("RTC Restoring subscriptions... %s", describe([c.tr for c in commands]))
                self.send(commands)
            writer = asyncio.get_running_loop().create_task(self._writer(conn, self.generation))
            self.connects += 1
            if self.connects > 1:
                restored = tuple(command.tr for command in commands)
                self.client._enqueue(("reconnect", KisReconnectEvent(self.environment, failures, restored, reason)))
            failures = 0
            try:
                reason = await self._read(conn, writer)
            finally:
                writer.cancel()
                with self.core.lock:
                    self.conn = None
                    self.core.session(self.environment).disconnected()
                with contextlib.suppress(Exception, asyncio.CancelledError):
                    await writer
                with contextlib.suppress(Exception):
                    await asyncio.shield(conn.close())
            if time.monotonic() - started >= policy.maximum:
                delays = policy.delays(rng)
            delay = next(delays)
            log.warning("RTC Disconnected from %s server (%s); reconnecting in %.2fs", self.environment.value,
                        reason, delay)  # fmt: skip
            await asyncio.sleep(delay)

    async def _read(self, conn: ClientConnection, writer: asyncio.Task[None]) -> str:
        from websockets.exceptions import ConnectionClosed

        heartbeat = self.core.options.heartbeat
        state = self.core.session(self.environment)
        client = self.client
        last = time.monotonic()
        while True:
            remaining = heartbeat.remaining(time.monotonic(), last)
            if remaining <= 0:
                return f"no PINGPONG or data for {heartbeat.timeout:g}s"
            if writer.done():
                return "send failed"
            try:
                async with asyncio.timeout(remaining):
                    data = await conn.recv()
            except TimeoutError:
                continue
            except ConnectionClosed as exc:
                return f"connection closed ({exc})"
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 — any socket failure ends this connection
                return f"connection failed ({exc!r})"
            last = time.monotonic()
            text = data if isinstance(data, str) else data.decode("utf-8", "replace")
            message = parse_message(text)
            if isinstance(message, DataFrame):
                cipher = state.ciphers.get(message.tr_id) if message.encrypted else None
                client._enqueue((message, cipher, self.core.today(client._kis.clock.timestamp())))
            elif isinstance(message, PingPong):
                try:
                    await conn.send(message.text)
                except Exception as exc:  # noqa: BLE001
                    return f"PINGPONG echo failed ({exc!r})"
            elif isinstance(message, ControlReply):
                if self._on_reply(message):
                    return "the server refused the approval key"
            else:
                assert isinstance(message, Malformed)
                log.warning("RTC Skipped a malformed frame (%s): %.80s", message.reason, message.text)

    def _on_reply(self, reply: ControlReply) -> bool:
        kind = reply.kind
        with self.core.lock:
            self.send(self.core.session(self.environment).on_reply(reply))
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


class AsyncKisWebsocketClient:
    """Realtime events over KIS's WebSocket, for :class:`~pykis.AsyncPyKis` (``kis.websocket``).

    ``on`` registers a callback (plain or ``async def``); ``stream`` yields what the callback gets as ``e``::

        async for e in kis.websocket.stream("H0STCNT0", "000660"):
            print(e.response.price)
    """

    def __init__(self, kis: AsyncPyKis, options: RealtimeOptions | None = None) -> None:
        self._kis = kis
        self._core = RealtimeCore(kis, options)
        self._sessions: dict[Environment, _Session] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._queue: asyncio.Queue[Any] | None = None
        self._dispatcher: asyncio.Task[None] | None = None
        self._closed = False
        self._warned_full = 0.0

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
        callback: Callable[[AsyncKisWebsocketClient, KisSubscriptionEventArgs[Any]], object],
        *,
        where: Callable[[Any], bool] | None = None,
    ) -> KisEventTicket:
        """Call ``callback(client, e)`` (awaiting it if it returns an awaitable) for every event of
        (``tr_id``, ``key``) that ``where`` keeps. Call it on the event loop's thread.

        Raises :class:`~pykis.realtime.KisSubscriptionLimitError` (nothing sent) past the registration limit.
        """
        if self._closed:
            raise RuntimeError("the realtime client is closed")
        self._start()
        with self._core.lock:
            handler, commands = self._core.register(tr_id, key, callback, where)
            self._session(handler.environment).send(commands)
        return KisEventTicket(self, handler.id, handler.tr)

    def stream(
        self, tr_id: str, key: str, *, where: Callable[[Any], bool] | None = None
    ) -> AsyncIterator[KisSubscriptionEventArgs[Any]]:
        """The events of (``tr_id``, ``key``) as an async iterator of what a callback gets as ``e``
        (:class:`KisSubscriptionEventArgs`, the typed event in ``e.response``); registered now, released when the
        iteration ends (``break``, an exception, or ``aclose()``)."""
        assert self._loop is None or self._loop is asyncio.get_running_loop()
        events: asyncio.Queue[Any] = asyncio.Queue(self._core.options.queue_size)

        def push(_sender: AsyncKisWebsocketClient, e: KisSubscriptionEventArgs[Any]) -> None:
            try:
                events.put_nowait(e)
            except asyncio.QueueFull:
                self._core.dropped += 1

        ticket = self.on(tr_id, key, push, where=where)
        return self._drain(events, ticket)

    @staticmethod
    async def _drain(events: asyncio.Queue[Any], ticket: KisEventTicket) -> AsyncIterator[Any]:
        try:
            while True:
                yield await events.get()
        finally:
            ticket.unsubscribe()

    def on_reconnect(self, callback: Callable[[AsyncKisWebsocketClient, KisReconnectEvent], object]) -> KisEventTicket:
        """Call ``callback(client, event)`` after every reconnection (registrations already re-sent)."""
        self._start()
        ticket = self._core.add_reconnect_handler(callback)
        return KisEventTicket(self, ticket, KisWebsocketTR("RECONNECT", "*"))

    def _start(self) -> None:
        loop = asyncio.get_running_loop()
        if self._loop is None:
            self._loop = loop
            self._queue = asyncio.Queue(self._core.options.queue_size)
            self._dispatcher = loop.create_task(self._dispatch(), name="pykis-ws-dispatch")
        elif self._loop is not loop:
            raise RuntimeError("AsyncKisWebsocketClient is bound to another event loop")

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
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        loop.call_soon_threadsafe(self._release, ticket)

    # -- dispatching ----------------------------------------------------------------------------------

    def _enqueue(self, item: Any) -> None:
        assert self._queue is not None
        try:
            self._queue.put_nowait(item)
        except asyncio.QueueFull:
            self._core.dropped += 1
            now = time.monotonic()
            if now - self._warned_full > 5.0:
                self._warned_full = now
                log.warning("RTC Callbacks are falling behind; %d frames dropped so far", self._core.dropped)

    async def _dispatch(self) -> None:
        assert self._queue is not None
        core = self._core
        while True:
            item = await self._queue.get()
            if len(item) == 3:
                await self._deliver(*item)
            else:
                for callback in list(core.reconnect_handlers.values()):
                    try:
                        result = callback(self, item[1])
                        if inspect.isawaitable(result):
                            await result
                    except Exception:
                        log.exception("RTC Reconnect callback raised")

    async def _deliver(self, frame: DataFrame, cipher: Cipher | None, day: date) -> None:
        core = self._core
        try:
            events = decode_frame(frame, cipher, day)
        except KisRealtimeDecodeError as exc:
            log.warning("RTC Skipped a %s frame: %s", frame.tr_id, exc.reason)
            return
        tr_id = frame.tr_id
        for event in events:
            for handler in core.route(tr_id, event):
                if handler.where is not None and not core.accepts(handler, event):
                    continue
                try:
                    result = handler.callback(self, KisSubscriptionEventArgs(handler.tr, event))
                    if result is not None and inspect.isawaitable(result):
                        await result
                except Exception as exc:  # noqa: BLE001 - user code may raise anything: logged there
                    core.callback_raised(handler, exc)

    # -- lifecycle ------------------------------------------------------------------------------------

    async def close(self) -> None:
        """Close the connections and stop the tasks. Tickets become inert."""
        if self._closed:
            return
        self._closed = True
        tasks = [session.task for session in self._sessions.values()]
        if self._dispatcher is not None:
            tasks.append(self._dispatcher)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._core.summarize_all()

    aclose = close

    async def __aenter__(self) -> AsyncKisWebsocketClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def __repr__(self) -> str:
        return f"AsyncKisWebsocketClient(subscriptions={len(self.subscriptions)}, connected={self.connected})"
