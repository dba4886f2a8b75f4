"""The blocking realtime client against the emulator, over real sockets."""

from __future__ import annotations

import gc
import logging
import random
import threading
import time
from collections import defaultdict
from typing import Any

import pytest

from pykis.client import PyKis
from pykis.emulator import Emulator
from pykis.emulator.engine import Engine
from pykis.emulator.realtime import RealtimePublisher
from pykis.models.realtime import (
    KisDomesticRealtimeExecution,
    KisDomesticRealtimeOrderbook,
    KisDomesticRealtimePrice,
    KisForeignRealtimeOrderbook,
    KisForeignRealtimePrice,
)
from pykis.protocol.env import Environment
from pykis.protocol.websocket import Heartbeat, KisWebsocketTR, execution_tr, orderbook_tr, price_tr
from pykis.realtime import (
    KisReconnectEvent,
    KisSubscriptionEventArgs,
    KisSubscriptionLimitError,
    KisWebsocketClient,
    RealtimeOptions,
    order_filter,
)
from tests.realtime.conftest import FAST, on_loop, server_connections, server_subscriptions, wait_for


class Recorder:
    """Collects events per registration, thread-safely."""

    def __init__(self) -> None:
        self.events: dict[KisWebsocketTR, list[Any]] = defaultdict(list)
        self.lock = threading.Lock()

    def __call__(self, sender: KisWebsocketClient, e: KisSubscriptionEventArgs[Any]) -> None:
        with self.lock:
            self.events[e.tr].append(e.response)

    def count(self, tr: KisWebsocketTR) -> int:
        with self.lock:
            return len(self.events[tr])

    def all(self) -> int:
        with self.lock:
            return sum(len(v) for v in self.events.values())


def test_domestic_and_us_prices_and_orderbooks(
    kis: PyKis, emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="pykis")
    recorder = Recorder()
    trs = [
        price_tr("KRX", "000660"),
        orderbook_tr("KRX", "000660"),
        price_tr("NXT", "005930"),
        price_tr("UN", "005930"),
        orderbook_tr("UN", "005930"),
        price_tr("NAS", "AAPL"),
        orderbook_tr("NAS", "AAPL"),
        price_tr("NAS", "AAPL", daytime=True),
    ]
    tickets = [kis.websocket.on(tr.id, tr.key, recorder) for tr in trs]
    assert kis.websocket.subscriptions == set(trs)
    wait_for(lambda: all(recorder.count(tr) >= 2 for tr in trs))
    assert kis.websocket.confirmed == set(trs)
    assert server_subscriptions(emulator) == sorted((tr.id, tr.key) for tr in trs)

    krx = recorder.events[trs[0]][0]
    assert isinstance(krx, KisDomesticRealtimePrice)
    assert (krx.market, krx.symbol, krx.width) == ("KRX", "000660", 47)
    assert krx.price > 0 and krx.volume > 0 and krx.time is not None
    book = recorder.events[trs[1]][0]
    assert isinstance(book, KisDomesticRealtimeOrderbook)
    assert len(book.asks) == 10 and book.asks[0].price > book.bids[0].price
    assert recorder.events[trs[2]][0].market == "NXT"
    assert recorder.events[trs[3]][0].market == "UN"
    us = recorder.events[trs[5]][0]
    assert isinstance(us, KisForeignRealtimePrice)
    assert (us.market, us.symbol, us.exchange, us.daytime) == ("NASDAQ", "AAPL", "NAS", False)
    assert us.time is not None and str(us.time.tzinfo) == "America/New_York"
    us_book = recorder.events[trs[6]][0]
    assert isinstance(us_book, KisForeignRealtimeOrderbook)
    assert us_book.symbol == "AAPL" and us_book.bid is not None
    daytime = recorder.events[trs[7]][0]
    assert isinstance(daytime, KisForeignRealtimePrice)
    assert daytime.daytime and daytime.exchange == "BAQ"

    messages = [record.getMessage() for record in caplog.records]
    assert "RTC Connected to real server" in messages
    assert any(m.startswith("RTC Restoring subscriptions... ") for m in messages)
    assert "RTC Subscribed to H0STCNT0.000660" in messages

    for ticket in tickets:
        ticket.unsubscribe()
    wait_for(lambda: not server_subscriptions(emulator))
    assert kis.websocket.subscriptions == set()
    # The server drops the registration before its reply reaches the client, which logs on the reply.
    wait_for(lambda: "RTC Unsubscribed from H0STCNT0.000660" in [r.getMessage() for r in caplog.records])


