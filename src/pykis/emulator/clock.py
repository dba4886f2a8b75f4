"""Clocks for the emulator: the market and the engine never read the system time themselves.

Every clock returns timezone-aware UTC datetimes. ``SystemClock`` follows real time, ``ScaledClock`` runs
accelerated real time from a chosen start (demos, soak tests), and ``FrozenClock`` only moves when told to
(unit tests).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

__all__ = ["Clock", "FrozenClock", "ScaledClock", "SystemClock"]


def _aware_utc(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"naive datetime {at!r}: the emulator needs timezone-aware datetimes")
    return at.astimezone(UTC)


@runtime_checkable
class Clock(Protocol):
    """A source of the current time."""

    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    """Real time."""

    def now(self) -> datetime:
        """The system's current time in UTC."""
        return datetime.now(UTC)

    def __repr__(self) -> str:
        return "SystemClock()"


class ScaledClock:
    """Accelerated real time: starts at ``start`` and advances ``speed`` seconds per real second.

    ``monotonic`` may be replaced to drive the clock from a fake timer in tests.
    """

    def __init__(
        self,
        start: datetime,
        speed: float = 1.0,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if not speed > 0:
            raise ValueError(f"speed must be positive, got {speed!r}")
        self._start = _aware_utc(start)
        self._speed = float(speed)
        self._monotonic = monotonic
        self._origin = monotonic()

    @property
    def speed(self) -> float:
        """Simulated seconds per real second."""
        return self._speed

    def now(self) -> datetime:
        """``start`` plus the real time elapsed since construction, multiplied by ``speed``."""
        return self._start + timedelta(seconds=(self._monotonic() - self._origin) * self._speed)

    def __repr__(self) -> str:
        return f"ScaledClock(start={self._start.isoformat()}, speed={self._speed})"


class FrozenClock:
    """A clock that only moves on ``set`` or ``advance``."""

    def __init__(self, at: datetime) -> None:
        self._at = _aware_utc(at)

    def now(self) -> datetime:
        """The instant last set."""
        return self._at

    def set(self, at: datetime) -> None:
        """Jump to ``at`` (any timezone-aware datetime; backwards is allowed)."""
        self._at = _aware_utc(at)

    def advance(self, seconds: float) -> None:
        """Move forward (or backward, if negative) by ``seconds``."""
        self._at += timedelta(seconds=seconds)

    def __repr__(self) -> str:
        return f"FrozenClock({self._at.isoformat()})"
