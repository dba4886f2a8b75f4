"""How the ``pykis`` command prints: rich tables when rich is installed (the ``cli`` extra), aligned plain text
otherwise (or with ``PYKIS_PLAIN=1``), one JSON document with ``--json``.

Numbers keep their exact decimal form in JSON (``Decimal`` → JSON number), times are ISO 8601 strings.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TextIO

__all__ = ["Output", "StdoutClosed", "Table", "cell", "has_rich", "to_json"]


class StdoutClosed(Exception):
    """The reader of stdout has gone away (a closed pipe): the command stops quietly."""


def has_rich() -> bool:
    """Whether rich is importable and not disabled by ``PYKIS_PLAIN``."""
    if os.environ.get("PYKIS_PLAIN"):
        return False
    try:
        import rich  # noqa: F401
    except ImportError:
        return False
    return True


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
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def to_json(data: Any) -> str:
    """``data`` as one line of JSON: decimals as numbers, times in ISO 8601, anything else by ``str``."""
    import msgspec

    encoder = msgspec.json.Encoder(enc_hook=_default, decimal_format="number")
    return encoder.encode(data).decode()


@dataclass
class Table:
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
        self.rich = has_rich()
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

    def _console(self, stream: TextIO) -> Any:
        from rich.console import Console

        width = None if stream.isatty() else max(shutil.get_terminal_size((160, 24)).columns, 160)
        return Console(file=stream, width=width, highlight=False, soft_wrap=False)

    def _rich_table(self, table: Table) -> Any:
        from rich.table import Table as RichTable

        out = RichTable(title=table.title or None, title_justify="left")
        for column in table.columns:
            out.add_column(column, justify="right" if column in table.right else "left", no_wrap=True)
        for row in table.rows:
            out.add_row(*(cell(value) for value in row))
        return out

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
            if self.rich:
                console = self._console(self.stdout)
                for table in tables:
                    console.print(self._rich_table(table))
                self.stdout.flush()
                return
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
        """Redraw ``render()`` every ``refresh`` seconds until ``wait(refresh)`` returns False: a rich Live
        display on a terminal, otherwise one printed table per refresh."""
        with self.guard():
            if self.rich and self.stdout.isatty():
                from rich.live import Live

                console = self._console(self.stdout)
                with Live(self._rich_table(render()), console=console, auto_refresh=False) as live:
                    while wait(refresh):
                        live.update(self._rich_table(render()), refresh=True)
                    live.update(self._rich_table(render()), refresh=True)
                return
        while wait(refresh):
            pass
        self.tables(render())
