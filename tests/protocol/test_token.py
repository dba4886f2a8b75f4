from __future__ import annotations

import hashlib
import importlib
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pykis.errors import KisDecodeError, KisError, KisHTTPError, KisTokenIssueLimitError
from pykis.protocol import token
from pykis.protocol.env import Environment
from pykis.protocol.token import AccessToken, cache_key, decode_auth_answer, parse_token, token_host


def test_expiry_from_expires_in() -> None:
    token = parse_token({"access_token": "abc", "token_type": "Bearer", "expires_in": 86400}, now=1000.0)
    assert token.expires_at == 87400.0
    assert token.valid(1000.0)
    assert not token.valid(87400.0 - 3599)
    assert "abc" not in repr(token)


def test_expiry_from_the_kst_stamp() -> None:
    token = parse_token({"access_token": "abc", "access_token_token_expired": "2026-01-02 09:00:00"}, now=0)
    assert token.expires_at == 1767312000.0  # 2026-01-02 00:00:00 UTC


def test_answer_without_token_or_expiry() -> None:
    with pytest.raises(KisDecodeError):
        parse_token({"token_type": "Bearer"}, now=0)
    with pytest.raises(KisDecodeError):
        parse_token({"access_token": "x", "expires_in": "soon"}, now=0)


def test_cache_record_round_trips_and_holds_no_secret() -> None:
    host = "https://openapivts.koreainvestment.com:29443"
    stem, digest = cache_key(Environment.VIRTUAL, "K" * 36, host)
    assert stem.startswith("virtual-")
    assert "K" * 36 not in stem
    token = AccessToken("tok", 123.0)
    raw = token.to_json(Environment.VIRTUAL, digest, host)
    assert AccessToken.from_json(raw, Environment.VIRTUAL, digest, host) == token
    with pytest.raises(ValueError, match="another key"):
        AccessToken.from_json(raw, Environment.REAL, digest, host)
    with pytest.raises(ValueError, match="another host"):
        AccessToken.from_json(raw, Environment.VIRTUAL, digest, "http://127.0.0.1:8080")


def test_the_cache_is_keyed_by_host() -> None:
    stems = {cache_key(Environment.REAL, "K" * 36, url)[0] for url in ("http://127.0.0.1:1", "http://127.0.0.1:2")}
    assert len(stems) == 2
    assert token_host("HTTP://LocalHost:80/uapi/") == "http://localhost:80"


_RECORD = st.fixed_dictionaries(
    {},
    optional={
        "environment": st.sampled_from(["real", "virtual", "", None]),
        "appkey_sha256": st.sampled_from(["h", "other", None]),
        "access_token": st.one_of(st.sampled_from(["tok", ""]), st.integers(), st.none()),
        "expires_at": st.one_of(st.integers(-5, 10**10), st.floats(allow_nan=False, allow_infinity=False), st.text()),
        "token_type": st.sampled_from(["Bearer", "", None]),
        "host": st.sampled_from(["http://h", "http://other", None]),
    },
)


@given(st.one_of(st.binary(max_size=100), _RECORD.map(lambda record: json.dumps(record).encode())))
def test_a_cache_record_is_read_exactly_when_it_is_whole_and_ours(raw: bytes) -> None:
    try:
        record = json.loads(raw)
    except ValueError:
        record = None
    ours = (
        isinstance(record, dict)
        and record.get("environment") == "real"
        and record.get("appkey_sha256") == "h"
        and record.get("host") == "http://h"
        and isinstance(record.get("access_token"), str)
        and record["access_token"] != ""
        and type(record.get("expires_at")) in (int, float)
    )
    if not ours:
        with pytest.raises(ValueError):
            AccessToken.from_json(raw, Environment.REAL, "h", "http://h")
        return
    assert isinstance(record, dict)
    token = AccessToken.from_json(raw, Environment.REAL, "h", "http://h")
    assert token == AccessToken(
        record["access_token"], float(record["expires_at"]), record.get("token_type") or "Bearer"
    )


def test_oauth_refusal_shape_becomes_a_typed_error() -> None:
    body = json.dumps(
        {"error_description": "접근토큰 발급 잠시 후 다시 시도하세요(1분당 1회)", "error_code": "EGW00133"}
    )
    with pytest.raises(KisTokenIssueLimitError) as caught:
        decode_auth_answer(403, body.encode(), "tokenP")
    assert caught.value.msg_cd == "EGW00133"
    assert caught.value.status == 403


def test_envelope_refusal_on_an_oauth_endpoint() -> None:
    body = json.dumps({"rt_cd": "1", "msg_cd": "EGW00103", "msg1": "유효하지 않은 AppKey입니다."})
    with pytest.raises(KisError, match="EGW00103"):
        decode_auth_answer(500, body.encode(), "tokenP")


def test_oauth_error_page() -> None:
    with pytest.raises(KisHTTPError):
        decode_auth_answer(404, b"not found", "tokenP")


@given(appkey=st.text(min_size=1, max_size=60))
def test_the_cache_key_is_sha_256_whichever_implementation_computes_it(appkey: str) -> None:
    # CPython's built-in SHA-256 where the build has it, hashlib's otherwise: the same names and hashes.
    stem, digest = cache_key(Environment.REAL, appkey, "https://openapi.koreainvestment.com:9443")
    assert digest == hashlib.sha256(appkey.encode()).hexdigest()
    where = hashlib.sha256(f"https://openapi.koreainvestment.com:9443\n{appkey}".encode()).hexdigest()
    assert stem == f"real-{where[:24]}"


def test_a_build_without_the_built_in_hashes_uses_hashlib(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = importlib.import_module

    def without_builtins(name: str) -> object:
        if name in ("_sha2", "_sha256"):
            raise ImportError(name)
        return real_import(name)

    monkeypatch.setattr(importlib, "import_module", without_builtins)
    assert token._sha256() is hashlib.sha256
    assert cache_key(Environment.VIRTUAL, "key", "http://h")[1] == hashlib.sha256(b"key").hexdigest()
