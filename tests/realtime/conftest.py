"""Realtime fixtures: one emulator per module (fast heartbeats), a publisher, an engine, fast client options."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any, TypeVar

import pytest

from pykis.client import PyKis
from pykis.emulator import Emulator
from pykis.emulator.engine import Engine
from pykis.emulator.realtime import RealtimePublisher, attach
from pykis.protocol.websocket import Heartbeat, ReconnectPolicy
from pykis.realtime import RealtimeOptions

T = TypeVar("T")

FAST = RealtimeOptions(
    reconnect=ReconnectPolicy(initial=0.01, factor=2.0, maximum=0.05),
    heartbeat=Heartbeat(2.0),
    open_timeout=2.0,
    close_timeout=0.2,
)


def wait_for(predicate: Callable[[], object], timeout: float = 5.0, step: float = 0.01) -> None:
    """Poll ``predicate`` until it is true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(step)


def on_loop(emulator: Emulator, function: Callable[[], T]) -> T:
    """Run ``function`` on the emulator's event loop (the engine and the hubs live there)."""
    loop: asyncio.AbstractEventLoop = emulator._loop  # type: ignore[assignment]

    async def call() -> T:
        return function()

    return asyncio.run_coroutine_threadsafe(call(), loop).result(timeout=10)


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    with Emulator(secrets_dir=tmp_path_factory.mktemp("secrets"), heartbeat_interval=0.2, realtime=False) as emu:
        yield emu


@pytest.fixture
def engine(emulator: Emulator) -> Engine:
    engine = Engine(emulator.market)
    for info in (emulator.real, emulator.virtual):
        engine.open_account(info.app.account, cash={"KRW": Decimal(10**10), "USD": Decimal(10**7)})
    return engine


@pytest.fixture
def publisher(emulator: Emulator, engine: Engine) -> Iterator[RealtimePublisher]:
    publisher = attach(emulator, engine=engine, rate=20.0, interval=0.02)
    yield publisher
    publisher.close()
    emulator.faults.resume_heartbeats()


@pytest.fixture
def kis(emulator: Emulator, publisher: RealtimePublisher) -> Iterator[PyKis]:
    client = PyKis(emulator.real.auth, keep_token=False)
    client.websocket.options = FAST
    yield client
    client.close()
    wait_for(lambda: server_connections(emulator) == 0, timeout=5)


def server_subscriptions(emulator: Emulator, env: Any = "real") -> list[tuple[str, str]]:
    """Every (tr_id, key) registration over all connections of ``env``, duplicates kept."""
    hub = emulator.hub(env)
    return on_loop(emulator, lambda: sorted(pair for c in hub.connections for pair in c.subscriptions))


def server_connections(emulator: Emulator, env: Any = "real") -> int:
    """Open connections of ``env``."""
    hub = emulator.hub(env)
    return on_loop(emulator, lambda: len(hub.connections))
