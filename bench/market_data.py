"""Market data: decoding cost, batch-quote wall time and the API calls symbol resolution costs.

1. Decoding one domestic quote response (FHKST01010100, a real-shaped body from the emulator) into
   ``KisDomesticQuote``: envelope head, body and model — goal ≤ 25 µs (python-kis 2.1.6: ~121 µs).
2. Decoding a 100-bar daily chart response (FHKST03010100) into ``KisChartBar`` s — goal ≤ 500 µs
   (python-kis: ~4.9 ms).
3. Wall time of ``kis.quotes()`` for 200 domestic symbols against the emulator at the real service's limit of
   20 requests/s — goal ≤ 1.0 s.
4. API calls ``kis.stock("NVDA")`` costs with a cold and a warm master cache, and when the master files cannot
   be downloaded (python-kis may make up to 13), counted by the emulator's ``gateway.stats.requests``.

Run: ``.venv/bin/python bench/market_data.py``
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
import timeit
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from pykis import KisHosts, PyKis
from pykis.emulator import Emulator
from pykis.emulator.instruments import UNIVERSE
from pykis.models.chart import DomesticDailyBody, domestic_daily_bars
from pykis.models.quote import DomesticQuoteBody, domestic_quote
from pykis.protocol.envelope import decode_envelope
from pykis.protocol.http import HttpResponse
from pykis.protocol.request import ApiCall

QUOTE = ApiCall(
    "GET",
    "/uapi/domestic-stock/v1/quotations/inquire-price",
    "FHKST01010100",
    {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930"},
)
CHART = ApiCall(
    "GET",
    "/uapi/domestic-stock/v1/quotations/inquire-daily-itemchartprice",
    "FHKST03010100",
    {
        "FID_COND_MRKT_DIV_CODE": "J",
        "FID_INPUT_ISCD": "005930",
        "FID_INPUT_DATE_1": "20200101",
        "FID_INPUT_DATE_2": "20991231",
        "FID_PERIOD_DIV_CODE": "D",
        "FID_ORG_ADJ_PRC": "0",
    },
)


def best_of(function: Callable[[], Any], number: int) -> float:
    """Seconds per call, the best of five runs of ``number`` calls."""
    return min(timeit.repeat(function, number=number, repeat=5)) / number


def main() -> int:
    os.environ["PYKIS_CACHE_DIR"] = tempfile.mkdtemp(prefix="pykis-bench-")
    with Emulator() as emu, PyKis(emu.real.auth, keep_token=False) as kis:
        samsung = kis.stock("005930")
        quote_body = kis.request(QUOTE).raw
        chart_body = kis.request(CHART).raw
        now = datetime.now(samsung.timezone)

        def decode_quote() -> object:
            envelope = decode_envelope(HttpResponse(200, {}, quote_body), "FHKST01010100")
            wire = envelope.decode(DomesticQuoteBody).output
            return domestic_quote(wire, symbol="005930", market="KRX", name="삼성전자", time=now)

        def decode_chart() -> object:
            envelope = decode_envelope(HttpResponse(200, {}, chart_body), "FHKST03010100")
            return domestic_daily_bars(envelope.decode(DomesticDailyBody), samsung.timezone)

        bars = decode_chart()
        assert isinstance(bars, list) and len(bars) == 100, bars
        quote_us = best_of(decode_quote, 2000) * 1e6
        chart_us = best_of(decode_chart, 200) * 1e6
        print(f"decode one domestic quote ({len(quote_body)} B):   {quote_us:7.1f} µs  (goal ≤ 25; python-kis ~121)")
        print(f"decode a 100-bar daily chart ({len(chart_body)} B): {chart_us:7.1f} µs  (goal ≤ 500; python-kis ~4900)")

        symbols = [instrument.symbol for instrument in UNIVERSE if instrument.domestic][:200]
        stocks = [kis.stock(symbol) for symbol in symbols]
        for symbol in symbols:
            # The simulated market builds an instrument's day on its first quote (milliseconds each): warm it,
            # so the figure is the client's batching under the rate limit, not the sandbox's first simulation.
            emu.market.quote(symbol)
        time.sleep(1.1)  # an empty one-second window at the gateway
        before = emu.gateway.stats.requests
        started = time.perf_counter()
        quotes = kis.quotes(stocks)
        elapsed = time.perf_counter() - started
        assert [quote.symbol for quote in quotes] == symbols
        calls = emu.gateway.stats.requests - before
        print(f"200 domestic batch quotes at 20 req/s: {elapsed:7.3f} s in {calls} calls  (goal ≤ 1.0 s)")
        refusals = emu.gateway.stats.rate_refusals
        print(f"  rate-limit refusals: {refusals}")

        counts = []
        for label, cache in (("cold", tempfile.mkdtemp()), ("warm", None)):
            if cache is not None:
                os.environ["PYKIS_CACHE_DIR"] = cache
            with PyKis(emu.real.auth, keep_token=False) as fresh:
                fresh.token()
                before = emu.gateway.stats.requests
                fresh.stock("NVDA")
                counts.append((label, emu.gateway.stats.requests - before))
        dead = KisHosts(emu.real.rest_url, emu.real.ws_url, masters="http://127.0.0.1:9/none")
        logging.getLogger("pykis").setLevel(logging.ERROR)  # the expected "cannot download" warnings
        os.environ["PYKIS_CACHE_DIR"] = tempfile.mkdtemp()
        with PyKis(emu.real.auth, keep_token=False, hosts=dead) as fallback:
            fallback.token()
            before = emu.gateway.stats.requests
            fallback.stock("NVDA")
            counts.append(("no masters", emu.gateway.stats.requests - before))
        cached = sorted(path.name for path in Path(os.environ["PYKIS_CACHE_DIR"]).glob("masters/*"))
        assert not cached, cached
        text = ", ".join(f"{label} {count}" for label, count in counts)
        print(f'API calls of kis.stock("NVDA"): {text}  (python-kis: up to 13)')
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
