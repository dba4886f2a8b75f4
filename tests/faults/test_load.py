"""Load: 41 subscriptions (the KIS maximum) at a high tick rate, with bounded memory and no growing queue.

The bounded run streams ~4,000 records/s for 5 s; ``make soak`` streams 8,000 records/s for 3 minutes. The
shared rate limit and token under many threads, tasks and processes is proven in
``tests/integration/test_foundation.py`` (612 inquiries, 0 EGW00201, 1 token); the storms in
``test_rest_faults.py`` add faults to it.
"""

from __future__ import annotations

import gc
import os
import threading
import time
from typing import Any

import pytest

from pykis.client import PyKis
from pykis.emulator import Emulator
from pykis.protocol.websocket import KisWebsocketTR
from pykis.realtime import RealtimeOptions
from tests.realtime.conftest import FAST, server_subscriptions, wait_for


def rss_mib() -> float:
    with open(f"/proc/{os.getpid()}/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs /proc")
@pytest.mark.parametrize(
    ("rate", "seconds"),
    [pytest.param(100.0, 5.0, id="bounded"), pytest.param(200.0, 180.0, id="soak", marks=pytest.mark.slow)],
)
def test_41_subscriptions_at_a_high_tick_rate(tmp_path: Any, rate: float, seconds: float, figures: Any) -> None:
    with Emulator(secrets_dir=tmp_path, realtime_rate=rate, heartbeat_interval=0.5) as emu:
        domestic = [i.symbol for i in emu.market.instruments() if i.market in ("KOSPI", "KOSDAQ")]
        assert len(domestic) >= 21
        trs = [KisWebsocketTR("H0STCNT0", s) for s in domestic[:21]] + [
            KisWebsocketTR("H0STASP0", s) for s in domestic[:20]
        ]
        kis = PyKis(emu.real.auth, keep_token=False)
        kis.websocket.options = RealtimeOptions(reconnect=FAST.reconnect, heartbeat=FAST.heartbeat, close_timeout=0.2)
        received = [0]
        lock = threading.Lock()
        last: dict[str, int] = {}

        def on_event(sender: Any, e: Any) -> None:
            event = e.response
            event.price if e.tr.id == "H0STCNT0" else event.asks  # read a field, as a user would  # noqa: B018
            with lock:
                received[0] += 1
                last[e.tr.id] = received[0]

        try:
            tickets = [kis.websocket.on(tr.id, tr.key, on_event) for tr in trs]
            wait_for(lambda: len(server_subscriptions(emu)) == 41, timeout=10)
            time.sleep(min(2.0, seconds / 4))  # warm up: pools, caches, decoders
            gc.collect()
            start_rss, start_count, start = rss_mib(), received[0], time.monotonic()
            depths: list[int] = []
            rss: list[float] = []
            while time.monotonic() - start < seconds:
                time.sleep(0.25)
                depths.append(kis.websocket._queue.qsize())
                rss.append(rss_mib())
            elapsed = time.monotonic() - start
            count = received[0] - start_count
            gc.collect()
            end_rss = rss_mib()
            dropped = kis.websocket.dropped
            for ticket in tickets:
                ticket.unsubscribe()
        finally:
            kis.close()
    offered = rate * 41
    figures(
        subscriptions=41,
        offered_records_per_s=int(offered),
        received_records_per_s=int(count / elapsed),
        records=count,
        max_queue_depth=max(depths),
        queue_depth_last_quarter=max(depths[-len(depths) // 4 :]),
        dropped=dropped,
        rss_start_mib=round(start_rss, 1),
        rss_end_mib=round(end_rss, 1),
        rss_growth_mib=round(end_rss - start_rss, 1),
    )
    assert dropped == 0
    assert count / elapsed >= 0.5 * offered  # the emulator itself is Python: allow it to lag, not the client
    assert max(depths) < 5_000  # the callbacks keep up: the queue never holds more than ~1 s of records
    assert end_rss - start_rss < 40.0  # bounded memory: no retained events, no growing buffers
