"""What a pykis gateway (NATS) adds: latency per REST call and per realtime event, and fan-out throughput.

- REST: the same quote inquiry, sequentially, from a direct client and from a gateway client (emulator limit
  raised so throttling does not enter); p50/p99 of each and of the difference.
- Realtime: one process holds a direct WebSocket registration and a gateway registration of the same (TR, key);
  each record's arrival through the gateway minus its direct arrival (same clock) is the added latency.
- Fan-out: 50 gateway consumers (one process) of one subject; records published on it as fast as NATS takes
  them; deliveries per second until every consumer has every record.

Run: ``.venv/bin/python bench/gateway.py [--calls 400] [--seconds 5] [--records 2000] [--consumers 50]``
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import threading
import time
from typing import Any

from pykis import PyKis
from pykis.emulator import Emulator
from pykis.gateway.devserver import GatewayThread, NatsServer
from pykis.protocol.request import ApiCall

QUOTE = ApiCall(
    "GET",
    "/uapi/domestic-stock/v1/quotations/inquire-price",
    "FHKST01010100",
    {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930"},
)
FAST = 100_000


def percentiles(values: list[float]) -> tuple[float, float]:
    """(p50, p99) in milliseconds."""
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1e3, p99 * 1e3


def timed_calls(kis: PyKis, calls: int) -> list[float]:
    for _ in range(20):  # warm: token, connections
        kis.request(QUOTE)
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        kis.request(QUOTE)
        times.append(time.perf_counter() - start)
    return times


def rest(emu: Emulator, url: str, calls: int) -> None:
    with PyKis(emu.real.auth, rate_limit=FAST) as direct:
        direct_times = timed_calls(direct, calls)
    with PyKis(gateway=url) as through:
        gateway_times = timed_calls(through, calls)
    d50, d99 = percentiles(direct_times)
    g50, g99 = percentiles(gateway_times)
    print(f"REST call  direct    p50 {d50:7.2f} ms  p99 {d99:7.2f} ms  ({calls} sequential quotes)")
    print(f"REST call  gateway   p50 {g50:7.2f} ms  p99 {g99:7.2f} ms")
    print(f"REST call  added     p50 {g50 - d50:7.2f} ms  p99 {g99 - d99:7.2f} ms")


def realtime(emu: Emulator, url: str, seconds: float) -> str:
    """Prints the added latency per event; returns one record (for the fan-out)."""
    direct_at: dict[str, float] = {}
    gateway_at: dict[str, float] = {}

    def keep(into: dict[str, float]) -> Any:
        def on(_sender: Any, e: Any) -> None:
            into.setdefault(e.response._r, time.perf_counter())

        return on

    with PyKis(emu.real.auth, rate_limit=FAST) as direct, PyKis(gateway=url) as through:
        tickets = [
            direct.websocket.on("H0STCNT0", "005930", keep(direct_at)),
            through.websocket.on("H0STCNT0", "005930", keep(gateway_at)),
        ]
        time.sleep(seconds)
        for ticket in tickets:
            ticket.unsubscribe()
    added = [gateway_at[raw] - direct_at[raw] for raw in gateway_at.keys() & direct_at.keys()]
    p50, p99 = percentiles(added)
    print(f"RT event   added     p50 {p50:7.2f} ms  p99 {p99:7.2f} ms  ({len(added)} records seen both ways)")
    return next(iter(gateway_at))


def fan_out(url: str, record: str, records: int, consumers: int) -> None:
    import nats

    received = [0] * consumers
    done = threading.Event()
    total = records * consumers
    lock = threading.Lock()
    count = 0

    def counter(index: int) -> Any:
        def on(_sender: Any, _e: Any) -> None:
            nonlocal count
            received[index] += 1
            with lock:
                count += 1
                if count == total:
                    done.set()

        return on

    clients = [PyKis(gateway=url) for _ in range(consumers)]
    tickets = [kis.websocket.on("H0STCNT0", "005930", counter(i)) for i, kis in enumerate(clients)]
    time.sleep(1.0)  # every subscription in place, live ticks drained
    with lock:
        count = 0
        received[:] = [0] * consumers
    frame = f"0|H0STCNT0|001|{record}".encode()

    async def publish() -> float:
        nc = await nats.connect(url)
        start = time.perf_counter()
        for _ in range(records):
            await nc.publish("kis.rt.H0STCNT0.005930", frame)
        await nc.flush()
        await nc.close()
        return start

    start = asyncio.run(publish())
    finished = done.wait(120)
    elapsed = time.perf_counter() - start
    for ticket in tickets:
        ticket.unsubscribe()
    for kis in clients:
        kis.close()
    delivered = sum(received)
    state = "" if finished else f"  (incomplete: live ticks mixed in or lost; {delivered}/{total})"
    print(
        f"Fan-out    {consumers} consumers x {records} records: {delivered / elapsed:,.0f} deliveries/s "
        f"({elapsed:.2f} s, one consumer process){state}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=400)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--consumers", type=int, default=50)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as cache,
        Emulator(secrets_dir=cache, real_rate=FAST) as emu,
        NatsServer() as server,
    ):
        gateway = GatewayThread([emu.real.auth], server.url, rate_limit=FAST)
        try:
            rest(emu, server.url, args.calls)
            record = realtime(emu, server.url, args.seconds)
            fan_out(server.url, record, args.records, args.consumers)
        finally:
            gateway.close()


if __name__ == "__main__":
    main()