def test_multi_record_frames_under_load(kis: PyKis, publisher: RealtimePublisher) -> None:
    frames: list[int] = []
    publisher.hooks.append(lambda env, tr_id, key, records: frames.append(len(records)))
    recorder = Recorder()
    tr = price_tr("KRX", "005930")
    ticket = kis.websocket.on(tr.id, tr.key, recorder)
    wait_for(lambda: recorder.count(tr) >= 1)
    publisher.rate = 3000.0  # ~60 records per 20 ms round: bundled, at most max_bundle per frame
    wait_for(lambda: any(count > 1 for count in frames))
    sent_before = sum(frames)
    wait_for(lambda: recorder.count(tr) >= sent_before)
    assert max(frames) <= publisher.max_bundle
    ticket.unsubscribe()


def test_execution_notices_ack_and_fill(kis: PyKis, emulator: Emulator, engine: Engine) -> None:
    recorder = Recorder()
    tr = execution_tr(Environment.REAL, kis.trading_auth.id)
    assert tr.id == "H0STCNI0"
    ticket = kis.websocket.on(tr.id, tr.key, recorder)
    wait_for(lambda: tr in kis.websocket.confirmed)
    account = emulator.real.app.account
    order = on_loop(emulator, lambda: engine.place(account, "005930", "buy", 10, 0, "01"))
    wait_for(lambda: any(e.is_fill for e in list(recorder.events[tr])))
    notices = [e for e in recorder.events[tr] if e.order_number == order.order_no]
    assert all(isinstance(e, KisDomesticRealtimeExecution) for e in notices)
    ack = next(e for e in notices if e.is_ack)
    fill = next(e for e in notices if e.is_fill)
    assert (ack.symbol, ack.side, ack.qty, ack.filled_qty) == ("005930", "buy", 10, 0)
    assert (fill.filled_qty, fill.rejected, fill.name) == (10, False, "삼성전자")
    assert fill.filled_price is not None and fill.filled_price > 0
    assert fill.time is not None

    # A filter by order: a resting limit order far below the market is acknowledged, never filled.
    mine = Recorder()
    floor = emulator.market.quote("000660").lower_limit  # a limit order at the lower limit rests
    resting = on_loop(emulator, lambda: engine.place(account, "000660", "buy", 1, floor, "00"))
    filtered = kis.websocket.on(tr.id, tr.key, mine, where=order_filter(resting.order_no))
    on_loop(emulator, lambda: engine.cancel(account, resting.order_no))
    wait_for(lambda: mine.count(tr) >= 1)
    assert all(resting.order_no.lstrip("0") in (e.order_number.lstrip("0"), (e.original_order_number or "").lstrip("0"))
               for e in mine.events[tr])  # fmt: skip
    assert not any(e.is_fill for e in mine.events[tr])
    filtered.unsubscribe()
    ticket.unsubscribe()


def test_virtual_account_notices(emulator: Emulator, engine: Engine, publisher: RealtimePublisher) -> None:
    kis = PyKis(emulator.virtual.auth, keep_token=False)
    kis.websocket.options = FAST
    try:
        recorder = Recorder()
        tr = execution_tr(Environment.VIRTUAL, kis.trading_auth.id)
        assert tr.id == "H0STCNI9"
        ticket = kis.websocket.on(tr.id, tr.key, recorder)
        wait_for(lambda: tr in kis.websocket.confirmed)
        account = emulator.virtual.app.account
        on_loop(emulator, lambda: engine.place(account, "005930", "buy", 1, 0, "01"))
        wait_for(lambda: any(e.is_fill for e in list(recorder.events[tr])))
        assert server_subscriptions(emulator, "virtual") == [(tr.id, tr.key)]
        ticket.unsubscribe()
    finally:
        kis.close()


