"""Trading calendars and session schedules of the simulated markets.

Holidays come from the ``holidays`` package's exchange calendars (KRX ``XKRX``, NYSE ``XNYS``, HKEX ``XHKG``,
Shanghai ``XSHG``, Tokyo ``XJPX``) and, for the Vietnamese exchanges, Vietnam's public holidays; the package
computes lunar and substitute holidays for any year, so calendars do not expire. Kept by hand, as the package
lacks them: session times and NYSE half days.

The ``always-open`` sandbox makes only *now* a trading moment: today (in the market's zone) trades around the
clock, every other day follows the exchange's calendar and sessions.
"""

from __future__ import annotations

import functools
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from datetime import date, timedelta
from zoneinfo import ZoneInfo

__all__ = ["ALIASES", "CALENDAR_ZONES", "DAYTIME", "Calendar", "Schedule", "hm", "is_us_half_day"]


def hm(hour: int, minute: int, second: int = 0) -> int:
    """Seconds since local midnight."""
    return hour * 3600 + minute * 60 + second


# (start second of day, end second of day, session), local time, sorted
Schedule = tuple[tuple[int, int, str], ...]
_SCHEDULES: dict[str, Schedule] = {
    "KRX": (
        (hm(8, 30), hm(8, 40), "pre"),
        (hm(8, 40), hm(9, 0), "opening_auction"),
        (hm(9, 0), hm(15, 30), "regular"),
        (hm(15, 40), hm(16, 0), "post"),
        (hm(16, 0), hm(20, 0), "after_market"),
    ),
    "NXT": (
        (hm(8, 0), hm(8, 50), "pre"),
        (hm(9, 0, 30), hm(15, 20), "regular"),
        (hm(15, 30), hm(20, 0), "after_market"),
    ),
    "US": ((hm(4, 0), hm(9, 30), "pre"), (hm(9, 30), hm(16, 0), "regular"), (hm(16, 0), hm(20, 0), "after")),
    "HK": (
        (hm(9, 0), hm(9, 30), "pre"),
        (hm(9, 30), hm(12, 0), "regular"),
        (hm(12, 0), hm(13, 0), "lunch"),
        (hm(13, 0), hm(16, 0), "regular"),
        (hm(16, 0), hm(16, 10), "post"),
    ),
    "CN": (
        (hm(9, 15), hm(9, 25), "pre"),
        (hm(9, 30), hm(11, 30), "regular"),
        (hm(11, 30), hm(13, 0), "lunch"),
        (hm(13, 0), hm(15, 0), "regular"),
    ),
    "JP": (
        (hm(8, 0), hm(9, 0), "pre"),
        (hm(9, 0), hm(11, 30), "regular"),
        (hm(11, 30), hm(12, 30), "lunch"),
        (hm(12, 30), hm(15, 30), "regular"),
    ),
    "VN": (
        (hm(9, 0), hm(11, 30), "regular"),
        (hm(11, 30), hm(13, 0), "lunch"),
        (hm(13, 0), hm(14, 45), "regular"),
        (hm(14, 45), hm(15, 0), "post"),
    ),
}
# NYSE half days: regular until 13:00, late trading until 17:00.
_US_HALF_DAY: Schedule = (
    (hm(4, 0), hm(9, 30), "pre"),
    (hm(9, 30), hm(13, 0), "regular"),
    (hm(13, 0), hm(17, 0), "after"),
)
_ALWAYS: Schedule = ((0, 86_400, "regular"),)
DAYTIME = (hm(10, 0), hm(16, 0))
"""The US overnight session as KIS sells it, KST seconds."""

# calendar -> (time zone, holidays source: a financial calendar code, or "country:XX")
_SOURCES: dict[str, tuple[str, str]] = {
    "KRX": ("Asia/Seoul", "XKRX"),
    "NXT": ("Asia/Seoul", "XKRX"),
    "US": ("America/New_York", "XNYS"),
    "HK": ("Asia/Hong_Kong", "XHKG"),
    "CN": ("Asia/Shanghai", "XSHG"),
    "JP": ("Asia/Tokyo", "XJPX"),
    "VN": ("Asia/Ho_Chi_Minh", "country:VN"),
}
CALENDAR_ZONES = {name: zone for name, (zone, _) in _SOURCES.items()}

# Every spelling a caller may use for a market: instrument markets, EXCD, OVRS_EXCG_CD, daytime EXCD, FID codes.
ALIASES: dict[str, str] = {
    "KRX": "KRX", "J": "KRX", "KOSPI": "KRX", "KOSDAQ": "KRX", "UN": "KRX", "SOR": "KRX",
    "NXT": "NXT", "NX": "NXT",
    "US": "US", "NASDAQ": "US", "NYSE": "US", "AMEX": "US", "NAS": "US", "NYS": "US", "AMS": "US",
    "NASD": "US", "BAQ": "US", "BAY": "US", "BAA": "US",
    "SEHK": "HK", "HKS": "HK", "HK": "HK",
    "SSE": "CN", "SZSE": "CN", "SHS": "CN", "SZS": "CN", "SHAA": "CN", "SZAA": "CN", "CN": "CN",
    "TSE": "JP", "TKSE": "JP", "JP": "JP",
    "HNX": "VN", "HSX": "VN", "HASE": "VN", "VNSE": "VN", "VN": "VN",
}  # fmt: skip

