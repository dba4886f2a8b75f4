"""JSON text to plain values, as :func:`json.loads` reads it, without the ``json`` package's import on a cold start
(~1.1 ms, issue 15): msgspec, which the models load anyway, decodes it."""

from __future__ import annotations

from typing import Any

import msgspec

__all__ = ["loads"]


def loads(raw: bytes | str) -> Any:
    """``json.loads(raw)``. msgspec's strict decoder reads UTF-8 JSON; what it refuses goes to :func:`json.loads`,
    which also reads a byte-order mark, UTF-16/32 and ``NaN`` (a secret file saved by a Windows editor or shell)
    and raises its own ``ValueError`` (or ``RecursionError``) for what neither reads."""
    try:
        return msgspec.json.decode(raw)
    except msgspec.DecodeError:
        import json  # noqa: PLC0415 — only for what msgspec refuses: kept off a cold start

        return json.loads(raw)
