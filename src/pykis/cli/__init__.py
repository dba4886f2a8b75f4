"""The ``pykis`` command. ``main(argv) -> int`` parses the arguments and runs the command.

The commands are declared once (:data:`pykis.cli.commands.PROGRAM`) and rendered into a typer app when typer is
installed (the ``cli`` extra: ``pip install 'pykis-client[cli]'``), else into an argparse parser; ``PYKIS_CLI=plain``
forces the argparse one. ``pykis emulator …`` hands its arguments to :func:`pykis.emulator.cli.main` unparsed.
Exit codes: 0 ok, 1 API or transport error, 2 usage, 3 refused or aborted.

Importing this package loads nothing else; typer loads when a command runs.
"""

from __future__ import annotations

import os
import sys

__all__ = ["main", "renderer"]


def renderer() -> str:
    """``"typer"`` when typer is importable and ``$PYKIS_CLI`` is not ``plain``, else ``"plain"`` (argparse)."""
    if os.environ.get("PYKIS_CLI", "").strip().lower() in ("plain", "argparse"):
        return "plain"
    try:
        import typer  # noqa: F401
    except ImportError:
        return "plain"
    return "typer"


def main(argv: list[str] | None = None) -> int:
    """Run the CLI with ``argv`` (default: ``sys.argv[1:]``) and return the exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    from pykis.cli.commands import PROGRAM, passthrough

    code = passthrough(PROGRAM, args)  # before typer loads: the emulator parses its own arguments
    if code is not None:
        return code
    if renderer() == "typer":
        from pykis.cli.typed import run
    else:
        from pykis.cli.plain import run
    return run(PROGRAM, args)
