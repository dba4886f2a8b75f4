"""Modify and cancel under lost answers: the request is sent once, then found among the day's orders.

What matters, counted on the emulator's side: a modify or cancel whose answer was lost is never sent again (one
record on the server), the library reports the record the server made (its number), and an outcome it cannot
settle is a typed :class:`~pykis.errors.KisOrderUnknownError` naming the original order — never an untyped
transport error.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pykis import PyKis
from pykis.emulator import Emulator
from pykis.errors import KisError, KisOrderRejectedError, KisOrderUnknownError, KisRateLimitError
from pykis.protocol.retry import RetryPolicy
from tests.faults.conftest import SCALES, resting_price

DOMESTIC_REVISE = "/uapi/domestic-stock/v1/trading/order-rvsecncl"
OVERSEAS_REVISE = "/uapi/overseas-stock/v1/trading/order-rvsecncl"
PATIENT = RetryPolicy(attempts=6, initial=0.02, maximum=0.2)


@pytest.fixture
def emu(tmp_path: Path) -> Iterator[Emulator]:
    with Emulator(secrets_dir=tmp_path / "secrets", realtime=False, token_issue_interval=0.0) as emu:
        yield emu


def arm(emu: Emulator, fault: str, path: str) -> None:
    if fault == "drop":
        emu.faults.drop_rest(path=path)
    elif fault == "delay_beyond_timeout":
        emu.faults.delay_rest(seconds=0.8, path=path)
    else:
        emu.faults.hostile_rest(fault, size=4 << 20, path=path)


def revisions(emu: Emulator, account: str, original: str) -> list[tuple[str, str]]:
    """(kind, number) of the server's modify/cancel records of ``original``."""
    return [
        (order.kind, order.order_no)
        for order in emu.server.engine.orders(account)
        if order.original_order_no.lstrip("0") == original.lstrip("0")
    ]


@pytest.mark.parametrize("fault", ["drop", "delay_beyond_timeout", "garbage_json", "truncated"])
@pytest.mark.parametrize(("symbol", "path"), [("005930", DOMESTIC_REVISE), ("NVDA", OVERSEAS_REVISE)])
def test_a_cancel_whose_answer_is_lost_is_found_not_resent(emu: Emulator, symbol: str, path: str, fault: str) -> None:
    with PyKis(emu.real.auth, keep_token=False, timeout=0.4, retry=PATIENT) as kis:
        stock = kis.stock(symbol)
        order = stock.buy(price=resting_price(emu, symbol), qty=2)
        account = str(kis.primary_account)
        arm(emu, fault, path)
        cancelled = order.cancel()
        emu.faults.clear()
        recorded = revisions(emu, account, order.number)
        assert recorded == [("cancel", recorded[0][1])]  # exactly one cancel reached the server
        assert cancelled.kind == "cancel" and cancelled.original_number == order.number
        assert cancelled.number.lstrip("0") == recorded[0][1].lstrip("0")
        assert not order.pending
        assert kis.account().pending_orders().order(order.number) is None


@pytest.mark.parametrize(("symbol", "path"), [("005930", DOMESTIC_REVISE), ("NVDA", OVERSEAS_REVISE)])
def test_a_modify_whose_answer_is_lost_is_found_with_its_new_price(emu: Emulator, symbol: str, path: str) -> None:
    with PyKis(emu.real.auth, keep_token=False, timeout=0.4, retry=PATIENT) as kis:
        stock = kis.stock(symbol)
        first = resting_price(emu, symbol, steps=20)
        second = resting_price(emu, symbol, steps=30)
        order = stock.buy(price=first, qty=3)
        account = str(kis.primary_account)
        emu.faults.drop_rest(path=path)
        modified = order.modify(price=second)
        emu.faults.clear()
        recorded = revisions(emu, account, order.number)
        assert [kind for kind, _ in recorded] == ["modify"]
        assert modified.kind == "modify" and modified.price == second and modified.qty == 3
        assert modified.number.lstrip("0") == recorded[0][1].lstrip("0")
        pending = kis.account().pending_orders().order(modified.number)
        assert pending is not None and pending.price == second


