"""Sliding-window rate arithmetic. Pure: it is handed ``now`` and returns when to send, never sleeps.

KIS counts requests per app key in a sliding one-second window (PROTOCOL.md §14), at the moment each
request *arrives*, which the client cannot see: it lies somewhere between the moment the request
was sent and the moment its answer came back. So a request goes through three steps:

1. :meth:`RateState.book` reserves the earliest slot whose window has room;
2. :meth:`RateState.confirm`, once the slot has come (unless it was due at once when booked), re-checks
   the window against what is known by then and either lets the request go now or moves it later;
3. :meth:`RateState.complete` moves the request's entry to the time its answer arrived, the latest
   moment the server can have counted it, so every later booking respects the true arrival.

The state is shared by threads, tasks and processes (see :mod:`pykis.drivers.limiter`).
"""

from __future__ import annotations

import bisect

import msgspec

from pykis.protocol.jsonvalue import loads

__all__ = ["RateState", "RateWindow"]


class RateWindow(msgspec.Struct, frozen=True):
    """``limit`` requests per ``period`` seconds, booked with ``margin`` seconds of slack.

    The margin absorbs the difference between the server's clock and ours and the spread of
    arrival times; completion times already bound the network delay.
    """

    limit: int
    period: float = 1.0
    margin: float = 0.02
    # How long to hold back every request after the server still answered EGW00201.
    penalty: float = 1.0

    def __post_init__(self) -> None:
        if self.limit < 1 or self.period <= 0 or self.margin < 0:
            raise ValueError(f"invalid rate window {self!r}")

    @property
    def span(self) -> float:
        """The window a booking must respect: the period plus the margin."""
        return self.period + self.margin


class RateState(msgspec.Struct):
    """Entries (ascending): booked, sent or completed request times; and a hold-off deadline."""

    slots: list[float] = msgspec.field(default_factory=list)
    blocked_until: float = 0.0

    def book(self, window: RateWindow, now: float) -> float:
        """Reserve the next slot at or after ``now``; return its time."""
        # Forget entries that can no longer constrain a booking, and any from a clock that went back.
        horizon = now - window.span
        self.slots = [slot for slot in self.slots if horizon < slot <= now + 3600.0]
        start = max(now, self.blocked_until)
        if len(self.slots) >= window.limit:
            start = max(start, self.slots[-window.limit] + window.span)
        bisect.insort(self.slots, start)
        return start

    def confirm(self, window: RateWindow, slot: float, now: float) -> tuple[bool, float]:
        """At the slot's time: ``(True, now)`` when the request may go now (its entry moves to ``now``),
        else ``(False, later)``, the time to wait for (its entry moves there)."""
        self._remove(slot)
        start = max(now, self.blocked_until)
        while True:
            # ``entry + span > start`` rather than ``entry > start - span``: the same sum that produced
            # ``start`` must compare equal, or rounding would keep an entry in its own window forever.
            inside = [entry for entry in self.slots if entry <= start and entry + window.span > start]
            if len(inside) < window.limit:
                break
            start = inside[len(inside) - window.limit] + window.span
        bisect.insort(self.slots, start)
        return start <= now, start

    def complete(self, sent: float, done: float) -> None:
        """The answer to the request sent at ``sent`` arrived at ``done``: the server counted it by then."""
        self._remove(sent)
        bisect.insort(self.slots, max(sent, done))

    def refused(self, window: RateWindow, now: float) -> None:
        """The server answered EGW00201 anyway: hold every booking back for the penalty."""
        self.blocked_until = max(self.blocked_until, now + window.penalty)

    def _remove(self, slot: float) -> None:
        index = bisect.bisect_left(self.slots, slot)
        if index < len(self.slots) and self.slots[index] == slot:
            del self.slots[index]

    def dumps(self) -> bytes:
        """Serialized for the cross-process state file."""
        return msgspec.json.encode({"slots": self.slots, "blocked_until": self.blocked_until})

    @classmethod
    def loads(cls, raw: bytes) -> RateState:
        """Read a state file; anything unreadable yields an empty state (the safe side is to re-learn)."""
        try:
            data = loads(raw)
            slots = [float(slot) for slot in data["slots"]]
            return cls(sorted(slots), float(data.get("blocked_until", 0.0)))
        except (ValueError, KeyError, TypeError):
            return cls()
