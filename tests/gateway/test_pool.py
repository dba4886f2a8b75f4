"""Pooled keys: inquiries spread over every key, subscriptions over every key's connection (N × 41)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from pykis import KisAuth, PyKis
from pykis.emulator import Emulator
from pykis.emulator.gateway import AppCredential
from tests.gateway.conftest import GatewayThread, NatsServer
from tests.gateway.test_realtime import upstream, wait_for


def second_key(emulator: Emulator) -> KisAuth:
    app = AppCredential("real", "PG" + "7" * 34, "8" * 180, "pooled", "67000077-01")
    emulator.gateway.register(app)
    emulator.server.engine.open_account(app.account, cash={"KRW": 10**8})
    return app.auth(emulator.real.rest_url, emulator.real.ws_url)


@pytest.fixture
def pool(emulator: Emulator, nats_server: NatsServer) -> Iterator[GatewayThread]:
    running = GatewayThread([emulator.real.auth, second_key(emulator)], nats_server.url)
    yield running
    running.close()


def test_sixty_subscriptions_over_two_pooled_keys_all_deliver(
    pool: GatewayThread, nats_server: NatsServer, emulator: Emulator
) -> None:
    symbols = [i.symbol for i in emulator.market.instruments() if i.market in ("KOSPI", "KOSDAQ")][:60]
    seen: set[str] = set()
    lock = threading.Lock()

    def on_price(_sender: Any, e: Any) -> None:
        with lock:
            seen.add(e.response.symbol)

    with PyKis(gateway=nats_server.url) as kis:
        tickets = [kis.websocket.on("H0STCNT0", symbol, on_price) for symbol in symbols]
        wait_for(lambda: len(seen) == 60, timeout=60)
        status = pool.call(pool.gateway.status)
        assert sorted(status["subscriptions"].values()) == [30, 30]
        assert all(upstream(emulator, "H0STCNT0", symbol) == 1 for symbol in symbols[:5])
        for ticket in tickets:
            ticket.unsubscribe()


def test_inquiries_spread_and_orders_use_the_accounts_key(
    pool: GatewayThread, nats_server: NatsServer, emulator: Emulator
) -> None:
    from tests.integration.test_trading import resting_price

    with PyKis(gateway=nats_server.url) as kis:
        stock = kis.stock("005930")
        for _ in range(10):
            stock.quote()
        served = pool.call(lambda: [key.served for key in pool.gateway.keys])
        assert all(count >= 3 for count in served), served
        pooled = pool.gateway.keys[1].auth.account
        kis.account(pooled).buy("005930", resting_price(emulator, "005930"), 1)
    assert [order.account for order in emulator.server.engine.orders()] == [pooled]


def test_a_virtual_key_takes_the_trading_and_the_real_key_the_quotes(
    emulator: Emulator, nats_server: NatsServer
) -> None:
    from tests.integration.test_trading import resting_price

    gateway = GatewayThread([emulator.real.auth, emulator.virtual.auth], nats_server.url)
    try:
        with PyKis(gateway=nats_server.url) as kis:
            assert kis.virtual
            assert kis.primary_account == emulator.virtual.auth.account_number
            kis.stock("005930").quote()
            kis.account().buy("005930", resting_price(emulator, "005930"), 1)
        served = gateway.call(lambda: {key.label: key.served for key in gateway.gateway.keys})
        assert served[f"real:{emulator.real.auth.account}"] >= 1
        assert served[f"virtual:{emulator.virtual.auth.account}"] >= 1
        assert [order.account for order in emulator.server.engine.orders()] == [emulator.virtual.auth.account]
    finally:
        gateway.close()
