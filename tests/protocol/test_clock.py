"""The service's clock: this machine's time corrected by the service's Date headers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from pykis.protocol.clock import ServiceClock

KST = ZoneInfo("Asia/Seoul")
MACHINE = datetime(2026, 12, 3, 9, 0, tzinfo=UTC).timestamp()


class FakeWall:
    def __init__(self, at: float) -> None:
        self.at = at

    def __call__(self) -> float:
        return self.at


def test_the_service_time_replaces_this_machines() -> None:
    wall = FakeWall(MACHINE)
    clock = ServiceClock(wall)
    before = clock.synced
    assert clock.now() == datetime.fromtimestamp(MACHINE, UTC)
    replayed = datetime(2026, 11, 28, 11, 0, tzinfo=KST)  # a sandbox replaying a Saturday
    clock.observe(format_datetime(replayed.astimezone(UTC), usegmt=True))
    assert (before, clock.synced) == (False, True)
    assert clock.now(KST) == replayed and clock.today(KST) == replayed.date()
    wall.at += 90  # time goes on from there
    assert clock.now(KST) == replayed + timedelta(seconds=90)


def test_second_resolution_noise_does_not_move_the_clock() -> None:
    wall = FakeWall(MACHINE + 0.8)  # the header is truncated to the second
    clock = ServiceClock(wall)
    clock.observe(format_datetime(datetime.fromtimestamp(MACHINE, UTC), usegmt=True))
    assert clock.offset == 0.0 and clock.synced


def test_unreadable_or_missing_headers_are_ignored() -> None:
    clock = ServiceClock(FakeWall(MACHINE))
    for header in (None, "", "yesterday", "Thu, 99 Foo 2026 99:99:99 GMT"):
        clock.observe(header)
    assert clock.offset == 0.0 and not clock.synced


@given(st.integers(min_value=-10 * 365 * 86400, max_value=10 * 365 * 86400))
def test_any_offset_is_learned_to_the_second(offset: int) -> None:
    clock = ServiceClock(FakeWall(MACHINE))
    clock.observe(format_datetime(datetime.fromtimestamp(MACHINE + offset, UTC), usegmt=True))
    assert abs(clock.timestamp() - (MACHINE + offset)) <= 1.5
