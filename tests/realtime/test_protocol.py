"""The sans-I/O realtime core: frames, records, AES, messages, the subscription state machine, TR helpers."""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pykis.drivers.websocket_handlers import decode_frame
from pykis.errors import KisDecodeError, KisRealtimeDecodeError, KisSubscriptionLimitError, KisValidationError
from pykis.models.realtime import KisDomesticRealtimePrice, KisRealtimeRecord
from pykis.protocol.env import Environment
from pykis.protocol.websocket import (
    MAX_SUBSCRIPTIONS,
    Cipher,
    ControlReply,
    DataFrame,
    Heartbeat,
    KisWebsocketTR,
    Malformed,
    PingPong,
    ReconnectPolicy,
    ReplyKind,
    SubscribeCommand,
    Subscriptions,
    decrypt,
    encrypt,
    execution_tr,
    frame_payload,
    orderbook_tr,
    parse_message,
    price_tr,
    reconnect_delays,
    split_records,
    subscribe_message,
    websocket_url,
)
from tests.properties import examples
from tests.realtime.samples import H0STASP0, H0STASP0_OLD, H0STCNI0_FILL, H0STCNT0, H0STCNT0_OLD, frame

KEY = "abcdefghijklmnopqrstuvwxyzabcdef"  # 32 characters: AES-256
IV = "0123456789abcdef"


# ------------------------------------------------------------------------------------------------ parsing


def test_data_frame_is_parsed() -> None:
    message = parse_message(frame("H0STCNT0", H0STCNT0))
    assert message == DataFrame(False, "H0STCNT0", 1, H0STCNT0)


def test_pingpong_and_control_replies() -> None:
    ping = '{"header":{"tr_id":"PINGPONG","datetime":"20240802135044"}}'
    assert parse_message(ping) == PingPong(ping)
    reply = parse_message(
        json.dumps(
            {
                "header": {"tr_id": "H0STCNI0", "tr_key": "myhtsid", "encrypt": "Y"},
                "body": {
                    "rt_cd": "0",
                    "msg_cd": "OPSP0000",
                    "msg1": "SUBSCRIBE SUCCESS",
                    "output": {"iv": IV, "key": KEY},
                },
            }
        )
    )
    assert isinstance(reply, ControlReply)
    assert reply.kind is ReplyKind.SUBSCRIBED
    assert (reply.encrypted, reply.key, reply.iv) == (True, KEY, IV)
    assert reply.tr == KisWebsocketTR("H0STCNI0", "myhtsid")


@pytest.mark.parametrize(
    ("msg_cd", "msg1", "rt_cd", "kind"),
    [
        ("OPSP0002", "ALREADY IN SUBSCRIBE", "1", ReplyKind.ALREADY),
        ("OPSP0001", "UNSUBSCRIBE SUCCESS", "0", ReplyKind.UNSUBSCRIBED),
        ("OPSP0003", "UNSUBSCRIBE ERROR (not found!)", "1", ReplyKind.UNSUBSCRIBE_ERROR),
        ("OPSP0008", "MAX SUBSCRIBE OVER", "1", ReplyKind.LIMIT),
        ("OPSP0011", "invalid appkey : NOT FOUND", "1", ReplyKind.INVALID_KEY),
        ("OPSP8991", "SUBSCRIBE ERROR : invalid tr_id", "1", ReplyKind.ERROR),
    ],
)
def test_reply_kinds(msg_cd: str, msg1: str, rt_cd: str, kind: ReplyKind) -> None:
    reply = ControlReply("H0STCNT0", "005930", rt_cd, msg_cd, msg1)
    assert reply.kind is kind
    error = reply.error()
    assert error.msg_cd == msg_cd
    assert error.tr_id == "H0STCNT0"


@pytest.mark.parametrize(
    "text",
    ["", "0|", "0|H0STCNT0|x|a^b", "1|H0STCNT0|0|a", "0|H0STCNT0|001", "[1,2]", "{}", '{"header": 1}', "garbage"],
)
def test_malformed_text_is_typed(text: str) -> None:
    assert isinstance(parse_message(text), Malformed)


@settings(max_examples=examples(300), deadline=None)
@given(st.text())
def test_arbitrary_text_never_crashes_the_parser(text: str) -> None:
    message = parse_message(text)
    assert isinstance(message, ControlReply | PingPong | DataFrame | Malformed)
    if isinstance(message, DataFrame):
        try:
            events = decode_frame(message)
        except KisRealtimeDecodeError:
            return
        assert len(events) == message.count
        for event in events:
            repr(event)  # a decoded record of any content renders without raising