def test_a_revision_the_server_never_took_is_a_typed_unknown_naming_the_original(emu: Emulator) -> None:
    with PyKis(emu.real.auth, keep_token=False, timeout=0.4, retry=PATIENT) as kis:
        stock = kis.stock("005930")
        order = stock.buy(price=resting_price(emu, "005930"), qty=1)
        account = str(kis.primary_account)
        # A gateway timeout says nothing about whether the request reached the trading system (here: it did not).
        emu.faults.fail_rest(500, code="EGW00302", path=DOMESTIC_REVISE)
        with pytest.raises(KisOrderUnknownError) as caught:
            order.cancel()
        emu.faults.clear()
        unknown = caught.value
        assert unknown.kind == "cancel" and unknown.original_number == order.number
        assert unknown.candidates == () and unknown.symbol == "005930"
        assert f"cancel of order {order.number}" in str(unknown)
        assert revisions(emu, account, order.number) == []  # not taken, and not sent again
        assert order.pending  # the original still works; cancelling again is the user's call
        again = order.cancel()
        assert again.kind == "cancel" and [kind for kind, _ in revisions(emu, account, order.number)] == ["cancel"]


def test_revisions_are_journaled_and_claimed_numbers_are_never_taken_twice(emu: Emulator) -> None:
    with PyKis(emu.real.auth, keep_token=False, timeout=0.4, retry=PATIENT) as kis:
        stock = kis.stock("005930")
        order = stock.buy(price=resting_price(emu, "005930"), qty=4)
        emu.faults.drop_rest(path=DOMESTIC_REVISE)
        part = order.cancel(qty=1)
        emu.faults.clear()
        journal = kis.journal
        entries = [e for e in journal.entries() if e.kind == "cancel"]
        assert len(entries) == 1 and entries[0].original == order.number and entries[0].status == "confirmed"
        assert entries[0].number == part.number and part.client_id == entries[0].client_id
        # A second partial cancel lost the same way must not claim the first one's record.
        emu.faults.drop_rest(path=DOMESTIC_REVISE)
        second = order.cancel(qty=1)
        emu.faults.clear()
        assert second.number.lstrip("0") != part.number.lstrip("0")


# fault → whether the modify/cancel reaches the trading system (as for orders in test_rest_faults)
REVISION_FAULTS: dict[str, bool] = {
    "none": True,
    "delay_beyond_timeout": True,
    "drop": True,
    "http_500": False,
    "egw00201": False,
    "truncated": True,
    "wrong_content_type": True,
    "garbage_json": True,
    "huge": True,
    "token_expired": True,
}


@pytest.mark.parametrize("scale", SCALES)
def test_revisions_under_every_rest_fault_are_never_duplicated_or_misreported(  # noqa: PLR0912 — one scenario, in order
    emu: Emulator, scale: int, figures: Any
) -> None:
    rng = random.Random(5 * scale)
    plan = [(fault, kind) for fault in REVISION_FAULTS for kind in ("cancel", "modify") for _ in range(scale)]
    rng.shuffle(plan)
    outcomes: Counter[str] = Counter()
    duplicated = lost = misreported = 0
    with PyKis(emu.real.auth, keep_token=False, timeout=0.4, retry=PATIENT) as kis:
        stock = kis.stock("005930")
        first, second = resting_price(emu, "005930", steps=20), resting_price(emu, "005930", steps=25)
        account = str(kis.primary_account)
        for fault, kind in plan:
            order = stock.buy(price=first, qty=2)
            if fault == "token_expired":
                emu.faults.expire_tokens("real")
            elif fault == "http_500":
                emu.faults.fail_rest(500, path=DOMESTIC_REVISE)
            elif fault == "egw00201":
                emu.faults.fail_rest(500, code="EGW00201", path=DOMESTIC_REVISE)
            elif fault != "none":
                arm(emu, fault, DOMESTIC_REVISE)
            reported: str | None = None
            try:
                revised = order.cancel() if kind == "cancel" else order.modify(price=second)
            except KisOrderUnknownError:
                outcome = "unknown"
            except (KisOrderRejectedError, KisRateLimitError):
                outcome = "refused"
            except KisError as error:
                outcome = type(error).__name__  # an untyped outcome of a modify or cancel is a bug
            else:
                outcome, reported = "done", revised.number
            outcomes[outcome] += 1
            emu.faults.clear()
            time.sleep(0.05)
            records = revisions(emu, account, order.number)
            duplicated += max(0, len(records) - 1)
            lost += int(REVISION_FAULTS[fault] and not records)
            if outcome == "done":
                assert reported is not None
                misreported += not records or reported.lstrip("0") != records[0][1].lstrip("0")
            elif outcome in ("refused", "unknown"):
                misreported += bool(records)  # taken, yet reported refused or not found
            else:
                misreported += 1
            if order.pending:
                order.cancel()  # leave nothing resting for the next round
    figures(
        revisions_sent=len(plan),
        revisions_duplicated=duplicated,
        revisions_lost=lost,
        misreported=misreported,
        outcomes=dict(outcomes),
    )
    assert duplicated == 0 and lost == 0 and misreported == 0
