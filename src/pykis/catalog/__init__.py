"""The KIS API catalog: every official REST API and realtime TR, from the broker's sample repository.

``rest.json`` and ``websocket.json`` are copies of ``shared/kis-api`` (schema in PROTOCOL.md §12);
``tests/test_catalog.py`` checks that they stay identical to the shared originals.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

__all__ = ["rest_apis", "websocket_trs"]


@cache
def rest_apis() -> tuple[dict[str, Any], ...]:
    """All REST API entries of ``rest.json``."""
    return tuple(json.loads(resources.files(__name__).joinpath("rest.json").read_text("utf-8")))


@cache
def websocket_trs() -> tuple[dict[str, Any], ...]:
    """All realtime TR entries of ``websocket.json``."""
    return tuple(json.loads(resources.files(__name__).joinpath("websocket.json").read_text("utf-8")))
