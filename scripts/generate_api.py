"""Regenerate ``src/pykis/wire``, ``src/pykis/api/_generated`` and ``src/pykis/models/_realtime_events.py`` from
the catalog (``--check``: exit 1 when any is stale).

The generator lives in the package (``pykis.catalog._codegen``) so the freshness test can run it in memory.
"""

from __future__ import annotations

import sys

from pykis.catalog._codegen import main

if __name__ == "__main__":
    sys.exit(main())
