"""Built-in trading hours and holiday calendars."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pykis.emulator.clock import SystemClock
from pykis.emulator.market import Market
from pykis.errors import KisValidationError
from pykis.exchanges.sessions import is_holiday, trading_hours

KST = ZoneInfo("Asia/Seoul")
ET = ZoneInfo("America/New_York")


def test_nyse_rules_give_the_published_2024_holidays() -> None:
    published = {
        date(2024, 1, 1), date(2024, 1, 15), date(2024, 2, 19), date(2024, 3, 29), date(2024, 5, 27),
        date(2024, 6, 19), date(2024, 7, 4), date(2024, 9, 2), date(2024, 11, 28), date(2024, 12, 25),
    }  # fmt: skip
    days = [date(2024, 1, 1) + timedelta(days=n) for n in range(366)]
    assert {day for day in days if is_holiday("NYSE", day)} == published
    # New Year on a Saturday is not observed on the Friday before (2022-01-01).
    assert not is_holiday("NASDAQ", date(2021, 12, 31))
    assert is_holiday("AMEX", date(2027, 12, 24))  # Christmas on a Saturday → Friday


# Published closures, far from today both ways, so the calendars cannot be tables that expire.
# KRX 2019: the exchange's 2019 holiday notice (Seollal Feb 4–6, Children's substitute May 6, Chuseok Sep 12–13,
# year-end closure Dec 31). KRX 2031: Seollal Jan 22–24, Chuseok Sep 30–Oct 2 (lunar dates, KASI's calendar).
@pytest.mark.parametrize(
    ("market", "closed", "open_"),
    [
        ("KRX", [date(2019, 2, 4), date(2019, 2, 6), date(2019, 5, 6), date(2019, 9, 13), date(2019, 12, 31)],
         [date(2019, 2, 7), date(2019, 12, 30)]),
        ("KRX", [date(2031, 1, 22), date(2031, 1, 23), date(2031, 1, 24), date(2031, 9, 30), date(2031, 10, 2)],
         [date(2031, 1, 27), date(2031, 10, 6)]),
        ("NYSE", [date(2019, 4, 19), date(2019, 11, 28), date(2031, 4, 11), date(2031, 6, 19)],
         [date(2019, 4, 22), date(2031, 4, 14)]),
        ("HKEX", [date(2019, 2, 5), date(2031, 1, 23)], [date(2019, 2, 8)]),
        ("TYO", [date(2019, 1, 2), date(2031, 1, 2)], [date(2019, 1, 7)]),
    ],
)  # fmt: skip
def test_calendars_know_years_far_from_today(market: str, closed: list[date], open_: list[date]) -> None:
    hours = trading_hours(market)
    assert [day for day in closed if hours.is_trading_day(day)] == []
    assert all(hours.is_trading_day(day) for day in open_)


@pytest.mark.parametrize(
    ("ours", "emulator"),
    [
        ("KRX", "KOSPI"),
        ("NXT", "NXT"),
        ("NYSE", "NYSE"),
        ("HKEX", "SEHK"),
        ("SSE", "SSE"),
        ("TYO", "TSE"),
        ("HNX", "HNX"),
    ],
)
def test_built_in_calendars_agree_with_the_emulator(ours: str, emulator: str) -> None:
    market = Market(SystemClock())
    hours = trading_hours(ours)
    for year in (2019, 2025, 2026, 2027, 2031):
        day = date(year, 1, 1)
        while day.year == year:
            assert hours.is_trading_day(day) == market.is_trading_day(emulator, day), day
            day += timedelta(days=1)


@given(
    st.datetimes(min_value=datetime(2015, 1, 1), max_value=datetime(2035, 12, 31)).map(lambda d: d.replace(tzinfo=KST))
)
def test_sessions_agree_with_the_emulator(at: datetime) -> None:
    market = Market(SystemClock())
    for ours, emulator in (("KRX", "KOSPI"), ("NASDAQ", "NASDAQ"), ("HKEX", "SEHK"), ("TYO", "TSE")):
        assert trading_hours(ours).session(at) == market.session(emulator, at), (ours, at)


def test_session_boundaries() -> None:
    krx = trading_hours("KRX")
    day = datetime(2026, 11, 25, tzinfo=KST)
    assert krx.session(day.replace(hour=8, minute=59, second=59)) == "opening_auction"
    assert krx.session(day.replace(hour=9)) == "regular"
    assert krx.session(day.replace(hour=15, minute=30)) == "closed"  # 15:30–15:40 between sessions
    assert krx.session(day.replace(hour=20)) == "closed"
    assert krx.is_open(day.replace(hour=10)) and not krx.is_open(day.replace(hour=16))
    assert (krx.open.isoformat(), krx.close.isoformat()) == ("09:00:00", "15:30:00")
    assert trading_hours("NXT").session(day.replace(hour=8)) == "pre"
    assert trading_hours("NAS").session(datetime(2026, 7, 1, 9, 30, tzinfo=ET)) == "regular"
    half_day = datetime(2025, 11, 28, 14, 0, tzinfo=ET)  # the Friday after Thanksgiving closes at 13:00
    assert trading_hours("NYSE").session(half_day) == "after"
    assert trading_hours("NYSE").session(half_day - timedelta(days=7)) == "regular"
    with pytest.raises(KisValidationError):
        krx.session(datetime(2026, 11, 25, 10, 0))  # naive
    with pytest.raises(KisValidationError):
        trading_hours("LSE")
    assert "KisMarketSession('regular', 09:00–15:30 Asia/Seoul)" in repr(krx)
