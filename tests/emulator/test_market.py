"""The simulated market: tick grids, limits, determinism, bar consistency, sessions and calendars."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pykis.emulator.clock import FrozenClock
from pykis.emulator.instruments import UNIVERSE, Instrument, isin_check_digit
from pykis.emulator.market import SESSIONS, Market, UnknownSymbol
from tests.properties import examples

KST = ZoneInfo("Asia/Seoul")
ET = ZoneInfo("America/New_York")
# Thursday 2026-11-26, 11:00:17 KST: KRX in its regular session (US: Thanksgiving).
MIDDAY = datetime(2026, 11, 26, 11, 0, 17, tzinfo=KST)


def market_at(at: datetime = MIDDAY, *, seed: int = 20240101, always_open: bool = False) -> Market:
    return Market(FrozenClock(at), seed=seed, always_open=always_open)


SHARED = market_at()


def find(symbol: str) -> Instrument:
    instrument = SHARED.instrument(symbol)
    assert instrument is not None
    return instrument


# ---------------------------------------------------------------------------------------------------- universe


def test_universe_has_enough_distinct_domestic_symbols_and_every_market() -> None:
    domestic = [instrument.symbol for instrument in UNIVERSE if instrument.domestic]
    assert len(domestic) >= 250
    assert len(set(domestic)) == len(domestic)
    markets = {instrument.market for instrument in UNIVERSE}
    assert {"KOSPI", "KOSDAQ", "NASDAQ", "NYSE", "AMEX", "SEHK", "SSE", "SZSE", "TSE", "HNX", "HSX"} <= markets
    assert find("002170").sector_name is None
    assert any(instrument.halted for instrument in UNIVERSE)
    assert find("247540").market == "KOSDAQ"


def test_exchange_codes_and_isin() -> None:
    nvda = find("NVDA")
    assert (nvda.excd, nvda.ovrs_excg_cd, nvda.prdt_type_cd) == ("NAS", "NASD", "512")
    assert (find("SPY").excd, find("SPY").prdt_type_cd) == ("AMS", "529")
    assert (find("00700").ovrs_excg_cd, find("600519").ovrs_excg_cd, find("7203").ovrs_excg_cd) == (
        "SEHK",
        "SHAA",
        "TKSE",
    )
    assert (find("VNM").excd, find("VNM").ovrs_excg_cd, find("VNM").prdt_type_cd) == ("HSX", "VNSE", "508")
    samsung = find("005930")
    assert samsung.isin == "KR7005930003"  # the real standard code
    assert find("000660").isin == "KR7000660001"
    assert isin_check_digit("US037833100") == "5"  # Apple, US0378331005
    assert nvda.isin is None and samsung.prdt_type_cd == "300" and samsung.excd is None


def test_lookup_aliases_and_unknown_symbols() -> None:
    assert SHARED.instrument("AAPL", "NAS") is find("AAPL")
    assert SHARED.instrument("KO", "NYSE") is find("KO")
    assert SHARED.instrument("KO", "NASD") is find("KO")  # NASD also means "any US market"
    assert SHARED.instrument("AAPL", "BAQ") is find("AAPL")
    assert SHARED.instrument("AAPL", "SEHK") is None
    assert SHARED.instrument("Q530036") is find("530036")
    with pytest.raises(UnknownSymbol) as caught:
        SHARED.quote("999999")
    assert isinstance(caught.value, KeyError) and "999999" in str(caught.value)


# ---------------------------------------------------------------------------------------------------- grids


@pytest.mark.parametrize(
    ("symbol", "price", "tick"),
    [
        ("005930", "1999", "1"),
        ("005930", "2000", "5"),
        ("005930", "4995", "5"),
        ("005930", "5000", "10"),
        ("005930", "19990", "10"),
        ("005930", "20000", "50"),
        ("005930", "50000", "100"),
        ("005930", "199900", "100"),
        ("005930", "200000", "500"),
        ("005930", "500000", "1000"),
        ("069500", "1999", "1"),  # ETFs: 1 won below 2,000 and 5 won from 2,000
        ("069500", "2000", "5"),
        ("069500", "550000", "5"),
        ("NVDA", "0.9999", "0.0001"),
        ("NVDA", "1.00", "0.01"),
        ("NVDA", "180.37", "0.01"),
        ("00700", "20.00", "0.01"),  # HKEX after the 2025 spread reduction: 0.01 up to 20, 0.02 up to 50
        ("00700", "20.02", "0.02"),
        ("00700", "50.05", "0.05"),
        ("00700", "500.00", "0.2"),
        ("00700", "521.50", "0.5"),
        ("00700", "600.5", "0.5"),
        ("600519", "1450.01", "0.01"),
        ("7203", "3000", "1"),
        ("7203", "3005", "5"),
        ("7203", "30000", "10"),
        ("7203", "30050", "50"),
        ("7203", "50000000", "50000"),
        ("7203", "50100000", "100000"),
        ("VNM", "60000", "100"),
        ("VNM", "9990", "10"),
    ],
)
def test_tick_tables(symbol: str, price: str, tick: str) -> None:
    assert SHARED.tick_size(find(symbol), Decimal(price)) == Decimal(tick)


def test_on_tick_and_rounding() -> None:
    samsung = find("005930")
    assert SHARED.on_tick(samsung, Decimal("88100"))
    assert not SHARED.on_tick(samsung, Decimal("88150"))
    assert not SHARED.on_tick(samsung, Decimal("0"))
    assert SHARED.round_price(samsung, Decimal("88149"), "down") == Decimal("88100")
    assert SHARED.round_price(samsung, Decimal("88101"), "up") == Decimal("88200")
    assert SHARED.round_price(find("NVDA"), Decimal("180.126")) == Decimal("180.13")


@pytest.mark.parametrize("symbol", ["005930", "000660", "207940", "252670", "247540", "600519", "VNM", "SHS"])
def test_limits_are_thirty_percent_rounded_inward(symbol: str) -> None:
    instrument = find(symbol)
    quote = SHARED.quote(symbol)
    lower, upper = SHARED.price_limits(instrument)
    assert (lower, upper) == (quote.lower_limit, quote.upper_limit)
    rate = {"KOSPI": Decimal("0.3"), "KOSDAQ": Decimal("0.3"), "SSE": Decimal("0.1"), "HSX": Decimal("0.07")}
    width = rate.get(instrument.market, Decimal("0.1"))
    exact_upper, exact_lower = quote.prev_close * (1 + width), quote.prev_close * (1 - width)
    assert SHARED.on_tick(instrument, upper) and SHARED.on_tick(instrument, lower)
    assert upper <= exact_upper < upper + SHARED.tick_size(instrument, upper)
    assert lower >= exact_lower > lower - SHARED.tick_size(instrument, lower - SHARED.tick_size(instrument, lower))


def test_markets_without_limits_report_zero() -> None:
    assert SHARED.price_limits(find("NVDA")) == (Decimal(0), Decimal(0))
    assert SHARED.quote("00700").upper_limit == 0


# ---------------------------------------------------------------------------------------------------- determinism


def test_same_seed_and_clock_give_the_same_prices_and_another_seed_does_not() -> None:
    first, second, other = market_at(), market_at(), market_at(seed=7)
    symbols = ["005930", "NVDA", "00700", "7203", "400010"]
    assert [first.quote(s) for s in symbols] == [second.quote(s) for s in symbols]
    assert first.orderbook("005930") == second.orderbook("005930")
    assert first.daily_bars("AAPL", date(2026, 1, 1), date(2026, 3, 1)) == second.daily_bars(
        "AAPL", date(2026, 1, 1), date(2026, 3, 1)
    )
    assert [first.quote(s).price for s in symbols] != [other.quote(s).price for s in symbols]


# ---------------------------------------------------------------------------------------------------- bars


@pytest.mark.parametrize("symbol", ["005930", "252670", "247540", "NVDA", "SENS", "00700", "600519", "7203", "VNM"])
def test_daily_history_is_on_grid_within_limits_and_chained(symbol: str) -> None:
    instrument = find(symbol)
    bars = SHARED.daily_bars(symbol, date(2025, 9, 1), date(2026, 11, 25))
    assert len(bars) >= 250
    assert [bar.time for bar in bars] == sorted(bar.time for bar in bars)
    for previous, bar in itertools.pairwise(bars):
        day = bar.time.date()
        assert SHARED.is_trading_day(instrument.market, day)
        assert bar.low <= min(bar.open, bar.close) <= max(bar.open, bar.close) <= bar.high
        for price in (bar.open, bar.high, bar.low, bar.close):
            assert SHARED.on_tick(instrument, price), (day, price)
        lower, upper = SHARED.price_limits(instrument, day)
        if upper:
            assert lower <= bar.low and bar.high <= upper
        if day.toordinal() % 9 == 0:  # a sample of days: a quote builds the whole day's path
            night = datetime.combine(day, datetime.min.time(), tzinfo=instrument.timezone) + timedelta(hours=23)
            assert SHARED.quote_at(instrument, night).prev_close == previous.close
        assert bar.volume > 0


def test_four_hundred_days_of_history() -> None:
    bars = SHARED.daily_bars("005930", date(2025, 1, 1), date(2026, 11, 26))
    assert (bars[-1].time.date() - bars[0].time.date()).days >= 400
    assert bars[-1].time.date() == date(2026, 11, 26)


@pytest.mark.parametrize("symbol", ["005930", "069500", "NVDA", "00700", "600519", "7203", "028300"])
def test_minute_bars_aggregate_to_the_daily_bar(symbol: str) -> None:
    instrument = find(symbol)
    day = SHARED.previous_trading_day(instrument.market, date(2026, 11, 25))
    daily = SHARED.daily_bars(symbol, day, day)[0]
    minutes = SHARED.minute_bars(symbol, day)
    assert minutes[0].open == daily.open
    assert max(bar.high for bar in minutes) == daily.high
    assert min(bar.low for bar in minutes) == daily.low
    assert minutes[-1].close == daily.close
    assert sum(bar.volume for bar in minutes) == daily.volume
    assert sum(bar.amount for bar in minutes) == daily.amount
    for bar in minutes:
        assert bar.volume % instrument.lot_size == 0
    fives = SHARED.minute_bars(symbol, day, interval=5)
    assert len(fives) == -(-len(minutes) // 5)
    assert fives[1].open == minutes[5].open and fives[1].close == minutes[9].close
    assert sum(bar.volume for bar in fives) == daily.volume


def test_hong_kong_minutes_skip_the_lunch_break() -> None:
    minutes = SHARED.minute_bars("00700", date(2026, 11, 25))
    stamps = [bar.time.strftime("%H:%M") for bar in minutes]
    assert len(minutes) == 330 and stamps[0] == "09:30" and stamps[-1] == "15:59"
    assert "11:59" in stamps and "12:30" not in stamps and "13:00" in stamps


@settings(max_examples=examples(40), deadline=None)
@given(st.integers(min_value=0, max_value=390 * 60 - 1))
def test_quote_agrees_with_todays_bars_so_far(offset: int) -> None:
    at = datetime(2026, 11, 25, 9, 0, tzinfo=KST) + timedelta(seconds=offset, microseconds=250_000)
    market = Market(FrozenClock(at))
    quote = market.quote("035720")
    minutes = market.minute_bars("035720", date(2026, 11, 25))
    today = market.daily_bars("035720", date(2026, 11, 25), date(2026, 11, 25))[0]
    assert quote.session == "regular"
    assert quote.price == minutes[-1].close == today.close
    assert quote.high == max(bar.high for bar in minutes) == today.high
    assert quote.low == min(bar.low for bar in minutes) == today.low
    assert quote.open == minutes[0].open == today.open
    assert quote.volume == sum(bar.volume for bar in minutes) == today.volume
    assert quote.amount == sum(bar.amount for bar in minutes)
    assert quote.low <= quote.price <= quote.high


def test_last_daily_close_equals_the_price_after_the_close() -> None:
    market = market_at(datetime(2026, 11, 25, 18, 0, tzinfo=KST))
    bars = market.daily_bars("000660", date(2026, 11, 1), date(2026, 11, 25))
    assert market.quote("000660").price == bars[-1].close
    weekend = market_at(datetime(2026, 11, 29, 12, 0, tzinfo=KST))  # Sunday shows Friday
    friday = weekend.daily_bars("000660", date(2026, 11, 27), date(2026, 11, 29))
    assert len(friday) == 1 and weekend.quote("000660").price == friday[0].close
    assert weekend.quote("000660").trading_day == date(2026, 11, 27)


def test_before_the_open_the_quote_is_the_previous_close_with_no_volume() -> None:
    market = market_at(datetime(2026, 11, 25, 8, 0, tzinfo=KST))
    quote = market.quote("005930")
    assert quote.price == quote.prev_close and quote.volume == 0
    assert market.daily_bars("005930", date(2026, 11, 25), date(2026, 11, 25)) == []
    assert market.minute_bars("005930", date(2026, 11, 25)) == []


def test_weekly_monthly_yearly_aggregation() -> None:
    start, end = date(2025, 1, 1), date(2026, 10, 31)
    days = SHARED.daily_bars("005380", start, end)
    for period in ("W", "M", "Y"):
        bars = SHARED.daily_bars("005380", start, end, period=period)
        assert sum(bar.volume for bar in bars) == sum(bar.volume for bar in days)
        assert max(bar.high for bar in bars) == max(bar.high for bar in days)
        assert bars[0].open == days[0].open and bars[-1].close == days[-1].close
    months = SHARED.daily_bars("005380", start, end, period="M")
    assert len(months) == 22
    october = [bar for bar in days if bar.time.month == 10 and bar.time.year == 2026]
    assert months[-1].time == october[0].time
    assert months[-1].high == max(bar.high for bar in october)
    assert len(SHARED.daily_bars("005380", start, end, period="Y")) == 2
    with pytest.raises(ValueError, match="period"):
        SHARED.daily_bars("005380", start, end, period="Q")


def test_week52_range_matches_the_daily_bars() -> None:
    quote = SHARED.quote("051910")
    bars = SHARED.daily_bars("051910", date(2025, 11, 27), date(2026, 11, 26))
    assert quote.week52_high == max(bar.high for bar in bars)
    assert quote.week52_low == min(bar.low for bar in bars)
    assert quote.week52_high_date in {bar.time.date() for bar in bars if bar.high == quote.week52_high}


# ---------------------------------------------------------------------------------------------------- books, ranges


def test_orderbook_levels_walk_the_tick_grid() -> None:
    quote = SHARED.quote("005930")
    book = SHARED.orderbook("005930")
    assert len(book.asks) == len(book.bids) == 10
    assert book.bids[0].price == quote.bid == quote.price
    assert book.asks[0].price == quote.ask == quote.price + quote.tick
    for side in (book.asks, book.bids):
        gaps = {abs(a.price - b.price) for a, b in itertools.pairwise(side)}
        assert gaps == {quote.tick}
        assert all(level.qty > 0 for level in side)
    hk = SHARED.orderbook("00700", depth=5)
    assert all(level.qty % 100 == 0 for level in hk.asks + hk.bids)
    assert SHARED.orderbook("024810").asks == ()  # halted


def test_traded_range_from_before_the_open_matches_the_quote() -> None:
    instrument = find("005380")
    start = datetime(2026, 11, 26, 7, 0, tzinfo=KST)
    traded = SHARED.traded_range(instrument, start, MIDDAY)
    quote = SHARED.quote("005380")
    assert traded is not None
    assert (traded.low, traded.high, traded.volume) == (quote.low, quote.high, quote.volume)
    later = SHARED.traded_range(instrument, MIDDAY, MIDDAY + timedelta(minutes=30))
    assert later is not None and later.volume > 0
    assert SHARED.traded_range(instrument, MIDDAY, MIDDAY) is None


# ---------------------------------------------------------------------------------------------------- sessions


@pytest.mark.parametrize(
    ("hour", "minute", "session"),
    [
        (8, 0, "closed"),
        (8, 35, "pre"),
        (8, 50, "opening_auction"),
        (9, 0, "regular"),
        (15, 29, "regular"),
        (15, 35, "closed"),
        (15, 45, "post"),
        (16, 30, "after_market"),
        (19, 59, "after_market"),
        (20, 0, "closed"),
    ],
)
def test_krx_sessions(hour: int, minute: int, session: str) -> None:
    at = datetime(2026, 11, 25, hour, minute, tzinfo=KST)
    assert SHARED.session("KOSPI", at) == session
    assert session in SESSIONS


def test_nxt_sessions() -> None:
    assert SHARED.session("NXT", datetime(2026, 11, 25, 8, 10, tzinfo=KST)) == "pre"
    assert SHARED.session("NXT", datetime(2026, 11, 25, 9, 0, 10, tzinfo=KST)) == "closed"
    assert SHARED.session("NXT", datetime(2026, 11, 25, 9, 0, 40, tzinfo=KST)) == "regular"
    assert SHARED.session("NXT", datetime(2026, 11, 25, 19, 0, tzinfo=KST)) == "after_market"


def test_us_sessions_follow_daylight_saving() -> None:
    # US DST starts 2026-03-08: the open moves from 23:30 to 22:30 KST.
    assert SHARED.session("NASDAQ", datetime(2026, 3, 6, 23, 35, tzinfo=KST)) == "regular"
    assert SHARED.session("NASDAQ", datetime(2026, 3, 6, 22, 35, tzinfo=KST)) == "pre"
    assert SHARED.session("NASDAQ", datetime(2026, 3, 9, 22, 35, tzinfo=KST)) == "regular"
    assert SHARED.session("NYS", datetime(2026, 3, 9, 9, 30, tzinfo=ET)) == "regular"
    assert SHARED.session("US", datetime(2026, 3, 9, 16, 30, tzinfo=ET)) == "after"
    assert SHARED.session("US", datetime(2026, 3, 9, 3, 0, tzinfo=ET)) == "closed"
    # Overnight session as KIS sells it, 10:00–16:00 KST on US trading days.
    assert SHARED.session("NASDAQ", datetime(2026, 3, 10, 11, 0, tzinfo=KST)) == "daytime"
    assert SHARED.session("NASDAQ", datetime(2026, 3, 14, 11, 0, tzinfo=KST)) == "closed"  # Saturday
    # Early close the day after Thanksgiving.
    assert SHARED.session("US", datetime(2026, 11, 27, 13, 30, tzinfo=ET)) == "after"
    assert len(SHARED.minute_bars("AAPL", date(2026, 11, 27), until=datetime(2026, 11, 28, tzinfo=UTC))) == 210


def test_asian_sessions_and_lunch_breaks() -> None:
    day = date(2026, 11, 25)
    hk = ZoneInfo("Asia/Hong_Kong")
    assert SHARED.session(
        "SEHK", datetime.combine(day, datetime.min.time(), tzinfo=hk).replace(hour=12, minute=30)
    ) == ("lunch")
    assert SHARED.session("HKS", datetime(2026, 11, 25, 10, 0, tzinfo=hk)) == "regular"
    assert SHARED.session("SSE", datetime(2026, 11, 25, 11, 45, tzinfo=ZoneInfo("Asia/Shanghai"))) == "lunch"
    assert SHARED.session("TSE", datetime(2026, 11, 25, 15, 15, tzinfo=ZoneInfo("Asia/Tokyo"))) == "regular"
    assert SHARED.session("HSX", datetime(2026, 11, 25, 14, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))) == "regular"


def test_holidays_and_weekends() -> None:
    assert not SHARED.is_trading_day("KRX", date(2026, 9, 24))  # Chuseok
    assert not SHARED.is_trading_day("KOSPI", date(2025, 6, 3))  # presidential election
    assert not SHARED.is_trading_day("KOSDAQ", date(2026, 12, 31))  # year-end closing day
    assert SHARED.is_trading_day("KRX", date(2026, 11, 26))
    assert not SHARED.is_trading_day("NYSE", date(2026, 11, 26))  # Thanksgiving
    assert not SHARED.is_trading_day("US", date(2027, 3, 26))  # Good Friday
    assert not SHARED.is_trading_day("US", date(2026, 7, 3))  # Independence Day observed
    assert not SHARED.is_trading_day("KRX", date(2026, 11, 28))  # Saturday
    assert SHARED.session("KOSPI", datetime(2026, 9, 24, 10, 0, tzinfo=KST)) == "closed"
    assert SHARED.previous_trading_day("KRX", date(2026, 9, 28)) == date(2026, 9, 23)


def test_always_open_reports_regular_and_moves_prices_at_night() -> None:
    night = datetime(2026, 11, 28, 3, 0, tzinfo=KST)  # a Saturday night
    market = market_at(night, always_open=True)
    assert market.session("KOSPI") == market.session("NASDAQ") == "regular"
    assert market.is_trading_day("KRX", date(2026, 11, 28))
    first = market.quote("005930")
    assert first.volume > 0
    later = market_at(night + timedelta(hours=5), always_open=True).quote("005930")
    assert later.volume > first.volume


def test_cached_quotes_are_stable() -> None:
    """Quotes served again within one clock instant are the same quotes (their speed is bench/'s business)."""
    market = market_at()
    symbols = [instrument.symbol for instrument in UNIVERSE if instrument.domestic][:50]
    first = [market.quote(symbol) for symbol in symbols]
    for _ in range(3):
        assert [market.quote(symbol) for symbol in symbols] == first
