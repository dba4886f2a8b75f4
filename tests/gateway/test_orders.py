"""Orders through a gateway: sent once, a lost answer settled from the day's orders, a gateway restart survived."""

from __future__ import annotations

import threading
from typing import Any

from pykis import PyKis
from pykis.emulator import Emulator
from pykis.gateway import NatsOptions
from tests.gateway.conftest import GatewayThread, NatsServer
from tests.gateway.test_realtime import wait_for
from tests.integration.test_trading import KST_ORDER_PATH, resting_price


def orders(emulator: Emulator) -> list[Any]:
    return list(emulator.server.engine.orders(emulator.real.auth.account))


def test_an_order_is_sent_once(gateway: GatewayThread, nats_server: NatsServer, emulator: Emulator) -> None:
    with PyKis(gateway=nats_server.url) as kis:
        order = kis.account().buy("005930", resting_price(emulator, "005930"), 1)
    placed = orders(emulator)
    assert len(placed) == 1
    assert order.number.lstrip("0") == placed[0].order_no.lstrip("0")


def test_a_lost_answer_is_settled_not_resent(
    gateway: GatewayThread, nats_server: NatsServer, emulator: Emulator
) -> None:
    emulator.faults.drop_rest(count=1, env="real", path=KST_ORDER_PATH)  # placed upstream, the reply lost
    with PyKis(gateway=nats_server.url) as kis:
        order = kis.account().buy("005930", resting_price(emulator, "005930"), 1)
    placed = orders(emulator)
    assert len(placed) == 1
    assert order.number.lstrip("0") == placed[0].order_no.lstrip("0")


def test_a_client_outlives_a_gateway_restart(emulator: Emulator, nats_server: NatsServer, tmp_path: Any) -> None:
    first = GatewayThread([emulator.real.auth], nats_server.url, state_dir=tmp_path)
    events = 0
    arrived = threading.Event()

    def on_price(_sender: Any, _e: Any) -> None:
        nonlocal events
        events += 1
        arrived.set()

    with PyKis(gateway=NatsOptions(servers=nats_server.url, request_timeout=20)) as kis:
        ticket = kis.websocket.on("H0STCNT0", "005930", on_price)
        assert arrived.wait(20)
        kis.account().buy("005930", resting_price(emulator, "005930"), 1)
        first.close()
        second = GatewayThread([emulator.real.auth], nats_server.url, state_dir=tmp_path)
        try:
            kis.account().buy("005930", resting_price(emulator, "005930"), 2)
            seen = events
            wait_for(lambda: events >= seen + 3)  # the new gateway took the share again
            status = second.call(second.gateway.status)
            assert status["consumers"] == {"H0STCNT0.005930": 1}
            ticket.unsubscribe()
        finally:
            second.close()
    assert sorted(order.qty for order in orders(emulator)) == [1, 2]
