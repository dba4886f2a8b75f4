"""Progress of long operations — multi-page chart downloads and master-file downloads — for progress bars.

>>> from pykis.progress import listen
>>> with listen(lambda p: print(p.task, p.fraction)):     # doctest: +SKIP
...     chart = kis.stock("005930").chart("5y")
chart 005930 0.4
chart 005930 0.8
chart 005930 1.0

The listener is held in a :class:`contextvars.ContextVar`: it sees the operations of the thread (or asyncio
task) that installed it, and of tasks and ``asyncio.to_thread`` calls started from there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import msgspec

__all__ = ["Progress", "ProgressListener", "active", "listen", "report"]


class Progress(msgspec.Struct, frozen=True):
    """One step of a long operation: ``done`` of ``total`` ``unit`` (``total`` ``None`` when unknown)."""

    task: str
    """What is going on: ``"chart 005930"``, ``"master nasmst"``."""
    done: float
    total: float | None
    unit: str
    """``"days"`` or ``"minutes"`` of chart history covered, ``"bytes"`` of a download."""
    finished: bool = False

    @property
    def fraction(self) -> float | None:
        """``done / total`` clipped to 0..1; 1.0 once finished; ``None`` when the total is unknown."""
        if self.finished:
            return 1.0
        if not self.total:
            return None
        return min(max(self.done / self.total, 0.0), 1.0)


ProgressListener = Callable[[Progress], object]

_LISTENER: ContextVar[ProgressListener | None] = ContextVar("pykis_progress", default=None)


@contextmanager
def listen(listener: ProgressListener) -> Iterator[None]:
    """Send the :class:`Progress` of long operations started inside the block to ``listener``."""
    token = _LISTENER.set(listener)
    try:
        yield
    finally:
        _LISTENER.reset(token)


def report(task: str, done: float, total: float | None, unit: str, *, finished: bool = False) -> None:
    """Tell the listener, if one is installed; a listener's exception propagates (it is the caller's code)."""
    listener = _LISTENER.get()
    if listener is not None:
        listener(Progress(task, done, total, unit, finished))


def active() -> bool:
    """Whether a listener is installed (lets callers skip building progress they would throw away)."""
    return _LISTENER.get() is not None
