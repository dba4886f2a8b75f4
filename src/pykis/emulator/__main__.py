"""``python -m pykis.emulator``: the same as ``pykis emulator``."""

from __future__ import annotations

from pykis.emulator.cli import main

raise SystemExit(main())
