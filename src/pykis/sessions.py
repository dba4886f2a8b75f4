"""Trading hours, sessions and holiday calendars per market — built in, no request needed.

``trading_hours("KRX")`` gives the sessions of a market in its own time zone; ``KisTradingHours.session(at)``
names the session at an instant (``"closed"`` on weekends and holidays). KRX trading days are better asked
of the broker (CTCA0903R, :meth:`pykis.PyKis.is_trading_day`); the built-in calendars are:

* **NYSE/NASDAQ/AMEX**: the NYSE holiday rules (New Year, MLK, Presidents, Good Friday, Memorial,
  Juneteenth, Independence, Labor, Thanksgiving, Christmas, with the weekend observance rules) plus the
  one-off closure of 2025-01-09 — exact for the years the rules hold.
* **KRX**: the solar holidays, the year-end closure and the lunar holidays of 2025–2027.
* **Tokyo, Hong Kong, Shanghai/Shenzhen, Hanoi/Ho Chi Minh**: weekends, fixed-date holidays and the lunar
  new year of 2025–2027 — approximate (the exchanges' own notices vary by year).

Session names: ``pre``, ``opening_auction``, ``regular``, ``lunch``, ``post``, ``after``, ``after_market``,
``daytime`` (the US overnight session KIS sells, 10:00–16:00 KST) and ``closed``.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import cache
from typing import ClassVar
from zoneinfo import ZoneInfo

from pykis.errors import KisValidationError
from pykis.markets import market_info
from pykis.models._base import KisModel

__all__ = ["KisMarketSession", "KisTradingHours", "is_early_close", "is_holiday", "trading_hours"]

_KST = "Asia/Seoul"


class KisMarketSession(KisModel, frozen=True, kw_only=True):
    """One session of a trading day: ``name`` from ``start`` to ``end`` (wall-clock times in ``zone``)."""

    name: str
    start: time
    end: time
    zone: str

    def __repr__(self, indent: int = 0) -> str:
        return f"KisMarketSession({self.name!r}, {self.start:%H:%M}–{self.end:%H:%M} {self.zone})"


class KisTradingHours(KisModel, frozen=True, kw_only=True):
    """The sessions of a market (``"KRX"``, ``"NXT"``, ``"NASDAQ"``…), regular hours first named ``open``/``close``."""

    __repr_fields__: ClassVar[tuple[str, ...]] = ("market", "timezone", "open", "close", "sessions")

    market: str
    timezone: str
    open: time
    """Start of the regular session (local time)."""
    close: time
    """End of the regular session (local time)."""
    sessions: tuple[KisMarketSession, ...]
    early_sessions: tuple[KisMarketSession, ...] = ()
    """The sessions of a half day (NYSE: regular until 13:00, late trading until 17:00), when the market has them."""

    @property
    def zone(self) -> ZoneInfo:
        """The market's time zone."""
        return _zone(self.timezone)

    def is_trading_day(self, day: date) -> bool:
        """Whether ``day`` (local) is a trading day by the built-in calendar."""
        return day.weekday() < 5 and not is_holiday(self.market, day)

    def session(self, at: datetime | None = None) -> str:
        """The session at ``at`` (default: now): ``"regular"``, ``"pre"``, ``"lunch"``… or ``"closed"``."""
        at = at or datetime.now(self.zone)
        if at.tzinfo is None:
            raise KisValidationError("session() needs a time-zone aware datetime")
        home = at.astimezone(self.zone).date()
        early = bool(self.early_sessions) and is_early_close(self.market, home)
        for entry in self.early_sessions if early else self.sessions:
            local = at.astimezone(_zone(entry.zone))
            # The daytime session (KST) trades the US day of the same date; other sessions their own day.
            if not self.is_trading_day(local.date()):
                continue
            if entry.start <= local.time().replace(tzinfo=None) < entry.end:
                return entry.name
        return "closed"

    def is_open(self, at: datetime | None = None) -> bool:
        """Whether the regular session is running at ``at``."""
        return self.session(at) == "regular"


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _s(name: str, start: str, end: str, zone: str) -> KisMarketSession:
    return KisMarketSession(name=name, start=time.fromisoformat(start), end=time.fromisoformat(end), zone=zone)


