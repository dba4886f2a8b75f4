"""The request flow's rules, driven by a scripted driver (no sockets): what is retried, what never is."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Generator
from typing import Any

import pytest

from pykis.errors import KisError, KisRateLimitError, KisTimeoutError, KisTokenExpiredError, KisTransportError
from pykis.protocol.env import Environment
from pykis.protocol.envelope import Envelope
from pykis.protocol.flow import Action, GetToken, RateRefused, Send, Sleep, Throttle, call_flow
from pykis.protocol.http import HttpRequest, HttpResponse
from pykis.protocol.request import ApiCall, Credentials
from pykis.protocol.retry import RetryPolicy

CREDENTIALS = Credentials("A" * 36, "S" * 180)
QUOTE = ApiCall(
    "GET", "/uapi/domestic-stock/v1/quotations/inquire-price", "FHKST01010100", {"FID_INPUT_ISCD": "005930"}
)
ORDER = ApiCall("POST", "/uapi/domestic-stock/v1/trading/order-cash", "TTTC0012U", {"PDNO": "005930"}, trading=True)

Reply = Callable[[HttpRequest], HttpResponse | Exception]


def ok() -> HttpResponse:
    return HttpResponse(200, {}, json.dumps({"rt_cd": "0", "msg_cd": "MCA00000", "msg1": "ok"}).encode())


def egw(code: str) -> HttpResponse:
    return HttpResponse(500, {}, json.dumps({"rt_cd": "1", "msg_cd": code, "msg1": code}).encode())


def drive(flow: Generator[Action, Any, Envelope], replies: list[Reply]) -> tuple[Envelope | KisError, list[Action]]:
    """Perform the flow's actions; Send answers come from ``replies`` in order."""
    actions: list[Action] = []
    tokens = iter(["t1", "t2", "t3"])
    current = next(tokens)
    result: Any = None
    error: Exception | None = None
    while True:
        try:
            action = flow.throw(error) if error else flow.send(result)
        except StopIteration as stop:
            return stop.value, actions
        except KisError as exc:
            return exc, actions
        actions.append(action)
        result, error = None, None
        if isinstance(action, GetToken):
            if action.stale == current:
                current = next(tokens)
            result = current
        elif isinstance(action, Send):
            answer = replies.pop(0)(action.request)
            if isinstance(answer, Exception):
                error = answer
            else:
                result = answer


def run(call: ApiCall, replies: list[Reply], attempts: int = 3) -> tuple[Envelope | KisError, list[Action]]:
    flow = call_flow(call, Environment.REAL, CREDENTIALS, RetryPolicy(attempts=attempts), random.Random(1))
    return drive(flow, replies)


def sends(actions: list[Action]) -> list[Send]:
    return [action for action in actions if isinstance(action, Send)]


def test_every_send_is_throttled_first() -> None:
    result, actions = run(QUOTE, [lambda r: ok()])
    assert isinstance(result, Envelope)
    kinds = [type(action) for action in actions]
    assert kinds == [GetToken, Throttle, Send]
    request = sends(actions)[0].request
    assert request.headers["authorization"] == "Bearer t1"
    assert request.headers["tr_id"] == "FHKST01010100"


def test_expired_token_is_refreshed_once_and_the_call_resent() -> None:
    result, actions = run(ORDER, [lambda r: egw("EGW00123"), lambda r: ok()])
    assert isinstance(result, Envelope)
    tokens = [s.request.headers["authorization"] for s in sends(actions)]
    assert tokens == ["Bearer t1", "Bearer t2"]
    assert not any(isinstance(action, Sleep) for action in actions)


def test_a_token_the_server_no_longer_knows_is_replaced_once() -> None:
    # EGW00121: e.g. a kept token from before the server forgot it (revoked elsewhere, restarted sandbox).
    result, actions = run(QUOTE, [lambda r: egw("EGW00121"), lambda r: ok()])
    assert isinstance(result, Envelope)
    assert [s.request.headers["authorization"] for s in sends(actions)] == ["Bearer t1", "Bearer t2"]


def test_other_credential_refusals_are_final() -> None:
    result, actions = run(QUOTE, [lambda r: egw("EGW00103"), lambda r: ok()])
    assert isinstance(result, KisError)
    assert len(sends(actions)) == 1


def test_a_second_expiry_is_raised() -> None:
    result, actions = run(QUOTE, [lambda r: egw("EGW00123")] * 2)
    assert isinstance(result, KisTokenExpiredError)
    assert len(sends(actions)) == 2


def test_inquiry_is_retried_after_rate_limit_with_backoff() -> None:
    result, actions = run(QUOTE, [lambda r: egw("EGW00201"), lambda r: ok()])
    assert isinstance(result, Envelope)
    assert any(isinstance(action, RateRefused) for action in actions)
    sleeps = [action.seconds for action in actions if isinstance(action, Sleep)]
    assert len(sleeps) == 1
    assert 0.1 <= sleeps[0] <= 0.2


def test_inquiry_gives_up_after_the_attempts() -> None:
    failure: Reply = lambda r: KisTransportError("reset")  # noqa: E731
    result, actions = run(QUOTE, [failure] * 3, attempts=3)
    assert isinstance(result, KisTransportError)
    assert len(sends(actions)) == 3


@pytest.mark.parametrize(
    "failure",
    [lambda r: KisTimeoutError("slow"), lambda r: KisTransportError("reset"), lambda r: egw("EGW00201")],
)
def test_an_order_is_never_resent(failure: Reply) -> None:
    result, actions = run(ORDER, [failure, lambda r: ok()])
    assert isinstance(result, KisError)
    assert len(sends(actions)) == 1


def test_rate_limited_order_still_reports_to_the_limiter() -> None:
    result, actions = run(ORDER, [lambda r: egw("EGW00201")])
    assert isinstance(result, KisRateLimitError)
    assert any(isinstance(action, RateRefused) for action in actions)


SERVER_TROUBLE: list[Reply] = [
    lambda r: egw("EGW00002"),  # 서버 에러
    lambda r: HttpResponse(502, {}, b"<html>bad gateway</html>"),
    lambda r: HttpResponse(200, {}, b'{"rt_cd": "0", "output": {'),  # cut off mid-object
    lambda r: HttpResponse(200, {"content-type": "text/html"}, b"<html>maintenance</html>"),
]


@pytest.mark.parametrize("failure", SERVER_TROUBLE)
def test_an_inquiry_is_retried_through_server_trouble(failure: Reply) -> None:
    result, actions = run(QUOTE, [failure, lambda r: ok()])
    assert isinstance(result, Envelope)
    assert len(sends(actions)) == 2


@pytest.mark.parametrize("failure", SERVER_TROUBLE)
def test_an_order_is_never_resent_after_server_trouble(failure: Reply) -> None:
    result, actions = run(ORDER, [failure, lambda r: ok()])
    assert isinstance(result, KisError)
    assert len(sends(actions)) == 1


def test_a_business_refusal_is_final() -> None:
    refusal: Reply = lambda r: HttpResponse(200, {}, b'{"rt_cd": "1", "msg_cd": "APBK0013", "msg1": "no"}')  # noqa: E731
    result, actions = run(QUOTE, [refusal, lambda r: ok()])
    assert isinstance(result, KisError)
    assert len(sends(actions)) == 1
