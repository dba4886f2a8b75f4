"""Hypothesis example counts under the active profile (tests/conftest.py): the ``ci`` profile runs each property
with its stated count, ``soak`` (``make soak``) with ``SOAK_FACTOR`` times as many."""

from __future__ import annotations

import os

SOAK_FACTOR = 30


def examples(count: int) -> int:
    """``count`` examples in CI, ``SOAK_FACTOR`` times as many under the soak profile."""
    return count * SOAK_FACTOR if os.environ.get("HYPOTHESIS_PROFILE") == "soak" else count