@settings(max_examples=examples(200), deadline=None)
@given(
    st.sampled_from(["H0STCNT0", "H0STASP0", "HDFSCNT0", "H0STCNI0", "XXXX0000"]),
    st.lists(st.text(alphabet=st.characters(blacklist_characters="^|"), max_size=8), min_size=1, max_size=80),
    st.integers(min_value=1, max_value=5),
)
def test_arbitrary_records_decode_or_raise_typed(tr_id: str, fields: list[str], count: int) -> None:
    text = f"0|{tr_id}|{count:03d}|" + "^".join(fields * count)
    message = parse_message(text)
    assert isinstance(message, DataFrame)
    try:
        events = decode_frame(message)
    except KisRealtimeDecodeError:
        return
    for event in events:
        repr(event)
        assert event.fields == fields


# ------------------------------------------------------------------------------------------------ records


def test_both_widths_decode() -> None:
    for record, width in ((H0STCNT0, 47), (H0STCNT0_OLD, 46)):
        message = parse_message(frame("H0STCNT0", record))
        assert isinstance(message, DataFrame)
        (event,) = decode_frame(message)
        assert isinstance(event, KisDomesticRealtimePrice)
        assert event.width == width
        assert event.price == 174900
    assert [len(r.split("^")) for r in (H0STASP0, H0STASP0_OLD)] == [63, 59]


def test_multi_record_frames_split_by_count() -> None:
    assert split_records("H0STCNT0", "only", 1) == ["only"]  # by default any width will do
    records = split_records("H0STCNT0", "^".join([H0STCNT0_OLD, H0STCNT0_OLD, H0STCNT0_OLD]), 3)
    assert records == [H0STCNT0_OLD] * 3
    wide = split_records("H0STASP0", "^".join([H0STASP0, H0STASP0]), 2)
    assert wide == [H0STASP0, H0STASP0]


def test_extra_trailing_fields_are_tolerated() -> None:
    wider = H0STCNT0 + "^X^Y^Z"  # 50 fields: a future layout
    message = parse_message(frame("H0STCNT0", wider, wider))
    assert isinstance(message, DataFrame)
    events = decode_frame(message)
    assert [e.width for e in events] == [50, 50]
    assert all(isinstance(e, KisDomesticRealtimePrice) and e.symbol == "000660" for e in events)


@pytest.mark.parametrize(
    ("payload", "count"),
    [
        ("^".join([H0STCNT0_OLD, H0STCNT0_OLD]) + "^extra", 2),  # not divisible by COUNT
        ("a^b^c", 1),  # narrower than the oldest H0STCNT0 layout
        ("^".join(["a"] * 40), 2),  # 20 fields per record: too narrow
    ],
)
def test_bad_payloads_raise_typed_errors(payload: str, count: int) -> None:
    with pytest.raises(KisRealtimeDecodeError) as caught:
        decode_frame(DataFrame(False, "H0STCNT0", count, payload))
    assert isinstance(caught.value, KisDecodeError)
    assert caught.value.tr_id == "H0STCNT0"


def test_unknown_trs_decode_to_generic_records() -> None:
    (event,) = decode_frame(DataFrame(False, "H0STPGM0", 1, "005930^093000^1^2"))
    assert isinstance(event, KisRealtimeRecord)
    assert event.field("mksc_shrn_iscd") == "005930"
    assert event.field("STCK_CNTG_HOUR") == "093000"
    assert event.field("NOPE") is None


# ----------------------------------------------------------------------------------------------------- AES


def test_aes_round_trip() -> None:
    cipher = Cipher(KEY, IV)
    payload = encrypt(H0STCNI0_FILL, cipher)
    assert decrypt(payload, cipher) == H0STCNI0_FILL
    message = parse_message(f"1|H0STCNI0|001|{payload}")
    assert isinstance(message, DataFrame)
    assert message.encrypted
    (event,) = decode_frame(message, cipher)
    assert event.raw == H0STCNI0_FILL
    assert "key" not in repr(cipher).lower().replace("key=***", "")