def test_twenty_drops_restore_every_subscription_once(
    kis: PyKis, emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="pykis")
    recorder = Recorder()
    trs = [price_tr("KRX", "000660"), orderbook_tr("KRX", "000660"), price_tr("NAS", "AAPL")]
    notices = execution_tr(Environment.REAL, kis.trading_auth.id)
    tickets = [kis.websocket.on(tr.id, tr.key, recorder) for tr in [*trs, notices]]
    tickets.append(kis.websocket.on(trs[0].id, trs[0].key, recorder))  # a second ticket on one registration
    reconnects: list[KisReconnectEvent] = []
    watch = kis.websocket.on_reconnect(lambda sender, event: reconnects.append(event))
    expected = sorted((tr.id, tr.key) for tr in [*trs, notices])
    wait_for(lambda: server_subscriptions(emulator) == expected)
    rng = random.Random(6)
    for drop in range(20):
        time.sleep(rng.uniform(0.0, 0.12))  # any moment: mid-stream, mid-restore, mid-handshake
        emulator.faults.drop_websockets("real")
        if drop % 4 == 3:
            wait_for(lambda: server_subscriptions(emulator) == expected)
    restored = set(expected_trs(expected))
    wait_for(lambda: server_subscriptions(emulator) == expected and kis.websocket.confirmed == restored)
    assert server_connections(emulator) == 1
    before = recorder.all()
    wait_for(lambda: all(recorder.count(tr) > 0 for tr in trs) and recorder.all() > before + 10)
    assert reconnects and all(set(event.restored) == set(expected_trs(expected)) for event in reconnects)
    assert not any("Already subscribed" in r.getMessage() for r in caplog.records)  # never registered twice
    for ticket in [*tickets, watch]:
        ticket.unsubscribe()


def expected_trs(pairs: list[tuple[str, str]]) -> list[KisWebsocketTR]:
    return [KisWebsocketTR(tr_id, key) for tr_id, key in pairs]


def test_missing_heartbeat_reconnects(emulator: Emulator, publisher: RealtimePublisher) -> None:
    kis = PyKis(emulator.real.auth, keep_token=False)
    kis.websocket.options = RealtimeOptions(reconnect=FAST.reconnect, heartbeat=Heartbeat(0.8), close_timeout=0.2)
    reconnects: list[KisReconnectEvent] = []
    try:
        watch = kis.websocket.on_reconnect(lambda sender, event: reconnects.append(event))
        tr = execution_tr(Environment.REAL, kis.trading_auth.id)  # no data flows: only PINGPONG keeps it alive
        ticket = kis.websocket.on(tr.id, tr.key, lambda sender, e: None)
        wait_for(lambda: tr in kis.websocket.confirmed)
        time.sleep(1.6)  # PINGPONG every 0.2 s keeps a 0.8 s bound satisfied
        assert reconnects == []
        emulator.faults.stop_heartbeats()
        wait_for(lambda: len(reconnects) >= 1, timeout=5)
        assert "PINGPONG" in reconnects[0].reason
        assert reconnects[0].restored == (tr,)
        emulator.faults.resume_heartbeats()
        wait_for(lambda: tr in kis.websocket.confirmed)
        ticket.unsubscribe()
        watch.unsubscribe()
    finally:
        emulator.faults.resume_heartbeats()
        kis.close()


def test_dropped_ticket_unsubscribes_with_a_warning(kis: PyKis, emulator: Emulator) -> None:
    tr = price_tr("KRX", "035720")
    kept = [kis.websocket.on(tr.id, tr.key, lambda sender, e: None)]
    dropped = [kis.websocket.on(tr.id, tr.key, lambda sender, e: None)]
    wait_for(lambda: server_subscriptions(emulator) == [(tr.id, tr.key)])
    with pytest.warns(ResourceWarning, match="garbage-collected"):
        dropped.clear()  # the last reference: the ticket is collected at once
    time.sleep(0.3)
    assert server_subscriptions(emulator) == [(tr.id, tr.key)]  # the other ticket still holds it
    with pytest.warns(ResourceWarning):
        kept.clear()
    gc.collect()
    wait_for(lambda: server_subscriptions(emulator) == [])
    assert kis.websocket.subscriptions == set()


