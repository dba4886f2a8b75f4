"""Decoding the KIS response envelope: ``rt_cd``, ``msg_cd``, ``msg1`` and the ``output*`` blocks."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

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

__all__ = ["Envelope", "api_error", "decode_envelope", "decode_json"]

# Gateway refusals of credentials or tokens (PROTOCOL.md §7, §14).
_AUTH_CODES = frozenset({"EGW00121", "EGW00122", "EGW00102", "EGW00103", "EGW00105", "EGW02004", "EGW02007"})
_GATEWAY_TIMEOUT_CODES = frozenset({"EGW00301", "EGW00302"})


@dataclass(frozen=True, slots=True)
class Envelope:
    """A successful answer: its body and the ``tr_cont`` header that says whether more pages follow."""

    body: Mapping[str, Any]
    tr_id: str | None
    tr_cont: str = ""
    msg_cd: str = ""
    msg1: str = ""

    @property
    def has_next(self) -> bool:
        """``tr_cont`` F or M: more data follows (D or E: last page)."""
        return self.tr_cont in ("F", "M")

    def output(self, name: str = "output") -> Any:
        """An output block, or ``None`` when the server left it out."""
        return self.body.get(name)


def api_error(rt_cd: str, msg_cd: str, msg1: str, tr_id: str | None, status: int) -> KisAPIError:
    """The typed exception for a refusal, chosen by its message code."""
    kind: type[KisAPIError] = KisAPIError
    if msg_cd == "EGW00123":
        kind = KisTokenExpiredError
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
        data = json.loads(response.body)
    except (ValueError, UnicodeDecodeError):
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
    data = decode_json(response, tr_id)
    rt_cd = data.get("rt_cd")
    if rt_cd is None:
        if response.status != 200:
            raise KisHTTPError(response.status, tr_id=tr_id, body=_excerpt(response.body))
        raise KisDecodeError("envelope has no rt_cd", tr_id=tr_id, status=response.status)
    msg_cd = str(data.get("msg_cd", ""))
    msg1 = str(data.get("msg1", ""))
    if str(rt_cd) != "0":
        raise api_error(str(rt_cd), msg_cd, msg1, tr_id, response.status)
    if response.status != 200:
        raise KisHTTPError(response.status, tr_id=tr_id, body=_excerpt(response.body))
    return Envelope(data, tr_id, response.headers.get("tr_cont", "").strip(), msg_cd, msg1)


def _excerpt(body: bytes) -> str:
    return body[:200].decode("utf-8", "replace")
