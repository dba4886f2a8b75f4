"""What a pykis gateway (NATS) adds: latency per REST call and per realtime event, and fan-out throughput.

- REST: the same quote inquiry, sequentially, from a direct client and from a gateway client (emulator limit
  raised so throttling does not enter); p50/p99 of each and of the difference.
- Realtime: one process holds a direct WebSocket registration and a gateway registration of the same (TR, key);
  each record's arrival through the gateway minus its direct arrival (same clock) is the added latency.
- Shared key: 4 client processes x 60 quotes through one gateway on one key at the emulator's real 20/s; the
  achieved fraction of the limit after the first second's burst, and EGW00201 answers.
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


def timed(kis: PyKis) -> float:
    start = time.perf_counter()
    kis.request(QUOTE)
    return time.perf_counter() - start


def rest(emu: Emulator, url: str, calls: int) -> None:
    """Direct and gateway calls alternate, so both see the same machine load; the added latency is each
    pair's difference."""
    with PyKis(emu.real.auth, rate_limit=FAST) as direct, PyKis(gateway=url) as through:
        for _ in range(20):  # warm: token, connections
            direct.request(QUOTE)
            through.request(QUOTE)
        pairs = [(timed(direct), timed(through)) for _ in range(calls)]
    d50, d99 = percentiles([d for d, _ in pairs])
    g50, g99 = percentiles([g for _, g in pairs])
    a50, a99 = percentiles([g - d for d, g in pairs])
    print(f"REST call  direct    p50 {d50:7.2f} ms  p99 {d99:7.2f} ms  ({calls} alternating pairs of quotes)")
    print(f"REST call  gateway   p50 {g50:7.2f} ms  p99 {g99:7.2f} ms")
    print(f"REST call  added     p50 {a50:7.2f} ms  p99 {a99:7.2f} ms  (per pair)")


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
    import nats  # noqa: PLC0415 — the gateway extra loads only in its own bench

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


def _quoter(url: str, count: int, start: Any, results: Any) -> None:
    with PyKis(gateway=url) as kis:
        stock = kis.stock("005930")
        start.wait()
        stamps = []
        for _ in range(count):
            stock.quote()
            stamps.append(time.time())  # wall clock: compared across processes
    results.put(stamps)


def shared_key(processes: int, quotes: int) -> None:
    import multiprocessing  # noqa: PLC0415 — the gateway extra loads only in its own bench

    limit = 20
    with (
        tempfile.TemporaryDirectory() as cache,
        Emulator(secrets_dir=cache, real_rate=limit) as emu,
        NatsServer() as server,
    ):
        gateway = GatewayThread([emu.real.auth], server.url)
        try:
            context = multiprocessing.get_context("spawn")
            start = context.Event()
            results: Any = context.Queue()
            workers = [
                context.Process(target=_quoter, args=(server.url, quotes, start, results)) for _ in range(processes)
            ]
            for worker in workers:
                worker.start()
            time.sleep(3.0)  # every process connected and resolved its stock
            began = time.time()
            start.set()
            stamps = sorted(t for _ in workers for t in results.get(timeout=300))
            for worker in workers:
                worker.join()
        finally:
            gateway.close()
        # The first second is the window's free burst; the steady rate is what the limit allows after it.
        steady = [t for t in stamps if t >= began + 1.0]
        rate = (len(steady) - 1) / (steady[-1] - steady[0])
        print(
            f"Shared key {processes} processes x {quotes} quotes at {limit}/s: {rate:.1f} req/s steady "
            f"({rate / limit:.2f} of the limit), {emu.gateway.stats.rate_refusals} EGW00201"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=400)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--consumers", type=int, default=50)
    args = parser.parse_args()
    shared_key(4, 60)
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
