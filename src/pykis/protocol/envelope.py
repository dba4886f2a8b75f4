"""Decoding the KIS response envelope: ``rt_cd``, ``msg_cd``, ``msg1`` and the ``output*`` blocks.

Only the head (``rt_cd``, ``msg_cd``, ``msg1``) is read when a response arrives; the blocks are decoded
on demand, either generically (:attr:`Envelope.body`) or straight into a typed model
(:meth:`Envelope.decode`), which skips every field the model does not declare.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

import msgspec

from pykis.errors import (
    KisAPIError,
    KisAuthError,
    KisDecodeError,
    KisGatewayTimeoutError,
    KisHTTPError,
    KisRateLimitError,
    KisTokenExpiredError,
    KisTokenIssueLimitError,
)
from pykis.protocol.http import HttpResponse
from pykis.protocol.jsonvalue import loads

__all__ = ["Envelope", "api_error", "decode_envelope", "decode_json"]

T = TypeVar("T")

# Gateway refusals of credentials or tokens (PROTOCOL.md §7, §14).
_AUTH_CODES = frozenset(
    {
        "EGW00102",
        "EGW00103",
        "EGW00104",
        "EGW00105",
        "EGW00115",
        "EGW00116",
        "EGW00122",
        "EGW00205",
        "EGW02004",
        "EGW02007",
    }
)
_GATEWAY_TIMEOUT_CODES = frozenset({"EGW00301", "EGW00302"})


class _Head(msgspec.Struct):
    rt_cd: Any = None
    msg_cd: Any = ""
    msg1: Any = ""


_HEAD = msgspec.json.Decoder(_Head)
# One decoder per model type: building a decoder costs more than a small decode.
_DECODERS: dict[Any, msgspec.json.Decoder[Any]] = {}


class Envelope:
    """A successful answer: its raw body, decoded on demand, and the ``tr_cont`` continuation flag."""

    __slots__ = ("_body", "msg1", "msg_cd", "raw", "tr_cont", "tr_id")

    def __init__(
        self,
        body: Mapping[str, Any] | bytes,
        tr_id: str | None,
        tr_cont: str = "",
        msg_cd: str = "",
        msg1: str = "",
    ) -> None:
        if isinstance(body, bytes):
            self.raw = body
            self._body: Mapping[str, Any] | None = None
        else:
            self.raw = b""
            self._body = body
        self.tr_id = tr_id
        self.tr_cont = tr_cont
        self.msg_cd = msg_cd
        self.msg1 = msg1

    def __repr__(self) -> str:
        return f"Envelope(tr_id={self.tr_id!r}, msg_cd={self.msg_cd!r}, tr_cont={self.tr_cont!r})"

    @property
    def body(self) -> Mapping[str, Any]:
        """The whole body as plain JSON values (decoded on first access)."""
        if self._body is None:
            try:
                self._body = loads(self.raw)
            except RecursionError:
                raise KisDecodeError("body is nested too deeply", tr_id=self.tr_id) from None
        return self._body

    @property
    def has_next(self) -> bool:
        """``tr_cont`` F or M: more data follows (D or E: last page)."""
        return self.tr_cont in ("F", "M")

    def output(self, name: str = "output") -> Any:
        """An output block, or ``None`` when the server left it out."""
        return self.body.get(name)

    def decode(self, kind: type[T]) -> T:
        """The body decoded into ``kind`` (a ``msgspec.Struct`` naming the blocks it needs)."""
        try:
            if self.raw:
                decoder = _DECODERS.get(kind)
                if decoder is None:
                    decoder = _DECODERS[kind] = msgspec.json.Decoder(kind, strict=False)
                result: T = decoder.decode(self.raw)
                return result
            return msgspec.convert(self.body, kind, strict=False)
        except (msgspec.ValidationError, RecursionError) as exc:
            raise KisDecodeError(str(exc), tr_id=self.tr_id) from None


def api_error(rt_cd: str, msg_cd: str, msg1: str, tr_id: str | None, status: int) -> KisAPIError:
    """The typed exception for a refusal, chosen by its message code."""
    kind: type[KisAPIError] = KisAPIError
    if msg_cd in ("EGW00123", "EGW00121"):
        kind = KisTokenExpiredError  # both: issue a new token and resend once
    elif msg_cd == "EGW00133":
        kind = KisTokenIssueLimitError
    elif msg_cd == "EGW00201":
        kind = KisRateLimitError
    elif msg_cd in _GATEWAY_TIMEOUT_CODES:
        kind = KisGatewayTimeoutError
    elif msg_cd in _AUTH_CODES:
        kind = KisAuthError
    return kind(rt_cd=rt_cd, msg_cd=msg_cd, msg1=msg1, tr_id=tr_id, status=status)


def decode_json(response: HttpResponse, tr_id: str | None) -> dict[str, Any]:
    """The body as a JSON object, or the error that explains why it is not one."""
    try:
        data = loads(response.body)
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: nesting deeper than Python's stack
        if response.status != 200:
            raise KisHTTPError(response.status, tr_id=tr_id, body=_excerpt(response.body)) from None
        raise KisDecodeError("body is not JSON", tr_id=tr_id, status=response.status) from None
    if not isinstance(data, dict):
        if response.status != 200:
            raise KisHTTPError(response.status, tr_id=tr_id, body=_excerpt(response.body))
        raise KisDecodeError("body is not a JSON object", tr_id=tr_id, status=response.status)
    return data


def decode_envelope(response: HttpResponse, tr_id: str | None) -> Envelope:
    """Decode a REST answer. Business errors arrive as HTTP 200, gateway errors (EGW…) as HTTP 500."""
    try:
        head = _HEAD.decode(response.body)
    except (msgspec.DecodeError, msgspec.ValidationError, RecursionError):
        if response.status != 200:
            raise KisHTTPError(response.status, tr_id=tr_id, body=_excerpt(response.body)) from None
        raise KisDecodeError("body is not a JSON object", tr_id=tr_id, status=response.status) from None
    if head.rt_cd is None:
        if response.status != 200:
            raise KisHTTPError(response.status, tr_id=tr_id, body=_excerpt(response.body))
        raise KisDecodeError("envelope has no rt_cd", tr_id=tr_id, status=response.status)
    rt_cd, msg_cd, msg1 = str(head.rt_cd), str(head.msg_cd), str(head.msg1)
    if rt_cd != "0":
        raise api_error(rt_cd, msg_cd, msg1, tr_id, response.status)
    if response.status != 200:
        raise KisHTTPError(response.status, tr_id=tr_id, body=_excerpt(response.body))
    return Envelope(response.body, tr_id, response.headers.get("tr_cont", "").strip(), msg_cd, msg1)


def _excerpt(body: bytes) -> str:
    # More than KisHTTPError shows: it masks secrets before cutting to 200 characters.
    return body[:4096].decode("utf-8", "replace")
