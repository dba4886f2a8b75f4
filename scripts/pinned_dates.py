"""Run the date- and session-sensitive tests with every process's clock pinned to chosen instants.

The suite must pass on any date; this proves it for the dates that broke it before or that change the rules: a
Saturday, a weekday after the close, a KRX holiday, a US daylight-saving change and a year end. Each run puts
``tests/pinned`` (a ``sitecustomize`` that starts time-machine) on ``PYTHONPATH``, so pytest, the emulators and
the CLI and demo processes all live at the pinned instant. Runs go two at a time; the last line counts the tests.

    python scripts/pinned_dates.py            # every instant
    python scripts/pinned_dates.py saturday   # one of them
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

INSTANTS = {
    "saturday": "2026-12-05T11:00:00+09:00",
    "after-market": "2026-12-08T19:30:00+09:00",
    "krx-holiday": "2027-01-01T10:00:00+09:00",
    # US daylight saving began on Sunday 2027-03-14: Monday 10:30 EDT is 23:30 KST (it was 00:30 a week before).
    "us-dst-change": "2027-03-15T23:30:00+09:00",
    "year-end": "2026-12-31T15:00:00+09:00",
}

TESTS = [
    "tests/client/test_sessions.py",
    "tests/client/test_masters.py",
    "tests/emulator/test_clock.py",
    "tests/emulator/test_market.py",
    "tests/emulator/test_masters.py",
    "tests/integration/test_market_data.py",
    "tests/integration/test_progress.py",
    "tests/integration/test_service_time.py",
    "tests/integration/test_trading.py",
    "tests/experience/test_demo.py",
]

_COUNTS = re.compile(r"(\d+) (passed|failed|errors?)")


def run(name: str, instant: str) -> tuple[str, int, dict[str, int], str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "tests" / "pinned"), env.get("PYTHONPATH")]))
    env["PYKIS_TEST_NOW"] = instant
    env["PYKIS_TEST_SINCE"] = repr(time.time())
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        # time-machine is imported before pytest (by sitecustomize), so pytest cannot rewrite its plugin.
        "-W",
        "ignore::pytest.PytestAssertRewriteWarning",
        *TESTS,
    ]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    last = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    counts: dict[str, int] = {}
    for number, word in _COUNTS.findall(last):
        key = "failed" if word != "passed" else "passed"
        counts[key] = counts.get(key, 0) + int(number)
    return name, done.returncode, counts, done.stdout + done.stderr


def main(argv: list[str]) -> int:
    chosen = {name: INSTANTS[name] for name in argv} if argv else INSTANTS
    passed = failed = 0
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda item: run(*item), chosen.items()))
    for name, code, counts, output in results:
        passed += counts.get("passed", 0)
        failed += counts.get("failed", 0) + (1 if code != 0 and not counts.get("failed") else 0)
        verdict = "ok" if code == 0 else f"FAILED (exit {code})"
        print(f"pinned {name:14} {chosen[name]}: {counts.get('passed', 0)} passed — {verdict}")
        if code != 0:
            print(output[-6000:])
    print(f"pinned: {passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
