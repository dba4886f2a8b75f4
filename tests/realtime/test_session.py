"""The connection's bookkeeping (:class:`WebsocketSession`) driven by scripted frames and a hand-moved clock.

No sockets, threads or event loop: each test plays the driver, answering the flow's actions itself.
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Generator
from typing import Any

import pytest

from pykis.errors import KisSubscriptionError
from pykis.protocol.env import Environment
from pykis.protocol.websocket import (
    Cipher,
    Close,
    DataFrame,
    Deliver,
    Heartbeat,
    KisReconnectEvent,
    KisWebsocketTR,
    Lost,
    Open,
    Receive,
    ReconnectPolicy,
    SessionAction,
    Subscriptions,
    Wait,
    WebsocketSession,
    Write,
    encrypt,
    subscribe_message,
)
from pykis.protocol.websocket.session import KEY_REFUSED
from tests.realtime.samples import H0STCNI0_FILL, H0STCNT0, frame

A = KisWebsocketTR("H0STCNT0", "005930")
B = KisWebsocketTR("H0STASP0", "000660")
N = KisWebsocketTR("H0STCNI0", "myhtsid")
PING = '{"header":{"tr_id":"PINGPONG","datetime":"20240802135044"}}'
KEY = "abcdefghijklmnopqrstuvwxyzabcdef"
IV = "0123456789abcdef"
SEED = 7


class Clock:
    """Monotonic seconds that move only when the test says so."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def reply(tr: KisWebsocketTR, msg1: str = "SUBSCRIBE SUCCESS", *, rt_cd: str = "0", msg_cd: str = "OPSP0000",
          output: dict[str, str] | None = None) -> str:  # fmt: skip
    """The JSON text of a control reply as the server words it."""
    body: dict[str, Any] = {"rt_cd": rt_cd, "msg_cd": msg_cd, "msg1": msg1}
    if output is not None:
        body["output"] = output
    return json.dumps({"header": {"tr_id": tr.id, "tr_key": tr.key, "encrypt": "N"}, "body": body})


class Script:
    """Plays the driver: steps the flow with each action's result and records what it asked for."""

    def __init__(self, *wanted: KisWebsocketTR, policy: ReconnectPolicy | None = None) -> None:
        self.clock = Clock()
        self.state = Subscriptions(environment=Environment.REAL)
        for tr in wanted:
            self.state.add(tr)
        self.session = WebsocketSession(
            Environment.REAL,
            self.state,
            reconnect=policy or ReconnectPolicy(),
            heartbeat=Heartbeat(45.0),
            clock=self.clock,
            rng=random.Random(SEED),
        )
        self.flow: Generator[SessionAction, Any, None] = self.session.run()
        self.action: SessionAction = next(self.flow)

    def answer(self, result: str | Lost | None = None) -> SessionAction:
        self.action = self.flow.send(result)
        return self.action

    def drain(self) -> list[SessionAction]:
        """Answer every action up to the next Receive, Open or Wait; returns the ones answered."""
        seen: list[SessionAction] = []
        while not isinstance(self.action, Receive | Open | Wait):
            seen.append(self.action)
            self.answer(None)
        return seen


def delays(count: int, policy: ReconnectPolicy | None = None) -> list[float]:
    """The first ``count`` backoff delays the session draws from the seeded random source."""
    source = (policy or ReconnectPolicy()).delays(random.Random(SEED))
    return [next(source) for _ in range(count)]


def registers(approval: str, *trs: KisWebsocketTR) -> list[SessionAction]:
    return [Write(subscribe_message(approval, tr)) for tr in trs]


# ------------------------------------------------------------------------------------------------- connecting


def test_first_connection_registers_everything_wanted_and_announces_nothing() -> None:
    script = Script(B, A)
    first: SessionAction = script.action
    assert first == Open(renew=False)
    script.answer("approval-1")
    assert script.drain() == registers("approval-1", B, A)  # sorted: H0STASP0 before H0STCNT0
    assert script.action == Receive(45.0)
    assert script.state.pending == {A, B}


