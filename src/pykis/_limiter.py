"""The per-app-key rate limiter shared by threads, asyncio tasks and processes.

Booking a slot takes a short critical section (a thread lock and, across processes, a file lock
around a tiny state file); the caller sleeps *after* releasing both, so no lock is held while waiting.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from pykis._files import locked, private_dir, write_private
from pykis._log import lazy_logger
from pykis.protocol.ratelimit import RateState, RateWindow

__all__ = ["RateLimiter"]

log = lazy_logger()
T = TypeVar("T")

_LOCKS: dict[str, tuple[threading.Lock, RateState]] = {}
_LOCKS_GUARD = threading.Lock()


class RateLimiter:
    """Books send slots for one app key; ``state_dir`` set shares the bookings across processes."""

    def __init__(
        self,
        stem: str,
        window: RateWindow,
        *,
        state_dir: Path | None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.window = window
        self._clock = clock
        with _LOCKS_GUARD:
            self._lock, self._state = _LOCKS.setdefault(stem, (threading.Lock(), RateState()))
        self._file: Path | None = None
        self._lockfile: Path | None = None
        if state_dir is not None:
            try:
                private_dir(state_dir)
                self._file = state_dir / f"{stem}.rate"
                self._lockfile = state_dir / f"{stem}.rate.lock"
            except OSError as exc:
                log.warning("Rate limiting per process only: cannot use %s (%s)", state_dir, exc.strerror)

    def __repr__(self) -> str:
        shared = "processes" if self._file else "threads"
        return f"RateLimiter({self.window.limit}/{self.window.period}s, shared by {shared})"

    def book(self) -> float:
        """Book the next slot; return its time (on this limiter's clock)."""
        return self._update(lambda state, now: state.book(self.window, now))

    def confirm(self, slot: float) -> tuple[bool, float]:
        """At the slot's time: ``(True, send time)`` to send now, or ``(False, later slot)``."""
        return self._update(lambda state, now: state.confirm(self.window, slot, now))

    def complete(self, sent: float) -> None:
        """The answer to the request sent at ``sent`` has arrived."""

        def done(state: RateState, now: float) -> None:
            state.complete(sent, now)

        self._update(done)

    def now(self) -> float:
        """This limiter's clock."""
        return self._clock()

    def acquire_blocking(self) -> float:
        """Book, sleep and confirm until a slot is granted; return the permit (the send time)."""
        slot = self.book()
        while True:
            delay = slot - self._clock()
            if delay > 0:
                time.sleep(delay)
            granted, slot = self.confirm(slot)
            if granted:
                return slot

    async def acquire(self) -> float:
        """The asyncio twin of :meth:`acquire_blocking`: sleeps on the event loop, never holding a lock."""
        import asyncio

        slot = self.book()
        while True:
            delay = slot - self._clock()
            if delay > 0:
                await asyncio.sleep(delay)
            granted, slot = self.confirm(slot)
            if granted:
                return slot

    def refused(self) -> None:
        """Record an EGW00201 from the server: every booking holds back for the penalty."""

        def hold_back(state: RateState, now: float) -> None:
            state.refused(self.window, now)

        self._update(hold_back)

    def _update(self, change: Callable[[RateState, float], T]) -> T:
        with self._lock:
            if self._file is None or self._lockfile is None:
                return change(self._state, self._clock())
            with locked(self._lockfile, timeout=30):
                try:
                    state = RateState.loads(self._file.read_bytes())
                except FileNotFoundError:
                    state = RateState()
                result = change(state, self._clock())
                # Bookings need no fsync: a crash loses at most a second of them.
                write_private(self._file, state.dumps(), durable=False)
            return result
