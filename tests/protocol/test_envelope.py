"""The envelope decoder: every input yields an Envelope or a typed KisError, never anything else."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pykis.errors import (
    KisAPIError,
    KisAuthError,
    KisDecodeError,
    KisError,
    KisGatewayTimeoutError,
    KisHTTPError,
    KisRateLimitError,
    KisTokenExpiredError,
)
from pykis.protocol.envelope import decode_envelope
from pykis.protocol.http import HttpResponse
from tests.protocol.oracles import envelope_outcome

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)


def response(body: object, status: int = 200, tr_cont: str = "") -> HttpResponse:
    return HttpResponse(status, {"tr_cont": tr_cont}, json.dumps(body, ensure_ascii=False).encode())


@given(st.binary(max_size=200), st.sampled_from([200, 400, 403, 404, 500, 502]))
def test_arbitrary_bytes_never_escape_the_error_tree(body: bytes, status: int) -> None:
    try:
        envelope = decode_envelope(HttpResponse(status, {}, body), "FHKST01010100")
    except KisError:
        return
    assert status == 200
    assert envelope.body["rt_cd"] == "0"


@given(
    st.one_of(json_values, st.dictionaries(st.sampled_from(["rt_cd", "msg_cd", "msg1", "output"]), json_values)),
    st.sampled_from([200, 500]),
)
def test_arbitrary_json_decodes_to_what_the_protocol_says(body: object, status: int) -> None:
    answer = response(body, status)
    expected = envelope_outcome(answer.body, status)
    if expected is None:
        envelope = decode_envelope(answer, None)
        assert isinstance(body, dict) and envelope.msg_cd == str(body.get("msg_cd", ""))
        return
    with pytest.raises(expected) as caught:
        decode_envelope(answer, None)
    if isinstance(caught.value, KisAPIError):
        assert isinstance(body, dict) and caught.value.rt_cd == str(body["rt_cd"])


@given(
    st.dictionaries(st.sampled_from(["output", "output1", "output2", "ctx_area_fk100"]), json_values, max_size=4),
    st.sampled_from(["F", "M", "D", "E", ""]),
)
def test_success_keeps_every_block_and_the_continuation_flag(blocks: dict[str, object], tr_cont: str) -> None:
    body = {"rt_cd": "0", "msg_cd": "MCA00000", "msg1": "정상처리 되었습니다.", **blocks}
    envelope = decode_envelope(response(body, tr_cont=tr_cont), "FHKST01010100")
    for name, value in blocks.items():
        assert envelope.output(name) == value
    assert envelope.has_next is (tr_cont in ("F", "M"))
    assert envelope.msg_cd == "MCA00000"


@given(st.sampled_from(["1", "2", "7"]), st.text(min_size=1, max_size=10), st.text(max_size=40))
def test_refusal_carries_its_facts(rt_cd: str, msg_cd: str, msg1: str) -> None:
    with pytest.raises(KisAPIError) as caught:
        decode_envelope(response({"rt_cd": rt_cd, "msg_cd": msg_cd, "msg1": msg1}), "TTTC0012U")
    error = caught.value
    assert (error.rt_cd, error.msg_cd, error.msg1, error.tr_id) == (rt_cd, msg_cd, msg1, "TTTC0012U")
    assert msg_cd in str(error)
    assert "TTTC0012U" in str(error)


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("EGW00123", KisTokenExpiredError),
        ("EGW00121", KisTokenExpiredError),  # unknown to the gateway (revoked, restarted): re-issue once
        ("EGW02004", KisAuthError),
        ("EGW00201", KisRateLimitError),
        ("EGW00301", KisGatewayTimeoutError),
        ("OPSQ2001", KisAPIError),
    ],
)
def test_gateway_codes_map_to_their_types(code: str, kind: type[KisAPIError]) -> None:
    with pytest.raises(kind) as caught:
        decode_envelope(response({"rt_cd": "1", "msg_cd": code, "msg1": "..."}, 500), "FHKST01010100")
    assert type(caught.value) is kind
    assert caught.value.status == 500


def test_html_error_page_is_an_http_error() -> None:
    with pytest.raises(KisHTTPError) as caught:
        decode_envelope(HttpResponse(502, {}, b"<html>Bad Gateway</html>"), "FHKST01010100")
    assert caught.value.status == 502
    assert "Bad Gateway" in str(caught.value)


def test_success_envelope_with_error_status_is_still_an_error() -> None:
    with pytest.raises(KisHTTPError):
        decode_envelope(response({"rt_cd": "0"}, 503), None)


def test_missing_rt_cd_is_a_decode_error() -> None:
    with pytest.raises(KisDecodeError, match="rt_cd"):
        decode_envelope(response({"output": {}}), "FHKST01010100")
