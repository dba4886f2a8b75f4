"""Progress bars of long downloads (multi-page charts, master files) on stderr, fed by :mod:`pykis.progress`.

One line of text per download, redrawn with ``\\r`` (``chart 005930:  42% (460/1095 days)``); only when stderr is
a terminal (``PYKIS_PROGRESS=1`` forces them on, ``PYKIS_PROGRESS=0`` off) and never with ``--json``. A bar
appears on the first report of a download and is settled (left printed at 100 %) when the download finishes, so
that messages and questions that follow print below it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TextIO

from pykis import progress

if TYPE_CHECKING:
    from pykis.cli.output import Output

__all__ = ["enabled", "progress_bars"]


def enabled(out: Output) -> bool:
    """Whether to draw bars for ``out``: never with ``--json``; ``$PYKIS_PROGRESS`` 1/0 forces; else a TTY."""
    if out.json:
        return False
    forced = os.environ.get("PYKIS_PROGRESS", "").strip().lower()
    if forced in ("1", "yes", "true", "on"):
        return True
    if forced in ("0", "no", "false", "off"):
        return False
    isatty = getattr(out.stderr, "isatty", None)
    return bool(isatty and isatty())


@contextmanager
def progress_bars(out: Output) -> Iterator[None]:
    """Draw the progress of the long operations started inside the block on ``out.stderr``."""
    if not enabled(out):
        yield
        return
    bars = _Bars(out.stderr)
    try:
        with progress.listen(bars.update):
            yield
    finally:
        bars.close()


def _amount(value: float, unit: str) -> str:
    if unit == "bytes":
        for size, name in ((1e9, "GB"), (1e6, "MB"), (1e3, "kB")):
            if value >= size:
                return f"{value / size:.1f} {name}"
        return f"{value:.0f} B"
    return f"{value:.0f} {unit}"


def _detail(step: progress.Progress) -> str:
    """``730/1095 days``, ``1.2 MB/3.4 MB``, ``512 kB``."""
    if step.total is None:
        return _amount(step.done, step.unit)
    done = step.total if step.finished else min(step.done, step.total)
    if step.unit == "bytes":
        return f"{_amount(done, step.unit)}/{_amount(step.total, step.unit)}"
    return f"{done:.0f}/{_amount(step.total, step.unit)}"


class _Bars:
    """``chart 005930:  42% (460/1095 days)`` redrawn in place; a new line when the download finishes."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._line: str | None = None  # what the unfinished line shows now

    def update(self, step: progress.Progress) -> None:
        fraction = step.fraction
        if fraction is None:
            shown = f"{step.task}: {_detail(step)}"
        else:
            shown = f"{step.task}: {fraction * 100:3.0f}% ({_detail(step)})"
        if shown != self._line:
            pad = " " * max(len(self._line or "") - len(shown), 0)
            self._stream.write(f"\r{shown}{pad}")
            self._line = shown
        if step.finished:
            self._stream.write("\n")
            self._line = None
        self._stream.flush()

    def close(self) -> None:
        if self._line is not None:
            self._stream.write("\n")
            self._stream.flush()
            self._line = None
