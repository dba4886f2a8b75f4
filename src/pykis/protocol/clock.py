"""The service's clock: what time it is *at KIS*, not on this machine.

Chart windows ("the last 5 days"), today's orders, order sessions and realtime dates are the service's notion of
time. Every REST answer carries the service's time in its standard ``Date`` header (second resolution); the
client keeps the offset between that and this machine's clock, and every scope asks this clock for "now". Against
the real service the offset is the machines' drift; against a sandbox replaying a past day (the emulator's frozen
or accelerated clocks) it is the distance to that day.

Pure: the machine's clock is injected (``wall``), so tests drive it with a fake one.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo

__all__ = ["KST", "ServiceClock"]

KST = timezone(timedelta(hours=9), "KST")
"""Korea Standard Time, the service's zone. Korea has kept UTC+9 without daylight saving since 1988, so a fixed
offset names every instant the service speaks of exactly, and spares a cold start the zone database (~2.4 ms)."""

# A Date header has whole seconds and is stamped before the answer travels: differences under this are noise.
_NOISE = 1.5


_MONTHS = {
    name: number
    for number, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}


def _http_date(text: str) -> float | None:
    """Unix time of an HTTP date (``Sun, 06 Nov 1994 08:49:37 GMT``, RFC 9110 §5.6.7); ``None`` if unreadable.

    The fixed form every current server sends is read by hand (``email.utils`` costs ~9 ms to import on a cold
    start); the obsolete forms go to ``email.utils``.
    """
    parts = text.split()
    try:
        if len(parts) == 6 and parts[5] == "GMT" and parts[2] in _MONTHS:
            hour, minute, second = (int(field) for field in parts[4].split(":"))
            day = datetime(int(parts[3]), _MONTHS[parts[2]], int(parts[1]), hour, minute, second, tzinfo=UTC)
            return day.timestamp()
        from email.utils import parsedate_to_datetime  # noqa: PLC0415 — email.utils only for a date the fast parser refuses

        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp()


class ServiceClock:
    """This machine's clock corrected by what the service's ``Date`` headers say."""

    def __init__(self, wall: Callable[[], float] = time.time) -> None:
        self._wall = wall
        self._offset = 0.0
        self._synced = False

    @property
    def synced(self) -> bool:
        """Whether an answer of the service has been heard (or asking failed: then this machine's time stands)."""
        return self._synced

    def mark_synced(self) -> None:
        """Stop asking: the service's time is known, or could not be had."""
        self._synced = True

    @property
    def offset(self) -> float:
        """Seconds the service is ahead of this machine (negative: behind)."""
        return self._offset

    def observe(self, date_header: str | None, received_at: float | None = None) -> None:
        """Learn the service's time from an answer's ``Date`` header (ignored when missing or unreadable)."""
        stamped = _http_date(date_header) if date_header else None
        if stamped is None:
            return
        self._synced = True
        local = self._wall() if received_at is None else received_at
        offset = stamped - local
        # The header is truncated to the second: only move when it disagrees beyond that.
        if abs(offset - self._offset) > _NOISE:
            self._offset = offset

    def timestamp(self) -> float:
        """The service's now as Unix time."""
        return self._wall() + self._offset

    def now(self, zone: tzinfo = UTC) -> datetime:
        """The service's now in ``zone``."""
        return datetime.fromtimestamp(self.timestamp(), zone)

    def today(self, zone: tzinfo) -> date:
        """The service's date in ``zone``."""
        return self.now(zone).date()

    def __repr__(self) -> str:
        return f"ServiceClock(offset={timedelta(seconds=round(self._offset))})"
