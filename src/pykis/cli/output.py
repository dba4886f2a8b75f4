"""How the ``pykis`` command prints: aligned text tables (wide characters such as Hangul count two columns), a
table redrawn in place on a terminal for live views, one JSON document with ``--json``.

Numbers keep their exact decimal form in JSON (``Decimal`` → JSON number), times are ISO 8601 strings.
"""

from __future__ import annotations

import os
import shutil
import sys
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple, TextIO

__all__ = ["Output", "StdoutClosed", "Table", "cell", "to_json"]


class StdoutClosed(Exception):
    """The reader of stdout has gone away (a closed pipe): the command stops quietly."""


def cell(value: Any) -> str:
    """A value as table text: decimals without exponent or trailing zeros, times short, ``None`` as ``-``."""
    if value is None:
        return "-"
    if isinstance(value, Decimal):
        text = format(value, "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return text or "0"
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _width(text: str) -> int:
    """Terminal columns of ``text``: Hangul and other wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def to_json(data: Any) -> str:
    """``data`` as one line of JSON: decimals as numbers, times in ISO 8601, anything else by ``str``."""
    import msgspec  # noqa: PLC0415 - cold start: `pykis --help` does not load it

    encoder = msgspec.json.Encoder(enc_hook=_default, decimal_format="number")
    return encoder.encode(data).decode()


class Table(NamedTuple):
    """A titled table of rows (cells of any type; see :func:`cell`); ``right`` names right-aligned columns."""

    title: str
    columns: Sequence[str]
    rows: Sequence[Sequence[Any]]
    right: frozenset[str] = frozenset()


class Output:
    """Where the command's results go: ``stdout`` for results, ``stderr`` for messages and errors.

    A reader that goes away (``pykis watch --json | head -n 2``) ends the command quietly, as in every Unix
    tool: the write that finds the pipe closed sets :attr:`closed`, points the descriptor at ``/dev/null`` (so
    that no flush at exit complains) and raises :class:`StdoutClosed`, which the command runner turns into exit 0.
    """

    def __init__(self, *, json: bool = False, stdout: TextIO | None = None, stderr: TextIO | None = None) -> None:
        self.json = json
        self.stdout = stdout or sys.stdout
        self.stderr = stderr or sys.stderr
        self.closed = False
        """Whether the reader of stdout has gone away; a long command (``watch``) stops when it sees it."""

    def write_line(self, text: str) -> None:
        """One line of results on stdout, flushed; raises :class:`StdoutClosed` when the reader has gone."""
        with self.guard():
            print(text, file=self.stdout, flush=True)

    @contextmanager
    def guard(self) -> Iterator[None]:
        """Turn a closed stdout inside the block into :class:`StdoutClosed` (once the reader has gone, always)."""
        if self.closed:
            raise StdoutClosed
        try:
            yield
        except BrokenPipeError:
            self.stdout_gone()
            raise StdoutClosed from None

    def stdout_gone(self) -> None:
        """Note that the reader of stdout has gone; later writes (and the flush at exit) go nowhere."""
        self.closed = True
        with suppress(OSError, ValueError, AttributeError):
            fileno = self.stdout.fileno()
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, fileno)
            os.close(null)

    def plain_table(self, table: Table) -> str:
        """``table`` as aligned text, its title on the first line."""
        texts = [[cell(value) for value in row] for row in table.rows]
        widths = [max([_width(name)] + [_width(row[i]) for row in texts]) for i, name in enumerate(table.columns)]

        def line(values: Sequence[str]) -> str:
            parts = []
            for i, value in enumerate(values):
                pad = " " * (widths[i] - _width(value))
                parts.append(pad + value if table.columns[i] in table.right else value + pad)
            return "  ".join(parts).rstrip()

        lines = [table.title] if table.title else []
        lines.append(line(table.columns))
        lines.append("  ".join("-" * width for width in widths))
        lines.extend(line(row) for row in texts)
        return "\n".join(lines)

    def tables(self, *tables: Table) -> None:
        """Print tables (for results that also have a JSON form, call :meth:`result` instead)."""
        with self.guard():
            print("\n\n".join(self.plain_table(table) for table in tables), file=self.stdout, flush=True)

    def result(self, data: Any, *tables: Table) -> None:
        """The command's result: ``data`` as JSON with ``--json``, else the tables."""
        if self.json:
            self.write_line(to_json(data))
        else:
            self.tables(*tables)

    def message(self, text: str) -> None:
        """A note for the person at the terminal (stderr, so that stdout stays machine-readable)."""
        print(text, file=self.stderr, flush=True)

    def error(self, text: str) -> None:
        """An error line on stderr."""
        print(f"pykis: {text}", file=self.stderr, flush=True)

    def live(self, render: Callable[[], Table], wait: Callable[[float], bool], refresh: float = 0.5) -> None:
        """Show ``render()`` every ``refresh`` seconds until ``wait(refresh)`` returns False or Ctrl-C: redrawn in
        place on a terminal that understands ANSI cursor movement, else the last table once (a pipe, a file)."""
        redraw = _ansi(self.stdout)
        shown = 0  # terminal rows of the frame on screen
        try:
            while True:
                if redraw:
                    shown = self._frame(self.plain_table(render()), shown)
                if not wait(refresh):
                    break
        except KeyboardInterrupt:
            pass
        if redraw:
            self._frame(self.plain_table(render()), shown)
        else:
            self.tables(render())

    def _frame(self, text: str, shown: int) -> int:
        """Draw ``text`` over the ``shown`` rows above the cursor; returns the rows it takes."""
        columns = max(shutil.get_terminal_size().columns, 1)
        with self.guard():
            erase = f"\x1b[{shown}F\x1b[J" if shown else ""  # to the frame's first row, then clear below
            self.stdout.write(f"{erase}{text}\n")
            self.stdout.flush()
        return sum(max(1, -(-_width(line) // columns)) for line in text.splitlines())


def _ansi(stream: TextIO) -> bool:
    """Whether ``stream`` is a terminal that moves its cursor on ANSI escapes: not a pipe, not ``TERM=dumb``, and on
    Windows only inside Windows Terminal (the classic console prints the escapes)."""
    isatty = getattr(stream, "isatty", None)
    if not (isatty and isatty()) or os.environ.get("TERM") == "dumb":
        return False
    return os.name != "nt" or "WT_SESSION" in os.environ
