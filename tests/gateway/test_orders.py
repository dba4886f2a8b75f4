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


def test_a_repeated_request_is_never_sent_again(
    gateway: GatewayThread, nats_server: NatsServer, emulator: Emulator
) -> None:
    """The gateway's send-once journal: the same request id twice (a client's resend) places one order."""
    from pykis.gateway.wire import decode_answer, encode_call

    with PyKis(gateway=nats_server.url) as kis:
        price = resting_price(emulator, "005930")
        calls: list[Any] = []

        def capture(call: Any) -> Any:
            calls.append(call)
            return original(call)

        assert kis._gateway is not None
        original = kis._gateway.request
        kis._gateway.request = capture  # type: ignore[method-assign]
        kis.account().buy("005930", price, 1)
        order_call = next(call for call in calls if call.path == KST_ORDER_PATH)
        payload = encode_call(order_call, "resend-1")
        link = kis._gateway
        answers = [link.run(link._ask(link.subjects.rest, payload, 10)) for _ in range(2)]
    assert answers[0] == answers[1]
    assert decode_answer(answers[0]).output()["ODNO"]
    assert len(orders(emulator)) == 2  # the buy itself, and one for the request id sent twice


def test_a_nats_restart_is_survived(gateway: GatewayThread, nats_server: NatsServer, emulator: Emulator) -> None:
    events = 0

    def on_price(_sender: Any, _e: Any) -> None:
        nonlocal events
        events += 1

    with PyKis(gateway=NatsOptions(servers=nats_server.url, request_timeout=20)) as kis:
        ticket = kis.websocket.on("H0STCNT0", "005930", on_price)
        wait_for(lambda: events >= 2)
        nats_server.stop()
        nats_server.start()
        assert kis.stock("005930").quote().symbol == "005930"
        seen = events
        wait_for(lambda: events >= seen + 3)
        ticket.unsubscribe()


def test_execution_notices_of_the_account_arrive_through_the_gateway(
    gateway: GatewayThread, nats_server: NatsServer
) -> None:
    """The notice TR is registered on the account's key (its HTS ID); records travel decrypted, typed on arrival."""
    notices: list[Any] = []

    with PyKis(gateway=nats_server.url) as kis:
        ticket = kis.account().on("execution", lambda _sender, e: notices.append(e.response))
        hynix = kis.stock("000660")
        ask = hynix.orderbook().ask
        assert ask is not None
        order = hynix.buy(price=ask.price, qty=1)
        wait_for(lambda: any(n.order_number == order.number and n.kind == "fill" for n in notices))
        fill = next(n for n in notices if n.order_number == order.number and n.kind == "fill")
        assert (fill.symbol, fill.side, fill.filled_qty, fill.filled_price) == ("000660", "buy", 1, ask.price)
        status = gateway.call(gateway.gateway.status)
        assert status["consumers"] == {f"H0STCNI0.{kis.trading_auth.id}": 1}
        ticket.unsubscribe()


def test_a_reply_lost_between_gateway_and_client_is_recovered_from_its_journal(
    gateway: GatewayThread, nats_server: NatsServer, emulator: Emulator
) -> None:
    """The client stops waiting before the gateway has the answer; it asks the gateway's journal (which never
    sends) and gets the very answer, with no day's-orders lookup."""
    with PyKis(gateway=NatsOptions(servers=nats_server.url, request_timeout=1.0)) as kis:
        price = resting_price(emulator, "005930")
        kis.stock("005930")
        emulator.faults.delay_rest(1.5, env="real", path=KST_ORDER_PATH)
        order = kis.account().buy("005930", price, 1, precheck=False)
    placed = orders(emulator)
    assert len(placed) == 1
    assert order.number.lstrip("0") == placed[0].order_no.lstrip("0")
    assert gateway.call(gateway.gateway.status)["recovered"] == 1
