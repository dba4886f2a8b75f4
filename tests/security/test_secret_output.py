"""Secrets in error messages and reprs (issue 18, items 4 and 5)."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler

import pytest

from pykis import KisHosts, PyKis
from pykis.errors import KisAPIError, KisError, KisHTTPError
from pykis.protocol.env import Environment
from pykis.protocol.flow import GetToken, Send
from pykis.protocol.request import Credentials
from pykis.protocol.token import issue_request
from tests.security.conftest import Hostile, reply

APPKEY = "PSecho" + "K" * 30
SECRET = "Zq" + "".join(chr(65 + i % 26) + str(i % 10) for i in range(89))


def leaks(text: str) -> list[str]:
    """Any 12-character window of the key or the secret found in ``text``."""
    return [
        value[i : i + 12] for value in (APPKEY, SECRET) for i in range(len(value) - 11) if value[i : i + 12] in text
    ]


def echo(hostile: Hostile, status: int) -> None:
    """Answer every request with a plain-text page quoting its headers and body."""

    def answer(handler: BaseHTTPRequestHandler) -> None:
        _, _, headers, body = hostile.seen[-1]
        reply(handler, status, b"you sent: " + json.dumps(headers).encode() + body, "text/plain")

    hostile.answer = answer


@pytest.mark.parametrize("status", [400, 500, 502])
def test_a_server_echoing_the_token_request_puts_no_secret_into_the_error(hostile: Hostile, status: int) -> None:
    echo(hostile, status)
    hosts = KisHosts(hostile.url, "ws://127.0.0.1:9")
    with (
        PyKis(id="u", account="12345678-01", appkey=APPKEY, secretkey=SECRET, keep_token=False, hosts=hosts) as kis,
        pytest.raises(KisHTTPError) as caught,
    ):
        kis.token()
    assert SECRET in hostile.seen[-1][3].decode()  # the server did get the secret, and echoed it
    exc = caught.value
    for text in (str(exc), repr(exc), exc.body, repr(exc.args)):
        assert leaks(text) == [], text


def test_every_kis_error_masks_a_registered_secret_in_str_and_repr() -> None:
    PyKis(id="u", account="12345678-01", appkey=APPKEY, secretkey=SECRET, keep_token=False).close()
    errors: list[KisError] = [
        KisError(f"boom {SECRET}"),
        KisAPIError(rt_cd="1", msg_cd="X", msg1=f"bad key {APPKEY}"),
        KisHTTPError(500, body="x" * 150 + SECRET),  # the cut at 200 falls inside the secret
    ]
    for exc in errors:
        assert leaks(str(exc)) == [] and leaks(repr(exc)) == [], exc


def test_reprs_of_requests_and_actions_mask_credentials() -> None:
    request = Credentials(APPKEY, SECRET)
    token_request = issue_request(APPKEY, SECRET)
    sent = Send(Environment.REAL, token_request)
    stale = GetToken(Environment.REAL, stale="eyJ0eXAiOiJKV1QiLCJhbGciOi.stale-token-value")
    for text in (repr(request), repr(token_request), repr(sent), repr(stale)):
        assert leaks(text) == [] and "stale-token-value" not in text, text
    assert "'/oauth2/tokenP'" in repr(token_request) and "***" in repr(token_request)
