"""Hypothesis example counts under the active profile (tests/conftest.py): the ``ci`` profile runs each property
with its stated count, ``soak`` (``make soak``) with ``SOAK_FACTOR`` times as many, ``mutation`` with a tenth."""

from __future__ import annotations

import os

SOAK_FACTOR = 30


def examples(count: int) -> int:
    """``count`` examples in CI, ``SOAK_FACTOR`` times as many under ``soak``, a tenth under ``mutation``."""
    profile = os.environ.get("HYPOTHESIS_PROFILE")
    if profile == "soak":
        return count * SOAK_FACTOR
    if profile == "mutation":
        return max(10, count // 10)
    return count