def test_wrong_key_is_a_typed_error() -> None:
    payload = encrypt(H0STCNI0_FILL, Cipher(KEY, IV))
    with pytest.raises(KisRealtimeDecodeError):
        decrypt(payload, Cipher("z" * 32, IV))
    with pytest.raises(KisRealtimeDecodeError):
        decrypt("not base64 !!", Cipher(KEY, IV))
    with pytest.raises(KisRealtimeDecodeError):
        decrypt(payload, Cipher("short", IV))
    with pytest.raises(KisRealtimeDecodeError) as early:
        decode_frame(DataFrame(True, "H0STCNI0", 1, payload))  # no key yet
    assert (early.value.tr_id, early.value.reason) == (
        "H0STCNI0",
        "encrypted frame before its subscribe reply gave a key",
    )
    with pytest.raises(KisRealtimeDecodeError) as wrong:
        frame_payload(DataFrame(True, "H0STCNI0", 1, payload), Cipher("z" * 32, IV))
    assert wrong.value.tr_id == "H0STCNI0"  # the error names the feed whose key is wrong


# ------------------------------------------------------------------------------------------------ messages


def test_subscribe_message() -> None:
    message = json.loads(subscribe_message("approval", KisWebsocketTR("H0STCNT0", "000660")))
    assert message == {
        "header": {"approval_key": "approval", "custtype": "P", "tr_type": "1", "content-type": "utf-8"},
        "body": {"input": {"tr_id": "H0STCNT0", "tr_key": "000660"}},
    }
    release = json.loads(subscribe_message("approval", KisWebsocketTR("H0STCNT0", "000660"), register=False))
    assert release["header"]["tr_type"] == "2"


def test_websocket_url() -> None:
    assert websocket_url("ws://ops.koreainvestment.com:21000") == "ws://ops.koreainvestment.com:21000/tryitout"
    assert websocket_url("ws://127.0.0.1:5000/") == "ws://127.0.0.1:5000/tryitout"
    assert websocket_url("ws://host:1/custom") == "ws://host:1/custom"
    assert websocket_url("127.0.0.1:5000") == "127.0.0.1:5000/tryitout"  # no scheme
    assert websocket_url("ws://host:1/?next=ws://relay") == "ws://host:1/?next=ws://relay"
    assert websocket_url("ws://FIX") == "ws://FIX/tryitout"  # only slashes are trimmed
    assert websocket_url("ws://host:1/X") == "ws://host:1/X"


def test_tr_repr_matches_the_seed() -> None:
    assert repr(KisWebsocketTR("H0STCNT0", "000660")) == "KisWebsocketTR(id='H0STCNT0', key='000660')"
    assert str(KisWebsocketTR("H0STCNT0", "000660")) == "H0STCNT0.000660"


# --------------------------------------------------------------------------------------------- TR helpers


def test_price_and_orderbook_trs() -> None:
    assert price_tr("KRX", "000660") == KisWebsocketTR("H0STCNT0", "000660")
    assert price_tr("NXT", "000660") == KisWebsocketTR("H0NXCNT0", "000660")
    assert price_tr("UN", "000660") == KisWebsocketTR("H0UNCNT0", "000660")
    assert price_tr("NAS", "AAPL") == KisWebsocketTR("HDFSCNT0", "DNASAAPL")
    assert price_tr("NASD", "aapl") == KisWebsocketTR("HDFSCNT0", "DNASAAPL")
    assert price_tr("NYS", "IBM", daytime=True) == KisWebsocketTR("HDFSCNT0", "RBAYIBM")
    assert price_tr("BAQ", "AAPL") == KisWebsocketTR("HDFSCNT0", "RBAQAAPL")
    assert price_tr("BAQ", "AAPL", daytime=True) == KisWebsocketTR("HDFSCNT0", "RBAQAAPL")
    assert price_tr("AMS", "SPY", daytime=True) == KisWebsocketTR("HDFSCNT0", "RBAASPY")
    every = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789./-_"  # all a symbol may hold
    assert price_tr("NYS", every) == KisWebsocketTR("HDFSCNT0", "DNYS" + every.upper())
    assert price_tr("HKS", "00700") == KisWebsocketTR("HDFSCNT0", "DHKS00700")
    assert orderbook_tr("KRX", "005930") == KisWebsocketTR("H0STASP0", "005930")
    assert orderbook_tr("UN", "005930") == KisWebsocketTR("H0UNASP0", "005930")
    assert orderbook_tr("NAS", "AAPL") == KisWebsocketTR("HDFSASP0", "DNASAAPL")
    assert orderbook_tr("NAS", "AAPL", daytime=True) == KisWebsocketTR("HDFSASP0", "RBAQAAPL")
    assert orderbook_tr("TSE", "7203") == KisWebsocketTR("HDFSASP1", "DTSE7203")
    with pytest.raises(KisValidationError):
        price_tr("MOON", "X")
    with pytest.raises(KisValidationError):
        price_tr("HKS", "00700", daytime=True)
    with pytest.raises(KisValidationError):
        price_tr("KRX", "12345")


