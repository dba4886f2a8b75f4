"""The realtime protocol's exact answers: each malformed frame's reason, each control reply field, each decode
refusal's message, and the small helpers that build what is sent."""

from __future__ import annotations

import base64
import json

import pytest

from pykis.errors import KisRealtimeDecodeError, KisValidationError
from pykis.protocol.env import Environment
from pykis.protocol.websocket import (
    Cipher,
    ControlReply,
    DataFrame,
    KisWebsocketTR,
    Malformed,
    PingPong,
    decrypt,
    encrypt,
    environment_of,
    execution_tr,
    is_notice_tr,
    parse_message,
    split_records,
    subscribe_message,
    websocket_url,
)

LONG = "x" * 200
NO_BODY = '{"header": {"tr_id": "H0STCNT0"}}'
PING = '{"header": {"tr_id": "PINGPONG", "datetime": "1"}}'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0|H0STCNT0|001|a^b", DataFrame(False, "H0STCNT0", 1, "a^b")),
        ("1|H0STCNI0|002|", DataFrame(True, "H0STCNI0", 2, "")),
        ("0|H0STCNT0|10000|p", DataFrame(False, "H0STCNT0", 10000, "p")),
        ("0|H0STCNT0", Malformed("a data frame needs flag|TR_ID|COUNT|payload", "0|H0STCNT0")),
        ("1|T|x1|p", Malformed("COUNT is not a number", "1|T|x1|p")),
        ("1|T|١|p", Malformed("COUNT is not a number", "1|T|١|p")),  # a digit, but not ASCII
        ("0|T|000|p", Malformed("COUNT 0 out of range", "0|T|000|p")),
        ("0|T|10001|p", Malformed("COUNT 10001 out of range", "0|T|10001|p")),
        ("0|" + LONG, Malformed("a data frame needs flag|TR_ID|COUNT|payload", ("0|" + LONG)[:120])),
        ("{oops" + LONG, Malformed("neither a data frame nor JSON", ("{oops" + LONG)[:120])),
        ("[1, 2]", Malformed("JSON that is not an object", "[1, 2]")),
        ('{"body": {}}', Malformed("JSON without a header", '{"body": {}}')),
        (
            '{"header": {"tr_id": "H0STCNT0"}}',
            Malformed("control reply without a body", '{"header": {"tr_id": "H0STCNT0"}}'),
        ),
        (
            '{"header": {"tr_id": "PINGPONG", "datetime": "1"}}',
            PingPong('{"header": {"tr_id": "PINGPONG", "datetime": "1"}}'),
        ),
    ],
)
def test_each_frame_is_classified_exactly(text: str, expected: object) -> None:
    assert parse_message(text) == expected


def test_control_replies_field_by_field() -> None:
    reply = {
        "header": {"tr_id": "H0STCNI0", "tr_key": "hts", "encrypt": "y"},
        "body": {
            "rt_cd": "0",
            "msg_cd": "OPSP0000",
            "msg1": "SUBSCRIBE SUCCESS",
            "output": {"key": "k" * 32, "iv": "i" * 16},
        },
    }
    assert parse_message(json.dumps(reply)) == ControlReply(
        "H0STCNI0", "hts", "0", "OPSP0000", "SUBSCRIBE SUCCESS", True, "k" * 32, "i" * 16
    )
    bare = {
        "header": {"tr_id": 5, "encrypt": "N"},
        "body": {"rt_cd": 1, "msg_cd": None, "output": {"key": "", "iv": None}},
    }
    assert parse_message(json.dumps(bare)) == ControlReply("5", "", "1", "", "", False, None, None)
    no_output = {"header": {"tr_id": "H0STCNT0"}, "body": {"rt_cd": "1", "output": "x"}}
    assert parse_message(json.dumps(no_output)) == ControlReply("H0STCNT0", "", "1", "", "", False, None, None)


CIPHER = Cipher("k" * 32, "i" * 16)


def test_decrypt_refusals_say_why() -> None:
    cases = [
        ("not base64!", CIPHER, "encrypted payload is not base64"),
        ("", CIPHER, "encrypted payload is not whole AES blocks"),
        (base64.b64encode(b"x" * 15).decode(), CIPHER, "encrypted payload is not whole AES blocks"),
        (encrypt("hello", CIPHER), Cipher("short", "i" * 16), "notice does not decrypt with the TR's key and IV"),
        (encrypt("hello", CIPHER), Cipher("j" * 32, "i" * 16), "notice does not decrypt with the TR's key and IV"),
    ]
    for payload, cipher, reason in cases:
        with pytest.raises(KisRealtimeDecodeError) as caught:
            decrypt(payload, cipher, "H0STCNI0")
        assert (caught.value.reason, caught.value.tr_id) == (reason, "H0STCNI0")
    assert decrypt(encrypt("가^나", CIPHER), CIPHER) == "가^나"
    assert len(base64.b64decode(encrypt("a" * 16, CIPHER))) == 32  # a whole padding block
    assert repr(CIPHER) == "Cipher(key=***, iv=***)"


def test_records_split_by_their_own_width() -> None:
    assert split_records("X", "a^b^c^d", 2, min_width=2) == ["a^b", "c^d"]
    assert split_records("X", "a^b^c", 1, min_width=3) == ["a^b^c"]
    for payload, count, minimum, reason in (
        ("a^b", 1, 3, "record narrower than 3 fields"),
        ("a^b^c", 2, 1, "3 fields do not make 2 records of ≥1"),
        ("a^b^c^d", 2, 3, "4 fields do not make 2 records of ≥3"),
    ):
        with pytest.raises(KisRealtimeDecodeError) as caught:
            split_records("X", payload, count, min_width=minimum)
        assert (caught.value.reason, caught.value.tr_id) == (reason, "X")


