"""Deeply nested JSON from a hostile server or client is a typed error, never a RecursionError (item 7)."""

from __future__ import annotations

from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import httpx
import pytest

from pykis import KisHosts, PyKis
from pykis.emulator import Emulator
from pykis.errors import KisDecodeError, KisError, KisHTTPError
from pykis.protocol.envelope import Envelope
from pykis.protocol.request import ApiCall
from pykis.protocol.retry import RetryPolicy
from tests.security.conftest import Hostile, reply

DEEP = b'{"a":' * 100_000
APPKEY, SECRET = "P" + "d" * 35, "e" * 180
QUOTE = ApiCall(
    "GET",
    "/uapi/domestic-stock/v1/quotations/inquire-price",
    "FHKST01010100",
    {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930"},
)


@pytest.mark.parametrize(("status", "kind"), [(200, KisDecodeError), (500, KisHTTPError)])
def test_a_deep_token_answer_is_a_typed_error(hostile: Hostile, status: int, kind: type[KisError]) -> None:
    def answer(handler: BaseHTTPRequestHandler) -> None:
        reply(handler, status, DEEP)

    hostile.answer = answer
    hosts = KisHosts(hostile.url, "ws://127.0.0.1:9")
    with (
        PyKis(id="u", account="12345678-01", appkey=APPKEY, secretkey=SECRET, keep_token=False, hosts=hosts) as kis,
        pytest.raises(kind),
    ):
        kis.token()


def test_a_deep_api_answer_is_a_typed_error(hostile: Hostile) -> None:
    def answer(handler: BaseHTTPRequestHandler) -> None:
        if handler.path.startswith("/oauth2/tokenP"):
            reply(handler, 200, b'{"access_token": "tok-123456789", "token_type": "Bearer", "expires_in": 86400}')
        else:
            reply(handler, 200, DEEP)

    hostile.answer = answer
    hosts = KisHosts(hostile.url, "ws://127.0.0.1:9")
    with (
        PyKis(
            id="u",
            account="12345678-01",
            appkey=APPKEY,
            secretkey=SECRET,
            keep_token=False,
            hosts=hosts,
            retry=RetryPolicy(attempts=1),
        ) as kis,
        pytest.raises(KisDecodeError),
    ):
        kis.request(QUOTE)
    with pytest.raises(KisDecodeError):
        _ = Envelope(b'{"rt_cd":"0","output":' + DEEP, "X").body


@pytest.fixture(scope="module")
def emu(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    with Emulator(secrets_dir=tmp_path_factory.mktemp("secrets")) as running:
        yield running


def test_the_emulator_answers_a_deep_body_as_unparsable_json_not_a_crash(emu: Emulator) -> None:
    """The broker's answer to a body it cannot parse (EGW00101 at the OAuth endpoints, OPSQ9997 at /uapi)."""
    headers = {"Content-Type": "application/json"}
    token = httpx.post(f"{emu.real.rest_url}/oauth2/tokenP", content=DEEP, headers=headers, timeout=10)
    assert token.json()["error_code"] == "EGW00101"
    with PyKis(emu.real.auth, keep_token=False) as kis:
        access = kis.token().value
    order = httpx.post(
        f"{emu.real.rest_url}/uapi/domestic-stock/v1/trading/order-cash",
        content=DEEP,
        headers={
            **headers,
            "authorization": f"Bearer {access}",
            "appkey": emu.real.app.appkey,
            "appsecret": emu.real.app.appsecret,
            "tr_id": "TTTC0012U",
            "custtype": "P",
        },
        timeout=10,
    )
    assert order.json()["msg_cd"] == "OPSQ9997"
