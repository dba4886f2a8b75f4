"""Fault, load, fuzz and secret suites: shared helpers, the bounded/soak scales, and the figures report.

Every test states its figures through ``figures(...)``; they are printed at the end of the run
(``make test`` prints the bounded figures, ``make soak`` the long ones).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from pykis.emulator import Emulator

_FIGURES: list[tuple[str, dict[str, Any]]] = []
_LOCK = threading.Lock()

BOUNDED = pytest.param(1, id="bounded")
SOAK = pytest.param(20, id="soak", marks=pytest.mark.slow)
SCALES = [BOUNDED, SOAK]
"""``scale``: 1 in ``make test``; 20× the faults / duration in ``make soak``."""


@pytest.fixture
def figures(request: pytest.FixtureRequest) -> Callable[..., None]:
    """``figures(name=value, …)``: record what the test showed, for the end-of-run report."""

    def record(**values: Any) -> None:
        with _LOCK:
            _FIGURES.append((request.node.nodeid.split("::")[-1], values))
        for name, value in values.items():
            request.node.user_properties.append((name, value))

    return record


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not _FIGURES:
        return
    terminalreporter.section("fault / load / fuzz / secret figures")
    for name, values in _FIGURES:
        shown = ", ".join(f"{key}={value}" for key, value in values.items())
        terminalreporter.write_line(f"{name}: {shown}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def resting_price(emu: Emulator, symbol: str, market: str | None = None, steps: int = 20) -> Decimal:
    """A limit buy price ``steps`` ticks under the market: it rests, so every order stays countable."""
    instrument = emu.market.instrument(symbol, market)
    assert instrument is not None
    price = emu.market.quote(symbol, market).price
    for _ in range(steps):
        price = emu.market.round_price(instrument, price - emu.market.tick_size(instrument, price) / 2, "down")
    return price
