"""Sliding-window booking: no window ever holds more than the limit, and the limit is used fully."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pykis.protocol.ratelimit import RateState, RateWindow


def max_in_window(slots: list[float], span: float) -> int:
    best = 0
    for index, start in enumerate(slots):
        best = max(best, sum(1 for slot in slots[index:] if slot < start + span))
    return best


@given(
    st.integers(min_value=1, max_value=25),
    st.lists(st.floats(min_value=0, max_value=0.5, allow_nan=False), min_size=1, max_size=120),
)
def test_booked_slots_never_exceed_the_limit_in_any_window(limit: int, gaps: list[float]) -> None:
    window = RateWindow(limit, period=1.0, margin=0.03)
    state = RateState()
    now, slots = 0.0, []
    for gap in gaps:
        now += gap
        slot = state.book(window, now)
        assert slot >= now
        slots.append(slot)
    assert slots == sorted(slots)
    # The server's window is the bare period: margin included, no period holds more than the limit.
    assert max_in_window(slots, window.period + window.margin * 0.999) <= limit


def test_a_burst_is_spread_at_the_full_rate() -> None:
    window = RateWindow(20, period=1.0, margin=0.03)
    state = RateState()
    slots = [state.book(window, 0.0) for _ in range(200)]
    assert slots[:20] == [0.0] * 20
    # 200 requests at 20 per 1.03 s: the last leaves after 9 windows.
    assert abs(slots[-1] - 9 * 1.03) < 1e-9


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
