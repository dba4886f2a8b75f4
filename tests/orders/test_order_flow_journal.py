"""The one order-flow test with files: numbers another process's journal (same cache directory) claimed are never
taken for a lost order, so the day's journal file is read."""

from __future__ import annotations

from pathlib import Path

from pykis.drivers.journal import OrderJournal
from pykis.scopes.orders.send import order_flow
from tests.orders.conftest import ACCOUNT, Script
from tests.orders.test_order_flow_unit import BUY, LIMITS, LOST, SAMSUNG, days_orders, row


def test_a_number_another_process_claimed_is_never_taken(script: Script, tmp_path: Path) -> None:
    kis = script.kis
    kis.journal = OrderJournal(tmp_path, kis.clock.now)
    other = OrderJournal(tmp_path, kis.clock.now)  # another process sharing the cache directory
    theirs = other.begin(
        account=ACCOUNT, symbol="005930", market="KRX", side="buy", qty=3, price="71000", order_type="00"
    )
    other.settle(theirs, "confirmed", "0000117060")
    rows = days_orders(row(odno="0000117060"), row(odno="0000117066"))
    facts = script.run(order_flow(kis, kis.primary_account, SAMSUNG, BUY), LIMITS, LOST, rows)
    assert facts.number == "0000117066"
    assert [e.status for e in kis.journal.entries()] == ["confirmed"]
