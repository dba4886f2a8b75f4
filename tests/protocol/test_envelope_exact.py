"""The envelope decoder's exact answers: which error, with which facts, for each way an answer can be wrong."""

from __future__ import annotations

import json

import msgspec
import pytest

from pykis.errors import (
    KisAPIError,
    KisAuthError,
    KisDecodeError,
    KisGatewayTimeoutError,
    KisHTTPError,
    KisRateLimitError,
    KisTokenExpiredError,
    KisTokenIssueLimitError,
    KisValidationError,
)
from pykis.protocol.env import Environment
from pykis.protocol.envelope import Envelope, api_error, decode_envelope, decode_json
from pykis.protocol.http import HttpResponse
from pykis.protocol.request import ApiCall, Credentials, build_request


@pytest.fixture(autouse=True)
def no_secrets_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    """Exact bodies: secrets other tests registered (some are runs of one letter) must not mask them."""
    from pykis import _secrets

    monkeypatch.setattr(_secrets, "_SECRETS", set())


def test_decode_json_answers() -> None:
    assert decode_json(HttpResponse(200, {}, b'{"a": 1}'), "T") == {"a": 1}
    with pytest.raises(KisDecodeError) as not_json:
        decode_json(HttpResponse(200, {}, b"<html>"), "T")
    assert (not_json.value.reason, not_json.value.tr_id, not_json.value.status) == ("body is not JSON", "T", 200)
    with pytest.raises(KisDecodeError) as not_object:
        decode_json(HttpResponse(200, {}, b"[1]"), "T")
    assert (not_object.value.reason, not_object.value.tr_id, not_object.value.status) == (
        "body is not a JSON object",
        "T",
        200,
    )
    with pytest.raises(KisHTTPError) as page:
        decode_json(HttpResponse(503, {}, b"<html>" + b"x" * 300), "T")
    assert (page.value.status, page.value.tr_id, page.value.body) == (503, "T", "<html>" + "x" * 194)
    with pytest.raises(KisHTTPError) as array:
        decode_json(HttpResponse(500, {}, b"[1]"), "T")
    assert (array.value.status, array.value.tr_id, array.value.body) == (500, "T", "[1]")
    with pytest.raises(KisDecodeError):
        decode_json(HttpResponse(200, {}, b"\xff\xfe"), "T")


def test_decode_envelope_reasons() -> None:
    with pytest.raises(KisDecodeError) as not_object:
        decode_envelope(HttpResponse(200, {}, b"[]"), "T")
    assert (not_object.value.reason, not_object.value.tr_id, not_object.value.status) == (
        "body is not a JSON object",
        "T",
        200,
    )
    with pytest.raises(KisDecodeError) as no_rt_cd:
        decode_envelope(HttpResponse(200, {}, b'{"msg_cd": "X"}'), "T")
    assert (no_rt_cd.value.reason, no_rt_cd.value.status) == ("envelope has no rt_cd", 200)
    with pytest.raises(KisHTTPError) as no_rt_cd_500:
        decode_envelope(HttpResponse(500, {}, b'{"msg_cd": "X"}'), "T")
    assert (no_rt_cd_500.value.status, no_rt_cd_500.value.body) == (500, '{"msg_cd": "X"}')
    with pytest.raises(KisHTTPError) as success_500:
        decode_envelope(HttpResponse(500, {}, b'{"rt_cd": "0"}'), "T")
    assert (success_500.value.status, success_500.value.tr_id) == (500, "T")
    with pytest.raises(KisAPIError) as refused:
        decode_envelope(HttpResponse(200, {}, b'{"rt_cd": 1, "msg_cd": "APBK0013", "msg1": " x "}'), "T")
    assert (refused.value.rt_cd, refused.value.msg_cd, refused.value.msg1, refused.value.status) == (
        "1",
        "APBK0013",
        " x ",
        200,
    )
    defaults = decode_envelope(HttpResponse(200, {"tr_cont": " M "}, b'{"rt_cd": "0"}'), "T")
    assert (defaults.msg_cd, defaults.msg1, defaults.tr_cont, defaults.tr_id, defaults.has_next) == (
        "",
        "",
        "M",
        "T",
        True,
    )
    plain = decode_envelope(HttpResponse(200, {}, b'{"rt_cd": "0", "msg_cd": "MCA00000", "msg1": "ok"}'), None)
    assert (plain.msg_cd, plain.msg1, plain.tr_cont, plain.has_next) == ("MCA00000", "ok", "", False)


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("EGW00123", KisTokenExpiredError),
        ("EGW00121", KisTokenExpiredError),
        ("EGW00133", KisTokenIssueLimitError),
        ("EGW00201", KisRateLimitError),
        ("EGW00301", KisGatewayTimeoutError),
        ("EGW00302", KisGatewayTimeoutError),
        *[(code, KisAuthError) for code in ("EGW00102", "EGW00103", "EGW00104", "EGW00105", "EGW00115")],
        *[(code, KisAuthError) for code in ("EGW00116", "EGW00122", "EGW00205", "EGW02004", "EGW02007")],
        ("EGW00002", KisAPIError),
        ("APBK0013", KisAPIError),
    ],
)
def test_each_code_has_its_exact_type(code: str, kind: type[KisAPIError]) -> None:
    error = api_error("1", code, "m", "T", 500)
    assert type(error) is kind
    assert (error.rt_cd, error.msg_cd, error.msg1, error.tr_id, error.status) == ("1", code, "m", "T", 500)