def test_control_replies_confirm_and_carry_the_notice_cipher() -> None:
    script = Script(A, N)
    script.answer("k")
    script.drain()
    script.answer(reply(A))
    script.answer(reply(N, output={"key": KEY, "iv": IV}))
    assert script.action == Receive(45.0)
    assert script.state.confirmed == {A, N}
    encrypted = frame("H0STCNI0", encrypt(H0STCNI0_FILL, Cipher(KEY, IV)), flag="1")
    assert script.answer(encrypted) == Deliver(DataFrame(True, "H0STCNI0", 1, encrypt(H0STCNI0_FILL, Cipher(KEY, IV))),
                                               Cipher(KEY, IV))  # fmt: skip
    assert script.answer(None) == Receive(45.0)


def test_data_frames_are_delivered_in_order_without_their_key() -> None:
    script = Script(A)
    script.answer("k")
    script.drain()
    first = script.answer(frame("H0STCNT0", H0STCNT0))
    assert first == Deliver(DataFrame(False, "H0STCNT0", 1, H0STCNT0), None)
    assert isinstance(script.answer(None), Receive)
    second = script.answer(frame("H0STCNT0", H0STCNT0, H0STCNT0))
    assert isinstance(second, Deliver) and second.frame.count == 2


def test_pingpong_is_echoed_verbatim_and_renews_the_heartbeat() -> None:
    script = Script(A)
    script.answer("k")
    script.drain()
    script.clock.now += 40
    assert script.answer(PING) == Write(PING)
    assert script.answer(None) == Receive(45.0)  # the bound counts from the heartbeat, not the connection
    script.clock.now += 30
    assert script.answer(None) == Receive(15.0)  # a timed-out read waits out the rest of the bound


def test_malformed_frames_are_skipped() -> None:
    script = Script(A)
    script.answer("k")
    script.drain()
    for text in ("garbage", "0|H0STCNT0|abc|x", "[1, 2]", '{"header": {"tr_id": "X"}}'):
        assert isinstance(script.answer(text), Receive)
    assert script.state.pending == {A}


def test_a_reply_that_releases_sends_the_waiting_register() -> None:
    script = Script()
    script.answer("k")
    script.drain()
    assert script.session.messages(script.state.add(A)) == [subscribe_message("k", A)]
    assert script.session.messages(script.state.remove(A)) == [subscribe_message("k", A, register=False)]
    assert script.state.add(A) == []  # wanted again while the release is in flight: wait for its reply
    assert isinstance(script.answer(reply(A)), Receive)
    assert script.answer(reply(A, "UNSUBSCRIBE SUCCESS", msg_cd="OPSP0001")) == Write(subscribe_message("k", A))
    assert isinstance(script.answer(None), Receive)


# ------------------------------------------------------------------------------------------- reconnecting


def test_silence_reconnects_and_restores_every_subscription() -> None:
    script = Script(A, B, N)
    script.answer("approval-1")
    script.drain()
    for tr in (A, B, N):
        script.answer(reply(tr))
    assert script.state.confirmed == {A, B, N}
    script.clock.now += 45
    closed = script.answer(None)
    assert closed == Close("no PINGPONG or data for 45s")
    assert not script.state.is_connected and script.state.confirmed == frozenset()
    assert script.answer(None) == Wait(delays(1)[0])
    assert script.answer(None) == Open(renew=False)
    script.answer("approval-2")
    restored = script.drain()
    assert restored[:3] == registers("approval-2", B, N, A)
    assert restored[3] == KisReconnectEvent(Environment.REAL, 0, (B, N, A), "no PINGPONG or data for 45s")
    assert len(restored) == 4 and isinstance(script.action, Receive)
    assert script.state.pending == {A, B, N}


def test_a_dropped_connection_backs_off_and_counts_failed_attempts() -> None:
    script = Script(A)
    script.answer("k")
    script.drain()
    expected = delays(4)
    assert script.answer(Lost("connection closed (1006)")) == Close("connection closed (1006)")
    assert script.answer(None) == Wait(expected[0])
    assert script.answer(None) == Open(renew=False)
    assert script.answer(Lost("ConnectionRefusedError()")) == Wait(expected[1])
    assert script.answer(None) == Open(renew=True)  # a refused handshake may mean a stale approval key
    assert script.answer(Lost("ConnectionRefusedError()")) == Wait(expected[2])
    script.answer(None)
    script.answer("fresh")
    restored = script.drain()
    assert restored == [
        *registers("fresh", A),
        KisReconnectEvent(Environment.REAL, 2, (A,), "connect failed: ConnectionRefusedError()"),
    ]
    assert expected[1] <= 1.0 and expected[2] <= 2.0 and expected[2] >= 1.0  # jittered, doubling


