"""Optional SQLite persistence for the matching engine (``engine.Journal``).

``Store(path)`` keeps accounts, cash, positions, orders, fills and the order-number counters in one SQLite file
(WAL, ``synchronous=FULL``). ``Engine`` calls ``write`` with every record an acknowledged request changed and the
transaction commits before the engine answers, so an emulator restarted on the same file resumes where it left
off. Without a path the store lives in memory (same code path, nothing survives the process).

Money is stored as decimal text, times as ISO-8601 text with offset.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from types import TracebackType

from pykis.emulator.engine import Account, Engine, Fill, Order, Position, Snapshot
from pykis.emulator.market import Market

__all__ = ["SCHEMA_VERSION", "Persistence", "Store", "attach"]

SCHEMA_VERSION = 1
"""Bumped whenever the tables change; a file with another version is refused."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS accounts (number TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS cash (
    account TEXT NOT NULL, currency TEXT NOT NULL, amount TEXT NOT NULL, reserved TEXT NOT NULL,
    realized TEXT NOT NULL, fees TEXT NOT NULL, taxes TEXT NOT NULL, PRIMARY KEY (account, currency));
CREATE TABLE IF NOT EXISTS positions (
    account TEXT NOT NULL, market TEXT NOT NULL, symbol TEXT NOT NULL, currency TEXT NOT NULL,
    qty INTEGER NOT NULL, avg_price TEXT NOT NULL, committed INTEGER NOT NULL,
    PRIMARY KEY (account, market, symbol));