class Price(msgspec.Struct):
    output: dict[str, str]


def test_envelope_blocks_and_typed_decoding() -> None:
    raw = Envelope(b'{"rt_cd": "0", "output": {"p": "1"}, "output2": [1]}', "T", "F", "C", "m")
    assert raw.output() == {"p": "1"} and raw.output("output2") == [1] and raw.output("output3") is None
    assert raw.decode(Price) == Price({"p": "1"}) and raw.decode(Price) == Price({"p": "1"})  # cached decoder
    assert repr(raw) == "Envelope(tr_id='T', msg_cd='C', tr_cont='F')"
    mapped = Envelope({"rt_cd": "0", "output": {"p": "2"}}, "U")
    assert (mapped.raw, mapped.tr_cont, mapped.msg_cd, mapped.msg1) == (b"", "", "", "")
    assert mapped.decode(Price) == Price({"p": "2"}) and mapped.body["rt_cd"] == "0"
    for broken in (Envelope(b'{"output": 5}', "T"), Envelope({"output": 5}, "T")):
        with pytest.raises(KisDecodeError) as caught:
            broken.decode(Price)
        assert caught.value.tr_id == "T" and "output" in caught.value.reason
    assert Envelope(b'{"rt_cd": "0"}', None, "D").has_next is False
    assert Envelope(b'{"rt_cd": "0"}', None, "E").has_next is False
    assert json.loads(raw.raw)["output2"] == [1]


def test_requests_carry_exact_headers() -> None:
    call = ApiCall("GET", "/p", "FHKST01010100", {"A": "1"}, tr_cont="N")
    request = build_request(call, Environment.VIRTUAL, Credentials("K", "S"), "tok", custtype="B")
    assert dict(request.headers) == {
        "content-type": "application/json; charset=utf-8",
        "appkey": "K",
        "appsecret": "S",
        "custtype": "B",
        "tr_cont": "N",
        "authorization": "Bearer tok",
        "tr_id": "FHKST01010100",
    }
    assert (request.method, request.path, dict(request.params), request.json, request.tr_id) == (
        "GET",
        "/p",
        {"A": "1"},
        None,
        "FHKST01010100",
    )
    bare = build_request(ApiCall("POST", "/o", None, {"cano": "1"}), Environment.REAL, Credentials("K", "S"), None)
    assert "authorization" not in bare.headers and "tr_id" not in bare.headers and bare.headers["custtype"] == "P"
    assert (bare.json, bare.params, bare.tr_id) == ({"CANO": "1"}, {}, None)
    assert repr(Credentials("K", "S")) == "Credentials(appkey=…, appsecret=***)"
    page = call.continued({"CTX": "2"})
    assert (dict(page.params), page.tr_cont, dict(call.params)) == ({"A": "1", "CTX": "2"}, "N", {"A": "1"})
    assert ApiCall("GET", "/p", "TTTC8434R").tr_id_for(Environment.VIRTUAL) == "VTTC8434R"
    assert ApiCall("GET", "/p", "TTTC8434R", virtual_tr_id="VX").tr_id_for(Environment.VIRTUAL) == "VX"
    assert ApiCall("GET", "/p", None).tr_id_for(Environment.VIRTUAL) is None
    assert ApiCall("GET", "/p", "TTTC8434R").tr_id_for(Environment.REAL) == "TTTC8434R"