def test_what_is_sent() -> None:
    tr = KisWebsocketTR("H0STCNT0", "005930")
    assert json.loads(subscribe_message("APPROVAL", tr)) == {
        "header": {"approval_key": "APPROVAL", "custtype": "P", "tr_type": "1", "content-type": "utf-8"},
        "body": {"input": {"tr_id": "H0STCNT0", "tr_key": "005930"}},
    }
    release = subscribe_message("A", tr, register=False, custtype="B")
    assert '"tr_type":"2"' in release and '"custtype":"B"' in release and " " not in release
    assert websocket_url("ws://h:21000") == "ws://h:21000/tryitout"
    assert websocket_url("ws://h:21000/") == "ws://h:21000/tryitout"
    assert websocket_url("ws://h:21000/x") == "ws://h:21000/x"
    assert websocket_url("ws://h:21000", "/y") == "ws://h:21000/y"
    assert execution_tr(Environment.REAL, "me") == KisWebsocketTR("H0STCNI0", "me")
    assert execution_tr(Environment.VIRTUAL, "me", overseas=True) == KisWebsocketTR("H0GSCNI9", "me")
    for empty in ("", "  "):
        with pytest.raises(
            KisValidationError, match=r"^execution notices are keyed by the HTS ID; none is configured$"
        ):
            execution_tr(Environment.REAL, empty)
    assert [environment_of(t) for t in ("H0STCNI0", "H0STCNI9", "H0GSCNI9", "H0STCNT0")] == [
        "real",
        "virtual",
        "virtual",
        "any",
    ]
    assert is_notice_tr("H0GSCNI0") and not is_notice_tr("H0STCNT0")


def test_registration_keys() -> None:
    from pykis.errors import KisSubscriptionLimitError
    from pykis.protocol.websocket import orderbook_tr, price_tr

    assert price_tr("krx", "005930") == KisWebsocketTR("H0STCNT0", "005930")
    assert price_tr("NXT", "005930") == KisWebsocketTR("H0NXCNT0", "005930")
    assert price_tr("nasd", "nvda") == KisWebsocketTR("HDFSCNT0", "DNASNVDA")
    assert price_tr("NAS", "NVDA", daytime=True) == KisWebsocketTR("HDFSCNT0", "RBAQNVDA")
    assert price_tr("BAY", "KO") == KisWebsocketTR("HDFSCNT0", "RBAYKO")
    assert orderbook_tr("NYSE", "KO") == KisWebsocketTR("HDFSASP0", "DNYSKO")
    assert orderbook_tr("SEHK", "00700") == KisWebsocketTR("HDFSASP1", "DHKS00700")
    assert orderbook_tr("UN", "005930") == KisWebsocketTR("H0UNASP0", "005930")
    refusals = [
        (("LSE", "X"), "unknown market 'LSE': use KRX, NXT, UN or an EXCD such as NAS, NYS, HKS"),
        (("HKS", "00700", "daytime"), "the daytime session trades US listings only, not 'HKS'"),
        (("NAS", ""), "invalid overseas symbol ''"),
        (("NAS", "NV DA"), "invalid overseas symbol 'NV DA'"),
        (("KRX", "5930"), "a domestic realtime key is a 6-character short code, not '5930'"),
        (("KRX", "00593０"), "a domestic realtime key is a 6-character short code, not '00593０'"),
        (("KRX", "00-930"), "a domestic realtime key is a 6-character short code, not '00-930'"),
    ]
    for args, message in refusals:
        with pytest.raises(KisValidationError) as caught:
            price_tr(args[0], args[1], daytime=len(args) > 2)
        assert str(caught.value) == message
    tr = KisWebsocketTR("H0STCNT0", "005930")
    limit = KisSubscriptionLimitError(tr, 41, Environment.VIRTUAL)
    assert (limit.tr, limit.limit, limit.environment) == (tr, 41, Environment.VIRTUAL)
    assert str(limit) == (
        "cannot subscribe to H0STCNT0.005930: KIS allows 41 realtime registrations on the virtual server "
        "and all are in use; unsubscribe a ticket first"
    )
    assert str(KisSubscriptionLimitError(tr, 41)) == (
        "cannot subscribe to H0STCNT0.005930: KIS allows 41 realtime registrations and all are in use; "
        "unsubscribe a ticket first"
    )


def test_payloads_keep_their_bars_and_long_frames_are_cut_at_120() -> None:
    assert parse_message("0|T|001|a|b") == DataFrame(False, "T", 1, "a|b")  # only the first three bars split
    for text, reason in (
        ("1|T|x|" + LONG, "COUNT is not a number"),
        ("1|T|0|" + LONG, "COUNT 0 out of range"),
        ("[" + "1," * 100 + "1]", "JSON that is not an object"),
        ('{"x": "' + LONG + '"}', "JSON without a header"),
        ('{"header": {"tr_id": "X"}, "x": "' + LONG + '"}', "control reply without a body"),
    ):
        assert parse_message(text) == Malformed(reason, text[:120])


def test_base64_with_stray_characters_is_refused() -> None:
    with pytest.raises(KisRealtimeDecodeError) as caught:
        decrypt(encrypt("hello", CIPHER) + "!", CIPHER, "H0STCNI0")
    assert caught.value.reason == "encrypted payload is not base64"
