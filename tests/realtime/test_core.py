"""The driver-independent layer: environments, registration, routing, tickets — no sockets."""

from __future__ import annotations

import gc
from typing import Any

import pytest

from pykis.drivers.websocket_handlers import KisEventTicket, RealtimeCore, order_filter, symbol_filter
from pykis.errors import KisSubscriptionLimitError, KisValidationError
from pykis.models.realtime import event_for
from pykis.protocol.env import Environment
from pykis.protocol.websocket import KisWebsocketTR, SubscribeCommand
from tests.realtime.samples import H0STCNI0_ACK, H0STCNI0_FILL, H0STCNT0, HDFSCNT0


class _Side:
    def __init__(self, environment: Environment) -> None:
        self.environment = environment


class StubKis:
    """What the core asks of a client: its environments and the market-data side."""

    def __init__(self, *environments: Environment) -> None:
        self.environments = environments

    def _side_for(self, *, trading: bool) -> _Side:
        if trading:
            return _Side(Environment.VIRTUAL if Environment.VIRTUAL in self.environments else Environment.REAL)
        return _Side(Environment.REAL if Environment.REAL in self.environments else Environment.VIRTUAL)


def core(*environments: Environment) -> RealtimeCore:
    return RealtimeCore(StubKis(*environments))  # type: ignore[arg-type]


def noop(sender: Any, e: Any) -> None:
    return None


def test_environments_of_trs() -> None:
    both = core(Environment.REAL, Environment.VIRTUAL)
    assert both.environment_for("H0STCNT0") is Environment.REAL
    assert both.environment_for("H0STCNI9") is Environment.VIRTUAL
    assert both.environment_for("H0GSCNI0") is Environment.REAL
    virtual_only = core(Environment.VIRTUAL)
    assert virtual_only.environment_for("H0STCNT0") is Environment.VIRTUAL
    with pytest.raises(KisValidationError):
        virtual_only.environment_for("H0STCNI0")


def test_registration_is_reference_counted() -> None:
    state = core(Environment.REAL)
    state.session(Environment.REAL).connected()
    first, commands = state.register("H0STCNT0", "000660", noop, None)
    assert commands == [SubscribeCommand(KisWebsocketTR("H0STCNT0", "000660"), True)]
    second, commands = state.register("H0STCNT0", "000660", noop, None)
    assert commands == []
    assert state.unregister(first.id) == (Environment.REAL, [])
    assert state.unregister(second.id) == (
        Environment.REAL,
        [SubscribeCommand(KisWebsocketTR("H0STCNT0", "000660"), False)],
    )
    assert state.unregister(second.id) == (None, [])
    assert state.subscriptions() == set()


def test_limit_leaves_no_trace() -> None:
    state = core(Environment.REAL)
    for i in range(41):
        state.register("H0STCNT0", f"{i:06d}", noop, None)
    with pytest.raises(KisSubscriptionLimitError):
        state.register("H0STCNT0", "999999", noop, None)
    assert len(state.handlers) == 41
    assert "999999" not in state.routes["H0STCNT0"]


def test_routing() -> None:
    state = core(Environment.REAL)
    krx, _ = state.register("H0STCNT0", "000660", noop, None)
    other, _ = state.register("H0STCNT0", "005930", noop, None)
    assert state.route("H0STCNT0", event_for("H0STCNT0", H0STCNT0)) == [krx]
    assert other not in state.route("H0STCNT0", event_for("H0STCNT0", H0STCNT0))
    assert state.route("H0STASP0", event_for("H0STCNT0", H0STCNT0)) == []
    nas, _ = state.register("HDFSCNT0", "DNASAAPL", noop, None)
    event = event_for("HDFSCNT0", HDFSCNT0)
    assert state.route("HDFSCNT0", event) == [nas]
    assert event._k == "DNASAAPL"
    day, _ = state.register("HDFSCNT0", "RBAQAAPL", noop, None)
    assert state.route("HDFSCNT0", event_for("HDFSCNT0", "RBAQAAPL^" + HDFSCNT0)) == [day]  # exact with RSYM
    assert set(state.route("HDFSCNT0", event_for("HDFSCNT0", HDFSCNT0))) == {nas, day}  # ambiguous without
    notice, _ = state.register("H0STCNI0", "myhtsid", noop, None)
    assert state.route("H0STCNI0", event_for("H0STCNI0", H0STCNI0_FILL)) == [notice]


def test_filters() -> None:
    fill, ack = event_for("H0STCNI0", H0STCNI0_FILL), event_for("H0STCNI0", H0STCNI0_ACK)
    keep = order_filter("12345")
    assert keep(fill) and keep(ack)
    assert not order_filter("999")(fill)
    assert symbol_filter("000660")(event_for("H0STCNT0", H0STCNT0))
    assert not symbol_filter("005930")(event_for("H0STCNT0", H0STCNT0))


class Owner:
    def __init__(self) -> None:
        self.released: list[int] = []
        self.later: list[int] = []

    def _release(self, ticket: int) -> None:
        self.released.append(ticket)

    def _release_soon(self, ticket: int) -> None:
        self.later.append(ticket)


def test_ticket_unsubscribe_is_idempotent() -> None:
    owner = Owner()
    ticket = KisEventTicket(owner, 7, KisWebsocketTR("H0STCNT0", "000660"))
    before = ticket.active
    with ticket:
        pass
    ticket.unsubscribe()
    assert owner.released == [7]
    assert (before, ticket.active) == (True, False)
    assert "unsubscribed" in repr(ticket)


def test_collected_ticket_releases_later_with_a_warning() -> None:
    owner = Owner()
    tickets = [KisEventTicket(owner, 8, KisWebsocketTR("H0STCNT0", "000660"))]
    with pytest.warns(ResourceWarning, match="H0STCNT0.000660"):
        tickets.clear()
    gc.collect()
    assert owner.later == [8]
    assert owner.released == []
