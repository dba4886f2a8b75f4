"""Plain request and response values exchanged between the protocol core and the transports."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Method = Literal["GET", "POST"]


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """A fully built HTTP request relative to a REST base URL."""

    method: Method
    path: str
    headers: Mapping[str, str]
    params: Mapping[str, str] = field(default_factory=dict)
    json: Mapping[str, Any] | None = None
    tr_id: str | None = None


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """What came back: status, headers with lower-case names, and the raw body."""

    status: int
    headers: Mapping[str, str]
    body: bytes