CREATE TABLE IF NOT EXISTS orders (
    order_no TEXT PRIMARY KEY, branch TEXT NOT NULL, account TEXT NOT NULL, symbol TEXT NOT NULL,
    market TEXT NOT NULL, currency TEXT NOT NULL, side TEXT NOT NULL, ord_dvsn TEXT NOT NULL, qty INTEGER NOT NULL,
    price TEXT NOT NULL, time TEXT NOT NULL, seq INTEGER NOT NULL, kind TEXT NOT NULL,
    original_order_no TEXT NOT NULL, exchange TEXT NOT NULL, tif TEXT NOT NULL, filled_qty INTEGER NOT NULL,
    filled_amount TEXT NOT NULL, cancelled_qty INTEGER NOT NULL, status TEXT NOT NULL, reserve_price TEXT NOT NULL,
    reserved TEXT NOT NULL, expires TEXT, window_start TEXT, window_end TEXT, message TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS orders_account ON orders (account);
CREATE TABLE IF NOT EXISTS fills (
    fill_no INTEGER PRIMARY KEY, order_no TEXT NOT NULL, account TEXT NOT NULL, symbol TEXT NOT NULL,
    market TEXT NOT NULL, side TEXT NOT NULL, qty INTEGER NOT NULL, price TEXT NOT NULL, amount TEXT NOT NULL,
    fee TEXT NOT NULL, tax TEXT NOT NULL, time TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""

_ORDER_COLUMNS = (
    "order_no",
    "branch",
    "account",
    "symbol",
    "market",
    "currency",
    "side",
    "ord_dvsn",
    "qty",
    "price",
    "time",
    "seq",
    "kind",
    "original_order_no",
    "exchange",
    "tif",
    "filled_qty",
    "filled_amount",
    "cancelled_qty",
    "status",
    "reserve_price",
    "reserved",
    "expires",
    "window_start",
    "window_end",
    "message",
)


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _parse_time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


class Store:
    """SQLite-backed ``Journal``; ``path=None`` keeps everything in memory."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = None if path is None else os.fspath(path)
        self._db = sqlite3.connect(self.path or ":memory:", isolation_level=None, check_same_thread=False)
        if self.path is not None:
            self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)
        row = self._db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        if row is None:
            self._db.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
        elif int(row[0]) != SCHEMA_VERSION:
            self._db.close()
            raise ValueError(f"{self.path}: schema version {row[0]}, expected {SCHEMA_VERSION}")

    def close(self) -> None:
        """Close the database (checkpointing the WAL)."""
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.path or ':memory:'})"

    # ------------------------------------------------------------------------------------------------ Journal

    def load(self) -> Snapshot:
        """Read everything back into engine records."""
        db = self._db
        snapshot = Snapshot()
        for (number,) in db.execute("SELECT number FROM accounts ORDER BY number"):
            snapshot.accounts[number] = Account(number)
        for account, currency, amount, reserved, realized, fees, taxes in db.execute("SELECT * FROM cash"):
            record = snapshot.accounts[account]
            record.cash[currency] = Decimal(amount)
            record.reserved[currency] = Decimal(reserved)
            record.realized[currency] = Decimal(realized)
            record.fees[currency] = Decimal(fees)
            record.taxes[currency] = Decimal(taxes)
        for account, market, symbol, currency, qty, avg, committed in db.execute("SELECT * FROM positions"):
            snapshot.accounts[account].positions[(market, symbol)] = Position(
                symbol, market, currency, qty, Decimal(avg), committed
            )
        query = f"SELECT {', '.join(_ORDER_COLUMNS)} FROM orders ORDER BY order_no"  # noqa: S608 - fixed columns
        for row in db.execute(query):
            values = dict(zip(_ORDER_COLUMNS, row, strict=True))
            order = Order(
                order_no=values["order_no"],
                branch=values["branch"],
                account=values["account"],
                symbol=values["symbol"],
                market=values["market"],
                currency=values["currency"],
                side=values["side"],
                ord_dvsn=values["ord_dvsn"],
                qty=values["qty"],
                price=Decimal(values["price"]),
                time=datetime.fromisoformat(values["time"]),
                seq=values["seq"],
                kind=values["kind"],
                original_order_no=values["original_order_no"],
                exchange=values["exchange"],
                tif=values["tif"],
                filled_qty=values["filled_qty"],
                filled_amount=Decimal(values["filled_amount"]),
                cancelled_qty=values["cancelled_qty"],
                status=values["status"],
                reserve_price=Decimal(values["reserve_price"]),
                reserved=Decimal(values["reserved"]),
                expires=_parse_time(values["expires"]),
                window_start=_parse_time(values["window_start"]),
                window_end=_parse_time(values["window_end"]),
                message=values["message"],
            )
            snapshot.orders[order.order_no] = order
        for row in db.execute("SELECT * FROM fills ORDER BY fill_no"):
            fill_no, order_no, account, symbol, market, side, qty, price, amount, fee, tax, at = row
            snapshot.fills.append(
                Fill(
                    fill_no,
                    order_no,
                    account,
                    symbol,
                    market,
                    side,
                    qty,
                    Decimal(price),
                    Decimal(amount),
                    Decimal(fee),
                    Decimal(tax),
                    datetime.fromisoformat(at),
                )
            )
        snapshot.counters = dict(db.execute("SELECT name, value FROM counters"))
        return snapshot

    def write(
        self, accounts: Iterable[Account], orders: Iterable[Order], fills: Iterable[Fill], counters: Mapping[str, int]
    ) -> None:
        """Store the changed records in one transaction; returns after the commit."""
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            for account in accounts:
                db.execute("INSERT OR IGNORE INTO accounts VALUES (?)", (account.number,))
                db.execute("DELETE FROM cash WHERE account = ?", (account.number,))
                db.execute("DELETE FROM positions WHERE account = ?", (account.number,))
                currencies = set(account.cash) | set(account.reserved) | set(account.realized)
                zero = Decimal(0)
                for currency in sorted(currencies | set(account.fees) | set(account.taxes)):
                    db.execute(
                        "INSERT INTO cash VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (
                            account.number,
                            currency,
                            str(account.cash.get(currency, zero)),
                            str(account.reserved.get(currency, zero)),
                            str(account.realized.get(currency, zero)),
                            str(account.fees.get(currency, zero)),
                            str(account.taxes.get(currency, zero)),
                        ),
                    )
                for position in account.positions.values():
                    db.execute(
                        "INSERT INTO positions VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (
                            account.number,
                            position.market,
                            position.symbol,
                            position.currency,
                            position.qty,
                            str(position.avg_price),
                            position.committed,
                        ),
                    )
            placeholders = ", ".join("?" for _ in _ORDER_COLUMNS)
            for order in orders:
                db.execute(
                    f"INSERT OR REPLACE INTO orders ({', '.join(_ORDER_COLUMNS)}) VALUES ({placeholders})",  # noqa: S608
                    (
                        order.order_no,
                        order.branch,
                        order.account,
                        order.symbol,
                        order.market,
                        order.currency,
                        order.side,
                        order.ord_dvsn,
                        order.qty,
                        str(order.price),
                        order.time.isoformat(),
                        order.seq,
                        order.kind,
                        order.original_order_no,
                        order.exchange,
                        order.tif,
                        order.filled_qty,
                        str(order.filled_amount),
                        order.cancelled_qty,
                        order.status,
                        str(order.reserve_price),
                        str(order.reserved),
                        _time(order.expires),
                        _time(order.window_start),
                        _time(order.window_end),
                        order.message,
                    ),
                )
            for fill in fills:
                db.execute(
                    "INSERT INTO fills VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        fill.fill_no,
                        fill.order_no,
                        fill.account,
                        fill.symbol,
                        fill.market,
                        fill.side,
                        fill.qty,
                        str(fill.price),
                        str(fill.amount),
                        str(fill.fee),
                        str(fill.tax),
                        fill.time.isoformat(),
                    ),
                )
            for name, value in counters.items():
                db.execute("INSERT OR REPLACE INTO counters VALUES (?, ?)", (name, value))
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")


class Persistence:
    """What ``attach`` returns: the store and the engine journaling into it."""

    def __init__(self, store: Store, engine: Engine) -> None:
        self.store = store
        self.engine = engine

    def save(self) -> None:
        """Checkpoint and close the file; every acknowledged change was already committed."""
        with contextlib.suppress(sqlite3.Error):
            self.store._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.store.close()


def attach(server: object, path: str | os.PathLike[str]) -> Persistence:
    """Give ``server`` (anything with a ``market``) an ``engine`` journaling into the SQLite file ``path``.

    Used by the emulator server for ``--state FILE``: the engine resumes the file's accounts and orders.
    """
    market = getattr(server, "market")  # noqa: B009 - the server type lives on the wire side
    if not isinstance(market, Market):
        raise TypeError(f"{server!r} has no Market")
    store = Store(path)
    engine = Engine(market, journal=store)
    setattr(server, "engine", engine)  # noqa: B010
    return Persistence(store, engine)
