"""Trading hours, sessions and holiday calendars per market — built in, no request needed.

``trading_hours("KRX")`` gives the sessions of a market in its own time zone; ``KisTradingHours.session(at)``
names the session at an instant (``"closed"`` on weekends and holidays; ``kis.now()`` is the service's now).
KRX trading days are better asked of the broker (CTCA0903R, :meth:`pykis.PyKis.is_trading_day`).

Holidays come from the ``holidays`` package's exchange calendars, which compute lunar and substitute holidays
for any year: KRX ``XKRX``, NYSE/NASDAQ/AMEX ``XNYS``, Hong Kong ``XHKG``, Shanghai ``XSHG``, Shenzhen ``XSHE``,
Tokyo ``XJPX``; Hanoi/Ho Chi Minh follow Vietnam's public holidays. Kept by hand, as the package lacks them:
session times and the NYSE half days (:func:`is_early_close`).

Session names: ``pre``, ``opening_auction``, ``regular``, ``lunch``, ``post``, ``after``, ``after_market``,
``daytime`` (the US overnight session KIS sells, 10:00–16:00 KST) and ``closed``.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo
from functools import cache
from typing import ClassVar

from pykis.errors import KisValidationError
from pykis.exchanges.markets import market_info, zone
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
    always_open: bool = False
    """A sandbox that keeps the market in its regular session now (the emulator's always-open clock): every
    instant reads ``"regular"``; past trading days still follow the exchange's calendar."""

    @property
    def zone(self) -> tzinfo:
        """The market's time zone."""
        return zone(self.timezone)

    def is_trading_day(self, day: date) -> bool:
        """Whether ``day`` (local) is a trading day by the built-in calendar."""
        return day.weekday() < 5 and not is_holiday(self.market, day)

    def session(self, at: datetime) -> str:
        """The session at instant ``at`` (``kis.now()`` for the service's now): ``"regular"``, ``"pre"``,
        ``"lunch"``… or ``"closed"``."""
        if not isinstance(at, datetime) or at.tzinfo is None:
            raise KisValidationError("session() needs a time-zone aware datetime, such as kis.now()")
        if self.always_open:
            return "regular"
        home = at.astimezone(self.zone).date()
        early = bool(self.early_sessions) and is_early_close(self.market, home)
        for entry in self.early_sessions if early else self.sessions:
            local = at.astimezone(zone(entry.zone))
            # The daytime session (KST) trades the US day of the same date; other sessions their own day.
            if not self.is_trading_day(local.date()):
                continue
            if entry.start <= local.time().replace(tzinfo=None) < entry.end:
                return entry.name
        return "closed"

    def is_open(self, at: datetime) -> bool:
        """Whether the regular session is running at instant ``at``."""
        return self.session(at) == "regular"


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

# market code -> the holidays package's calendar ("country:XX" for a country's public holidays)
_SOURCES = {
    "KRX": "XKRX",
    "NASDAQ": "XNYS",
    "NYSE": "XNYS",
    "AMEX": "XNYS",
    "HKEX": "XHKG",
    "SSE": "XSHG",
    "SZSE": "XSHE",
    "TYO": "XJPX",
    "HNX": "country:VN",
    "HSX": "country:VN",
}


@cache
def _holidays(source: str, year: int) -> frozenset[date]:
    import holidays  # noqa: PLC0415 — ~60 ms: loaded with the first calendar asked for, not with pykis

    if source.startswith("country:"):
        found = holidays.country_holidays(source.removeprefix("country:"), years=year)
    else:
        found = holidays.financial_holidays(source, years=year)
    return frozenset(day for day in found if day.year == year)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def is_early_close(market: str, day: date) -> bool:
    """NYSE half days (13:00 close, NYSE Rule 7.2): the Friday after Thanksgiving, July 3 when the 4th falls
    Tuesday–Friday, and Christmas Eve Monday–Thursday."""
    if market_info(market).code not in ("NASDAQ", "NYSE", "AMEX"):
        return False
    if day == _nth_weekday(day.year, 11, 3, 4) + timedelta(days=1):
        return True
    return (day.month, day.day) in ((7, 3), (12, 24)) and day.weekday() < 4


def is_holiday(market: str, day: date) -> bool:
    """Whether ``day`` is a holiday (not a weekend) of ``market`` by its exchange calendar."""
    code = "KRX" if market.upper() in ("NXT", "NX") else market_info(market).code
    return day in _holidays(_SOURCES[code], day.year)
