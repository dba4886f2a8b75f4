"""Shared fixtures: every test gets its own cache directory, so no token or rate state leaks between tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest


def pytest_configure(config: pytest.Config) -> None:
    """A pinned-date run (scripts/pinned_dates.py) must really be pinned, or it proves nothing."""
    pinned = os.environ.get("PYKIS_TEST_NOW")
    if pinned and abs(datetime.now(UTC) - datetime.fromisoformat(pinned)) > timedelta(hours=1):
        raise pytest.UsageError(f"PYKIS_TEST_NOW={pinned} but the clock reads {datetime.now(UTC)}: not pinned")


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    cache = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("PYKIS_CACHE_DIR", str(cache))
    from pykis import _limiter, _tokens

    _tokens._REGISTRY.clear()
    _limiter._LOCKS.clear()
    yield cache
    _tokens._REGISTRY.clear()
    _limiter._LOCKS.clear()
