"""RateLimiter on a fake clock: bookings shared through the state file between "processes" (limiters that share
nothing in memory), the server's refusal holding every booking back, and the blocking and asyncio waits."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from pykis._files import rewrite_private
from pykis.drivers import limiter as _limiter
from pykis.drivers.limiter import RateLimiter
from pykis.protocol.ratelimit import RateState, RateWindow

WINDOW = RateWindow(2, period=1.0, margin=0.25, penalty=3.0)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def process(state_dir: Path | None, clock: Clock, stem: str = "real-key") -> RateLimiter:
    """A limiter as a new process would build it: nothing shared in memory with earlier ones."""
    _limiter._LOCKS.clear()
    return RateLimiter(stem, WINDOW, state_dir=state_dir, clock=clock)


def test_processes_share_their_bookings_through_the_state_file(tmp_path: Path) -> None:
    clock = Clock()
    first = process(tmp_path, clock)
    assert (first.book(), first.book()) == (100.0, 100.0)
    second = process(tmp_path, clock)
    assert second.book() == 100.0 + WINDOW.span  # the window is full of the other process's bookings
    assert RateState.loads((tmp_path / "real-key.rate").read_bytes()).slots == [100.0, 100.0, 101.25]
    assert repr(second) == "RateLimiter(2/1.0s, shared by processes)"
    assert (tmp_path / "real-key.rate.lock").exists()


def test_without_a_state_dir_only_threads_share(tmp_path: Path) -> None:
    clock = Clock()
    first = process(None, clock)
    first.book()
    first.book()
    assert process(None, clock).book() == 100.0  # another process knows nothing of them
    assert repr(first) == "RateLimiter(2/1.0s, shared by threads)"
    assert not list(tmp_path.iterdir())


def test_limiters_of_one_process_share_memory(tmp_path: Path) -> None:
    clock = Clock()
    _limiter._LOCKS.clear()
    one = RateLimiter("k", WINDOW, state_dir=None, clock=clock)
    two = RateLimiter("k", WINDOW, state_dir=None, clock=clock)
    other = RateLimiter("other", WINDOW, state_dir=None, clock=clock)
    assert (one.book(), two.book(), two.book(), other.book()) == (100.0, 100.0, 101.25, 100.0)


def test_confirm_grants_at_the_slot_and_complete_moves_the_entry(tmp_path: Path) -> None:
    clock = Clock()
    limiter = process(tmp_path, clock)
    slot = limiter.book()
    assert limiter.confirm(slot) == (True, 100.0)
    clock.now = 100.5
    limiter.complete(100.0)  # the answer came at 100.5: the server counted it by then
    limiter.book()
    assert limiter.book() == 100.5 + WINDOW.span
    assert limiter.now() == 100.5


def test_a_refusal_holds_every_booking_back(tmp_path: Path) -> None:
    clock = Clock()
    limiter = process(tmp_path, clock)
    limiter.refused()
    assert process(tmp_path, clock).book() == 100.0 + WINDOW.penalty


def test_acquire_blocking_sleeps_until_its_slot(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock()
    monkeypatch.setattr("pykis.drivers.limiter.time.sleep", clock.sleep)
    limiter = process(None, clock)
    assert [limiter.acquire_blocking() for _ in range(3)] == [100.0, 100.0, 101.25]
    assert clock.sleeps == [1.25]


def test_acquire_waits_on_the_event_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock()

    async def fake_sleep(seconds: float) -> None:
        clock.sleep(seconds)

    monkeypatch.setattr(asyncio, "sleep", fake_sleep)
    limiter = process(None, clock)

    async def three() -> list[float]:
        return [await limiter.acquire() for _ in range(3)]

    assert asyncio.run(three()) == [100.0, 100.0, 101.25]
    assert clock.sleeps == [1.25]


def test_a_state_dir_that_cannot_exist_falls_back_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with caplog.at_level(logging.WARNING, logger="pykis"):
        limiter = process(blocker / "dir", Clock())
    assert caplog.messages == [f"Rate limiting per process only: cannot use {blocker / 'dir'} (Not a directory)"]
    assert repr(limiter) == "RateLimiter(2/1.0s, shared by threads)"
    assert limiter.book() == 100.0


@pytest.mark.parametrize(
    ("limit", "period", "margin", "valid"),
    [(1, 1.0, 0.0, True), (0, 1.0, 0.0, False), (1, 0.0, 0.0, False), (1, 1.0, -0.01, False), (1, 0.001, 0.0, True)],
)
def test_window_bounds(limit: int, period: float, margin: float, valid: bool) -> None:
    if valid:
        assert RateWindow(limit, period, margin).span == period + margin
    else:
        with pytest.raises(ValueError, match="invalid rate window"):
            RateWindow(limit, period, margin)


def test_state_files_read_back_or_start_afresh() -> None:
    assert RateState.loads(b'{"slots": [3, 1.5], "blocked_until": 7}') == RateState([1.5, 3.0], 7.0)
    assert RateState.loads(b'{"slots": [2]}') == RateState([2.0], 0.0)
    for raw in (b"", b"[]", b'{"slots": 1}', b'{"slots": ["x"]}', b'{"blocked_until": 1}'):
        assert RateState.loads(raw) == RateState()
    state = RateState([1.0, 2.0], 4.0)
    assert RateState.loads(state.dumps()) == state


def test_a_missing_state_dir_is_made_with_its_parents(tmp_path: Path) -> None:
    limiter = process(tmp_path / "a" / "b", Clock())
    assert limiter.book() == 100.0
    assert (tmp_path / "a" / "b" / "real-key.rate").exists()


def test_short_waits_are_slept_too(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock()
    monkeypatch.setattr("pykis.drivers.limiter.time.sleep", clock.sleep)
    _limiter._LOCKS.clear()
    limiter = RateLimiter("k", RateWindow(1, period=0.5, margin=0.0), state_dir=None, clock=clock)
    assert [limiter.acquire_blocking() for _ in range(2)] == [100.0, 100.5]
    assert clock.sleeps == [0.5]

    async def fake_sleep(seconds: float) -> None:
        clock.sleep(seconds)

    monkeypatch.setattr(asyncio, "sleep", fake_sleep)
    assert asyncio.run(limiter.acquire()) == 101.0
    assert clock.sleeps == [0.5, 0.5]


def test_state_edges() -> None:
    window = RateWindow(2, period=1.0, margin=0.25)
    state = RateState([0.0, 0.0, 3601.25 + 0.5])
    # At 1.25 the two entries sit exactly on the horizon (forgotten), one lies beyond an hour ahead (forgotten).
    assert state.book(window, 1.25) == 1.25 and state.slots == [1.25]
    kept = RateState([1.0, 3601.25])
    assert kept.book(window, 1.25) == 2.25 and kept.slots == [1.0, 2.25, 3601.25]  # both still count
    missing = RateState([1.0, 3.0])
    missing._remove(2.0)
    missing._remove(4.0)  # past every entry
    assert missing.slots == [1.0, 3.0]
    # Another request's entry exactly at the confirming slot counts in its window.
    single = RateWindow(1, period=1.0, margin=0.25)
    shared = RateState([5.0, 5.0])
    assert shared.confirm(single, 5.0, 5.0) == (False, 6.25)


@pytest.mark.parametrize("way", ["blocking", "asyncio"])
def test_a_slot_due_at_once_costs_one_state_write_and_a_later_one_two(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, way: str
) -> None:
    clock, writes = Clock(), []
    real_rewrite = rewrite_private

    def counted(path: Path, change: Callable[[bytes], bytes]) -> None:
        def recorded(old: bytes) -> bytes:
            new = change(old)
            writes.append(RateState.loads(new).slots)
            return new

        real_rewrite(path, recorded)

    async def fake_sleep(seconds: float) -> None:
        clock.sleep(seconds)

    monkeypatch.setattr("pykis.drivers.limiter.rewrite_private", counted)
    monkeypatch.setattr("pykis.drivers.limiter.time.sleep", clock.sleep)
    monkeypatch.setattr(asyncio, "sleep", fake_sleep)
    limiter = process(tmp_path, clock)

    def acquire() -> float:
        return limiter.acquire_blocking() if way == "blocking" else asyncio.run(limiter.acquire())

    assert (acquire(), acquire()) == (100.0, 100.0)
    assert writes == [[100.0], [100.0, 100.0]]  # each booked and granted in one write
    assert acquire() == 101.25  # the window is full: booked, slept for, then confirmed
    assert writes[2:] == [[100.0, 100.0, 101.25], [100.0, 100.0, 101.25]] and clock.sleeps == [1.25]


def test_the_state_file_is_rewritten_in_place_and_read_back_whatever_it_held(tmp_path: Path) -> None:
    clock = Clock()
    limiter = process(tmp_path, clock)
    state_file = tmp_path / "real-key.rate"
    state_file.write_bytes(b'{"slots": [99.5, 99.9, 99.95, 99.96], "blocked_until": 0.0}')
    state_file.chmod(0o600)
    inode = state_file.stat().st_ino
    assert limiter.book() == 99.95 + WINDOW.span  # the window holds what the file held (two a window)
    clock.now = 200.0
    assert limiter.book() == 200.0  # the old entries left the window: the content shrinks
    raw = state_file.read_bytes()
    assert state_file.stat().st_ino == inode and raw.endswith(b" ")  # in place, padded, never truncated
    assert RateState.loads(raw).slots == [200.0]
    state_file.write_bytes(b'{"slots": [1, 2')  # torn by a crash mid-write: forgotten, and written afresh
    assert limiter.book() == 200.0 and RateState.loads(state_file.read_bytes()).slots == [200.0]
