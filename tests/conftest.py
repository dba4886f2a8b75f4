"""Shared fixtures: every test gets its own cache directory, so no token or rate state leaks between tests.

Hypothesis runs under a profile: ``ci`` (the default, what ``make test`` runs) is derandomized, so every run tries
the same examples and a failure reproduces; ``soak`` (``HYPOTHESIS_PROFILE=soak``, ``make soak``) draws fresh
random examples, 30x as many (tests/properties.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", derandomize=True, database=None, deadline=None, print_blob=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("soak", max_examples=3000, derandomize=False, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


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
