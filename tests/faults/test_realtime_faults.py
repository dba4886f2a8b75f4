"""Realtime under faults: WebSocket drops at random moments, heartbeat stalls and half-open connections.

``tests/realtime`` shows that drops restore every subscription once and that a missing PINGPONG reconnects;
here the same faults are mixed with a live stream and every restore is followed by a *numbered* batch, so
loss and duplication are counted, not assumed. Records sent while no connection exists are gone in the real
service too (KIS does not replay); "events lost" counts records the server handed to a restored connection.
"""

from __future__ import annotations

import asyncio
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from pykis.client import PyKis
from pykis.emulator import Emulator
from pykis.protocol.env import Environment
from pykis.protocol.websocket import Heartbeat, KisWebsocketTR, execution_tr
from pykis.realtime import KisReconnectEvent, RealtimeOptions
from tests.faults.conftest import SCALES
from tests.realtime.conftest import FAST, server_connections, server_subscriptions, wait_for

KEYS = ("005930", "000660", "035720")
RECORD = (
    "000660^135044^174900^5^-18400^-9.52^176617.41^178900^180000^174000^174900^174800^50^8919304^1587870362300"
    "^23197^27031^3834^86.31^3926124^3388705^5^0.43^131.09^090001^5^-4000^090416^2^1100^134856^5^-100^20240802"
    "^20^N^11232^27458^1021341^794116^1.23^6742781^132.28^0^N^193300^2"
)
TEMPLATE = RECORD.split("^")
BATCH = 30  # records per key per verification: 3 frames of 10


def record(key: str, batch: int, seq: int) -> list[str]:
    """An H0STCNT0 record of ``key`` tagged with (batch, seq) in the volume fields; batch 0 is filler."""
    fields = list(TEMPLATE)
    fields[0] = key
    fields[12] = str(batch)
    fields[13] = str(seq)
    return fields


class Batches:
    """Counts (key, batch, seq) deliveries, thread-safely."""

    def __init__(self) -> None:
        self.seen: Counter[tuple[str, int, int]] = Counter()
        self.lock = threading.Lock()
        self.filler = 0

    def __call__(self, sender: Any, e: Any) -> None:
        fields = e.response.raw.split("^")
        batch = int(fields[12])
        with self.lock:
            if batch == 0:
                self.filler += 1
            else:
                self.seen[(fields[0], batch, int(fields[13]))] += 1

    def of(self, batch: int) -> tuple[int, int]:
        """(distinct records received, duplicates) of ``batch``."""
        with self.lock:
            mine = {k: v for k, v in self.seen.items() if k[1] == batch}
        return len(mine), sum(v - 1 for v in mine.values())


@pytest.fixture(scope="module")
def emu(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    with Emulator(secrets_dir=tmp_path_factory.mktemp("secrets"), heartbeat_interval=0.2, realtime=False) as emu:
        yield emu
        emu.faults.clear()


class Filler:
    """A background stream of filler records to every key (so faults strike mid-stream)."""

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        seq = 0
        while not self.stop.is_set():
            seq += 1
            for key in KEYS:
                self.emu.publish("real", "H0STCNT0", key, [record(key, 0, seq)])
            time.sleep(0.01)

    def __enter__(self) -> Filler:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=5)


class Session:
    """One client subscribed to KEYS (and its execution notices), with reconnects and batches recorded."""

    def __init__(self, emu: Emulator, options: RealtimeOptions) -> None:
        self.emu = emu
        self.kis = PyKis(emu.real.auth, keep_token=False)
        self.kis.websocket.options = options
        self.batches = Batches()
        self.reconnects: list[KisReconnectEvent] = []
        notices = execution_tr(Environment.REAL, self.kis.trading_auth.id)
        self.trs = [KisWebsocketTR("H0STCNT0", key) for key in KEYS] + [notices]
        self.expected = sorted((tr.id, tr.key) for tr in self.trs)
        self.tickets = [self.kis.websocket.on(tr.id, tr.key, self.batches) for tr in self.trs]
        self.watch = self.kis.websocket.on_reconnect(lambda sender, event: self.reconnects.append(event))
        self.next_batch = 0
        self.lost = 0
        self.duplicated = 0
        self.steady()

    def steady(self, timeout: float = 10.0) -> None:
        """Wait for one connection with every registration exactly once, all confirmed."""
        wanted = set(self.trs)
        wait_for(
            lambda: (
                server_subscriptions(self.emu) == self.expected
                and server_connections(self.emu) == 1
                and self.kis.websocket.confirmed == wanted
            ),
            timeout=timeout,
        )

    def reconnected_since(self, count: int) -> Callable[[], bool]:
        """A condition: more than ``count`` reconnections have happened."""
        return lambda: len(self.reconnects) > count

    def verify(self) -> None:
        """Publish a numbered batch to every key; count what was lost or delivered twice."""
        self.next_batch += 1
        batch = self.next_batch
        for key in KEYS:
            for start in range(0, BATCH, 10):
                self.emu.publish("real", "H0STCNT0", key, [record(key, batch, seq) for seq in range(start, start + 10)])
        want = BATCH * len(KEYS)
        try:
            wait_for(lambda: self.batches.of(batch)[0] >= want, timeout=5)
        except AssertionError:
            pass
        time.sleep(0.05)  # let any duplicate arrive
        received, duplicates = self.batches.of(batch)
        self.lost += want - received
        self.duplicated += duplicates

    def close(self) -> None:
        for ticket in [*self.tickets, self.watch]:
            ticket.unsubscribe()
        self.kis.close()
        wait_for(lambda: server_connections(self.emu) == 0, timeout=5)


