"""The order journal: what it writes for each order, and which numbers it reports as claimed."""

from __future__ import annotations

import json
import logging
import re
import stat
from datetime import UTC
from pathlib import Path

import pytest

from pykis.drivers.journal import OrderJournal

ORDER = {"symbol": "005930", "market": "KRX", "side": "buy", "qty": 3, "price": "70000", "order_type": "00"}


def lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def test_an_order_is_written_before_and_after_it_is_sent(tmp_path: Path) -> None:
    journal = OrderJournal(tmp_path)
    entry = journal.begin(account="12345678-01", **ORDER)  # type: ignore[arg-type]
    assert re.fullmatch(r"[0-9a-f]{16}", entry.client_id)
    assert (entry.status, entry.number, entry.kind, entry.original) == ("sending", None, "new", None)
    assert entry.sent_at.tzinfo is UTC
    path = tmp_path / f"1234567801-{entry.sent_at:%Y%m%d}.jsonl"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    first = {
        "client_id": entry.client_id,
        "account": "12345678-01",
        **ORDER,
        "sent_at": entry.sent_at.isoformat(),
        "number": None,
        "status": "sending",
        "kind": "new",
        "original": None,
    }
    assert lines(path) == [first]
    journal.settle(entry, "confirmed", "0000012345")
    assert (entry.status, entry.number) == ("confirmed", "0000012345")
    assert lines(path) == [first, {**first, "status": "confirmed", "number": "0000012345"}]


def test_a_modify_names_its_original_and_text_stays_readable(tmp_path: Path) -> None:
    journal = OrderJournal(tmp_path)
    entry = journal.begin(account="1-2", **{**ORDER, "symbol": "삼성"}, kind="modify", original="77")  # type: ignore[arg-type]
    assert (entry.kind, entry.original) == ("modify", "77")
    (path,) = tmp_path.iterdir()
    assert path.name.startswith("12-")
    assert "삼성" in path.read_text("utf-8")  # not \\uXXXX escapes
    assert lines(path)[0]["original"] == "77"


def test_claimed_numbers_come_from_memory_and_from_confirmed_lines(tmp_path: Path) -> None:
    mine = OrderJournal(tmp_path)
    confirmed = mine.begin(account="A-1", **ORDER)  # type: ignore[arg-type]
    mine.settle(confirmed, "confirmed", "00042")
    pending = mine.begin(account="A-1", **ORDER)  # type: ignore[arg-type]
    assert pending.number is None
    other_account = mine.begin(account="B-1", **ORDER)  # type: ignore[arg-type]
    mine.settle(other_account, "confirmed", "99")
    day = confirmed.sent_at
    assert mine.claimed("A-1", day) == {"42"}
    # Another process sharing the directory: only confirmed numbers written there count.
    other = OrderJournal(tmp_path)
    rejected = other.begin(account="A-1", **ORDER)  # type: ignore[arg-type]
    other.settle(rejected, "rejected", "00043")
    assert other.claimed("A-1", day) == {"42", "43"}  # its own entry counts from memory
    assert OrderJournal(tmp_path).claimed("A-1", day) == {"42"}
    path = tmp_path / f"A1-{day:%Y%m%d}.jsonl"
    with path.open("a", encoding="utf-8") as stream:
        stream.write("{not json\n")
        stream.write(json.dumps({"number": 44, "status": "confirmed"}) + "\n")
        stream.write(json.dumps({"number": "0045", "status": "confirmed"}) + "\n")
    assert OrderJournal(tmp_path).claimed("A-1", day) == {"42", "45"}
    assert OrderJournal(tmp_path).claimed("C-1", day) == set()


def test_memory_only_journal(tmp_path: Path) -> None:
    journal = OrderJournal(None)
    entry = journal.begin(account="A-1", **ORDER)  # type: ignore[arg-type]
    journal.settle(entry, "confirmed", "7")
    assert journal.claimed("A-1", entry.sent_at) == {"7"}
    assert not list(tmp_path.iterdir())


def test_an_unwritable_directory_costs_only_the_file(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    journal = OrderJournal(blocker / "orders")
    with caplog.at_level(logging.WARNING, logger="pykis"):
        entry = journal.begin(account="A-1", **ORDER)  # type: ignore[arg-type]
    message = caplog.messages[0]
    assert message.startswith(f"cannot write the order journal {blocker / 'orders'}/A1-")
    assert "Not a directory" in message  # the OS's reason
    journal.settle(entry, "confirmed", "8")
    assert journal.claimed("A-1", entry.sent_at) == {"8"}


def test_a_journal_directory_is_made_with_its_parents(tmp_path: Path) -> None:
    journal = OrderJournal(tmp_path / "cache" / "orders")
    entry = journal.begin(account="A-1", **ORDER)  # type: ignore[arg-type]
    assert (tmp_path / "cache" / "orders" / f"A1-{entry.sent_at:%Y%m%d}.jsonl").exists()


def test_an_unreadable_journal_file_leaves_the_claims_in_memory(tmp_path: Path) -> None:
    journal = OrderJournal(tmp_path)
    entry = journal.begin(account="A-1", **ORDER)  # type: ignore[arg-type]
    journal.settle(entry, "confirmed", "9")
    path = tmp_path / f"A1-{entry.sent_at:%Y%m%d}.jsonl"
    path.unlink()
    path.mkdir()  # exists, but reading it fails
    assert journal.claimed("A-1", entry.sent_at) == {"9"}
