"""Sliding-window booking: no window ever holds more than the limit, and the limit is used fully."""

from __future__ import annotations

import heapq
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from pykis.protocol.ratelimit import RateState, RateWindow
from tests.properties import examples


def max_in_window(times: list[float], width: float) -> int:
    times = sorted(times)
    best = 0
    for index, start in enumerate(times):
        best = max(best, sum(1 for t in times[index:] if t < start + width))
    return best


def simulate(limit: int, workers: int, requests: int, seed: int) -> tuple[list[float], float]:
    """``workers`` concurrent clients, each: book, wait, confirm (re-wait), send, complete after a
    random latency; the server sees each request at a random moment between send and completion.
    Returns the arrival times and the time the last answer came back."""
    window = RateWindow(limit)
    state = RateState()
    rng = random.Random(seed)
    arrivals: list[float] = []
    # (time, worker, phase, slot)
    events: list[tuple[float, int, str, float]] = [(rng.uniform(0, 0.01), w, "book", 0.0) for w in range(workers)]
    heapq.heapify(events)
    left = requests
    finished = 0.0
    while events:
        now, worker, phase, slot = heapq.heappop(events)
        if phase == "book":
            if left == 0:
                continue
            left -= 1
            heapq.heappush(events, (state.book(window, now), worker, "confirm", 0.0))
            continue
        if phase == "confirm":
            granted, slot = state.confirm(window, now if slot == 0.0 else slot, now)
            if not granted:
                heapq.heappush(events, (slot, worker, "confirm", slot))
                continue
            latency = rng.choice([0.001, 0.002, 0.005, 0.04])  # now and then a slow connection
            arrivals.append(now + rng.uniform(0, latency))
            heapq.heappush(events, (now + latency, worker, "done", now))
            continue
        state.complete(slot, now)
        finished = now
        heapq.heappush(events, (now, worker, "book", 0.0))
    return arrivals, finished


@settings(max_examples=examples(40), deadline=None)
@given(st.integers(1, 20), st.integers(1, 16), st.integers(0, 10_000))
def test_no_server_window_ever_holds_more_than_the_limit(limit: int, workers: int, seed: int) -> None:
    arrivals, _ = simulate(limit, workers, 5 * limit + 7, seed)
    assert len(arrivals) == 5 * limit + 7
    assert max_in_window(arrivals, 1.0) <= limit


def test_steady_state_uses_the_limit() -> None:
    arrivals, finished = simulate(20, 8, 420, seed=1)
    steady = sorted(arrivals)[20:]
    rate = (len(steady) - 1) / (steady[-1] - steady[0])
    assert rate >= 0.95 * 20
    assert finished > 0


def test_a_burst_then_the_window() -> None:
    window = RateWindow(20, period=1.0, margin=0.02)
    state = RateState()
    slots = [state.book(window, 0.0) for _ in range(40)]
    assert slots[:20] == [0.0] * 20
    assert slots[20:] == [1.02] * 20


def test_late_completion_pushes_the_next_send_back() -> None:
    window = RateWindow(2, margin=0.0)
    state = RateState()
    first, second = state.book(window, 0.0), state.book(window, 0.0)
    assert state.confirm(window, first, 0.0) == (True, 0.0)
    assert state.confirm(window, second, 0.0) == (True, 0.0)
    third = state.book(window, 0.0)
    assert third == 1.0
    # The answers took 250 and 300 ms: the server may have counted them as late as that.
    state.complete(0.0, 0.3)
    state.complete(0.0, 0.25)
    assert state.confirm(window, third, 1.0) == (False, 1.25)
    assert state.confirm(window, 1.25, 1.25) == (True, 1.25)


def test_refusal_holds_every_booking_back() -> None:
    window = RateWindow(20, penalty=1.0)
    state = RateState()
    state.refused(window, 10.0)
    assert state.book(window, 10.2) == 11.0


@given(st.binary(max_size=64))
def test_corrupt_state_reads_as_empty(raw: bytes) -> None:
    state = RateState.loads(raw)
    assert isinstance(state.slots, list)


def test_state_round_trips() -> None:
    state = RateState([1.0, 2.5], 7.0)
    again = RateState.loads(state.dumps())
    assert again.slots == [1.0, 2.5]
    assert again.blocked_until == 7.0


def test_slots_from_a_clock_that_went_back_are_forgotten() -> None:
    window = RateWindow(1)
    state = RateState([1_000_000.0])
    assert state.book(window, 5.0) == 5.0
