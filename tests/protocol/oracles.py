"""Reference answers for the fuzz tests, written from PROTOCOL.md rather than from the decoders they check."""

from __future__ import annotations

import json
from typing import Any, NoReturn

from pykis.errors import KisAPIError, KisDecodeError, KisError, KisHTTPError


def _refuse(constant: str) -> NoReturn:
    raise ValueError(f"JSON has no {constant}")


def json_object(body: bytes) -> dict[str, Any] | None:
    """The body as strict JSON (UTF-8, no NaN/Infinity), if it is an object."""
    try:
        data = json.loads(body.decode("utf-8"), parse_constant=_refuse)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def envelope_outcome(body: bytes, status: int) -> type[KisError] | None:
    """What a REST answer must decode to: ``None`` for an envelope, else the error class.

    Not a JSON object or no ``rt_cd``: an HTTP error when the status says so, else a decode error. An ``rt_cd``
    other than ``"0"`` is the service's refusal (whatever the status: gateway errors come as 500). A success
    with a non-200 status is an HTTP error.
    """
    data = json_object(body)
    if data is None or data.get("rt_cd") is None:
        return KisHTTPError if status != 200 else KisDecodeError
    if str(data["rt_cd"]) != "0":
        return KisAPIError
    return KisHTTPError if status != 200 else None
