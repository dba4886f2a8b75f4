"""Realtime decoding: µs per record into the typed event, with two fields or every field read, bytes per
retained event, and (with the emulator) the latency from the emulator's send to the callback at a fixed rate.

Run: ``.venv/bin/python bench/realtime_decode.py [--records 200000] [--latency-seconds 3] [--rate 10000]``

Reference (issue 6): python-kis 2.1.6 decodes an H0STCNT0 record in about 36 µs and retains about 4,000 B per
event; the goals here are ≤ 3.6 µs and ≤ 800 B.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
import tracemalloc
from collections.abc import Callable

from pykis.drivers.websocket_handlers import decode_frame
from pykis.models.realtime import KisRealtimeEvent
from pykis.protocol.websocket import DataFrame, parse_message

# Realistic records (values as the live feed sends them), in today's widths: H0STCNT0 47, H0STASP0 63.
H0STCNT0 = (
    "000660^135044^174900^5^-18400^-9.52^176617.41^178900^180000^174000^174900^174800^50^8919304^1587870362300"
    "^23197^27031^3834^86.31^3926124^3388705^5^0.43^131.09^090001^5^-4000^090416^2^1100^134856^5^-100^20240802"
    "^20^N^11232^27458^1021341^794116^1.23^6742781^132.28^0^N^193300^2"
)
HDFSCNT0 = (
    "AAPL^4^20240801^20240801^092930^20240801^223030^224.3700^224.4800^223.8100^224.1200^2^2.2100^0.99"
    "^224.1100^224.1300^300^500^100^1523423^341234556^620113^903310^145.67^1"
)
H0STASP0 = "^".join(
    ["005930", "093001", "0"]
    + [str(71000 + 100 * i) for i in range(10)]
    + [str(70900 - 100 * i) for i in range(10)]
    + [str(1000 + 37 * i) for i in range(10)]
    + [str(2000 + 41 * i) for i in range(10)]
    + ["98765", "123456", "0", "0", "0", "0", "0", "0", "3", "0.00", "3052507", "120", "-340", "0", "0", "0"]
    + ["71050", "150", "1", "2"]
)


def per_record(text: str, rounds: int, read: Callable[[KisRealtimeEvent], object] | None = None) -> float:
    """µs per record: parse the frame text and decode its records (best of 5 runs)."""
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        count = 0
        for _ in range(rounds):
            message = parse_message(text)
            assert isinstance(message, DataFrame)
            events = decode_frame(message)
            if read is not None:
                for event in events:
                    read(event)
            count += len(events)
        best = min(best, (time.perf_counter() - start) / count)
    return best * 1e6


def retained_bytes(text: str, keep: int = 10_000) -> float:
    """Bytes per event when ``keep`` events decoded from single-record frames are kept alive."""
    frames = [text.replace("135044", f"{135044 + i % 9:06d}", 1) for i in range(keep)]  # distinct strings
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    kept = []
    for frame in frames:
        message = parse_message(frame)
        assert isinstance(message, DataFrame)
        kept.extend(decode_frame(message))
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    size = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    assert len(kept) == keep
    return size / keep


def frame(tr_id: str, record: str, count: int = 1) -> str:
    return f"0|{tr_id}|{count:03d}|" + "^".join([record] * count)


def _read_price(event: KisRealtimeEvent) -> object:
    return event.price, event.volume  # type: ignore[attr-defined]


def _read_book(event: KisRealtimeEvent) -> object:
    return event.asks, event.bids  # type: ignore[attr-defined]


def _names(tr_id: str, record: str) -> list[str]:
    message = parse_message(frame(tr_id, record))
    assert isinstance(message, DataFrame)
    return list(decode_frame(message)[0].as_dict())


def read_every(names: list[str]) -> Callable[[KisRealtimeEvent], object]:
    """A reader of every typed property, one by one, as a recorder that forwards whole ticks would."""

    def read(event: KisRealtimeEvent) -> object:
        for name in names:
            getattr(event, name)
        return None

    return read


def field_rows(rounds: int) -> None:
    """Per TR: decode only, two fields, every field one by one, and every field through ``as_dict()``."""
    print("fields read, µs per record (µs per field) — one record per frame:")
    for tr_id, record, two in (
        ("H0STCNT0", H0STCNT0, _read_price),
        ("H0STASP0", H0STASP0, _read_book),
        ("HDFSCNT0", HDFSCNT0, _read_price),
    ):
        text, names = frame(tr_id, record), _names(tr_id, record)
        width = record.count("^") + 1
        for label, read, count in (
            ("decode only", None, 0),
            ("two fields", two, 2),
            (f"all {len(names)} fields, one by one", read_every(names), len(names)),
            (f"all {len(names)} fields, as_dict()", lambda e: e.as_dict(), len(names)),
        ):
            cost = per_record(text, rounds, read)
            per_field = f"({cost / count:5.2f} /field)" if count else ""
            print(f"  {tr_id} ({width} columns) {label:<30} {cost:6.2f} µs {per_field}")


def latency(seconds: float, rate: int, keys: int = 4, step: float = 0.005) -> tuple[float, float, int] | None:
    """p50/p99 ms from the emulator's send to the callback at ``rate`` records/s; ``None`` without the emulator.

    The emulator (its own thread and event loop) publishes H0STCNT0 records for ``keys`` symbols every ``step``
    seconds, bundled per symbol into one frame, each record carrying its send time in an extra trailing field
    (which the decoder tolerates); a blocking ``PyKis`` client measures the delay in its callback.
    """
    try:
        from pykis.client import PyKis  # noqa: PLC0415 — each library loads in its own measurement
        from pykis.emulator import Emulator  # noqa: PLC0415 — each library loads in its own measurement
    except ImportError:
        return None
    import asyncio  # noqa: PLC0415 — each library loads in its own measurement
    import threading  # noqa: PLC0415 — each library loads in its own measurement

    symbols = [f"{100000 + i:06d}" for i in range(keys)]
    delays: list[int] = []
    lock = threading.Lock()

    def on_price(sender: object, e: object) -> None:
        stamp = e.response.raw.rpartition("^")[2]  # type: ignore[attr-defined]
        with lock:
            delays.append(time.perf_counter_ns() - int(stamp))

    with Emulator() as emu:
        kis = PyKis(emu.real.auth, keep_token=False)
        tickets = [kis.websocket.on("H0STCNT0", symbol, on_price) for symbol in symbols]
        hub = emu.hub("real")
        loop = emu._loop
        assert loop is not None
        deadline = time.monotonic() + 5
        while len(kis.websocket.confirmed) < keys and time.monotonic() < deadline:
            time.sleep(0.01)
        base = H0STCNT0.split("^")

        async def publish() -> None:
            per_step = rate * step / keys
            owed = 0.0
            end = time.monotonic() + seconds
            next_at = time.monotonic()
            while time.monotonic() < end:
                owed += per_step
                count, owed = int(owed), owed - int(owed)
                if count:
                    for symbol in symbols:
                        stamp = str(time.perf_counter_ns())
                        record = [symbol, *base[1:], stamp]
                        await hub.publish("H0STCNT0", symbol, [record] * count)
                next_at += step
                await asyncio.sleep(max(0.0, next_at - time.monotonic()))

        asyncio.run_coroutine_threadsafe(publish(), loop).result(timeout=seconds + 30)
        time.sleep(0.5)
        for ticket in tickets:
            ticket.unsubscribe()
        kis.close()
    if not delays:
        return None
    delays.sort()
    p50 = delays[len(delays) // 2] / 1e6
    p99 = delays[min(len(delays) - 1, int(len(delays) * 0.99))] / 1e6
    return p50, p99, len(delays)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=20_000)
    parser.add_argument("--latency-seconds", type=float, default=3.0)
    parser.add_argument("--rate", type=int, default=10_000)
    args = parser.parse_args(argv)

    print(f"python {sys.version.split()[0]}")
    rows = [
        ("H0STCNT0 ×1 (47 fields)", frame("H0STCNT0", H0STCNT0), None),
        ("H0STCNT0 ×10 per frame", frame("H0STCNT0", H0STCNT0, 10), None),
        ("H0STCNT0 ×1 + read price, volume", frame("H0STCNT0", H0STCNT0), _read_price),
        ("H0STCNT0 ×1 (46 fields, old width)", frame("H0STCNT0", H0STCNT0.rsplit("^", 1)[0]), None),
        ("HDFSCNT0 ×1 (25 fields)", frame("HDFSCNT0", HDFSCNT0), None),
        ("HDFSCNT0 ×10 per frame", frame("HDFSCNT0", HDFSCNT0, 10), None),
        ("H0STASP0 ×1 (63 fields)", frame("H0STASP0", H0STASP0), None),
        ("H0STASP0 ×10 per frame", frame("H0STASP0", H0STASP0, 10), None),
    ]
    print("decode cost, µs per record (goal for H0STCNT0 ≤ 3.6; python-kis 2.1.6 ≈ 36):")
    for label, text, read in rows:
        rounds = args.rounds if "×10" not in label else args.rounds // 10
        print(f"  {label:<38} {per_record(text, rounds, read):6.2f} µs")
    field_rows(args.rounds)
    print("retained memory per event, 10,000 events (goal ≤ 800 B; python-kis ≈ 4,000 B):")
    for label, text in (
        ("H0STCNT0", frame("H0STCNT0", H0STCNT0)),
        ("HDFSCNT0", frame("HDFSCNT0", HDFSCNT0.replace("092930", "135044"))),
        ("H0STASP0", frame("H0STASP0", H0STASP0.replace("093001", "135044"))),
    ):
        print(f"  {label:<38} {retained_bytes(text):6.0f} B")
    measured = latency(args.latency_seconds, args.rate)
    if measured is None:
        print("end-to-end latency: skipped (the emulator is not available)")
    else:
        p50, p99, received = measured
        print(
            f"end-to-end latency, emulator send → callback, at {args.rate:,} records/s for "
            f"{args.latency_seconds:g} s ({received:,} records):"
        )
        print(f"  p50 {p50:.2f} ms   p99 {p99:.2f} ms")
    print(
        "reference: python-kis 2.1.6 is not measured here (it installs as `pykis` too, so it cannot be imported "
        "beside us); its figures from issue 6: ~36 µs per H0STCNT0 record, ~4,000 B per retained event."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
