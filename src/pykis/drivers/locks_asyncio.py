"""Holding the locks the token manager and rate limiter share with threads and other processes, from a
coroutine, without ever blocking its event loop.

* In-process: the tasks of one loop queue on an :class:`asyncio.Lock` (one per loop, so clients on different
  loops never share an asyncio primitive); the task at the head then takes the thread lock shared with
  blocking clients by non-blocking attempts, yielding to the loop between them.
* Across processes: the same ``flock`` on the same lock file the blocking paths take (filelock's Unix lock takes
  it so too, and the two interoperate), tried without blocking, the loop free between tries. Opening the lock
  file is one local system call, done on the loop. Windows (no ``fcntl``): filelock's :class:`AsyncFileLock`.
"""

from __future__ import annotations

import asyncio
import os
import sys
import threading
from collections.abc import AsyncIterator, MutableMapping
from contextlib import asynccontextmanager

from pykis._files import StrPath, held_elsewhere, open_lock_file, try_lock

__all__ = ["Gates", "file_locked", "holding"]

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


@asynccontextmanager
async def file_locked(path: StrPath, *, timeout: float, poll: float) -> AsyncIterator[None]:
    """Hold the cross-process lock file ``path`` for the block, retrying every ``poll`` seconds while another
    process holds it; :class:`TimeoutError` after ``timeout`` seconds."""
    if sys.platform == "win32":
        from filelock import AsyncFileLock  # noqa: PLC0415 — only where fcntl is missing (Windows)

        async with AsyncFileLock(str(path), timeout=timeout, poll_interval=poll):
            yield
        return
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    fd = open_lock_file(path)
    try:
        while not try_lock(fd):
            if loop.time() >= deadline:
                raise held_elsewhere(path)
            await asyncio.sleep(poll)
        yield
    finally:
        os.close(fd)  # releases the lock
