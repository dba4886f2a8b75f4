"""The ``pykis`` command. ``main(argv) -> int`` dispatches to subcommands; each loads only what it needs."""

from __future__ import annotations

import sys

__all__ = ["main"]

USAGE = """usage: pykis <command> [options]

commands:
  emulator    run the local KIS emulator (pykis emulator --help)
"""


def main(argv: list[str] | None = None) -> int:
    """Run the CLI with ``argv`` (default: ``sys.argv[1:]``) and return the exit code."""
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in ("-h", "--help"):
        print(USAGE, end="")
        return 0 if args else 2
    command, rest = args[0], args[1:]
    if command == "emulator":
        from pykis.emulator.cli import main as emulator_main

        return emulator_main(rest)
    print(f"pykis: unknown command {command!r}\n{USAGE}", end="", file=sys.stderr)
    return 2
