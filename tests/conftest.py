"""Shared fixtures: every test gets its own cache directory, so no token or rate state leaks between tests.

Hypothesis runs under a profile: ``ci`` (the default, what ``make test`` runs) is derandomized, so every run tries
the same examples and a failure reproduces; ``soak`` (``HYPOTHESIS_PROFILE=soak``, ``make soak``) draws fresh
random examples, 30x as many (tests/properties.py); ``mutation`` (``make mutation``) a tenth of ci's.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", derandomize=True, database=None, deadline=None, print_blob=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("soak", max_examples=3000, derandomize=False, deadline=None, print_blob=True)
# make mutation runs each module's tests once per mutant: the same fixed examples as ci, a tenth as many.
settings.register_profile(
    "mutation", max_examples=10, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck)
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_configure(config: pytest.Config) -> None:
    """A pinned-date run (scripts/pinned_dates.py) must really be pinned, or it proves nothing."""
    pinned = os.environ.get("PYKIS_TEST_NOW")
    if pinned and abs(datetime.now(UTC) - datetime.fromisoformat(pinned)) > timedelta(hours=1):
        raise pytest.UsageError(f"PYKIS_TEST_NOW={pinned} but the clock reads {datetime.now(UTC)}: not pinned")


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    cache = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("PYKIS_CACHE_DIR", str(cache))
    from pykis.drivers import limiter as _limiter
    from pykis.drivers import tokens as _tokens

    _tokens._REGISTRY.clear()
    _limiter._LOCKS.clear()
    yield cache
    _tokens._REGISTRY.clear()
    _limiter._LOCKS.clear()


@pytest.fixture(autouse=True, scope="module")
def no_realtime_client_outlives_its_module() -> Iterator[None]:
    """A blocking realtime client a module's tests (or their fixtures) started and never closed keeps retrying in
    the background, logging into later tests; fail the module's last test instead (found once: README blocks)."""
    before = {thread.ident for thread in threading.enumerate()}
    yield
    for _ in range(100):  # a closing client's thread may take a moment to end: up to ~2 s, by count, not clock
        left = [
            thread.name
            for thread in threading.enumerate()
            if thread.name.startswith("pykis-ws") and thread.ident not in before and thread.is_alive()
        ]
        if not left:
            break
        time.sleep(0.02)
    assert not left, f"realtime client threads left running by this module: {sorted(left)}"
