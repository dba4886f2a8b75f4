"""Shared fixtures: every test gets its own cache directory, so no token or rate state leaks between tests.

Hypothesis runs under a profile: ``ci`` (the default, what ``make test`` runs) is derandomized, so every run tries
the same examples and a failure reproduces; ``soak`` (``HYPOTHESIS_PROFILE=soak``, ``make soak``) draws fresh
random examples, 30x as many (tests/properties.py); ``mutation`` (``make mutation``) a tenth of ci's.
"""

from __future__ import annotations

import os
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
