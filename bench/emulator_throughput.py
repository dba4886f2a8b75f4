"""Emulator REST throughput and latency, over raw HTTP on loopback (no pykis client in the path).

The emulator runs in its own process (``python -m pykis.emulator --json``), as users run it, and an aiohttp
client generates the load, so the figures are the server's and not the GIL shared with a client.

1. Sustained throughput: ``--workers`` concurrent keep-alive connections send FHKST01010100 for
   ``--seconds`` with the rate limit lifted; prints requests per second.
2. Latency at the real service's per-key limit of 20 requests per second (default rules), paced for
   ``--seconds``: p50 / p99 of FHKST01010100 (current price) and FHKST03010100 (100 daily bars).
3. Cold ranking: the first FHPST01710000 (volume rank, every domestic instrument) of a fresh emulator, with
   the ``always-open`` clock and with the real calendar frozen in and after a KRX session, while a client
   sends FHKST01010100 back to back and a WebSocket receives PINGPONG every 20 ms: the ranking's latency, the
   slowest concurrent quote and the longest gap between heartbeats (how long the server's event loop was held).

Run: ``.venv/bin/python bench/emulator_throughput.py [--seconds 3] [--workers 16] [--cold-ranking-only]``
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
from itertools import pairwise
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


RANKING = ("/uapi/domestic-stock/v1/quotations/volume-rank", "FHPST01710000")
RANKING_QUERY = {
    "FID_COND_MRKT_DIV_CODE": "J",
    "FID_COND_SCR_DIV_CODE": "20171",
    "FID_INPUT_ISCD": "0000",
    "FID_DIV_CLS_CODE": "0",
    "FID_BLNG_CLS_CODE": "0",
    "FID_TRGT_CLS_CODE": "111111111",
    "FID_TRGT_EXLS_CLS_CODE": "000000",
    "FID_INPUT_PRICE_1": "",
    "FID_INPUT_PRICE_2": "",
    "FID_VOL_CNT": "",
    "FID_INPUT_DATE_1": "",
}


COLD_CLOCKS = {
    "always-open": ("--clock", "always-open"),
    "KRX session (frozen Thu 11:00 KST)": ("--clock", "frozen", "--start", "2026-11-26T11:00:00+09:00"),
    "after the close (frozen Thu 18:00 KST)": ("--clock", "frozen", "--start", "2026-11-26T18:00:00+09:00"),
}


async def cold_ranking(*clock: str) -> tuple[float, float, float]:
    """(first ranking's latency, slowest concurrent quote, longest PINGPONG gap) in seconds, fresh emulator."""
    with emulator(*clock, "--real-rate", "1000000", "--heartbeat", "0.02", "--no-realtime") as info:
        async with aiohttp.ClientSession() as session:
            base = await token(session, info)
            quote_url, quote_headers = info["rest_url"] + PRICE[0], {**base, "tr_id": PRICE[1]}
            async with session.get(quote_url, params=PRICE_QUERY, headers=quote_headers) as response:
                await response.read()  # 005930 warm: the quotes below measure waiting, not computing
            beats: list[float] = []
            async with session.ws_connect(info["ws_url"]) as ws:

                async def listen() -> None:
                    async for message in ws:
                        if message.type == aiohttp.WSMsgType.TEXT and "PINGPONG" in message.data:
                            beats.append(time.perf_counter())

                listener = asyncio.create_task(listen())
                await asyncio.sleep(0.3)
                done = asyncio.Event()
                quotes: list[float] = []

                async def quote_loop() -> None:
                    while not done.is_set():
                        start = time.perf_counter()
                        async with session.get(quote_url, params=PRICE_QUERY, headers=quote_headers) as response:
                            await response.read()
                        quotes.append(time.perf_counter() - start)

                quoting = asyncio.create_task(quote_loop())
                await asyncio.sleep(0.05)
                start = time.perf_counter()
                path, tr_id = RANKING
                async with session.get(
                    info["rest_url"] + path, params=RANKING_QUERY, headers={**base, "tr_id": tr_id}
                ) as response:
                    body = await response.json()
                end = time.perf_counter()
                assert body["rt_cd"] == "0", body
                done.set()
                await quoting
                await asyncio.sleep(0.05)
                listener.cancel()
    window = [start, *(beat for beat in beats if start < beat < end), end]
    gap = max(later - earlier for earlier, later in pairwise(window))
    return end - start, max(quotes), gap


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def run(seconds: float, workers: int, cold_only: bool = False) -> None:
    if not cold_only:
        await rest(seconds, workers)
    for name, clock in COLD_CLOCKS.items():
        latency, slowest, gap = await cold_ranking(*clock)
        print(
            f"cold ranking (FHPST01710000 over every domestic instrument, {name}): {latency * 1000:.0f} ms; "
            f"concurrent quotes at most {slowest * 1000:.0f} ms, event loop held at most {gap * 1000:.0f} ms "
            "(longest gap between 20 ms heartbeats)"
        )


async def rest(seconds: float, workers: int) -> None:
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
    parser.add_argument("--cold-ranking-only", action="store_true", help="only the cold ranking figures (3.)")
    args = parser.parse_args()
    asyncio.run(run(args.seconds, args.workers, args.cold_ranking_only))


if __name__ == "__main__":
    main()
