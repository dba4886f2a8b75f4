"""Cache files under a folder another local user controls (issue 18, item 2).

We run as root, so "another user" is simulated with ``os.chown`` to a uid that is not ours: the checks
compare owners explicitly, they do not rely on the kernel refusing root.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pykis._files import open_private_append, private_dir, read_private, write_private
from pykis.drivers.journal import OrderJournal
from pykis.drivers.limiter import RateLimiter
from pykis.drivers.tokens import TokenManager
from pykis.exchanges.masters import MasterCache
from pykis.protocol.env import Environment
from pykis.protocol.http import HttpRequest, HttpResponse
from pykis.protocol.ratelimit import RateWindow

OTHER_UID = os.geteuid() + 4242
DAY = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # the service's time the journals here are written at


@pytest.fixture
def shared(tmp_path: Path) -> Path:
    """A world-writable folder like /tmp."""
    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(0o1777)
    return folder


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    """A file of ours that a planted link points at."""
    path = tmp_path / "precious.txt"
    path.write_text("keep me")
    return path


def foreign_dir(path: Path) -> Path:
    path.mkdir(parents=True)
    path.chmod(0o777)
    os.chown(path, OTHER_UID, OTHER_UID)
    return path


def test_a_cache_directory_is_created_private_and_our_loose_one_is_tightened(shared: Path) -> None:
    created = private_dir(shared / "pykis" / "tokens")
    assert created.stat().st_mode & 0o777 == 0o700
    loose = shared / "loose"
    loose.mkdir(mode=0o755)
    loose.chmod(0o755)
    assert private_dir(loose).stat().st_mode & 0o777 == 0o700


def test_a_directory_another_user_owns_is_refused_with_a_clear_message(shared: Path) -> None:
    planted = foreign_dir(shared / "pykis")
    with pytest.raises(PermissionError) as caught:
        private_dir(planted)
    message = str(caught.value)
    assert "belongs to another user" in message and str(planted) in message and "PYKIS_CACHE_DIR" in message


def test_the_order_journal_is_not_written_into_another_users_directory(shared: Path, victim: Path) -> None:
    orders = foreign_dir(shared / "orders")
    (orders / f"1234567801-{DAY:%Y%m%d}.jsonl").symlink_to(victim)
    journal = OrderJournal(orders, lambda: DAY)
    entry = journal.begin(
        account="12345678-01", symbol="005930", market="KRX", side="buy", qty=1, price="70000", order_type="limit"
    )
    journal.settle(entry, "confirmed", "0000012345")
    assert victim.read_text() == "keep me"
    # Nothing of the order reached a file the other user can read.
    assert not any("005930" in p.read_text() for p in orders.iterdir() if p.is_file() and not p.is_symlink())


def test_the_journal_follows_no_link_and_takes_no_foreign_or_readable_file(tmp_path: Path, victim: Path) -> None:
    orders = private_dir(tmp_path / "orders")
    link = orders / "link.jsonl"
    link.symlink_to(victim)
    with pytest.raises(OSError):
        open_private_append(link)
    foreign = orders / "foreign.jsonl"
    foreign.write_text("")
    foreign.chmod(0o600)
    os.chown(foreign, OTHER_UID, OTHER_UID)
    with pytest.raises(PermissionError, match="another user"):
        open_private_append(foreign)
    readable = orders / "readable.jsonl"
    readable.write_text('{"number": "1", "status": "confirmed"}\n')
    readable.chmod(0o644)
    with pytest.raises(PermissionError, match="mode 644"):
        read_private(readable)
    assert victim.read_text() == "keep me"


def test_a_journal_file_planted_as_a_link_is_neither_written_nor_read(tmp_path: Path, victim: Path) -> None:
    orders = private_dir(tmp_path / "orders")
    victim.write_text(json.dumps({"number": "0000099999", "status": "confirmed"}) + "\n")
    (orders / f"1234567801-{DAY:%Y%m%d}.jsonl").symlink_to(victim)
    journal = OrderJournal(orders, lambda: DAY)
    journal.begin(
        account="12345678-01", symbol="005930", market="KRX", side="buy", qty=1, price="70000", order_type="limit"
    )
    assert "005930" not in victim.read_text()
    assert "99999" not in journal.claimed("12345678-01", DAY)


def test_master_and_rate_files_replace_a_planted_link_instead_of_following_it(tmp_path: Path, victim: Path) -> None:
    masters = private_dir(tmp_path / "masters")
    (masters / "nasmst.cod").symlink_to(victim)
    MasterCache(masters, lambda: 1_800_000_000.0).store("nasmst.cod", b"row")
    assert victim.read_text() == "keep me"
    assert not (masters / "nasmst.cod").is_symlink() and (masters / "nasmst.cod").read_bytes() == b"row"
    assert (masters / "nasmst.cod").stat().st_mode & 0o777 == 0o600

    rates = private_dir(tmp_path / "ratelimit")
    (rates / "real-abc.rate").symlink_to(victim)
    limiter = RateLimiter("real-abc", RateWindow(20), state_dir=rates)
    limiter.book()
    assert victim.read_text() == "keep me" and not (rates / "real-abc.rate").is_symlink()


def test_a_master_file_in_another_users_directory_is_not_believed(shared: Path) -> None:
    masters = foreign_dir(shared / "masters")
    (masters / "nasmst.cod").write_bytes(b"poisoned names")
    written = (masters / "nasmst.cod").stat().st_mtime
    cache = MasterCache(masters, lambda: written)  # fresh by its age: refused for where it lies
    assert cache.fresh("nasmst.cod") is None
    cache.store("nasmst.cod", b"ours")
    assert (masters / "nasmst.cod").read_bytes() == b"poisoned names"  # refused, not written into


def test_a_token_cache_in_another_users_directory_is_refused_before_any_request(shared: Path) -> None:
    sent: list[HttpRequest] = []

    def transport(request: HttpRequest) -> HttpResponse:
        sent.append(request)
        return HttpResponse(500, {}, b"")

    tokens = foreign_dir(shared / "tokens")
    manager = TokenManager(
        Environment.REAL, "A" * 36, "S" * 180, transport, host="https://kis.example", cache_dir=tokens
    )
    with pytest.raises(PermissionError, match="belongs to another user"):
        manager.get()
    assert sent == []


def test_write_private_replaces_a_link_and_leaves_no_temporary_file(tmp_path: Path, victim: Path) -> None:
    target = tmp_path / "secret.json"
    target.symlink_to(victim)
    write_private(target, b"{}")
    assert victim.read_text() == "keep me" and target.read_bytes() == b"{}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["precious.txt", "secret.json"]