def test_a_connection_that_lived_resets_the_backoff() -> None:
    script = Script(A)
    script.answer("k")
    script.drain()
    script.answer(Lost("connection closed"))
    first = script.answer(None)
    script.answer(None)
    script.answer("k")
    script.drain()
    script.clock.now += 31  # longer than the policy's longest delay
    script.answer(PING)
    script.answer(None)
    script.answer(Lost("connection closed"))
    again = script.answer(None)
    source = random.Random(SEED)  # the same draws: the second is scaled as a first delay again
    initial = ReconnectPolicy().initial
    assert first == Wait(source.uniform(initial / 2, initial))
    assert again == Wait(source.uniform(initial / 2, initial))


def test_a_refused_approval_key_reconnects_with_a_fresh_one() -> None:
    script = Script(A)
    script.answer("stale")
    script.drain()
    refused = script.answer(reply(A, "invalid approval : NOT FOUND", rt_cd="1", msg_cd="OPSP0011"))
    assert refused == Close(KEY_REFUSED)
    script.answer(None)
    assert script.answer(None) == Open(renew=True)


def test_a_failed_pingpong_echo_ends_the_connection() -> None:
    script = Script(A)
    script.answer("k")
    script.drain()
    assert script.answer(PING) == Write(PING)
    closed = script.answer(Lost("connection failed (BrokenPipeError())"))
    assert closed == Close("PINGPONG echo failed: connection failed (BrokenPipeError())")


def test_the_policy_gives_up_after_its_attempts() -> None:
    policy = ReconnectPolicy(attempts=2)
    script = Script(A, policy=policy)
    assert script.answer(Lost("refused")) == Wait(delays(1, policy)[0])
    script.answer(None)
    with pytest.raises(StopIteration):
        script.answer(Lost("refused"))


def test_a_refused_registration_is_not_retried_on_the_same_connection() -> None:
    script = Script(A, B)
    script.answer("k")
    script.drain()
    assert isinstance(script.answer(reply(A, "MAX SUBSCRIBE OVER", rt_cd="1", msg_cd="OPSP0008")), Receive)
    assert script.state.refused.keys() == {A}
    script.answer(Lost("connection closed"))
    script.answer(None)
    script.answer(None)
    script.answer("k")
    assert script.drain()[:2] == registers("k", B, A)  # a new connection tries it again


def test_defaults_bound_silence_at_45_seconds() -> None:
    session = WebsocketSession(Environment.VIRTUAL, Subscriptions(), clock=Clock())
    flow = session.run()
    assert next(flow) == Open(renew=False)
    assert flow.send("k") == Receive(Heartbeat().timeout)


def test_the_heartbeat_bound_expires_exactly_at_its_end() -> None:
    script = Script(A)
    script.answer("k")
    script.drain()
    script.clock.now += 44.5
    assert script.answer(None) == Receive(0.5)
    script.clock.now += 0.5
    assert script.answer(None) == Close("no PINGPONG or data for 45s")


def test_a_plain_frame_of_an_encrypted_tr_is_delivered_without_the_key() -> None:
    script = Script(N)
    script.answer("k")
    script.drain()
    script.answer(reply(N, output={"key": KEY, "iv": IV}))
    plain = script.answer(frame("H0STCNI0", H0STCNI0_FILL))
    assert plain == Deliver(DataFrame(False, "H0STCNI0", 1, H0STCNI0_FILL), None)


def test_a_failed_registration_send_ends_the_connection_and_is_the_reconnect_reason() -> None:
    script = Script(A, B)
    script.answer("k")
    assert script.answer(Lost("connection failed (BrokenPipeError())")) == Close(
        "send failed: connection failed (BrokenPipeError())"
    )
    script.answer(None)
    script.answer(None)
    script.answer("k2")
    event = script.drain()[-1]
    assert event == KisReconnectEvent(Environment.REAL, 0, (B, A), "send failed: connection failed (BrokenPipeError())")


