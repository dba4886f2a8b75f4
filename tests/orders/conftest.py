"""A scripted driver for the order flows: no sockets, no files.

The flows run on a real :class:`~pykis.PyKis` (its request flows, envelope decoding and typed errors) whose actions
are answered here instead of by its driver: tokens, rate slots and the clock probe are granted at once; every
``Send`` and ``Sleep`` takes the next entry of a script — an :class:`HttpResponse` to return or an exception to
throw into the flow — and is recorded, so a test states exactly what went on the wire and in what order.
The service's clock stands at Monday 2026-10-05 10:00 KST, inside every regular session (``dawn``: 08:40 KST,
still the day before in UTC, so a date taken in the wrong zone shows).
"""

from __future__ import annotations

import json
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import pytest

from pykis import KisAuth, PyKis
from pykis.drivers.journal import OrderJournal
from pykis.protocol.clock import ServiceClock
from pykis.protocol.flow import Action, GetToken, RateRefused, Send, Sleep, SyncClock, Throttle
from pykis.protocol.http import HttpResponse
from pykis.protocol.token import AccessToken

T = TypeVar("T")
KST = ZoneInfo("Asia/Seoul")
NOW = datetime(2026, 10, 5, 10, 0, 0, tzinfo=KST)
DAWN = datetime(2026, 10, 5, 8, 40, 0, tzinfo=KST)
ACCOUNT = "12345678-01"

Outcome = HttpResponse | BaseException


def answer(body: dict[str, Any], *, status: int = 200, tr_cont: str = "") -> HttpResponse:
    """An HTTP answer carrying ``body`` as JSON (``tr_cont`` F/M: more pages follow)."""
    headers = {"content-type": "application/json; charset=utf-8", "tr_cont": tr_cont}
    return HttpResponse(status, headers, json.dumps(body, ensure_ascii=False).encode("utf-8"))


def ok(*, tr_cont: str = "", **blocks: Any) -> HttpResponse:
    """A successful envelope with ``blocks`` (``output=…``, ``output1=…``)."""
    return answer({"rt_cd": "0", "msg_cd": "MCA00000", "msg1": "정상처리 되었습니다.", **blocks}, tr_cont=tr_cont)


def refusal(msg_cd: str, msg1: str, *, status: int = 200) -> HttpResponse:
    """A refused envelope (``rt_cd`` 1)."""
    return answer({"rt_cd": "1", "msg_cd": msg_cd, "msg1": msg1}, status=status)


@dataclass
class Script:
    """The answers to a flow's ``Send`` and ``Sleep`` actions, in order, and what the flow asked."""

    kis: PyKis
    outcomes: list[Outcome] = field(default_factory=list)
    actions: list[Send | Sleep] = field(default_factory=list)

    def run(self, flow: Generator[Action, Any, T], *outcomes: Outcome) -> T:
        """Drive ``flow`` to its end with ``outcomes``; every one of them must be used."""
        self.outcomes = list(outcomes)
        try:
            return self._drive(flow)
        finally:
            assert not self.outcomes, f"{len(self.outcomes)} scripted outcome(s) left unused: {self.outcomes}"

    def _drive(self, flow: Generator[Action, Any, T]) -> T:
        result: Any = None
        error: BaseException | None = None
        while True:
            try:
                action = flow.throw(error) if error is not None else flow.send(result)
            except StopIteration as stop:
                done: T = stop.value
                return done
            result, error = self._perform(action)

    def _perform(self, action: Action) -> tuple[Any, BaseException | None]:
        if isinstance(action, GetToken):
            return AccessToken("unit-token", NOW.timestamp() + 86400), None
        if isinstance(action, Throttle):
            return NOW.timestamp(), None
        if isinstance(action, SyncClock):
            self.kis.clock.mark_synced()
            return None, None
        if isinstance(action, RateRefused):
            return None, None
        assert isinstance(action, Send | Sleep), f"unexpected action {action!r}"
        self.actions.append(action)
        assert self.outcomes, f"no scripted outcome left for {action!r}"
        outcome = self.outcomes.pop(0)
        if isinstance(action, Sleep):
            assert outcome is SLEPT, f"{action!r} came where the script expected {outcome!r}"
            return None, None
        if isinstance(outcome, BaseException):
            return None, outcome
        assert outcome is not SLEPT, f"{action!r} came where the script expected a pause"
        return outcome, None

    @property
    def sent(self) -> list[tuple[str, dict[str, Any]]]:
        """(TR ID, request fields) of every request sent, in order."""
        found = []
        for action in self.actions:
            if isinstance(action, Send):
                request = action.request
                fields = dict(request.json) if request.json is not None else dict(request.params)
                found.append((request.tr_id or "", fields))
        return found

    @property
    def pauses(self) -> list[float]:
        """The seconds of every pause, in order."""
        return [action.seconds for action in self.actions if isinstance(action, Sleep)]


SLEPT = HttpResponse(0, {}, b"(a pause)")
"""The script's entry for a ``Sleep`` action."""


def client(now: datetime = NOW, *, virtual: bool = False) -> PyKis:
    """A client on the broker's default hosts (so order sessions are checked) at ``now``, trading on the real
    service (or the ``virtual`` one), with a memory-only order journal."""
    auth = KisAuth(id="unit", appkey="P" * 36, secretkey="s" * 180, account=ACCOUNT)
    virtual_auth = KisAuth(id="unit", appkey="V" * 36, secretkey="v" * 180, account=ACCOUNT, virtual=True)
    kis = PyKis(
        auth,
        virtual_auth if virtual else None,
        keep_token=False,
        share_rate_limit=False,
        clock=ServiceClock(now.timestamp),
    )
    kis.journal = OrderJournal(None, kis.clock.now)
    return kis


@pytest.fixture
def script() -> Iterator[Script]:
    with client() as kis:
        yield Script(kis)


@pytest.fixture
def dawn() -> Iterator[Script]:
    with client(DAWN) as kis:
        yield Script(kis)


@pytest.fixture
def virtual() -> Iterator[Script]:
    with client(virtual=True) as kis:
        yield Script(kis)
