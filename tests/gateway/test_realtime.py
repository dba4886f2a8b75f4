"""Realtime through a gateway: one upstream registration fanned out to consumer processes over NATS."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pykis import AsyncPyKis, PyKis
from pykis.emulator import Emulator
from tests.gateway.conftest import GatewayThread, NatsServer


def wait_for(predicate: Callable[[], object], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(0.02)


def upstream(emulator: Emulator, tr_id: str, key: str) -> int:
    """How many emulator WebSocket connections hold (tr_id, key)."""
    loop: asyncio.AbstractEventLoop = emulator._loop  # type: ignore[assignment]

    async def count() -> int:
        return len(emulator.hub("real").subscribers(tr_id, key))

    return asyncio.run_coroutine_threadsafe(count(), loop).result(timeout=10)


def _consumer(url: str, cache: str, ready: Any, stop: Any) -> None:
    os.environ["PYKIS_CACHE_DIR"] = cache
    received: list[Any] = []
    got = threading.Event()

    def on_price(_sender: Any, e: Any) -> None:
        received.append(e.response)
        if len(received) >= 3:
            got.set()

    with PyKis(gateway=url) as kis:
        ticket = kis.websocket.on("H0STCNT0", "005930", on_price)
        if got.wait(60) and all(event.symbol == "005930" for event in received):
            ready.put("ok")
        else:
            ready.put(f"only {len(received)} events")
        stop.wait(60)
        ticket.unsubscribe()


def test_three_processes_share_one_upstream_registration(
    gateway: GatewayThread, nats_server: NatsServer, emulator: Emulator, tmp_path: Path
) -> None:
    context = multiprocessing.get_context("spawn")
    ready: multiprocessing.Queue = context.Queue()  # type: ignore[type-arg]
    stop = context.Event()
    processes = [
        context.Process(target=_consumer, args=(nats_server.url, str(tmp_path / f"c{i}"), ready, stop))
        for i in range(3)
    ]
    for process in processes:
        process.start()
    try:
        assert [ready.get(timeout=90) for _ in processes] == ["ok"] * 3
        assert upstream(emulator, "H0STCNT0", "005930") == 1
        status = gateway.call(gateway.gateway.status)
        assert status["consumers"] == {"H0STCNT0.005930": 3}
    finally:
        stop.set()
        for process in processes:
            process.join(timeout=30)
    assert all(process.exitcode == 0 for process in processes)
    wait_for(lambda: upstream(emulator, "H0STCNT0", "005930") == 0)  # the last share released it


async def test_asyncio_consumers_stream_through_the_gateway(
    gateway: GatewayThread, nats_server: NatsServer, emulator: Emulator
) -> None:
    async with AsyncPyKis(gateway=nats_server.url) as kis:
        events = []
        async for event in kis.websocket.stream("H0STCNT0", "000660"):
            events.append(event)
            if len(events) == 2:
                break
        assert {event.response.symbol for event in events} == {"000660"}


def _silent_consumer(url: str, cache: str, ready: Any) -> None:
    os.environ["PYKIS_CACHE_DIR"] = cache
    got = threading.Event()
    kis = PyKis(gateway=url)
    ticket = kis.websocket.on("H0STCNT0", "005930", lambda _s, _e: got.set())
    ready.put(got.wait(30))
    time.sleep(60)  # killed before it would say goodbye
    ticket.unsubscribe()


def test_a_killed_consumer_loses_its_share_after_the_lease(
    emulator: Emulator, nats_server: NatsServer, tmp_path: Path
) -> None:
    gateway = GatewayThread([emulator.real.auth], nats_server.url, lease=1.0)
    try:
        context = multiprocessing.get_context("spawn")
        ready: multiprocessing.Queue = context.Queue()  # type: ignore[type-arg]
        process = context.Process(target=_silent_consumer, args=(nats_server.url, str(tmp_path), ready))
        process.start()
        assert ready.get(timeout=60) is True
        assert upstream(emulator, "H0STCNT0", "005930") == 1
        process.kill()
        process.join(timeout=10)
        wait_for(lambda: upstream(emulator, "H0STCNT0", "005930") == 0)
        assert gateway.call(gateway.gateway.status)["consumers"] == {}
    finally:
        gateway.close()


def test_a_live_consumer_keeps_its_share_past_the_lease(emulator: Emulator, nats_server: NatsServer) -> None:
    gateway = GatewayThread([emulator.real.auth], nats_server.url, lease=0.6)
    try:
        count = 0

        def on_price(_sender: Any, _e: Any) -> None:
            nonlocal count
            count += 1

        with PyKis(gateway=nats_server.url) as kis:
            ticket = kis.websocket.on("H0STCNT0", "005930", on_price)
            wait_for(lambda: count >= 1)
            time.sleep(2.0)  # more than three leases: the renewals keep it
            assert gateway.call(gateway.gateway.status)["consumers"] == {"H0STCNT0.005930": 1}
            ticket.unsubscribe()
    finally:
        gateway.close()


def test_an_upstream_websocket_drop_is_restored_by_the_gateway(
    gateway: GatewayThread, nats_server: NatsServer, emulator: Emulator
) -> None:
    count = 0

    def on_price(_sender: Any, _e: Any) -> None:
        nonlocal count
        count += 1

    with PyKis(gateway=nats_server.url) as kis:
        ticket = kis.websocket.on("H0STCNT0", "005930", on_price)
        wait_for(lambda: count >= 1)
        emulator.faults.drop_websockets()
        seen = count
        wait_for(lambda: count >= seen + 3 and upstream(emulator, "H0STCNT0", "005930") == 1, timeout=40)
        ticket.unsubscribe()