def test_a_failed_send_after_a_reply_ends_the_connection() -> None:
    script = Script()
    script.answer("k")
    script.drain()
    script.session.messages(script.state.add(A))
    script.session.messages(script.state.remove(A))
    script.state.add(A)
    script.answer(reply(A))
    assert script.answer(reply(A, "UNSUBSCRIBE SUCCESS", msg_cd="OPSP0001")) == Write(subscribe_message("k", A))
    assert script.answer(Lost("connection closed (1006)")) == Close("send failed: connection closed (1006)")


def test_short_connections_keep_doubling_the_backoff() -> None:
    script = Script(A)
    expected = delays(3)
    script.answer("k")
    script.drain()
    script.clock.now += 29.5  # shorter than the policy's longest delay: the outage goes on
    assert script.answer(Lost("connection closed")) == Close("connection closed")
    assert script.answer(None) == Wait(expected[0])
    script.answer(None)
    script.answer("k")
    script.drain()
    script.answer(Lost("connection closed"))
    assert script.answer(None) == Wait(expected[1])


def test_a_connection_that_lived_exactly_the_longest_delay_resets_the_backoff() -> None:
    script = Script(A)
    script.answer("k")
    script.drain()
    script.clock.now += ReconnectPolicy().maximum
    script.answer(Lost("connection closed"))
    script.answer(None)
    script.answer(None)
    script.answer("k")
    script.drain()
    script.clock.now += ReconnectPolicy().maximum
    script.answer(Lost("connection closed"))
    source = random.Random(SEED)
    initial = ReconnectPolicy().initial
    source.uniform(initial / 2, initial)
    assert script.answer(None) == Wait(source.uniform(initial / 2, initial))


def test_the_log_tells_each_step_of_the_session(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="pykis")
    script = Script(A, B, policy=ReconnectPolicy(attempts=2))
    expected = delays(3)
    assert script.answer(None) == Wait(expected[0])  # the driver could not open anything
    script.answer(None)
    script.answer("k")
    script.drain()
    refused = reply(B, "MAX SUBSCRIBE OVER", rt_cd="1", msg_cd="OPSP0008")
    for text in (reply(A), reply(B, "ALREADY IN SUBSCRIBE"), refused, "garbage",
                 reply(N, "UNSUBSCRIBE SUCCESS", msg_cd="OPSP0001"),
                 reply(N, "UNSUBSCRIBE ERROR", rt_cd="1", msg_cd="OPSP0003")):  # fmt: skip
        assert isinstance(script.answer(text), Receive)
    script.answer(Lost("connection closed (1006)"))
    script.answer(None)
    assert script.answer(None) == Open(renew=False)
    script.answer(Lost("ConnectionRefusedError()"))
    script.answer(None)
    with pytest.raises(StopIteration):
        script.answer(Lost("ConnectionRefusedError()"))
    limit = str(KisSubscriptionError(rt_cd="1", msg_cd="OPSP0008", msg1="MAX SUBSCRIBE OVER", tr_id="H0STASP0"))
    assert [(record.levelname, record.getMessage()) for record in caplog.records] == [
        ("WARNING", f"RTC connect failed: no connection; retrying in {expected[0]:.2f}s"),
        ("INFO", "RTC Connected to real server"),
        ("INFO", "RTC Restoring subscriptions... H0STASP0.000660 H0STCNT0.005930"),
        ("INFO", "RTC Subscribed to H0STCNT0.005930"),
        ("DEBUG", "RTC Already subscribed to H0STASP0.000660"),
        ("ERROR", f"RTC Server refused H0STASP0.000660: {limit}"),
        ("WARNING", "RTC Skipped a malformed frame (neither a data frame nor JSON): garbage"),
        ("INFO", "RTC Unsubscribed from H0STCNI0.myhtsid"),
        ("DEBUG", "RTC H0STCNI0.myhtsid was not registered: UNSUBSCRIBE ERROR"),
        (
            "WARNING",
            f"RTC Disconnected from real server (connection closed (1006)); reconnecting in {expected[1]:.2f}s",
        ),
        ("WARNING", f"RTC connect failed: ConnectionRefusedError(); retrying in {expected[2]:.2f}s"),
        ("ERROR", "RTC Giving up on the real server after 2 attempts: connect failed: ConnectionRefusedError()"),
    ]
