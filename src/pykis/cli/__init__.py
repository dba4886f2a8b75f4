"""The ``pykis`` command. ``main(argv) -> int`` dispatches to subcommands; each loads only what it needs.

``pykis emulator`` runs the local KIS emulator; the others (:mod:`pykis.cli.commands`) talk to the API. Exit
codes: 0 ok, 1 API or transport error, 2 usage, 3 refused or aborted.
"""

from __future__ import annotations

import sys

__all__ = ["main"]

USAGE = """usage: pykis <command> [options]   (pykis <command> --help for its options)

commands:
  auth init       ask for the app key and write a secret file (mode 0600)
  quote SYMBOL…   current prices
  chart SYMBOL    price bars [--period day|week|month|year|MINUTES] [--range 3m] [--png FILE] [--csv FILE]
  orderbook SYMBOL
  balance         deposits and positions
  orders          today's orders [--pending]
  buy SYMBOL QTY  [--price P] [--yes] [--real]   (sell likewise)
  cancel ORDER    cancel an open order
  watch SYMBOL…   a live table of realtime prices [--seconds N]
  emulator        run the local KIS emulator (pykis emulator --help)

options of every command: --secret FILE, --virtual-secret FILE (or $PYKIS_SECRET, $PYKIS_VIRTUAL_SECRET), --json
"""


def main(argv: list[str] | None = None) -> int:
    """Run the CLI with ``argv`` (default: ``sys.argv[1:]``) and return the exit code."""
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in ("-h", "--help"):
        print(USAGE, end="")
        return 0 if args else 2
    if args[0] == "emulator":
        from pykis.emulator.cli import main as emulator_main

        return emulator_main(args[1:])
    from pykis.cli.commands import HANDLERS, run

    if not any(arg in HANDLERS for arg in args):
        print(f"pykis: unknown command {args[0]!r}\n{USAGE}", end="", file=sys.stderr)
        return 2
    return run(args)
