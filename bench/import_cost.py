"""Cold ``import pykis``: wall time and resident memory, in fresh interpreters (median of N runs).

Run: ``.venv/bin/python bench/import_cost.py [--runs 15] [--module pykis]``
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

PROBE = """
import resource, sys, time
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
import {module}
elapsed = time.perf_counter() - start
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
import json; print(json.dumps({{"seconds": elapsed, "rss_kib": rss, "baseline_kib": before}}))
"""


def measure(module: str, runs: int, python: str = sys.executable) -> tuple[float, float, float]:
    """(median seconds, median peak RSS MiB, median interpreter-only RSS MiB)."""
    samples = []
    for _ in range(runs):
        out = subprocess.run(
            [python, "-X", "frozen_modules=on", "-c", PROBE.format(module=module)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        samples.append(json.loads(out))
    seconds = statistics.median(s["seconds"] for s in samples)
    rss = statistics.median(s["rss_kib"] for s in samples) / 1024
    baseline = statistics.median(s["baseline_kib"] for s in samples) / 1024
    return seconds, rss, baseline


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--module", default="pykis")
    args = parser.parse_args()
    seconds, rss, baseline = measure(args.module, args.runs)
    print(
        f"import {args.module}: {seconds * 1000:.1f} ms (goal <= 45 ms), peak RSS {rss:.1f} MiB "
        f"(goal <= 20 MiB; bare interpreter {baseline:.1f} MiB)"
    )


if __name__ == "__main__":
    main()