class Count(msgspec.Struct):
    output: dict[str, int]


class Lax(msgspec.Struct):
    output: dict[str, float]


def test_a_type_decoded_for_the_first_time() -> None:
    # A type no earlier call has seen (defined here, so new on every run): the decoder is built, then kept.
    class Fresh(msgspec.Struct):
        output: dict[str, int]

    assert Envelope(b'{"output": {"n": "6"}}', "T").decode(Fresh) == Fresh({"n": 6})
    assert Envelope(b'{"output": {"n": "7"}}', "T").decode(Fresh) == Fresh({"n": 7})
    assert Envelope({"output": {"n": "8"}}, "T").decode(Fresh) == Fresh({"n": 8})


def test_typed_decoding_is_lax_about_numbers_in_strings() -> None:
    # KIS sends every number as a string: both decoding paths convert them (strict=False).
    assert Envelope(b'{"output": {"n": "5"}}', "T").decode(Count) == Count({"n": 5})
    assert Envelope({"output": {"n": "5"}}, "T").decode(Count) == Count({"n": 5})
    assert Envelope(b'{"output": {"x": "1.5"}}', "T").decode(Lax) == Lax({"x": 1.5})
    assert Envelope(b'{"output": {"x": "2.5"}}', "T").decode(Lax) == Lax({"x": 2.5})  # the kept decoder again


def test_every_refusal_names_its_tr_id() -> None:
    cases = [
        (HttpResponse(200, {}, b"[]"), KisDecodeError),
        (HttpResponse(502, {}, b"[]"), KisHTTPError),
        (HttpResponse(502, {}, b"<html>"), KisHTTPError),
        (HttpResponse(200, {}, b'{"msg_cd": "X"}'), KisDecodeError),
        (HttpResponse(500, {}, b'{"msg_cd": "X"}'), KisHTTPError),
        (HttpResponse(500, {}, b'{"rt_cd": "0"}'), KisHTTPError),
    ]
    for response, kind in cases:
        with pytest.raises(kind) as caught:
            decode_envelope(response, "FHKST01010100")
        assert caught.value.tr_id == "FHKST01010100", response  # type: ignore[attr-defined]
        if isinstance(caught.value, KisHTTPError):
            assert caught.value.body == response.body.decode()
        else:
            assert caught.value.status == 200  # type: ignore[attr-defined]


def test_post_requests_and_real_tr_ids() -> None:
    order = ApiCall("POST", "/uapi/order", "TTTC0012U", {"pdno": "005930"})
    real = build_request(order, Environment.REAL, Credentials("K", "S"), "t")
    assert (real.method, real.path, real.tr_id, real.headers["tr_id"]) == (
        "POST",
        "/uapi/order",
        "TTTC0012U",
        "TTTC0012U",
    )
    virtual = build_request(order, Environment.VIRTUAL, Credentials("K", "S"), "t")
    assert (virtual.tr_id, virtual.json) == ("VTTC0012U", {"PDNO": "005930"})
    with pytest.raises(KisValidationError, match=r"^parameter N must be sent as a string, got int$"):
        build_request(ApiCall("GET", "/p", "X", {"N": 1}), Environment.REAL, Credentials("K", "S"), None)  # type: ignore[dict-item]
