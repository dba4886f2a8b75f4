"""A cold full-market ranking does not hold the emulator's event loop: other requests are answered meanwhile.

A ranking (FHPST01710000 and the other generic ranking APIs) looks at every domestic instrument, and the
first look at an instrument on a day builds its minute path. The market here stands for a slow machine: every
quote and day state costs :data:`STALL` seconds more, blocking the thread that asks — the event loop's thread —
as CPU-bound work would. The ranking then needs at least ``266 × STALL`` seconds; a price request sent while
it runs must still be answered promptly, before the ranking, and within a generous bound.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest

from pykis.emulator import Emulator
from pykis.emulator.clock import SystemClock
from pykis.emulator.instruments import Instrument
from pykis.emulator.market import DayState, Market, Quote
from tests.emulator.conftest import PRICE_PATH, PRICE_QUERY, Wire, envelope

STALL = 0.004
"""Extra seconds every quote and day state takes (a slow machine), blocking the caller's thread."""

VOLUME_RANK = "/uapi/domestic-stock/v1/quotations/volume-rank"
VOLUME_RANK_QUERY = {
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


class SlowMarket(Market):
    """The simulated market on a slow machine; ``looked`` is set once anything has looked at an instrument."""

    def __init__(self) -> None:
        super().__init__(SystemClock(), always_open=True)
        self.looked = threading.Event()

    def day_state(self, instrument: Instrument, at: datetime) -> DayState:
        self.looked.set()
        time.sleep(STALL)
        return super().day_state(instrument, at)

    def quote_at(self, instrument: Instrument, at: datetime) -> Quote:
        self.looked.set()
        time.sleep(STALL)
        return super().quote_at(instrument, at)


@pytest.fixture
def slow() -> Iterator[Emulator]:
    with Emulator(market=SlowMarket(), real_rate=1000, virtual_rate=1000, realtime=False) as emu:
        yield emu


def test_a_price_request_is_answered_while_a_cold_ranking_is_computed(slow: Emulator) -> None:
    market = slow.market
    assert isinstance(market, SlowMarket)
    with httpx.Client(timeout=120) as ranking_http, httpx.Client(timeout=120) as quote_http:
        ranker, quoter = Wire(slow.real, ranking_http), Wire(slow.real, quote_http)
        issued = ranker.issue_token()
        assert issued.status_code == 200, issued.text
        ranker.token = quoter.token = issued.json()["access_token"]  # one token a minute per app key
        ranked: list[Any] = []
        ranked_at: list[float] = []

        def rank() -> None:
            response = ranker.get(VOLUME_RANK, "FHPST01710000", VOLUME_RANK_QUERY)
            ranked_at.append(time.perf_counter())
            ranked.append(response)

        thread = threading.Thread(target=rank, name="ranking")
        thread.start()
        try:
            assert market.looked.wait(timeout=60)  # the ranking is computing (nothing else quotes)
            price = quoter.get(PRICE_PATH, "FHKST01010100", PRICE_QUERY)
            answered = time.perf_counter()
        finally:
            thread.join(timeout=120)
    assert price.status_code == 200 and envelope(price)["rt_cd"] == "0"
    assert ranked and ranked[0].status_code == 200
    body = envelope(ranked[0])
    assert body["rt_cd"] == "0" and len(body["output"]) == 4  # one page (no continuation), ranked over the market
    # The ranking took at least 266 stalls (over a second); the price came back before it (how quickly is
    # bench/emulator_throughput.py's figure).
    assert answered < ranked_at[0], "the price request waited for the ranking"
