"""Achieved request rate against the emulator's enforced limit (goal >= 0.95 of the limit, no EGW00201).

Run: ``.venv/bin/python bench/rate_limit.py [--requests 300] [--limit 20] [--threads 4]``
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time

from pykis import PyKis
from pykis.emulator import Emulator
from pykis.protocol.request import ApiCall
from pykis.protocol.retry import RetryPolicy

QUOTE = ApiCall(
    "GET",
    "/uapi/domestic-stock/v1/quotations/inquire-price",
    "FHKST01010100",
    {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930"},
)


def measure(requests: int, limit: int, threads: int) -> tuple[float, int]:
    """(achieved requests per second in steady state, EGW00201 refusals)."""
    with tempfile.TemporaryDirectory() as cache, Emulator(secrets_dir=cache, real_rate=limit) as emu:
        kis = PyKis(emu.real.auth, keep_token=cache, rate_limit=limit, retry=RetryPolicy(attempts=1))
        kis.token()
        # The first window is a free burst of `limit`; measure the steady state after it.
        for _ in range(limit):
            kis.request(QUOTE)
        per_thread = requests // threads
        start = time.perf_counter()
        workers = [
            threading.Thread(target=lambda: [kis.request(QUOTE) for _ in range(per_thread)]) for _ in range(threads)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        elapsed = time.perf_counter() - start
        kis.close()
        return per_thread * threads / elapsed, emu.gateway.stats.rate_refusals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--limit", type=int, default=20)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    rate, refusals = measure(args.requests, args.limit, args.threads)
    print(
        f"request rate: {rate:.2f}/s against a limit of {args.limit}/s = {rate / args.limit:.3f} of the limit "
        f"(goal >= 0.95), EGW00201 refusals: {refusals}"
    )


if __name__ == "__main__":
    main()
