"""SQLite persistence: an engine reopened on the same file resumes with the same accounts, orders and counters."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from pykis.emulator.clock import FrozenClock
from pykis.emulator.engine import BUY, SELL, Engine
from pykis.emulator.market import Market
from pykis.emulator.state import Store, attach

KST = ZoneInfo("Asia/Seoul")
AT = datetime(2026, 11, 25, 10, 0, tzinfo=KST)
ACCOUNT = "50123456-01"


def nonzero(amounts: dict[str, Decimal]) -> dict[str, Decimal]:
    return {currency: amount for currency, amount in amounts.items() if amount}


def test_state_survives_reopen(tmp_path: Path) -> None:
    path = tmp_path / "emulator.sqlite"
    clock = FrozenClock(AT)
    market = Market(clock)
    store = Store(path)
    engine = Engine(market, journal=store)
    engine.open_account(ACCOUNT, cash={"KRW": 1_000_000_000, "USD": 5_000}, positions=[("005930", None, 100, 80_000)])
    filled = engine.place(ACCOUNT, "005930", BUY, 10, 0, "01")
    resting = engine.place(ACCOUNT, "005930", BUY, 20, market.quote("005930").lower_limit, "00")
    selling = engine.place(ACCOUNT, "005930", SELL, 30, market.quote("005930").upper_limit, "00")
    engine.cancel(ACCOUNT, selling.order_no, qty=10, all_qty=False)
    before = engine.account(ACCOUNT)
    store.close()  # no explicit flush: every acknowledged request was already committed

    reopened_store = Store(path)
    reopened = Engine(market, journal=reopened_store)
    account = reopened.account(ACCOUNT)
    assert account.cash == before.cash
    assert nonzero(account.reserved) == nonzero(before.reserved) != {}
    assert account.positions == before.positions
    assert nonzero(account.fees) == nonzero(before.fees)
    assert [order.order_no for order in reopened.orders(ACCOUNT)] == [
        order.order_no for order in engine.orders(ACCOUNT)
    ]
    restored = reopened.order(resting.order_no)
    assert restored is not None and restored.is_open and restored.reserved == resting.reserved
    assert restored.time == resting.time and restored.expires == resting.expires
    assert reopened.order(filled.order_no).status == "filled"  # type: ignore[union-attr]
    assert reopened.fills(ACCOUNT) == engine.fills(ACCOUNT)
    # Counters continue: no order number is reused.
    later = reopened.place(ACCOUNT, "005930", BUY, 1, 0, "01")
    assert int(later.order_no) == int(max(order.order_no for order in engine.orders())) + 1
    # Resting orders restored from the file keep working.
    clock.set(AT + timedelta(hours=6))
    reopened.match()
    assert restored.status == "cancelled"  # expired at the close
    assert reopened.account(ACCOUNT).reserved["KRW"] == 0
    reopened_store.close()


def test_file_uses_wal_and_refuses_a_foreign_schema(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    Store(path).close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        db.execute("UPDATE meta SET value = '99' WHERE key = 'schema'")
    with pytest.raises(ValueError, match="schema version"):
        Store(path)


def test_in_memory_store_round_trips_within_the_process() -> None:
    with Store() as store:
        engine = Engine(Market(FrozenClock(AT)), journal=store)
        engine.open_account(ACCOUNT, cash={"KRW": 5_000_000})
        engine.place(ACCOUNT, "035720", BUY, 3, 0, "01")
        snapshot = store.load()
        assert snapshot.accounts[ACCOUNT].cash == engine.account(ACCOUNT).cash
        assert snapshot.counters["order_no"] == 2
        assert len(snapshot.fills) == len(engine.fills())


def test_attach_gives_a_server_a_journaled_engine(tmp_path: Path) -> None:
    class FakeServer:
        def __init__(self) -> None:
            self.market = Market(FrozenClock(AT))

    server = FakeServer()
    persistence = attach(server, tmp_path / "attached.sqlite")
    engine = getattr(server, "engine")  # noqa: B009
    assert engine is persistence.engine
    engine.open_account(ACCOUNT, cash={"KRW": 1_000_000})
    persistence.save()
    with Store(tmp_path / "attached.sqlite") as store:
        assert ACCOUNT in store.load().accounts
