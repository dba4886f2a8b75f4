"""Shared fixtures: every test gets its own cache directory, so no token or rate state leaks between tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


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
