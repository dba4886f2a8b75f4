"""The per-app-key rate limiter shared by threads, asyncio tasks and processes.

Booking a slot takes a short critical section (a thread lock and, across processes, a file lock
around a tiny state file); the caller sleeps *after* releasing both, so no lock is held while waiting.
The asyncio paths (``acquire``, ``*_async``) take the same locks without blocking the loop
(:mod:`pykis.drivers.locks_asyncio`).
"""

from __future__ import annotations

import os
import threading
import time
import weakref
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, TypeVar

from pykis._files import StrPath, locked, private_dir, rewrite_private
from pykis._log import lazy_logger
from pykis.protocol.ratelimit import RateState, RateWindow

if TYPE_CHECKING:
    from pykis.drivers.locks_asyncio import Gates

__all__ = ["RateLimiter"]

log = lazy_logger()
T = TypeVar("T")

_LOCKS: dict[str, tuple[threading.Lock, RateState]] = {}
_GATES: dict[str, Gates] = {}  # per stem, like _LOCKS: the asyncio tasks of each loop queue there
_LOCKS_GUARD = threading.Lock()
_FILE_TIMEOUT = 30.0
_POLL = 0.002  # the locks guard a read and a write of a tiny file: a holder lets go within a millisecond


class RateLimiter:
    """Books send slots for one app key; ``state_dir`` set shares the bookings across processes."""

    def __init__(
        self,
        stem: str,
        window: RateWindow,
        *,
        state_dir: StrPath | None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.window = window
        self._clock = clock
        with _LOCKS_GUARD:
            self._lock, self._state = _LOCKS.setdefault(stem, (threading.Lock(), RateState()))
            self._gates = _GATES.setdefault(stem, weakref.WeakKeyDictionary())
        self._file: str | None = None
        self._lockfile: str | None = None
        if state_dir is not None:
            try:
                private_dir(state_dir)
                self._file = os.path.join(state_dir, f"{stem}.rate")
                self._lockfile = self._file + ".lock"
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
        self._update(lambda state, now: state.complete(sent, now))

    def now(self) -> float:
        """This limiter's clock."""
        return self._clock()

    def acquire_blocking(self) -> float:
        """Book, sleep and confirm until a slot is granted; return the permit (the send time)."""
        slot, booked_at = self._update(self._book)
        if slot <= booked_at:  # a slot due at once is confirmed by its booking: one state write, not two
            return slot
        while True:
            delay = slot - self._clock()
            if delay > 0:
                time.sleep(delay)
            granted, slot = self.confirm(slot)
            if granted:
                return slot

    async def acquire(self) -> float:
        """The asyncio twin of :meth:`acquire_blocking`: sleeps on the event loop, never holding a lock, and
        waits for the locks without blocking the loop."""
        import asyncio  # noqa: PLC0415 — asyncio only for the asyncio client (cold start)

        slot, booked_at = await self._update_async(self._book)
        if slot <= booked_at:
            return slot
        while True:
            delay = slot - self._clock()
            if delay > 0:
                await asyncio.sleep(delay)
            granted, slot = await self._update_async(partial(self._confirm, slot))
            if granted:
                return slot

    def refused(self) -> None:
        """Record an EGW00201 from the server: every booking holds back for the penalty."""
        self._update(self._hold_back)

    async def refused_async(self) -> None:
        """:meth:`refused` for an asyncio client."""
        await self._update_async(self._hold_back)

    async def complete_async(self, sent: float) -> None:
        """:meth:`complete` for an asyncio client."""
        await self._update_async(lambda state, now: state.complete(sent, now))

    def _book(self, state: RateState, now: float) -> tuple[float, float]:
        return state.book(self.window, now), now

    def _confirm(self, slot: float, state: RateState, now: float) -> tuple[bool, float]:
        return state.confirm(self.window, slot, now)

    def _hold_back(self, state: RateState, now: float) -> None:
        state.refused(self.window, now)

    def _update(self, change: Callable[[RateState, float], T]) -> T:
        with self._lock:
            if self._file is None or self._lockfile is None:
                return change(self._state, self._clock())
            with locked(self._lockfile, timeout=_FILE_TIMEOUT):
                return self._change_file(change)

    async def _update_async(self, change: Callable[[RateState, float], T]) -> T:
        from pykis.drivers.locks_asyncio import file_locked, holding  # noqa: PLC0415 — see acquire

        async with holding(self._lock, self._gates, _POLL):
            if self._file is None or self._lockfile is None:
                return change(self._state, self._clock())
            async with file_locked(self._lockfile, timeout=_FILE_TIMEOUT, poll=_POLL):
                # On the loop, deliberately: a read and an unsynced write of a ~100-byte file, microseconds,
                # twice a request; a worker thread would cost more than the I/O it moves.
                return self._change_file(change)

    def _change_file(self, change: Callable[[RateState, float], T]) -> T:
        assert self._file is not None
        results: list[T] = []

        def rewrite(old: bytes) -> bytes:
            state = RateState.loads(old)  # a new (empty) or torn file starts afresh
            results.append(change(state, self._clock()))
            return state.dumps()

        # In place and unsynced: a crash loses at most a second of bookings, which the next process re-learns.
        rewrite_private(self._file, rewrite)
        return results[0]
