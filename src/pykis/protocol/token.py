"""Access-token rules: the issue request, parsing the answer, when to re-issue, the cache record."""

from __future__ import annotations

import importlib
from datetime import datetime
from typing import Any

import msgspec

from pykis._secrets import register
from pykis.errors import KisDecodeError, KisHTTPError
from pykis.protocol.clock import KST
from pykis.protocol.env import Environment
from pykis.protocol.http import HttpRequest, HttpResponse
from pykis.protocol.jsonvalue import loads
from pykis.protocol.urls import split

__all__ = [
    "AccessToken",
    "approval_request",
    "cache_key",
    "issue_request",
    "parse_token",
    "revoke_request",
    "token_host",
]

# Re-issue this long before expiry. KIS hands back the same token for 6 h after an issue and tokens
# live 24 h, so a margin under 18 h always yields a fresh one.
REFRESH_MARGIN = 3600.0


class AccessToken(msgspec.Struct, frozen=True):
    """A bearer token and its expiry as a Unix timestamp."""

    value: str
    expires_at: float
    token_type: str = "Bearer"  # noqa: S105 — the OAuth token type, not a secret

    def __repr__(self) -> str:
        expiry = datetime.fromtimestamp(self.expires_at, KST).isoformat(timespec="seconds")
        return f"AccessToken(value=***, expires_at='{expiry}')"

    def valid(self, now: float, margin: float = REFRESH_MARGIN) -> bool:
        """Usable at ``now`` with at least ``margin`` seconds to spare."""
        return now + margin < self.expires_at

    def to_json(self, environment: Environment, appkey_hash: str, host: str) -> bytes:
        """The cache-file record: never the app secret, only a hash of the app key, and the issuing host."""
        return msgspec.json.encode(
            {
                "environment": environment.value,
                "host": host,
                "appkey_sha256": appkey_hash,
                "access_token": self.value,
                "token_type": self.token_type,
                "expires_at": self.expires_at,
            }
        )

    @classmethod
    def from_json(cls, raw: bytes, environment: Environment, appkey_hash: str, host: str) -> AccessToken:
        """Read a cache record; raises ``ValueError`` for anything corrupt or belonging to another key or host."""
        try:
            data = loads(raw)
        except RecursionError:
            raise ValueError("token cache is nested too deeply") from None
        if not isinstance(data, dict):
            raise ValueError("token cache is not an object")
        if data.get("environment") != environment.value or data.get("appkey_sha256") != appkey_hash:
            raise ValueError("token cache belongs to another key or environment")
        if data.get("host") != host:
            raise ValueError("token cache belongs to another host")
        value, expires = data.get("access_token"), data.get("expires_at")
        if not isinstance(value, str) or not value or not isinstance(expires, int | float):
            raise ValueError("token cache lacks a token or an expiry")
        register(value)
        return cls(value, float(expires), str(data.get("token_type") or "Bearer"))


def token_host(rest_url: str) -> str:
    """The issuing host of a REST base URL (``scheme://host:port``, lower case): what a token belongs to."""
    parts = split(rest_url.strip())
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def cache_key(environment: Environment, appkey: str, host: str) -> tuple[str, str]:
    """(file stem, app key hash): the token cache is keyed by environment, issuing host and app key.

    A token belongs to the server that issued it: two sandboxes started with the same seed hand out the
    same app key, and a token of one offered to the other is refused (then a re-issue hits EGW00133).
    """
    sha256 = _sha256()
    digest = sha256(appkey.encode()).hexdigest()
    where = sha256(f"{token_host(host)}\n{appkey}".encode()).hexdigest()
    return f"{environment.value}-{where[:24]}", digest


def _sha256() -> Any:
    """The SHA-256 constructor: CPython's built-in one where the build has it (``_sha2``; ``_sha256`` before
    3.12). ``hashlib`` would first load OpenSSL's digest table, ~0.9 ms of a short script's first quote (issue 15);
    the digest is the same."""
    for name in ("_sha2", "_sha256"):
        try:
            return importlib.import_module(name).sha256
        except ImportError:
            continue
    return importlib.import_module("hashlib").sha256  # a build without the built-in hashes


def issue_request(appkey: str, appsecret: str) -> HttpRequest:
    """``POST /oauth2/tokenP`` (PROTOCOL.md §2)."""
    return HttpRequest(
        "POST",
        "/oauth2/tokenP",
        {"content-type": "application/json; charset=utf-8"},
        json={"grant_type": "client_credentials", "appkey": appkey, "appsecret": appsecret},
    )


def revoke_request(appkey: str, appsecret: str, token: str) -> HttpRequest:
    """``POST /oauth2/revokeP``."""
    return HttpRequest(
        "POST",
        "/oauth2/revokeP",
        {"content-type": "application/json; charset=utf-8"},
        json={"appkey": appkey, "appsecret": appsecret, "token": token},
    )


def approval_request(appkey: str, appsecret: str) -> HttpRequest:
    """``POST /oauth2/Approval``: the WebSocket approval key. Note the field is ``secretkey`` here."""
    return HttpRequest(
        "POST",
        "/oauth2/Approval",
        {"content-type": "application/json; charset=utf-8"},
        json={"grant_type": "client_credentials", "appkey": appkey, "secretkey": appsecret},
    )


def parse_approval(response: HttpResponse) -> str:
    """The ``approval_key`` of an ``/oauth2/Approval`` answer."""
    data = decode_auth_answer(response.status, response.body, "Approval")
    key = data.get("approval_key")
    if not isinstance(key, str) or not key:
        raise KisDecodeError("approval answer lacks approval_key", tr_id="Approval")
    register(key)
    return key


def parse_token(body: dict[str, Any], now: float) -> AccessToken:
    """The token in a ``tokenP`` answer; expiry from ``expires_in``, else the KST expiry stamp."""
    value = body.get("access_token")
    if not isinstance(value, str) or not value:
        raise KisDecodeError("token answer lacks access_token", tr_id="tokenP")
    register(value)
    expires_at: float | None = None
    expires_in = body.get("expires_in")
    try:
        if expires_in is not None:
            expires_at = now + float(expires_in)
    except (TypeError, ValueError):
        expires_at = None
    stamp = body.get("access_token_token_expired")
    if expires_at is None and isinstance(stamp, str):
        try:
            expires_at = datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S").replace(tzinfo=KST).timestamp()
        except ValueError:
            expires_at = None
    if expires_at is None:
        raise KisDecodeError("token answer has no usable expiry", tr_id="tokenP")
    return AccessToken(value, expires_at, str(body.get("token_type") or "Bearer"))


def decode_auth_answer(status: int, body: bytes, endpoint: str) -> dict[str, Any]:
    """The JSON object of an ``/oauth2/*`` answer, or the typed error it carries.

    The OAuth endpoints answer refusals in their own shape, ``{"error_code", "error_description"}``
    (e.g. EGW00133 for a second issue within a minute), not in the ``rt_cd`` envelope.
    """
    from pykis.protocol.envelope import api_error, decode_json  # noqa: PLC0415 — loaded when a token is decoded, not on import

    data = decode_json(HttpResponse(status, {}, body), endpoint)
    code = data.get("error_code") or (data.get("msg_cd") if str(data.get("rt_cd", "0")) != "0" else None)
    if code:
        message = str(data.get("error_description") or data.get("msg1") or "")
        raise api_error(str(data.get("rt_cd", "1")), str(code), message, endpoint, status)
    if status != 200:
        raise KisHTTPError(status, tr_id=endpoint, body=body[:4096].decode("utf-8", "replace"))
    return data
