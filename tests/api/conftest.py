"""Fixtures of the generated-layer tests, and the coverage line printed at the end of the run."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

import pytest

from pykis.emulator import Emulator
from pykis.emulator.clock import ScaledClock
from pykis.emulator.market import Market
from tests.api.catalog_args import STARTED

COVERAGE: dict[str, set[str]] = defaultdict(set)
"""What the end-to-end tests exercised: ``"rest sync real"`` → {"category.name", …}."""


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    # The service's time runs from a fixed instant, whatever this machine's date: the arguments' dates match it.
    clock = ScaledClock(STARTED)
    with Emulator(
        clock=clock,
        market=Market(clock, always_open=True),
        secrets_dir=tmp_path_factory.mktemp("secrets"),
        real_rate=10_000,
        virtual_rate=10_000,
        realtime_rate=20.0,
        heartbeat_interval=1.0,
        token_issue_interval=0.0,
    ) as emu:
        yield emu


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not COVERAGE:
        return
    from pykis.api import operations
    from pykis.catalog import websocket_trs

    total_rest, total_rt = len(operations()), len(websocket_trs())
    parts = [f"{name}: {len(items)}" for name, items in sorted(COVERAGE.items())]
    terminalreporter.write_sep("-", "generated API coverage against the emulator")
    terminalreporter.write_line(f"catalog: {total_rest} REST APIs, {total_rt} realtime TRs")
    for part in parts:
        terminalreporter.write_line(part)