def test_execution_trs() -> None:
    assert execution_tr(Environment.REAL, "me") == KisWebsocketTR("H0STCNI0", "me")
    assert execution_tr(Environment.VIRTUAL, "me") == KisWebsocketTR("H0STCNI9", "me")
    assert execution_tr(Environment.REAL, "me", overseas=True) == KisWebsocketTR("H0GSCNI0", "me")
    assert execution_tr(Environment.VIRTUAL, "me", overseas=True) == KisWebsocketTR("H0GSCNI9", "me")
    with pytest.raises(KisValidationError):
        execution_tr(Environment.REAL, " ")


# ---------------------------------------------------------------------------------------- subscriptions

A = KisWebsocketTR("H0STCNT0", "000660")
B = KisWebsocketTR("H0STASP0", "000660")


def ok(tr: KisWebsocketTR, msg1: str = "SUBSCRIBE SUCCESS") -> ControlReply:
    code = {"SUBSCRIBE SUCCESS": "OPSP0000", "UNSUBSCRIBE SUCCESS": "OPSP0001"}.get(msg1, "OPSP0002")
    return ControlReply(tr.id, tr.key, "0" if code != "OPSP0002" else "1", code, msg1)


def test_reference_counting_shares_one_registration() -> None:
    state = Subscriptions()
    assert state.add(A) == []  # disconnected: nothing to send yet
    assert state.add(A) == []
    assert state.connected() == [SubscribeCommand(A, True)]
    assert state.on_reply(ok(A)) == []
    assert state.confirmed == {A}
    assert state.add(A) == []
    assert state.remove(A) == []
    assert state.remove(A) == []
    assert state.remove(A) == [SubscribeCommand(A, False)]
    assert state.on_reply(ok(A, "UNSUBSCRIBE SUCCESS")) == []
    assert state.confirmed == frozenset()
    assert state.remove(A) == []


def test_reconnect_restores_everything_once() -> None:
    state = Subscriptions()
    state.connected()
    assert state.add(A) == [SubscribeCommand(A, True)]
    assert state.add(B) == [SubscribeCommand(B, True)]
    state.on_reply(ok(A))
    state.disconnected()
    assert state.add(A) == []  # a second ticket while disconnected sends nothing
    commands = state.connected()
    assert sorted(c.tr for c in commands) == sorted([A, B])
    assert all(c.register for c in commands)
    assert state.pending == {A, B}
    state.on_reply(ok(A))
    state.on_reply(ok(B))
    assert state.connected() and state.confirmed == frozenset()  # a third connection starts empty again


def test_release_and_register_never_cross() -> None:
    state = Subscriptions()
    state.connected()
    assert state.add(A) == [SubscribeCommand(A, True)]
    assert state.remove(A) == [SubscribeCommand(A, False)]  # released while the register is in flight
    assert state.on_reply(ok(A)) == []  # the register's reply: the release is already on its way
    assert state.add(A) == []  # wanted again: wait for the release's reply
    assert state.on_reply(ok(A, "UNSUBSCRIBE SUCCESS")) == [SubscribeCommand(A, True)]
    assert state.on_reply(ok(A)) == []
    assert state.confirmed == {A}


def test_limit_is_checked_before_anything_changes() -> None:
    state = Subscriptions(environment=Environment.REAL)
    state.connected()
    trs = [KisWebsocketTR("H0STCNT0", f"{i:06d}") for i in range(MAX_SUBSCRIPTIONS)]
    for tr in trs:
        assert state.add(tr) == [SubscribeCommand(tr, True)]
    assert state.add(trs[0]) == []  # another ticket on a registered key is fine
    with pytest.raises(KisSubscriptionLimitError) as caught:
        state.add(KisWebsocketTR("H0STCNT0", "999999"))
    assert "41" in str(caught.value)
    assert caught.value.environment is Environment.REAL and "on the real server" in str(caught.value)
    assert isinstance(caught.value, KisValidationError)
    assert len(state.wanted) == MAX_SUBSCRIPTIONS
    state.remove(trs[1])
    state.add(KisWebsocketTR("H0STCNT0", "999999"))