def _hours(market: str, zone: str, *sessions: tuple[str, str, str]) -> KisTradingHours:
    built = tuple(_s(name, start, end, zone) for name, start, end in sessions)
    regular = [entry for entry in built if entry.name == "regular"]
    return KisTradingHours(market=market, timezone=zone, open=regular[0].start, close=regular[-1].end, sessions=built)


_US = (("pre", "04:00", "09:30"), ("regular", "09:30", "16:00"), ("after", "16:00", "20:00"))
_TABLE: dict[str, KisTradingHours] = {
    # KRX (PROTOCOL.md §15): pre-market closing price 08:30–08:40, regular 09:00–15:30, post-market closing
    # price 15:40–16:00, after-market 16:00–20:00 (after-hours single price until 18:00).
    "KRX": _hours(
        "KRX",
        _KST,
        ("pre", "08:30", "08:40"),
        ("opening_auction", "08:40", "09:00"),
        ("regular", "09:00", "15:30"),
        ("post", "15:40", "16:00"),
        ("after_market", "16:00", "20:00"),
    ),
    "NXT": _hours(
        "NXT",
        _KST,
        ("pre", "08:00", "08:50"),
        ("regular", "09:00:30", "15:20"),
        ("after_market", "15:30", "20:00"),
    ),
    "HKEX": _hours(
        "HKEX",
        "Asia/Hong_Kong",
        ("pre", "09:00", "09:30"),
        ("regular", "09:30", "12:00"),
        ("lunch", "12:00", "13:00"),
        ("regular", "13:00", "16:00"),
        ("post", "16:00", "16:10"),
    ),
    "TYO": _hours(
        "TYO",
        "Asia/Tokyo",
        ("pre", "08:00", "09:00"),
        ("regular", "09:00", "11:30"),
        ("lunch", "11:30", "12:30"),
        ("regular", "12:30", "15:30"),
    ),
}
# NYSE half days: regular until 13:00, late trading until 17:00.
_US_EARLY = (("pre", "04:00", "09:30"), ("regular", "09:30", "13:00"), ("after", "13:00", "17:00"))
_daytime = _s("daytime", "10:00", "16:00", _KST)
for _code in ("NASDAQ", "NYSE", "AMEX"):
    _us = _hours(_code, "America/New_York", *_US)
    # The overnight (daytime) session KIS sells, 10:00–16:00 KST.
    _TABLE[_code] = KisTradingHours(
        market=_code,
        timezone=_us.timezone,
        open=_us.open,
        close=_us.close,
        sessions=(*_us.sessions, _daytime),
        early_sessions=(*_hours(_code, "America/New_York", *_US_EARLY).sessions, _daytime),
    )
for _code in ("SSE", "SZSE"):
    _TABLE[_code] = _hours(
        _code,
        "Asia/Shanghai",
        ("pre", "09:15", "09:25"),
        ("regular", "09:30", "11:30"),
        ("lunch", "11:30", "13:00"),
        ("regular", "13:00", "15:00"),
    )
for _code in ("HNX", "HSX"):
    _TABLE[_code] = _hours(
        _code,
        "Asia/Ho_Chi_Minh",
        ("regular", "09:00", "11:30"),
        ("lunch", "11:30", "13:00"),
        ("regular", "13:00", "14:45"),
        ("post", "14:45", "15:00"),
    )


def trading_hours(market: str) -> KisTradingHours:
    """The sessions of ``market`` (``"KRX"``, ``"NXT"``, ``"NASDAQ"``, ``"NYSE"``, ``"AMEX"``, ``"TYO"``,
    ``"HKEX"``, ``"SSE"``, ``"SZSE"``, ``"HNX"``, ``"HSX"`` or their exchange codes)."""
    upper = market.upper()
    if upper in ("NXT", "NX"):
        return _TABLE["NXT"]
    return _TABLE[market_info(market).code]


# ---- holidays ---------------------------------------------------------------------------------------------


