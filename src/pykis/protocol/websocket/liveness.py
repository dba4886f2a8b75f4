"""Liveness arithmetic: the silence that means a dead connection, and the backoff between reconnections."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import msgspec

from pykis.protocol.retry import backoff

if TYPE_CHECKING:
    import random

__all__ = ["Heartbeat", "ReconnectPolicy", "reconnect_delays"]


class Heartbeat(msgspec.Struct, frozen=True):
    """The bound on silence: KIS sends PINGPONG periodically, so a connection with no PINGPONG and no data
    for ``timeout`` seconds is dead even if TCP has not noticed."""

    timeout: float = 45.0

    def deadline(self, last_seen: float) -> float:
        """When the connection counts as dead, given the time anything last arrived."""
        return last_seen + self.timeout

    def remaining(self, now: float, last_seen: float) -> float:
        """Seconds left before the deadline (≤ 0: expired)."""
        return last_seen + self.timeout - now

    def expired(self, now: float, last_seen: float) -> bool:
        """Whether the bound has passed."""
        return now - last_seen >= self.timeout


class ReconnectPolicy(msgspec.Struct, frozen=True):
    """Jittered exponential backoff between reconnection attempts; ``attempts=None`` retries forever
    (a realtime feed should come back after any outage), a number stops after that many failures in a row."""

    initial: float = 0.5
    factor: float = 2.0
    maximum: float = 30.0
    attempts: int | None = None

    def delays(self, rng: random.Random | None = None) -> Iterator[float]:
        """The delays before attempts 1, 2, …"""
        return backoff(self.initial, self.factor, self.maximum, rng)

    def gives_up(self, failures: int) -> bool:
        """Whether ``failures`` consecutive failed attempts exhaust the policy."""
        return self.attempts is not None and failures >= self.attempts


def reconnect_delays(policy: ReconnectPolicy, rng: random.Random | None = None) -> Iterator[float]:
    """Alias of :meth:`ReconnectPolicy.delays`."""
    return policy.delays(rng)
