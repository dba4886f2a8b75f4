"""Holding the locks the token manager and rate limiter share with threads and other processes, from a
coroutine, without ever blocking its event loop.

* In-process: the tasks of one loop queue on an :class:`asyncio.Lock` (one per loop, so clients on different
  loops never share an asyncio primitive); the task at the head then takes the thread lock shared with
  blocking clients by non-blocking attempts, yielding to the loop between them.
* Across processes: :class:`filelock.AsyncFileLock`, which likewise only ever tries without blocking and
  sleeps on the loop between tries.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, MutableMapping
from contextlib import asynccontextmanager

from filelock import AsyncFileLock

__all__ = ["Gates", "file_lock", "holding"]

Gates = MutableMapping[asyncio.AbstractEventLoop, asyncio.Lock]
"""Where a shared lock keeps its per-loop gates (a ``weakref.WeakKeyDictionary``: a closed loop drops its own)."""

_GATES_GUARD = threading.Lock()


def _gate(gates: Gates) -> asyncio.Lock:
    loop = asyncio.get_running_loop()
    with _GATES_GUARD:  # held for a dictionary lookup only
        gate = gates.get(loop)
        if gate is None:
            gate = gates[loop] = asyncio.Lock()
        return gate


@asynccontextmanager
async def holding(lock: threading.Lock, gates: Gates, poll: float) -> AsyncIterator[None]:
    """Hold ``lock`` (shared with threads) for the block; waiting costs the loop nothing but a retry every
    ``poll`` seconds while another thread holds it."""
    async with _gate(gates):
        while not lock.acquire(blocking=False):
            await asyncio.sleep(poll)
        try:
            yield
        finally:
            lock.release()


def file_lock(path: str, *, timeout: float, poll: float, in_thread: bool) -> AsyncFileLock:
    """A cross-process lock on ``path`` for ``async with``. ``in_thread``: open and lock the file in a worker
    thread (for a rare lock around slow work); otherwise each attempt is one non-blocking ``flock`` on the loop,
    microseconds, for a lock taken around every request."""
    return AsyncFileLock(path, timeout=timeout, poll_interval=poll, run_in_executor=in_thread)