def _easter(year: int) -> date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    weekday = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * weekday) // 451
    month, day = divmod(h + weekday - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _last_weekday(year: int, month: int, weekday: int) -> date:
    last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _observed(day: date) -> date | None:
    """NYSE observance: Saturday → Friday (except New Year, not moved into the old year), Sunday → Monday."""
    if day.weekday() == 5:
        return None if (day.month, day.day) == (1, 1) else day - timedelta(days=1)
    if day.weekday() == 6:
        return day + timedelta(days=1)
    return day


@cache
def _nyse(year: int) -> frozenset[date]:
    days = {
        _nth_weekday(year, 1, 0, 3),  # Martin Luther King Jr. Day
        _nth_weekday(year, 2, 0, 3),  # Washington's Birthday
        _easter(year) - timedelta(days=2),  # Good Friday
        _last_weekday(year, 5, 0),  # Memorial Day
        _nth_weekday(year, 9, 0, 1),  # Labor Day
        _nth_weekday(year, 11, 3, 4),  # Thanksgiving
    }
    fixed = [date(year, 1, 1), date(year, 7, 4), date(year, 12, 25)]
    if year >= 2022:
        fixed.append(date(year, 6, 19))  # Juneteenth
    days.update(observed for day in fixed if (observed := _observed(day)) is not None)
    if year == 2025:
        days.add(date(2025, 1, 9))  # national day of mourning (President Carter)
    return frozenset(days)


def _dates(*texts: str) -> frozenset[date]:
    return frozenset(date.fromisoformat(text) for text in texts)


# KRX lunar and substitute holidays (Seollal, Buddha's Birthday, Chuseok, substitutes, elections), 2025–2027.
_KRX_LUNAR = _dates(
    "2025-01-27", "2025-01-28", "2025-01-29", "2025-01-30", "2025-03-03", "2025-05-06", "2025-06-03",
    "2025-10-06", "2025-10-07", "2025-10-08",
    "2026-02-16", "2026-02-17", "2026-02-18", "2026-03-02", "2026-05-25", "2026-06-03", "2026-08-17",
    "2026-09-24", "2026-09-25", "2026-10-05",
    "2027-02-08", "2027-02-09", "2027-03-01", "2027-05-13", "2027-08-16", "2027-09-14", "2027-09-15",
    "2027-09-16", "2027-10-04", "2027-10-11", "2027-12-27",
)  # fmt: skip
_KRX_FIXED = ((1, 1), (3, 1), (5, 1), (5, 5), (6, 6), (8, 15), (10, 3), (10, 9), (12, 25), (12, 31))
_LUNAR_NEW_YEAR = (date(2025, 1, 29), date(2026, 2, 17), date(2027, 2, 6))
_FIXED: dict[str, tuple[tuple[int, int], ...]] = {
    "HKEX": ((1, 1), (5, 1), (7, 1), (10, 1), (12, 25), (12, 26)),
    "SSE": ((1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3), (10, 4), (10, 5), (10, 6), (10, 7)),
    "TYO": ((1, 1), (1, 2), (1, 3), (2, 11), (2, 23), (4, 29), (5, 3), (5, 4), (5, 5), (11, 3), (11, 23), (12, 31)),
    "HNX": ((1, 1), (4, 30), (5, 1), (9, 2)),
}
_FIXED["SZSE"] = _FIXED["SSE"]
_FIXED["HSX"] = _FIXED["HNX"]
# (days before the lunar new year, days closed) per market
_LUNAR_SPAN = {"HKEX": (0, 3), "SSE": (1, 7), "SZSE": (1, 7), "HNX": (2, 6), "HSX": (2, 6)}


def is_early_close(market: str, day: date) -> bool:
    """NYSE half days (13:00 close): July 3 when the 4th falls Tuesday–Friday, the Friday after Thanksgiving,
    and Christmas Eve Monday–Thursday."""
    if market_info(market).code not in ("NASDAQ", "NYSE", "AMEX"):
        return False
    if day == _nth_weekday(day.year, 11, 3, 4) + timedelta(days=1):
        return True
    return (day.month, day.day) in ((7, 3), (12, 24)) and day.weekday() < 4


def is_holiday(market: str, day: date) -> bool:
    """Whether ``day`` is a holiday (not a weekend) of ``market`` by the built-in calendar."""
    code = "KRX" if market.upper() in ("NXT", "NX") else market_info(market).code
    if code in ("NASDAQ", "NYSE", "AMEX"):
        return day in _nyse(day.year)
    if code == "KRX":
        return (day.month, day.day) in _KRX_FIXED or day in _KRX_LUNAR
    if (day.month, day.day) in _FIXED.get(code, ()):
        return True
    before, span = _LUNAR_SPAN.get(code, (0, 0))
    for new_year in _LUNAR_NEW_YEAR:
        first = new_year - timedelta(days=before)
        if first <= day < first + timedelta(days=span):
            return True
    return False
