"""The OAuth requests and answers field by field (PROTOCOL.md §2): what is sent, what each answer decodes to."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pykis.errors import KisAPIError, KisAuthError, KisDecodeError, KisHTTPError, KisTokenIssueLimitError
from pykis.protocol.env import Environment
from pykis.protocol.http import HttpResponse
from pykis.protocol.token import (
    AccessToken,
    approval_request,
    cache_key,
    decode_auth_answer,
    issue_request,
    parse_approval,
    parse_token,
    revoke_request,
)

JSON_HEADERS = {"content-type": "application/json; charset=utf-8"}


@pytest.fixture(autouse=True)
def no_secrets_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    """Exact bodies: secrets other tests registered (some are runs of one letter) must not mask them."""
    from pykis import _secrets

    monkeypatch.setattr(_secrets, "_SECRETS", set())


def test_the_three_oauth_requests() -> None:
    issue = issue_request("KEY", "SECRET")
    assert (issue.method, issue.path, dict(issue.headers), issue.params, issue.tr_id) == (
        "POST",
        "/oauth2/tokenP",
        JSON_HEADERS,
        {},
        None,
    )
    assert issue.json == {"grant_type": "client_credentials", "appkey": "KEY", "appsecret": "SECRET"}
    revoke = revoke_request("KEY", "SECRET", "TOKEN")
    assert (revoke.method, revoke.path, dict(revoke.headers)) == ("POST", "/oauth2/revokeP", JSON_HEADERS)
    assert revoke.json == {"appkey": "KEY", "appsecret": "SECRET", "token": "TOKEN"}
    approval = approval_request("KEY", "SECRET")
    assert (approval.method, approval.path, dict(approval.headers)) == ("POST", "/oauth2/Approval", JSON_HEADERS)
    assert approval.json == {"grant_type": "client_credentials", "appkey": "KEY", "secretkey": "SECRET"}


def answer(body: Any, status: int = 200) -> HttpResponse:
    return HttpResponse(status, {}, json.dumps(body).encode())


def test_approval_keys() -> None:
    assert parse_approval(answer({"approval_key": "a1b2"})) == "a1b2"
    for body in ({}, {"approval_key": ""}, {"approval_key": 5}):
        with pytest.raises(KisDecodeError) as caught:
            parse_approval(answer(body))
        assert (caught.value.reason, caught.value.tr_id) == ("approval answer lacks approval_key", "Approval")
    with pytest.raises(KisAuthError) as refused:
        parse_approval(answer({"error_code": "EGW00103", "error_description": "유효하지 않은 AppKey입니다."}, 403))
    assert (refused.value.msg_cd, refused.value.tr_id, refused.value.status) == ("EGW00103", "Approval", 403)


@pytest.mark.parametrize(
    ("body", "expires_at", "kind"),
    [
        ({"access_token": "t", "expires_in": 86400}, 1000.0 + 86400, "Bearer"),
        ({"access_token": "t", "expires_in": "60", "token_type": "MAC"}, 1060.0, "MAC"),
        ({"access_token": "t", "expires_in": 0, "token_type": ""}, 1000.0, "Bearer"),
        # expires_in unusable: the KST stamp decides (2026-01-02 09:00:00 KST = 00:00:00 UTC).
        (
            {"access_token": "t", "expires_in": "soon", "access_token_token_expired": "2026-01-02 09:00:00"},
            1767312000.0,
            "Bearer",
        ),
        (
            {"access_token": "t", "expires_in": None, "access_token_token_expired": "2026-01-02 09:00:01"},
            1767312001.0,
            "Bearer",
        ),
        (
            {"access_token": "t", "expires_in": [1], "access_token_token_expired": "2026-01-02 09:00:00"},
            1767312000.0,
            "Bearer",
        ),
    ],
)
def test_token_answers(body: dict[str, Any], expires_at: float, kind: str) -> None:
    assert parse_token(body, now=1000.0) == AccessToken("t", expires_at, kind)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"expires_in": 10}, "token answer lacks access_token"),
        ({"access_token": "", "expires_in": 10}, "token answer lacks access_token"),
        ({"access_token": 7, "expires_in": 10}, "token answer lacks access_token"),
        ({"access_token": "t"}, "token answer has no usable expiry"),
        (
            {"access_token": "t", "expires_in": "x", "access_token_token_expired": "2026/01/02"},
            "token answer has no usable expiry",
        ),
        ({"access_token": "t", "access_token_token_expired": 20260102}, "token answer has no usable expiry"),
    ],
)
def test_token_answers_that_are_not_tokens(body: dict[str, Any], reason: str) -> None:
    with pytest.raises(KisDecodeError) as caught:
        parse_token(body, now=0)
    assert (caught.value.reason, caught.value.tr_id) == (reason, "tokenP")


def test_decode_auth_answer_cases() -> None:
    assert decode_auth_answer(200, b'{"access_token": "t"}', "tokenP") == {"access_token": "t"}
    assert decode_auth_answer(200, b'{"rt_cd": "0", "msg_cd": "X"}', "tokenP") == {"rt_cd": "0", "msg_cd": "X"}
    # The OAuth refusal shape.
    with pytest.raises(KisTokenIssueLimitError) as limit:
        decode_auth_answer(
            403, json.dumps({"error_code": "EGW00133", "error_description": "1분당 1회"}).encode(), "tokenP"
        )
    assert (limit.value.rt_cd, limit.value.msg_cd, limit.value.msg1, limit.value.tr_id, limit.value.status) == (
        "1",
        "EGW00133",
        "1분당 1회",
        "tokenP",
        403,
    )
    # The envelope refusal shape on an OAuth path: its own rt_cd and message.
    with pytest.raises(KisAPIError) as envelope:
        decode_auth_answer(
            500, json.dumps({"rt_cd": "7", "msg_cd": "EGW00002", "msg1": "서버 에러"}).encode(), "revokeP"
        )
    assert (envelope.value.rt_cd, envelope.value.msg_cd, envelope.value.msg1, envelope.value.status) == (
        "7",
        "EGW00002",
        "서버 에러",
        500,
    )
    assert envelope.value.tr_id == "revokeP"
    # No code and no message: an empty message, still typed.
    with pytest.raises(KisAPIError) as bare:
        decode_auth_answer(200, b'{"error_code": "EGW00999"}', "tokenP")
    assert (bare.value.msg_cd, bare.value.msg1, bare.value.rt_cd) == ("EGW00999", "", "1")
    # An error_code wins over a success rt_cd; a success rt_cd with a msg_cd is no refusal.
    with pytest.raises(KisAPIError):
        decode_auth_answer(200, b'{"rt_cd": "0", "error_code": "EGW00103"}', "tokenP")
    # Not an OAuth answer at all: an HTTP error with the start of the body.
    with pytest.raises(KisHTTPError) as page:
        decode_auth_answer(404, b"<html>not found</html>", "tokenP")
    assert (page.value.status, page.value.tr_id, page.value.body) == (404, "tokenP", "<html>not found</html>")
    with pytest.raises(KisHTTPError) as empty_error:
        decode_auth_answer(502, b"{}", "Approval")
    assert (empty_error.value.status, empty_error.value.tr_id, empty_error.value.body) == (502, "Approval", "{}")
    long = b'{"x": "' + b"y" * 300 + b'"}'
    with pytest.raises(KisHTTPError) as cut:
        decode_auth_answer(500, long, "tokenP")
    assert cut.value.body == long[:200].decode()


def test_token_validity_margin_and_repr() -> None:
    token = AccessToken("secret-value", 10_000.0)
    assert token.valid(10_000.0 - 3601) and not token.valid(10_000.0 - 3600)
    assert token.valid(9_999.0, margin=0) and not token.valid(10_000.0, margin=0)
    assert repr(token) == "AccessToken(value=***, expires_at='1970-01-01T11:46:40+09:00')"


def test_cache_records_are_keyed_and_exact() -> None:
    stem, digest = cache_key(Environment.REAL, "KEY", "http://h")
    assert len(digest) == 64 and stem.startswith("real-") and stem != cache_key(Environment.REAL, "KEY", "http://i")[0]
    import hashlib

    assert digest == hashlib.sha256(b"KEY").hexdigest()
    record = json.loads(AccessToken("tok", 5.5, "MAC").to_json(Environment.VIRTUAL, "h", "http://h"))
    assert record == {
        "environment": "virtual",
        "appkey_sha256": "h",
        "host": "http://h",
        "access_token": "tok",
        "token_type": "MAC",
        "expires_at": 5.5,
    }
    assert AccessToken.from_json(json.dumps(record).encode(), Environment.VIRTUAL, "h", "http://h") == AccessToken(
        "tok", 5.5, "MAC"
    )
    for broken, message in (
        (b"[]", "token cache is not an object"),
        (json.dumps({**record, "environment": "real"}).encode(), "token cache belongs to another key or environment"),
        (
            json.dumps({**record, "appkey_sha256": "other"}).encode(),
            "token cache belongs to another key or environment",
        ),
        (json.dumps({**record, "access_token": ""}).encode(), "token cache lacks a token or an expiry"),
        (json.dumps({**record, "expires_at": "5"}).encode(), "token cache lacks a token or an expiry"),
    ):
        with pytest.raises(ValueError, match=f"^{message}$"):
            AccessToken.from_json(broken, Environment.VIRTUAL, "h", "http://h")
    no_type = {key: value for key, value in record.items() if key != "token_type"}
    assert (
        AccessToken.from_json(json.dumps(no_type).encode(), Environment.VIRTUAL, "h", "http://h").token_type == "Bearer"
    )


def test_auth_answers_without_rt_cd_and_cut_bodies() -> None:
    assert decode_auth_answer(200, b'{"msg_cd": "X"}', "tokenP") == {"msg_cd": "X"}  # no rt_cd: no refusal
    korean = json.dumps({"msg": "가" * 100}, ensure_ascii=False).encode()  # 3 bytes a character
    with pytest.raises(KisHTTPError) as cut:
        decode_auth_answer(502, korean, "tokenP")
    # Decoded, then cut to 200 characters (after masking secrets): never inside a character.
    assert cut.value.body == korean.decode("utf-8")[:200]
