"""The asyncio realtime client against the emulator: streams, async callbacks, recovery, limits."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from pykis.client import AsyncPyKis
from pykis.emulator import Emulator
from pykis.emulator.engine import Engine
from pykis.emulator.realtime import RealtimePublisher
from pykis.models.realtime import KisDomesticRealtimeExecution, KisDomesticRealtimePrice, KisForeignRealtimePrice
from pykis.protocol.env import Environment
from pykis.protocol.websocket import execution_tr, orderbook_tr, price_tr
from pykis.realtime import (
    AsyncKisWebsocketClient,
    KisReconnectEvent,
    KisSubscriptionEventArgs,
    KisSubscriptionLimitError,
)
from tests.realtime.conftest import FAST, on_loop, server_connections, server_subscriptions


async def eventually(predicate: Callable[[], object], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(0.01)


@pytest.fixture
async def akis(emulator: Emulator, publisher: RealtimePublisher) -> AsyncIterator[AsyncPyKis]:
    client = AsyncPyKis(emulator.real.auth, keep_token=False)
    client.websocket.options = FAST
    yield client
    await client.close()
    await eventually(lambda: server_connections(emulator) == 0)


async def test_stream_yields_typed_events_and_releases_on_break(akis: AsyncPyKis, emulator: Emulator) -> None:
    tr = price_tr("KRX", "000660")
    received: list[KisDomesticRealtimePrice] = []
    async for e in akis.websocket.stream(tr.id, tr.key):
        assert isinstance(e, KisSubscriptionEventArgs) and isinstance(e.response, KisDomesticRealtimePrice)
        received.append(e.response)
        if len(received) == 3:
            break
    assert all(e.symbol == "000660" and e.price > 0 for e in received)
    await eventually(lambda: server_subscriptions(emulator) == [])
    assert akis.websocket.subscriptions == set()


async def test_async_callbacks_and_us_feed(akis: AsyncPyKis) -> None:
    got: list[Any] = []

    async def on_price(sender: AsyncKisWebsocketClient, e: KisSubscriptionEventArgs[KisForeignRealtimePrice]) -> None:
        await asyncio.sleep(0)
        got.append(e.response)

    tr = price_tr("NAS", "AAPL")
    book = orderbook_tr("NAS", "AAPL")
    tickets = [akis.websocket.on(tr.id, tr.key, on_price), akis.websocket.on(book.id, book.key, on_price)]
    await eventually(lambda: len(got) >= 4)
    prices = [e for e in got if isinstance(e, KisForeignRealtimePrice)]
    assert prices and prices[0].market == "NASDAQ"
    for ticket in tickets:
        ticket.unsubscribe()


async def test_order_ack_and_fill(akis: AsyncPyKis, emulator: Emulator, engine: Engine) -> None:
    tr = execution_tr(Environment.REAL, akis.trading_auth.id)
    notices: list[KisDomesticRealtimeExecution] = []
    ticket = akis.websocket.on(tr.id, tr.key, lambda sender, e: notices.append(e.response))
    await eventually(lambda: tr in akis.websocket.confirmed)
    account = emulator.real.app.account
    order = await asyncio.to_thread(on_loop, emulator, lambda: engine.place(account, "000660", "buy", 2, 0, "01"))
    await eventually(lambda: any(n.is_fill and n.order_number == order.order_no for n in notices))
    mine = [n for n in notices if n.order_number == order.order_no]
    assert mine[0].kind == "ack"
    assert sum(n.filled_qty for n in mine) == 2
    ticket.unsubscribe()


async def test_drops_and_reconnect_events(akis: AsyncPyKis, emulator: Emulator) -> None:
    trs = [price_tr("KRX", "000660"), orderbook_tr("KRX", "005930")]
    got: list[Any] = []
    reconnects: list[KisReconnectEvent] = []
    tickets = [akis.websocket.on(tr.id, tr.key, lambda sender, e: got.append(e.response)) for tr in trs]
    watch = akis.websocket.on_reconnect(lambda sender, event: reconnects.append(event))
    expected = sorted((tr.id, tr.key) for tr in trs)
    await eventually(lambda: server_subscriptions(emulator) == expected)
    for _ in range(5):
        emulator.faults.drop_websockets("real")
        await asyncio.sleep(0.05)
    await eventually(lambda: server_subscriptions(emulator) == expected and len(reconnects) >= 1)
    before = len(got)
    await eventually(lambda: len(got) > before + 5)
    assert server_connections(emulator) == 1
    for ticket in [*tickets, watch]:
        ticket.unsubscribe()


async def test_stream_past_the_limit_raises_at_once(akis: AsyncPyKis, emulator: Emulator) -> None:
    tickets = [akis.websocket.on("H0STCNT0", f"7{i:05d}", lambda sender, e: None) for i in range(41)]
    with pytest.raises(KisSubscriptionLimitError):
        akis.websocket.stream("H0STCNT0", "799999")
    await eventually(lambda: len(server_subscriptions(emulator)) == 41)
    for ticket in tickets:
        ticket.unsubscribe()
    await eventually(lambda: server_subscriptions(emulator) == [])
