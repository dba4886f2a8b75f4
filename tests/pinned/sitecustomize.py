"""Pins this interpreter's clock for make test's pinned-date runs (scripts/pinned_dates.py).

On ``PYTHONPATH`` only in those runs, so every process they start — pytest, the emulator, the CLI, the demo —
lives at ``PYKIS_TEST_NOW``: the instant the run began there, plus the real time elapsed since
``PYKIS_TEST_SINCE`` (so processes started later agree with the first). The clock ticks; monotonic time is untouched.
"""

from __future__ import annotations

import os

_pinned = os.environ.get("PYKIS_TEST_NOW")
if _pinned:
    import time
    from datetime import datetime, timedelta

    import time_machine

    _since = float(os.environ.get("PYKIS_TEST_SINCE") or time.time())
    _travel = time_machine.travel(datetime.fromisoformat(_pinned) + timedelta(seconds=time.time() - _since), tick=True)
    _travel.start()
