"""Plain request and response values exchanged between the protocol core and the transports."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import msgspec

Method = Literal["GET", "POST"]
# Header and body fields that carry credentials (the token request sends the secret in its body).
SECRET_FIELDS = frozenset({"authorization", "appkey", "appsecret", "secretkey", "approval_key", "token"})


def masked(fields: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """``fields`` with the values of :data:`SECRET_FIELDS` (any case) replaced by ``***``."""
    if fields is None:
        return None
    return {name: "***" if name.lower() in SECRET_FIELDS else value for name, value in fields.items()}


class HttpRequest(msgspec.Struct, frozen=True):
    """A fully built HTTP request relative to a REST base URL. Its repr masks credentials (debuggers,
    ``pytest --showlocals`` and error trackers print locals)."""

    method: Method
    path: str
    headers: Mapping[str, str]
    params: Mapping[str, str] = msgspec.field(default_factory=dict)
    json: Mapping[str, Any] | None = None
    tr_id: str | None = None

    def __repr__(self) -> str:
        return (
            f"HttpRequest(method={self.method!r}, path={self.path!r}, headers={masked(self.headers)!r}, "
            f"params={dict(self.params)!r}, json={masked(self.json)!r}, tr_id={self.tr_id!r})"
        )


class HttpResponse(msgspec.Struct, frozen=True):
    """What came back: status, headers with lower-case names, and the raw body."""

    status: int
    headers: Mapping[str, str]
    body: bytes
