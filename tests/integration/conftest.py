"""Integration fixtures: a running emulator on ephemeral loopback ports, spoken to over real sockets."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pykis.emulator import Emulator


@pytest.fixture
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    with Emulator(secrets_dir=tmp_path_factory.mktemp("secrets")) as emu:
        yield emu
