"""Sliding-window rate arithmetic. Pure: it is handed ``now`` and returns when to send, never sleeps.

KIS counts requests per app key in a sliding one-second window (PROTOCOL.md §14). A client books a
send slot for each request; the slot is the earliest time at which the window holding it has room.
Slots are kept in a small state that the drivers share between threads, tasks and processes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

__all__ = ["RateState", "RateWindow"]


@dataclass(frozen=True, slots=True)
class RateWindow:
    """``limit`` requests per ``period`` seconds, booked with ``margin`` seconds of slack.

    The margin absorbs the jitter between the moment a request is sent and the moment the server
    counts it, so that two requests booked exactly one period apart never land inside one window.
    """

    limit: int
    period: float = 1.0
    margin: float = 0.03
    # How long to hold back every request after the server still answered EGW00201.
    penalty: float = 1.0

    def __post_init__(self) -> None:
        if self.limit < 1 or self.period <= 0 or self.margin < 0:
            raise ValueError(f"invalid rate window {self!r}")

    @property
    def span(self) -> float:
        """The window a booking must respect: the period plus the margin."""
        return self.period + self.margin


@dataclass(slots=True)
class RateState:
    """Booked slots (ascending) and a hold-off deadline after a server refusal."""

    slots: list[float] = field(default_factory=list)
    blocked_until: float = 0.0

    def book(self, window: RateWindow, now: float) -> float:
        """Book the next slot at or after ``now``; return that slot's time."""
        # Forget slots that can no longer constrain a booking, and any from a clock that went back.
        horizon = now - window.span
        self.slots = [slot for slot in self.slots if horizon < slot <= now + 3600.0]
        start = max(now, self.blocked_until)
        if len(self.slots) >= window.limit:
            start = max(start, self.slots[-window.limit] + window.span)
        self.slots.append(start)
        if len(self.slots) > window.limit:
            del self.slots[: len(self.slots) - window.limit]
        return start

    def refused(self, window: RateWindow, now: float) -> None:
        """The server answered EGW00201 anyway: hold every booking back for the penalty."""
        self.blocked_until = max(self.blocked_until, now + window.penalty)

    def dumps(self) -> bytes:
        """Serialized for the cross-process state file."""
        return json.dumps({"slots": self.slots, "blocked_until": self.blocked_until}).encode()

    @classmethod
    def loads(cls, raw: bytes) -> RateState:
        """Read a state file; anything unreadable yields an empty state (the safe side is to re-learn)."""
        try:
            data = json.loads(raw)
            slots = [float(slot) for slot in data["slots"]]
            return cls(sorted(slots), float(data.get("blocked_until", 0.0)))
        except (ValueError, KeyError, TypeError):
            return cls()