def test_subscribing_past_41_raises_before_sending(kis: PyKis, emulator: Emulator) -> None:
    tickets = [kis.websocket.on("H0STCNT0", f"9{i:05d}", lambda sender, e: None) for i in range(41)]
    wait_for(lambda: len(server_subscriptions(emulator)) == 41)
    with pytest.raises(KisSubscriptionLimitError, match="41"):
        kis.websocket.on("H0STCNT0", "999999", lambda sender, e: None)
    tickets.append(kis.websocket.on("H0STCNT0", "900000", lambda sender, e: None))  # same key: shared, fine
    time.sleep(0.2)
    assert len(server_subscriptions(emulator)) == 41
    assert len(kis.websocket.subscriptions) == 41
    for ticket in tickets:
        ticket.unsubscribe()
    wait_for(lambda: server_subscriptions(emulator) == [])


def test_the_emulator_refuses_the_42nd_too(
    emulator: Emulator, publisher: RealtimePublisher, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="pykis")
    kis = PyKis(emulator.real.auth, keep_token=False)
    kis.websocket.options = RealtimeOptions(reconnect=FAST.reconnect, limit=50, close_timeout=0.2)
    try:
        tickets = [kis.websocket.on("H0STCNT0", f"8{i:05d}", lambda sender, e: None) for i in range(42)]
        wait_for(lambda: any("MAX SUBSCRIBE OVER" in r.getMessage() for r in caplog.records))
        assert len(server_subscriptions(emulator)) == 41
        assert len(kis.websocket.confirmed) == 41
        for ticket in tickets:
            ticket.unsubscribe()
    finally:
        kis.close()


def test_legacy_widths(kis: PyKis, publisher: RealtimePublisher) -> None:
    publisher.legacy_widths = True
    recorder = Recorder()
    price, book = price_tr("KRX", "000660"), orderbook_tr("KRX", "000660")
    tickets = [kis.websocket.on(tr.id, tr.key, recorder) for tr in (price, book)]
    wait_for(lambda: recorder.count(price) >= 2 and recorder.count(book) >= 2)
    event = recorder.events[price][-1]
    assert (event.width, event.session) == (46, None)
    assert event.price > 0
    assert (recorder.events[book][-1].width, recorder.events[book][-1].session) == (59, None)
    for ticket in tickets:
        ticket.unsubscribe()


def test_bad_callbacks_and_malformed_frames_do_not_kill_the_stream(
    kis: PyKis, emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    calls: list[int] = []

    def explode(sender: KisWebsocketClient, e: KisSubscriptionEventArgs[Any]) -> None:
        calls.append(1)
        raise RuntimeError("boom")

    tr = price_tr("KRX", "000660")
    ticket = kis.websocket.on(tr.id, tr.key, explode)
    wait_for(lambda: len(calls) >= 2)
    emulator.faults.send_malformed("garbage", "real")
    count = len(calls)
    wait_for(lambda: len(calls) > count + 3)
    messages = [r.getMessage() for r in caplog.records]
    assert any("raised; the stream goes on" in m for m in messages)
    assert any("malformed" in m.lower() for m in messages)
    ticket.unsubscribe()
    raised = [r for r in caplog.records if r.getMessage().startswith(f"RTC Callback of {ticket.tr}")]
    assert sum(r.exc_info is not None for r in raised) == 1  # one traceback, however many ticks
    summary = raised[-1].getMessage()  # the repeats, counted and summarized when the registration ends
    assert "RuntimeError: boom" in summary
    assert len(calls) - 1 <= int(summary.split(" in all")[0].rsplit(" ", 1)[1]) <= len(calls)


def test_a_slow_callback_never_stalls_the_reader(emulator: Emulator, publisher: RealtimePublisher) -> None:
    kis = PyKis(emulator.real.auth, keep_token=False)
    kis.websocket.options = RealtimeOptions(
        reconnect=FAST.reconnect, heartbeat=Heartbeat(0.8), queue_size=5, close_timeout=0.2
    )
    reconnects: list[KisReconnectEvent] = []
    try:
        watch = kis.websocket.on_reconnect(lambda sender, event: reconnects.append(event))
        tr = price_tr("KRX", "000660")
        ticket = kis.websocket.on(tr.id, tr.key, lambda sender, e: time.sleep(0.5))
        time.sleep(2.5)  # callbacks fall seconds behind; the reader keeps answering PINGPONG and dropping
        assert reconnects == []
        assert kis.websocket.dropped > 0
        ticket.unsubscribe()
        watch.unsubscribe()
    finally:
        kis.close()