@pytest.mark.parametrize("scale", SCALES)
def test_websocket_drops_at_random_moments_lose_nothing_delivered(emu: Emulator, scale: int, figures: Any) -> None:
    session = Session(emu, FAST)
    rng = random.Random(8 * scale)
    drops = 12 * scale
    try:
        with Filler(emu):
            session.verify()
            for drop in range(drops):
                time.sleep(rng.uniform(0.0, 0.15))  # mid-stream, mid-restore, mid-handshake
                emu.faults.drop_websockets("real")
                if drop % 3 == 2:
                    # A drop of a steady connection, then a numbered batch on the restored one.
                    session.steady()
                    before = len(session.reconnects)
                    emu.faults.drop_websockets("real")
                    wait_for(session.reconnected_since(before), timeout=10)
                    session.steady()
                    session.verify()
            session.steady()
            session.verify()
        restored = sum(len(event.restored) for event in session.reconnects)
        figures(
            drops=drops + drops // 3,
            reconnects_survived=len(session.reconnects),
            subscriptions_restored=restored,
            batches=session.next_batch,
            events_lost=session.lost,
            events_duplicated=session.duplicated,
            filler_events=session.batches.filler,
        )
        assert session.lost == 0
        assert session.duplicated == 0
        assert len(session.reconnects) >= drops // 3
        assert all(set(event.restored) == set(session.trs) for event in session.reconnects)
    finally:
        session.close()


@pytest.mark.parametrize("scale", SCALES)
def test_heartbeat_stalls_and_half_open_connections(emu: Emulator, scale: int, figures: Any) -> None:
    """A half-open connection (TCP up, the server silent) and a PINGPONG stall with data still flowing:
    the first must be noticed within the heartbeat bound and restored; neither may lose a delivered event."""
    bound = 0.8
    options = RealtimeOptions(reconnect=FAST.reconnect, heartbeat=Heartbeat(bound), close_timeout=0.2)
    session = Session(emu, options)
    detections: list[float] = []
    try:
        for _ in range(2 * scale):
            # Half-open: nothing at all arrives; only the heartbeat bound can tell.
            before = len(session.reconnects)
            started = time.monotonic()
            emu.faults.stop_heartbeats()
            wait_for(session.reconnected_since(before), timeout=bound * 3)  # detected within the heartbeat bound
            detections.append(time.monotonic() - started)
            emu.faults.resume_heartbeats()
            session.steady()
            session.verify()
            # A stall while data flows: whether or not the client reconnects, nothing delivered is lost.
            with Filler(emu):
                emu.faults.stop_heartbeats()
                time.sleep(bound * 1.5)
                emu.faults.resume_heartbeats()
                session.steady()
                session.verify()
        figures(
            stalls=4 * scale,
            reconnects_survived=len(session.reconnects),
            subscriptions_restored=sum(len(event.restored) for event in session.reconnects),
            slowest_detection_s=round(max(detections), 2),
            events_lost=session.lost,
            events_duplicated=session.duplicated,
        )
        assert session.lost == 0
        assert session.duplicated == 0
        assert all("PINGPONG" in event.reason or "closed" in event.reason for event in session.reconnects)
    finally:
        emu.faults.resume_heartbeats()
        session.close()


def hostile_frames() -> list[tuple[str, str]]:
    """Frames a hostile or broken server could send, each with the name it is counted under."""
    good = "^".join(record("005930", 0, 0))
    return [
        ("garbage", "\x00\x01not a KIS frame\xff"),
        ("bad_json", '{"header": {"tr_id": "H0STCNT0", '),
        ("json_array", "[1, 2, 3]"),
        ("bad_count", "0|H0STCNT0|abc|005930"),
        ("count_zero", f"0|H0STCNT0|000|{good}"),
        ("count_huge", f"0|H0STCNT0|99999|{good}"),
        ("too_few_fields", "0|H0STCNT0|001|005930^093000^71000"),
        ("count_mismatch", f"0|H0STCNT0|003|{good}^{good}"),
        ("too_many_fields", f"0|H0STCNT0|001|{good}^extra^fields^beyond^the^layout"),
        ("encrypted_without_key", "1|H0STCNT0|001|bm90IGEga2V5"),
        ("unknown_tr", f"0|H9XXXXX0|001|{good}"),
        ("empty", ""),
        ("reply_without_body", '{"header": {"tr_id": "H0STCNT0", "tr_key": "005930"}}'),
        ("huge_frame", "0|H0STCNT0|001|" + "9" * (17 << 20)),  # past the 16 MiB frame cap: the connection closes
    ]


def test_hostile_frames_are_skipped_and_the_reader_lives(emu: Emulator, figures: Any) -> None:
    """Every hostile frame is skipped (and logged) or closes the connection; the reader thread never dies,
    no registration is lost or doubled, and the numbered batch after them arrives whole."""
    session = Session(emu, FAST)
    loop = emu._loop
    assert loop is not None
    hub = emu.hub("real")
    try:
        before = len(session.reconnects)
        for _name, text in hostile_frames():
            asyncio.run_coroutine_threadsafe(hub.broadcast_raw(text), loop).result(timeout=30)
        session.steady()
        session.verify()
        readers = [t for t in threading.enumerate() if t.name.startswith("pykis") and t.is_alive()]
        figures(
            hostile_frames=len(hostile_frames()),
            reconnects=len(session.reconnects) - before,
            reader_threads_alive=len(readers),
            events_lost=session.lost,
            events_duplicated=session.duplicated,
        )
        assert session.lost == 0
        assert session.duplicated == 0
        assert readers
        assert server_subscriptions(emu) == session.expected
    finally:
        session.close()