def test_refusals_are_not_retried_on_the_same_connection() -> None:
    state = Subscriptions()
    state.connected()
    state.add(A)
    refused = ControlReply(A.id, A.key, "1", "OPSP0008", "MAX SUBSCRIBE OVER")
    assert state.on_reply(refused) == []
    assert state.refused == {A: refused}  # the reply is kept: it says why
    assert state.pending == frozenset()  # the server holds nothing for it
    stray = ControlReply("H0STASP0", "000660", "1", "OPSP0008", "MAX SUBSCRIBE OVER")
    assert state.on_reply(stray) == []  # a refusal of something never sent is noted and ignored
    assert state.refused.keys() == {A}
    assert refused.error().rt_cd == "1"
    assert state.add(A) == []
    assert state.connected() == [SubscribeCommand(A, True)]  # a new connection tries again
    state.on_reply(refused)
    state.remove(A)
    state.remove(A)
    assert state.refused == {}  # a released registration's refusal is forgotten


def test_subscribe_reply_keeps_the_cipher() -> None:
    state = Subscriptions()
    state.connected()
    tr = KisWebsocketTR("H0STCNI0", "me")
    state.add(tr)
    state.on_reply(ControlReply(tr.id, tr.key, "0", "OPSP0000", "SUBSCRIBE SUCCESS", True, KEY, IV))
    assert state.cipher("H0STCNI0") == Cipher(KEY, IV)
    state.disconnected()
    assert state.cipher("H0STCNI0") is None
    state.connected()
    state.on_reply(ControlReply(tr.id, tr.key, "0", "OPSP0000", "SUBSCRIBE SUCCESS", True, KEY, None))
    assert state.cipher("H0STCNI0") is None  # a key without its IV decrypts nothing


def test_a_confirmation_of_an_unwanted_registration_releases_it() -> None:
    state = Subscriptions()
    state.connected()
    stray = ControlReply(A.id, A.key, "0", "OPSP0000", "SUBSCRIBE SUCCESS")
    assert state.on_reply(stray) == [SubscribeCommand(A, False)]
    assert state.add(A) == []  # wanted again while the release is in flight: wait for its reply
    released = ControlReply(A.id, A.key, "0", "OPSP0001", "UNSUBSCRIBE SUCCESS")
    assert state.on_reply(released) == [SubscribeCommand(A, True)]
    assert state.pending == {A}


@settings(max_examples=examples(200), deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["add", "remove", "reply", "drop"]), st.integers(0, 3)), max_size=60))
def test_state_machine_never_registers_twice(steps: list[tuple[str, int]]) -> None:
    """Drive random operations against a model server; no duplicate registration ever reaches it, and once
    the replies are in, the server holds exactly the wanted set."""
    trs = [KisWebsocketTR("H0STCNT0", f"00000{i}") for i in range(4)]
    state = Subscriptions()
    server: set[KisWebsocketTR] = set()
    inflight: list[SubscribeCommand] = []

    def deliver(command: SubscribeCommand) -> None:
        if command.register:
            assert command.tr not in server, "duplicate registration"
            server.add(command.tr)
            inflight.extend(state.on_reply(ok(command.tr)))
        else:
            server.discard(command.tr)
            inflight.extend(state.on_reply(ok(command.tr, "UNSUBSCRIBE SUCCESS")))

    inflight.extend(state.connected())
    for action, index in steps:
        tr = trs[index]
        if action == "add":
            inflight.extend(state.add(tr))
        elif action == "remove":
            inflight.extend(state.remove(tr))
        elif action == "reply" and inflight:
            deliver(inflight.pop(0))
        elif action == "drop":
            state.disconnected()
            inflight.clear()
            server.clear()
            inflight.extend(state.connected())
    while inflight:
        deliver(inflight.pop(0))
    assert server == set(state.wanted)


# ----------------------------------------------------------------------------------------------- liveness


def test_heartbeat_arithmetic() -> None:
    beat = Heartbeat(10.0)
    assert beat.deadline(100.0) == 110.0
    assert beat.remaining(105.0, 100.0) == 5.0
    assert not beat.expired(109.9, 100.0)
    assert beat.expired(110.0, 100.0)


def test_reconnect_backoff_is_jittered_and_capped() -> None:
    policy = ReconnectPolicy(initial=1.0, factor=2.0, maximum=8.0, attempts=3)
    delays = policy.delays(random.Random(1))
    values = [next(delays) for _ in range(6)]
    caps = [1, 2, 4, 8, 8, 8]
    assert all(cap / 2 <= value <= cap for value, cap in zip(values, caps, strict=True))
    assert not policy.gives_up(2)
    assert policy.gives_up(3)
    assert not ReconnectPolicy().gives_up(10_000)
    alias = reconnect_delays(policy, random.Random(1))
    assert [next(alias) for _ in range(6)] == values
