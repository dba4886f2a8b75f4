"""The local order journal: every order is written down before it is sent, and its number once it is known.

KIS orders carry no client order id, so when an order's answer is lost the library must find the order among
the day's orders by what it asked for (symbol, side, quantity, price, time). The journal makes that safe:
order numbers that other journal entries already claimed (confirmed orders of this or another process sharing
the cache directory) are never taken for the lost one, and an entry that cannot be settled stays recorded as
``unknown`` with its client id, which :class:`~pykis.errors.KisOrderUnknownError` reports.

One JSON line per event in ``<cache>/orders/<account>-<YYYYMMDD>.jsonl``; writing is best effort (a read-only
cache directory costs the cross-process part only).
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec

from pykis._files import open_private_append, private_dir, read_private
from pykis.protocol.clock import ServiceClock

__all__ = ["JournalEntry", "OrderJournal"]

log = logging.getLogger("pykis")


class JournalEntry(msgspec.Struct):
    """One order intent."""

    client_id: str
    account: str
    symbol: str
    market: str
    side: str
    qty: int
    price: str
    order_type: str
    sent_at: datetime
    number: str | None = None
    status: str = "sending"
    """``sending``, ``confirmed``, ``rejected`` or ``unknown``."""
    kind: str = "new"
    """``new``, or ``modify``/``cancel`` of the order numbered ``original``."""
    original: str | None = None


class OrderJournal:
    """Order intents of one client, mirrored to a file in ``directory`` (``None``: memory only)."""

    def __init__(self, directory: Path | None, now: Callable[[], datetime] | None = None) -> None:
        """``now``: the service's time (the client's clock); the entries' ``sent_at`` are compared with the
        times of the service's order rows when an answer is lost."""
        self._directory = directory
        self._now = now or ServiceClock().now
        self._entries: dict[str, JournalEntry] = {}
        self._lock = threading.Lock()

    def _path(self, account: str, day: datetime) -> Path | None:
        if self._directory is None:
            return None
        return self._directory / f"{account.replace('-', '')}-{day:%Y%m%d}.jsonl"

    def _write(self, entry: JournalEntry) -> None:
        path = self._path(entry.account, entry.sent_at)
        if path is None:
            return
        record = {
            "client_id": entry.client_id,
            "account": entry.account,
            "symbol": entry.symbol,
            "market": entry.market,
            "side": entry.side,
            "qty": entry.qty,
            "price": entry.price,
            "order_type": entry.order_type,
            "sent_at": entry.sent_at.isoformat(),
            "number": entry.number,
            "status": entry.status,
            "kind": entry.kind,
            "original": entry.original,
        }
        try:
            private_dir(path.parent)
            # Appended in place (other processes append too): never through a link, never to another's file.
            fd = open_private_append(path)
            with os.fdopen(fd, "a", encoding="utf-8") as stream:
                stream.write(json.dumps(record, ensure_ascii=False) + "\n")
        except OSError as exc:
            log.warning("cannot write the order journal %s: %s", path, exc)

    def begin(  # noqa: PLR0913 — keyword-only: the columns of the record it writes
        self,
        *,
        account: str,
        symbol: str,
        market: str,
        side: str,
        qty: int,
        price: str,
        order_type: str,
        kind: str = "new",
        original: str | None = None,
    ) -> JournalEntry:
        """Record an order (or a modify/cancel of ``original``) about to be sent; returns its entry (with a
        fresh client id)."""
        entry = JournalEntry(
            secrets.token_hex(8),
            account,
            symbol,
            market,
            side,
            qty,
            price,
            order_type,
            self._now().astimezone(UTC),
            kind=kind,
            original=original,
        )
        with self._lock:
            self._entries[entry.client_id] = entry
        self._write(entry)
        return entry

    def settle(self, entry: JournalEntry, status: str, number: str | None = None) -> None:
        """Record the outcome of ``entry``."""
        with self._lock:
            entry.status = status
            entry.number = number
        self._write(entry)

    def entries(self) -> list[JournalEntry]:
        """This client's entries, oldest first."""
        with self._lock:
            return list(self._entries.values())

    def claimed(self, account: str, day: datetime) -> set[str]:
        """Order numbers of ``account`` that confirmed journal entries (of any process) already own."""
        numbers = {
            e.number.lstrip("0") for e in self._entries.values() if e.account == account and e.number is not None
        }
        path = self._path(account, day)
        if path is not None and path.exists():
            try:
                lines = read_private(path).decode("utf-8", "replace").splitlines()
            except OSError as exc:
                log.warning("cannot read the order journal %s: %s", path, exc.strerror)
                lines = []
            for line in lines:
                try:
                    record: dict[str, Any] = json.loads(line)
                except ValueError:
                    continue
                number = record.get("number")
                if isinstance(number, str) and record.get("status") == "confirmed":
                    numbers.add(number.lstrip("0"))
        return numbers
