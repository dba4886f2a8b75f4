"""The asyncio realtime client: one reader task (and one writer task) per environment, one dispatcher task.

The same rules as :mod:`pykis.drivers.websocket_blocking`, from the same flow
(:class:`~pykis.protocol.websocket.WebsocketSession`): the reader answers PINGPONG and follows control replies
at once and never waits on the callbacks (frames beyond ``queue_size`` are dropped and counted); callbacks may
be plain functions or coroutine functions; a callback that raises is logged and the stream goes on.
Call :meth:`AsyncKisWebsocketClient.on` from the event loop's thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

from pykis.drivers.websocket_client import SessionBase, WebsocketClientBase, lost
from pykis.drivers.websocket_handlers import KisEventTicket, KisSubscriptionEventArgs, RealtimeOptions
from pykis.protocol.websocket import Close, DataFrame, KisReconnectEvent, Lost, Open, Receive, SubscribeCommand, Write

if TYPE_CHECKING:
    from websockets.asyncio.client import ClientConnection

    from pykis.client import AsyncPyKis
    from pykis.protocol.env import Environment

__all__ = ["AsyncKisWebsocketClient"]

log = logging.getLogger("pykis")


class _Session(SessionBase["AsyncKisWebsocketClient", "ClientConnection"]):
    """One environment's connection, kept alive by its task."""

    def __init__(self, client: AsyncKisWebsocketClient, environment: Environment) -> None:
        super().__init__(client, environment)
        self.generation = 0
        self.writer: asyncio.Task[None] | None = None
        self.outbox: asyncio.Queue[tuple[int, str]] = asyncio.Queue()
        self.task = asyncio.get_running_loop().create_task(self._run(), name=f"pykis-ws-{environment.value}")

    def send(self, commands: list[SubscribeCommand]) -> None:
        """Queue messages for the current connection (dropped if it ends first: a reconnect re-sends)."""
        if self.conn is None:
            return
        for text in self.machine.messages(commands):
            self.outbox.put_nowait((self.generation, text))

    async def _writer(self, conn: ClientConnection, generation: int) -> None:
        while True:
            stamp, text = await self.outbox.get()
            if stamp == generation:
                await conn.send(text)

    async def _run(self) -> None:
        result: object = None
        try:
            while (action := self.client._advance(self.flow, result)) is not None:
                result = None
                if isinstance(action, Receive):
                    result = await self._receive(action.timeout)
                elif isinstance(action, Write):
                    result = await self._write(action.text)
                elif isinstance(action, Open):
                    result = await self._open(action.renew)
                elif isinstance(action, Close):
                    await self._close()
                else:
                    await asyncio.sleep(action.seconds)
        finally:
            await self._close()

    async def _open(self, renew: bool) -> str | Lost:
        # websockets loads with the first subscription, not with the client.
        from websockets.asyncio.client import connect  # noqa: PLC0415 — lazy: cold start of a REST-only client

        try:
            approval: str = await self.client._kis.approval_key(self.environment, renew=renew)
            url, options = self.client._connect_options(self.environment)
            conn = await connect(url, **options)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 — every failure to connect is retried with backoff
            return Lost(repr(exc))
        self.generation += 1
        self.conn = conn
        self.writer = asyncio.get_running_loop().create_task(self._writer(conn, self.generation))
        return approval

    async def _receive(self, timeout: float) -> str | Lost | None:
        assert self.conn is not None and self.writer is not None
        if self.writer.done():
            return Lost("send failed")
        try:
            async with asyncio.timeout(timeout):
                data = await self.conn.recv()
        except TimeoutError:
            return None
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 — any socket failure ends this connection
            return lost(exc)
        return data if isinstance(data, str) else data.decode("utf-8", "replace")

    async def _write(self, text: str) -> Lost | None:
        assert self.conn is not None
        try:
            await self.conn.send(text)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 — the flow ends this connection
            return lost(exc)
        return None

    async def _close(self) -> None:
        conn, writer = self.conn, self.writer
        self.conn = self.writer = None
        if writer is not None:
            writer.cancel()
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await writer
        if conn is not None:
            with contextlib.suppress(Exception):
                await asyncio.shield(conn.close())


class AsyncKisWebsocketClient(WebsocketClientBase):
    """Realtime events over KIS's WebSocket, for :class:`~pykis.AsyncPyKis` (``kis.websocket``).

    ``on`` registers a callback (plain or ``async def``); ``stream`` yields what the callback gets as ``e``::

        async for e in kis.websocket.stream("H0STCNT0", "000660"):
            print(e.response.price)
    """

    _full = (asyncio.QueueFull,)

    def __init__(self, kis: AsyncPyKis, options: RealtimeOptions | None = None) -> None:
        super().__init__(kis, options)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._dispatcher: asyncio.Task[None] | None = None

    def _prepare(self) -> None:
        self._start()

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
        return self._register_reconnect(callback)

    def _start(self) -> None:
        loop = asyncio.get_running_loop()
        if self._loop is None:
            self._loop = loop
            self._queue = asyncio.Queue(self._core.options.queue_size)
            self._dispatcher = loop.create_task(self._dispatch(), name="pykis-ws-dispatch")
        elif self._loop is not loop:
            raise RuntimeError("AsyncKisWebsocketClient is bound to another event loop")

    def _open_session(self, environment: Environment) -> _Session:
        return _Session(self, environment)

    def _release_soon(self, ticket: int) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        loop.call_soon_threadsafe(self._release, ticket)

    # -- dispatching ----------------------------------------------------------------------------------

    async def _dispatch(self) -> None:
        while True:
            item = await self._queue.get()
            if len(item) == 3:
                await self._deliver(*item)
                continue
            for callback in self._reconnect_calls():
                try:
                    await _settle(callback(self, item[1]))
                except Exception:
                    log.exception("RTC Reconnect callback raised")

    async def _deliver(self, frame: DataFrame, cipher: Any, day: Any) -> None:
        for handler, e in self._calls(frame, cipher, day):
            try:
                await _settle(handler.callback(self, e))
            except Exception as exc:  # noqa: BLE001 - user code may raise anything: logged there
                self._core.callback_raised(handler, exc)

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


async def _settle(result: object) -> None:
    """Await what a callback returned when it is awaitable (an ``async def`` callback)."""
    if result is not None and inspect.isawaitable(result):
        await result
