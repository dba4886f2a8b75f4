"""The ``pykis`` command. ``main(argv) -> int`` parses the arguments and runs the command.

The command line is declared once, with argparse (:mod:`pykis.cli.program`), and prints aligned text (rich-free);
the handlers are in :mod:`pykis.cli.commands` and :mod:`pykis.cli.account`. ``pykis emulator …`` and ``pykis
gateway …`` hand their arguments, unparsed, to their own argparse parsers. Exit codes: 0 ok, 1 API or transport
error, 2 usage, 3 refused or aborted.

Why argparse, not typer with rich (issue 14; the CLI was one spec layer rendered twice, a typer app with the
``cli`` extra and an argparse parser without it). ``python -m pykis`` against the emulator (token and masters
cached, bytecode cached: ``env -u PYTHONDONTWRITEBYTECODE``), 31 interleaved rounds on the shared 2-core machine,
median (min) and modules loaded:

=====================================  =========================  =========================
                                       ``pykis quote 005930``     ``pykis --help``
=====================================  =========================  =========================
before, typer + rich (``cli`` extra)   442 ms (219), 418 modules  285 ms (135), 335 modules
before, argparse, rich tables          253 ms (151), 319 modules  81 ms (45), 112 modules
before, argparse, plain text           248 ms (118), 267 modules  96 ms (43), 112 modules
after, argparse declared once          248 ms (118), 270 modules  97 ms (44), 116 modules
=====================================  =========================  =========================

(A quieter run of the ``pykis`` console script, 15 rounds: typer 333 ms and 207 ms, argparse 187 ms and 63 ms.)

``import typer`` alone costs ~40 ms and a minimal twelve-command typer app ~115 ms more than the same argparse
parser on every run (140 against 26 ms), so "typer declared once" keeps most of that cost. Typer and rich as base
dependencies would add seven packages (typer, click, shellingham, rich, pygments, markdown-it-py, mdurl) to every
``pip install pykis-client``, most of whose users import the library and never run the command; leaving them an
extra makes the declared ``pykis`` script fail on a base install. argparse ships with Python, so a base install has
the whole command, and ``pykis emulator`` and ``pykis gateway`` were argparse already: one parser library and one
help style across the three. What typer+rich gave over it was looks (framed help panels, coloured tables, a "did
you mean" for a mistyped command); argparse's help and errors say the same things — usage, every option with its
help, ``pykis buy: error: QTY must be positive: '0'`` — in plain text, and a live ``pykis watch`` table is redrawn
in place with ANSI cursor movement. No shell completions existed in either.

Importing this package loads nothing else; the parser loads when :func:`main` runs.
"""

from __future__ import annotations

import sys

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Run the CLI with ``argv`` (default: ``sys.argv[1:]``) and return the exit code."""
    from pykis.cli.program import run  # noqa: PLC0415 - `import pykis.cli` (python -m pykis) stays free

    return run(sys.argv[1:] if argv is None else argv)
