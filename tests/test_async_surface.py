"""The asyncio API is the same API: one rule over the whole public surface.

Every ``AsyncX`` that :mod:`pykis` exports is the twin of its ``X``: the same public names, each in the same form
(a property stays a property, a method a method, with the same parameters); what needs I/O is awaited in asyncio
and only that (``await kis.stock("NVDA")``, ``await order.pending``), what does not is not (``kis.account()``,
``stock.on(…)``, ``order.number``). The I/O members are listed here, by name: a new public member must join the
list or stay plain in both APIs, and this test says which.
"""

from __future__ import annotations

import inspect
from typing import Any

import pytest

import pykis

IO: dict[str, frozenset[str]] = {
    "PyKis": frozenset(
        {
            "run",  # drives a flow: every action it yields is I/O
            "request",
            "paginate",
            "token",
            "revoke",
            "approval_key",
            "close",
            "stock",  # resolves the symbol: the master files, or a search
            "quotes",
            "search",
            "is_trading_day",
        }
    ),
    "KisStock": frozenset({"quote", "orderbook", "chart", "buy", "sell", "order"}),
    "KisAccount": frozenset(
        {
            "balance",
            "daily_orders",
            "pending_orders",
            "profits",
            "orderable_amount",
            "sellable_quantity",
            "buy",
            "sell",
            "order",
        }
    ),
    "KisOrder": frozenset({"pending", "pending_order", "modify", "cancel"}),
    "KisPendingOrder": frozenset({"pending", "pending_order", "modify", "cancel"}),
    "KisWebsocketClient": frozenset({"close"}),
}
"""Blocking members that wait for the network; their asyncio twins are awaited."""

ASYNC_ONLY = {"stream": "an async iterator of events", "aclose": "the asyncio spelling of close"}
"""Names only the asyncio API has, and why (there is no blocking form of them)."""

PAIRS = [(name.removeprefix("Async"), name) for name in pykis.__all__ if name.startswith("Async")]


def _public(cls: type) -> set[str]:
    return {name for name in dir(cls) if not name.startswith("_")}


def _form(member: Any) -> str:
    if isinstance(member, property):
        return "property"
    if isinstance(member, staticmethod | classmethod) or inspect.isfunction(member):
        return "method"
    return "attribute"


def _function(member: Any) -> Any:
    if isinstance(member, property):
        return member.fget
    if isinstance(member, staticmethod | classmethod):
        return member.__func__
    return member


def _awaited(member: Any) -> bool:
    function = _function(member)
    return inspect.iscoroutinefunction(function) or inspect.isasyncgenfunction(function)


def test_every_twin_is_exported_in_pairs() -> None:
    assert {blocking for blocking, _ in PAIRS} == set(IO)
    assert all(blocking in pykis.__all__ for blocking, _ in PAIRS)


@pytest.mark.parametrize(("blocking_name", "async_name"), PAIRS, ids=[name for _, name in PAIRS])
def test_one_rule_for_both_apis(blocking_name: str, async_name: str) -> None:
    blocking, twin = getattr(pykis, blocking_name), getattr(pykis, async_name)
    names = _public(blocking)
    assert names <= _public(twin), f"{async_name} lacks {sorted(names - _public(twin))}"
    extra = _public(twin) - names
    assert extra <= set(ASYNC_ONLY), f"{async_name} alone has {sorted(extra - set(ASYNC_ONLY))}"
    assert IO[blocking_name] <= names
    for name in sorted(names):
        mine, theirs = inspect.getattr_static(blocking, name), inspect.getattr_static(twin, name)
        where = f"{blocking_name}.{name} / {async_name}.{name}"
        assert _form(mine) == _form(theirs), f"{where}: {_form(mine)} vs {_form(theirs)}"
        assert not _awaited(mine), f"{blocking_name}.{name} is a coroutine in the blocking API"
        expected = name in IO[blocking_name]
        assert _awaited(theirs) == expected, f"{where}: awaited in asyncio is {_awaited(theirs)}, I/O is {expected}"
        if _form(mine) == "method":
            ours = inspect.signature(_function(mine)).parameters
            its = inspect.signature(_function(theirs)).parameters
            assert [(p.name, p.kind, p.default) for p in ours.values()] == [
                (p.name, p.kind, p.default) for p in its.values()
            ], where
