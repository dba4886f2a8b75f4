"""Emulator REST throughput and latency, over raw HTTP on loopback (no pykis client in the path).

The emulator runs in its own process (``python -m pykis.emulator --json``), as users run it, and an aiohttp
client generates the load, so the figures are the server's and not the GIL shared with a client.

1. Sustained throughput: ``--workers`` concurrent keep-alive connections send FHKST01010100 for
   ``--seconds`` with the rate limit lifted; prints requests per second.
2. Latency at the real service's per-key limit of 20 requests per second (default rules), paced for
   ``--seconds``: p50 / p99 of FHKST01010100 (current price) and FHKST03010100 (100 daily bars).

Run: ``.venv/bin/python bench/emulator_throughput.py [--seconds 3] [--workers 16]``
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import aiohttp

PRICE = ("/uapi/domestic-stock/v1/quotations/inquire-price", "FHKST01010100")
CHART = ("/uapi/domestic-stock/v1/quotations/inquire-daily-itemchartprice", "FHKST03010100")
PRICE_QUERY = {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930"}
CHART_QUERY = {
    **PRICE_QUERY,
    "FID_INPUT_DATE_1": "20200101",
    "FID_INPUT_DATE_2": "20991231",
    "FID_PERIOD_DIV_CODE": "D",
    "FID_ORG_ADJ_PRC": "0",
}


@contextmanager
def emulator(*options: str) -> Iterator[dict[str, Any]]:
    """A ``pykis emulator`` process; yields the real side of its ``--json`` line."""
    with tempfile.TemporaryDirectory() as secrets:
        command = [sys.executable, "-m", "pykis.emulator", "--json", "--secrets-dir", secrets, *options]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        try:
            assert process.stdout is not None
            info: dict[str, Any] = json.loads(process.stdout.readline())["real"]
            yield info
        finally:
            process.terminate()
            process.wait(timeout=30)


async def token(session: aiohttp.ClientSession, info: dict[str, Any]) -> dict[str, str]:
    """Issue a token; the headers of a quote call (PROTOCOL.md §3) without the TR ID."""
    body = {"grant_type": "client_credentials", "appkey": info["appkey"], "appsecret": info["secretkey"]}
    async with session.post(info["rest_url"] + "/oauth2/tokenP", json=body) as response:
        access = (await response.json())["access_token"]
    return {
        "authorization": f"Bearer {access}",
        "appkey": info["appkey"],
        "appsecret": info["secretkey"],
        "custtype": "P",
    }


async def throughput(info: dict[str, Any], workers: int, seconds: float) -> tuple[float, int]:
    """(requests per second, non-200 answers)."""
    path, tr_id = PRICE
    url = info["rest_url"] + path
    done = failed = 0
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=workers)) as session:
        headers = {**await token(session, info), "tr_id": tr_id}
        deadline = time.perf_counter() + seconds

        async def worker() -> None:
            nonlocal done, failed
            while time.perf_counter() < deadline:
                async with session.get(url, params=PRICE_QUERY, headers=headers) as response:
                    await response.read()
                    done += 1
                    failed += response.status != 200

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(workers)))
        elapsed = time.perf_counter() - start
    return done / elapsed, failed


async def paced(
    session: aiohttp.ClientSession,
    url: str,
    headers: dict[str, str],
    query: dict[str, str],
    rate: float,
    seconds: float,
) -> tuple[list[float], int]:
    """Latencies (seconds) of requests sent at ``rate`` per second, and non-200 answers."""
    latencies: list[float] = []
    failed = 0

    async def one() -> None:
        nonlocal failed
        start = time.perf_counter()
        async with session.get(url, params=query, headers=headers) as response:
            await response.read()
            latencies.append(time.perf_counter() - start)
            failed += response.status != 200

    await one()  # warm the connection and the market's caches
    latencies.clear()
    await asyncio.sleep(1.05)  # let the warm-up request leave the one-second rate window
    tasks = []
    begin = time.perf_counter()
    for index in range(int(rate * seconds)):
        delay = begin + index / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one()))
    await asyncio.gather(*tasks)
    return latencies, failed


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def run(seconds: float, workers: int) -> None:
    with emulator("--real-rate", "1000000") as info:
        rate, failed = await throughput(info, workers, seconds)
    print(f"sustained REST throughput (FHKST01010100, {workers} connections): {rate:,.0f} req/s, {failed} errors")
    with emulator() as info:  # the default rules: 20 requests per second per app key
        async with aiohttp.ClientSession() as session:
            base = await token(session, info)
            for call, query in ((PRICE, PRICE_QUERY), (CHART, CHART_QUERY)):
                path, tr_id = call
                # 19.5/s: at exactly 20/s a strict one-second window refuses whatever network jitter bunches up.
                latencies, refused = await paced(
                    session, info["rest_url"] + path, {**base, "tr_id": tr_id}, query, 19.5, seconds
                )
                p50 = statistics.median(latencies) * 1000
                p99 = percentile(latencies, 0.99) * 1000
                print(
                    f"latency at 19.5 req/s under the 20/s limit ({tr_id}, {len(latencies)} requests): "
                    f"p50 {p50:.2f} ms, p99 {p99:.2f} ms, {refused} refused"
                )
                await asyncio.sleep(1.05)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--workers", type=int, default=16)
    args = parser.parse_args()
    asyncio.run(run(args.seconds, args.workers))


if __name__ == "__main__":
    main()