# The trading-day index tables span these years (noise needs a dense index; dates outside are counted day by day).
_FIRST_YEAR, _LAST_YEAR = 2010, 2045


@functools.cache
def _holidays(source: str, year: int) -> frozenset[date]:
    import holidays  # noqa: PLC0415 -- ~60 ms: loaded with the first calendar asked for

    if source.startswith("country:"):
        found = holidays.country_holidays(source.removeprefix("country:"), years=year)
    else:
        found = holidays.financial_holidays(source, years=year)
    return frozenset(day for day in found if day.year == year)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def is_us_half_day(day: date) -> bool:
    """NYSE half days (13:00 close, NYSE Rule 7.2): the day after Thanksgiving, July 3 when the 4th falls
    Tuesday–Friday, and Christmas Eve Monday–Thursday."""
    if day == _nth_weekday(day.year, 11, 3, 4) + timedelta(days=1):
        return True
    return (day.month, day.day) in ((7, 3), (12, 24)) and day.weekday() < 4


class Calendar:
    """Trading days and session schedule of one calendar (KRX, US, …).

    ``today`` is given only in the always-open sandbox: the local date the clock stands on, which then trades
    around the clock.
    """

    def __init__(self, name: str, today: Callable[[ZoneInfo], date] | None = None) -> None:
        zone, source = _SOURCES[name]
        self.name = name
        self.tz = ZoneInfo(zone)
        self._source = source
        self._today = today
        self._days: list[int] | None = None
        self._minutes: dict[int, int] = {}

    def is_holiday(self, day: date) -> bool:
        """Whether the exchange is closed on weekday ``day``."""
        return day in _holidays(self._source, day.year)

    def is_exchange_day(self, day: date) -> bool:
        """Whether the exchange trades on ``day`` by its calendar (the sandbox's open today aside)."""
        return day.weekday() < 5 and not self.is_holiday(day)

    def _is_open_today(self, day: date) -> bool:
        return self._today is not None and day == self._today(self.tz)

    def is_trading_day(self, day: date) -> bool:
        """Whether ``day`` trades: an exchange day, or the always-open sandbox's today."""
        return self.is_exchange_day(day) or self._is_open_today(day)

    def _table(self) -> list[int]:
        if self._days is None:
            first, last = date(_FIRST_YEAR, 1, 1).toordinal(), date(_LAST_YEAR, 12, 31).toordinal()
            self._days = [o for o in range(first, last + 1) if self.is_exchange_day(date.fromordinal(o))]
        return self._days

    def index(self, ordinal: int) -> int:
        """Dense index of a trading day (any other day maps to the count of trading days before it)."""
        table = self._table()
        if table[0] <= ordinal <= table[-1]:
            return bisect_left(table, ordinal)
        # Outside the table: the count goes on over exchange days (slow, and rare).
        anchor = table[0] if ordinal < table[0] else table[-1]
        span = range(min(anchor, ordinal), max(anchor, ordinal))
        offset = sum(1 for o in span if self.is_exchange_day(date.fromordinal(o)))
        return -offset if ordinal < table[0] else len(table) - 1 + offset

    def previous(self, ordinal: int) -> int:
        """The last exchange day strictly before ``ordinal``."""
        table = self._table()
        if table[0] < ordinal <= table[-1] + 1:
            return table[bisect_left(table, ordinal) - 1]
        candidate = ordinal - 1
        while not self.is_exchange_day(date.fromordinal(candidate)):
            candidate -= 1
        return candidate

    def latest(self, ordinal: int) -> int:
        """``ordinal`` if it is a trading day, else the last trading day before it."""
        return ordinal if self.is_trading_day(date.fromordinal(ordinal)) else self.previous(ordinal)

    def days(self, start: date, end: date) -> list[int]:
        """Trading-day ordinals in ``[start, end]``."""
        lo, hi = start.toordinal(), end.toordinal()
        table = self._table()
        if table[0] <= lo and hi <= table[-1]:
            found = table[bisect_left(table, lo) : bisect_right(table, hi)]
        else:
            found = [o for o in range(lo, hi + 1) if self.is_exchange_day(date.fromordinal(o))]
        if self._today is not None:
            today = self._today(self.tz).toordinal()
            if lo <= today <= hi and today not in found:
                found = sorted([*found, today])
        return found

    def schedule(self, day: date) -> Schedule:
        """The sessions of ``day``: none on a closed day, around the clock on the sandbox's open today."""
        if self._today is not None and self.is_trading_day(day):
            # The always-open sandbox trades every exchange day around the clock, so a day's bars do not change
            # when it stops being today; a closed day that is today trades as well.
            return _ALWAYS
        if not self.is_exchange_day(day):
            return ()
        if self.name == "US" and is_us_half_day(day):
            return _US_HALF_DAY
        return _SCHEDULES[self.name]

    def regular(self, day: date) -> list[tuple[int, int]]:
        """(start, end) seconds of the day's regular sessions."""
        return [(start, end) for start, end, name in self.schedule(day) if name == "regular"]

    def minutes(self, day: date) -> int:
        """Minutes of regular trading on ``day``."""
        ordinal = day.toordinal()
        count = self._minutes.get(ordinal)
        if count is None:
            count = sum((end - start) // 60 for start, end in self.regular(day))
            if self.is_exchange_day(day):  # the sandbox's closed "today" stops trading at midnight: not kept
                self._minutes[ordinal] = count
        return count
