"""Clocks: aware UTC, frozen/advance, scaled real time driven by a fake timer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from pykis.emulator.clock import Clock, FrozenClock, ScaledClock, SystemClock


def test_system_clock_is_aware_utc_and_close_to_now() -> None:
    now = SystemClock().now()
    assert now.tzinfo is UTC
    assert abs(now - datetime.now(UTC)) < timedelta(seconds=5)


def test_frozen_clock_set_and_advance_normalise_to_utc() -> None:
    clock = FrozenClock(datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Seoul")))
    assert clock.now() == datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
    assert clock.now().tzinfo is UTC
    clock.advance(90.5)
    assert clock.now() == datetime(2026, 3, 2, 0, 1, 30, 500000, tzinfo=UTC)
    clock.set(datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=-5))))
    assert clock.now() == datetime(2026, 1, 1, 5, tzinfo=UTC)
    clock.advance(-3600)
    assert clock.now() == datetime(2026, 1, 1, 4, tzinfo=UTC)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        FrozenClock(datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="naive"):
        ScaledClock(datetime(2026, 1, 1))


def test_scaled_clock_multiplies_elapsed_time() -> None:
    ticks = [100.0]
    clock = ScaledClock(datetime(2026, 1, 5, tzinfo=UTC), speed=60.0, monotonic=lambda: ticks[0])
    assert clock.now() == datetime(2026, 1, 5, tzinfo=UTC)
    ticks[0] = 102.5
    assert clock.now() == datetime(2026, 1, 5, 0, 2, 30, tzinfo=UTC)
    assert clock.speed == 60.0
    with pytest.raises(ValueError, match="speed"):
        ScaledClock(datetime(2026, 1, 5, tzinfo=UTC), speed=0)


def test_all_clocks_satisfy_the_protocol() -> None:
    start = datetime(2026, 1, 5, tzinfo=UTC)
    for clock in (SystemClock(), ScaledClock(start), FrozenClock(start)):
        assert isinstance(clock, Clock)
