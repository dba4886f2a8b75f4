"""Market data end to end against the emulator over real sockets, with both clients.

A frozen emulator clock stands on Wednesday 2026-11-25 11:00 KST (KRX mid-session; moved to 11:00 ET for US
checks and to a Saturday for the closed market), so every figure can be checked against the simulated market
itself. The real service's rate limit (20 requests/s) is kept.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from pykis import (
    AsyncPyKis,
    KisChart,
    KisDomesticQuote,
    KisForeignQuote,
    KisHosts,
    KisNotFoundError,
    KisOrderbook,
    KisValidationError,
    PyKis,
)
from pykis.emulator import Emulator
from pykis.emulator.clock import FrozenClock
from pykis.emulator.instruments import UNIVERSE, Instrument
from pykis.emulator.market import Market

KST = ZoneInfo("Asia/Seoul")
ET = ZoneInfo("America/New_York")
KRX_MIDDAY = datetime(2026, 11, 25, 11, 0, tzinfo=KST)  # Wednesday
US_MIDDAY = datetime(2026, 11, 25, 11, 0, tzinfo=ET)
SATURDAY = datetime(2026, 11, 28, 11, 0, tzinfo=KST)
SEED_README = Path("/work/shared/seed/python-kis-2.1.3-README.md")


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    # token_issue_interval 0: every test brings a fresh token cache, and the frozen clock never passes a minute.
    with Emulator(clock="frozen", start=KRX_MIDDAY, token_issue_interval=0.0, virtual_rate=20) as emulator:
        yield emulator


@pytest.fixture(autouse=True)
def midday(emu: Emulator) -> None:
    emu.clock.set(KRX_MIDDAY)


@pytest.fixture(scope="module")
def tokens(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One kept token for the module: the frozen clock moves back and forth, and re-issuing within what the
    gateway takes for a minute would be refused (EGW00133)."""
    return tmp_path_factory.mktemp("tokens")


@pytest.fixture
def kis(emu: Emulator, tokens: Path) -> Iterator[PyKis]:
    with PyKis(emu.real.auth, keep_token=tokens) as client:
        client.token()
        yield client


def calls(emu: Emulator) -> int:
    return emu.gateway.stats.requests


# ---- 1. resolution --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("symbol", "market", "currency", "zone"),
    [
        ("005930", "KRX", "KRW", "KST"),  # Korea has no daylight saving: a fixed UTC+9
        ("NVDA", "NASDAQ", "USD", "America/New_York"),
        ("KO", "NYSE", "USD", "America/New_York"),
        ("SPY", "AMEX", "USD", "America/New_York"),
        ("00700", "HKEX", "HKD", "Asia/Hong_Kong"),
        ("7203", "TYO", "JPY", "Asia/Tokyo"),
        ("600519", "SSE", "CNY", "Asia/Shanghai"),
        ("VNM", "HSX", "VND", "Asia/Ho_Chi_Minh"),
    ],
)
def test_symbols_resolve_from_the_masters_without_api_calls(
    kis: PyKis, emu: Emulator, symbol: str, market: str, currency: str, zone: str
) -> None:
    before = calls(emu)
    stock = kis.stock(symbol)
    assert (stock.symbol, stock.market, stock.currency, str(stock.timezone)) == (symbol, market, currency, zone)
    assert stock.name == emu.market.instrument(symbol).name  # type: ignore[union-attr]
    assert repr(stock) == f"KisStock(symbol={symbol!r}, market={market!r}, name={stock.name!r})"
    assert calls(emu) == before  # neither resolution nor repr made a request


def test_an_unknown_symbol_is_a_typed_not_found_error(kis: PyKis) -> None:
    with pytest.raises(KisNotFoundError) as caught:
        kis.stock("ZZZZQ")
    assert caught.value.symbol == "ZZZZQ" and "ZZZZQ" in str(caught.value)
    with pytest.raises(KisNotFoundError):
        kis.stock("999990")
    with pytest.raises(KisNotFoundError):
        kis.stock("NVDA", market="NYSE")  # listed, but not there


def test_master_cache_warm_costs_nothing_and_cold_falls_back_to_inquiries(
    emu: Emulator, private_cache: Path, tokens: Path
) -> None:
    with PyKis(emu.real.auth, keep_token=tokens) as kis:
        kis.token()
        before = calls(emu)
        kis.stock("NVDA")
        assert calls(emu) == before  # cold: the masters were downloaded, no API call
    assert (private_cache / "masters" / "nasmst.cod").exists()
    # Masters unreachable from now on: a warm cache still resolves without a request…
    dead = KisHosts(emu.real.rest_url, emu.real.ws_url, masters="http://127.0.0.1:9/none")
    with PyKis(emu.real.auth, keep_token=tokens, hosts=dead) as kis:
        kis.token()
        before = calls(emu)
        assert kis.stock("NVDA").market == "NASDAQ"
        assert calls(emu) == before
    # …while a cold one falls back to the product-info inquiries (CTPF1702R on the three US exchanges).
    for name in ("nasmst.cod", "nysmst.cod", "amsmst.cod"):
        (private_cache / "masters" / name).unlink()
    with PyKis(emu.real.auth, keep_token=tokens, hosts=dead) as kis:
        kis.token()
        before = calls(emu)
        stock = kis.stock("NVDA")
        assert (stock.market, stock.name, stock.currency) == ("NASDAQ", "엔비디아", "USD")
        assert calls(emu) - before == 3
        before = calls(emu)
        samsung = kis.stock("005930")  # the domestic masters are cold too: CTPF1002R
        assert (samsung.market, samsung.name) == ("KRX", "삼성전자")
        assert calls(emu) - before == 1
        with pytest.raises(KisNotFoundError):
            kis.stock("ZZZZQ")


def test_a_symbol_listed_twice_resolves_to_its_primary_listing(tmp_path: Path) -> None:
    extra = Instrument(
        "ORCL", "오라클", "Oracle Corp", "NASDAQ", "stock", "USD", 1, Decimal(220), 2_840_000_000, "소프트웨어"
    )
    market = Market(FrozenClock(KRX_MIDDAY), universe=(*UNIVERSE, extra))
    with Emulator(clock=market.clock, market=market, secrets_dir=tmp_path, token_issue_interval=0.0) as emulator:
        with PyKis(emulator.real.auth, keep_token=False) as kis:
            assert kis.stock("ORCL").market == "NYSE"
            assert kis.stock("ORCL", market="NASDAQ").market == "NASDAQ"
        dead = KisHosts(emulator.real.rest_url, emulator.real.ws_url, masters="http://127.0.0.1:9/none")
        with PyKis(emulator.real.auth, keep_token=False, hosts=dead) as kis:
            assert kis.stock("ORCL").market == "NYSE"  # the same choice from the product inquiries


# ---- 2. quotes ------------------------------------------------------------------------------------------


def test_domestic_quote_matches_the_market(kis: PyKis, emu: Emulator) -> None:
    quote = kis.stock("005930").quote()
    truth = emu.market.quote("005930")
    assert isinstance(quote, KisDomesticQuote)
    assert (quote.close, quote.open, quote.high, quote.low) == (truth.price, truth.open, truth.high, truth.low)
    assert quote.volume == truth.volume and quote.prev_close == truth.prev_close
    assert quote.sector_name == "전기·전자" and quote.venue == "KRX"
    assert quote.time.tzinfo is not None and quote.time.utcoffset() == timedelta(hours=9)
    assert quote.indicator is not None and quote.indicator.per == truth.per
    assert quote.tick == truth.tick and not quote.halt


@pytest.mark.parametrize("venue", ["NXT", "UN"])
def test_nxt_and_integrated_quotes(kis: PyKis, emu: Emulator, venue: str) -> None:
    quote = kis.stock("005930").quote(venue=venue)  # type: ignore[arg-type]
    assert quote.venue == venue and quote.close == emu.market.quote("005930").price


def test_missing_sector_halted_stock_and_after_hours(kis: PyKis, emu: Emulator) -> None:
    assert kis.stock("002170").quote().sector_name is None
    halted = kis.stock("024810").quote()
    assert halted.halt and halted.volume == 0
    after = kis.stock("005930").quote(extended=True)
    assert after.extended and after.indicator is None and after.market_cap is None
    assert after.lower_limit is not None and after.upper_limit is not None
    assert after.lower_limit <= after.close <= after.upper_limit
    assert after.prev_close == emu.market.quote("005930").prev_close


@pytest.mark.parametrize(
    ("symbol", "market", "zone"),
    [
        ("NVDA", "NASDAQ", ET),
        ("KO", "NYSE", ET),
        ("SPY", "AMEX", ET),
        ("00700", "HKEX", ZoneInfo("Asia/Hong_Kong")),
        ("7203", "TYO", ZoneInfo("Asia/Tokyo")),
    ],
)
def test_overseas_quotes(kis: PyKis, emu: Emulator, symbol: str, market: str, zone: ZoneInfo) -> None:
    emu.clock.set(US_MIDDAY)
    quote = kis.stock(symbol).quote()
    truth = emu.market.quote(symbol)
    assert isinstance(quote, KisForeignQuote) and quote.market == market
    assert quote.close == truth.price and quote.prev_close == truth.prev_close and quote.volume == truth.volume
    assert quote.time.tzinfo == zone and abs(quote.time - US_MIDDAY) < timedelta(seconds=5)  # the service's time
    assert quote.unit == truth.instrument.lot_size


def test_us_daytime_session_quote(kis: PyKis, emu: Emulator) -> None:
    emu.clock.set(datetime(2026, 11, 25, 11, 0, tzinfo=KST))
    nvda = kis.stock("NVDA")
    extended = nvda.quote(extended=True)
    assert extended.extended and extended.close == nvda.quote().close
    with pytest.raises(KisValidationError):
        kis.stock("7203").quote(extended=True)


def test_the_seed_readme_quote_prints_the_same_shape(kis: PyKis, emu: Emulator) -> None:
    emu.clock.set(US_MIDDAY)
    text = repr(kis.stock("NVDA").quote())
    readme = SEED_README.read_text("utf-8")
    example = readme[readme.index("KisForeignQuote(") : readme.index("\n)\n", readme.index("KisForeignQuote(")) + 2]

    def shape(block: str) -> list[str]:
        return re.findall(r"^\s*(\w+)=", block, flags=re.MULTILINE)

    assert text.startswith("KisForeignQuote(\n    symbol='NVDA',\n    market='NASDAQ',\n    name='엔비디아',")
    assert shape(text) == shape(example)
    assert "E+" not in text and "Decimal(" not in text
    assert re.search(r"^    close=\d+\.\d+,$", text, flags=re.MULTILINE)


# ---- 3. batch quotes ------------------------------------------------------------------------------------


def test_two_hundred_domestic_quotes_in_seven_calls(kis: PyKis, emu: Emulator) -> None:
    symbols = [instrument.symbol for instrument in UNIVERSE if instrument.domestic][:200]
    stocks = [kis.stock(symbol) for symbol in symbols]
    time.sleep(1.0)  # let the gateway's one-second window forget earlier tests' requests
    refusals, before = emu.gateway.stats.rate_refusals, calls(emu)
    quotes = kis.quotes(stocks)
    assert calls(emu) - before == 7  # ceil(200 / 30) FHKST11300006 calls
    assert [quote.symbol for quote in quotes] == symbols
    for quote in quotes[::40]:
        assert quote.close == emu.market.quote(quote.symbol).price
    # Seconds belong to bench/market_data.py (goal 1.0 s); here the calls, their order and no refusal.
    assert emu.gateway.stats.rate_refusals == refusals


def test_mixed_batch_keeps_input_order(kis: PyKis, emu: Emulator) -> None:
    emu.clock.set(US_MIDDAY)
    symbols = ["NVDA", "005930", "7203", "000660", "KO", "024810", "00700"]
    quotes = kis.quotes(symbols)
    assert [quote.symbol for quote in quotes] == symbols
    assert [type(quote).__name__ for quote in quotes[:2]] == ["KisForeignQuote", "KisDomesticBatchQuote"]
    assert quotes[5].halt
    assert all(quote.close == emu.market.quote(quote.symbol).price for quote in quotes)


# ---- 4. order book --------------------------------------------------------------------------------------


def test_orderbooks(kis: PyKis, emu: Emulator) -> None:
    book = kis.stock("005930").orderbook()
    assert isinstance(book, KisOrderbook) and len(book.asks) == len(book.bids) == 10
    assert book.ask is not None and book.bid is not None and book.ask.price > book.bid.price
    assert book.ask_volume == sum(level.volume for level in book.asks)
    # aspr_acpt_hour carries the time only; the date is the client's today in Seoul.
    assert book.time is not None and book.time.time() == KRX_MIDDAY.time()
    assert book.time.utcoffset() == timedelta(hours=9)
    assert kis.stock("024810").orderbook().asks == ()
    emu.clock.set(US_MIDDAY)
    us = kis.stock("NVDA").orderbook()
    assert len(us.asks) == 10 and us.time == US_MIDDAY
    assert len(kis.stock("7203").orderbook().bids) == 1


# ---- 5. charts ------------------------------------------------------------------------------------------


def test_domestic_daily_chart_pages_back_across_five_calls(kis: PyKis, emu: Emulator) -> None:
    stock = kis.stock("005930")
    before = calls(emu)
    chart = stock.chart(date(2025, 1, 1), date(2026, 11, 25))
    expected = emu.market.trading_days("KRX", date(2025, 1, 1), date(2026, 11, 25))
    # 100 bars a page, then one empty page: 2025-01-01 is a holiday, so no bar ever reaches the start date.
    assert calls(emu) - before == -(-len(expected) // 100) + 1
    assert [bar.time.date() for bar in chart] == expected
    assert chart.bars[-1].close == emu.market.quote("005930").price
    weeks = stock.chart(date(2026, 1, 1), date(2026, 11, 25), period="week")
    months = stock.chart(date(2024, 1, 1), date(2026, 11, 25), period="month")
    years = stock.chart(date(2020, 1, 1), date(2026, 11, 25), period="year")
    assert len(weeks) == 47  # the week of 2026-01-02 is stamped 2025-12-29, before the start
    assert len(months) == 35 and len(years) == 7
    assert years.bars[-1].high == max(bar.high for bar in chart if bar.time.year == 2026)


def test_domestic_minute_chart_pages_and_adds_up(kis: PyKis, emu: Emulator) -> None:
    stock = kis.stock("005930")
    start = datetime(2026, 11, 24, 13, 0, tzinfo=KST)
    before = calls(emu)
    chart = stock.chart(start, KRX_MIDDAY, period=1)
    assert calls(emu) - before == 3  # 150 + 120 one-minute bars, 120 a call
    assert chart.period == "minute" and len(chart) == 150 + 120
    today = [bar for bar in chart if bar.time.date() == date(2026, 11, 25)]
    truth = emu.market.quote("005930")
    assert sum(bar.volume for bar in today) == truth.volume
    assert sum((bar.amount for bar in today), Decimal(0)) == truth.amount
    five = stock.chart(datetime(2026, 11, 25, 9, 0, tzinfo=KST), KRX_MIDDAY, period=5)
    assert len(five) == 24 and all(bar.time.minute % 5 == 0 for bar in five)
    assert sum(bar.volume for bar in five) == truth.volume


def test_virtual_only_minute_chart_uses_the_today_inquiry(emu: Emulator, tokens: Path) -> None:
    with PyKis(virtual_auth=emu.virtual.auth, keep_token=tokens) as kis:
        kis.token()
        before = calls(emu)
        chart = kis.stock("005930").chart(datetime(2026, 11, 25, 9, 0, tzinfo=KST), KRX_MIDDAY, period=1)
        assert len(chart) == 120 and calls(emu) - before == 5  # 30 bars a call, then the page before 09:00


def test_overseas_charts(kis: PyKis, emu: Emulator) -> None:
    emu.clock.set(US_MIDDAY)
    nvda = kis.stock("NVDA")
    before = calls(emu)
    daily = nvda.chart(date(2025, 6, 1), date(2026, 11, 25))
    assert calls(emu) - before == 4
    assert [bar.time.date() for bar in daily] == emu.market.trading_days("NASDAQ", date(2025, 6, 1), date(2026, 11, 25))
    assert date(2025, 11, 27) not in {bar.time.date() for bar in daily}  # Thanksgiving
    assert all(
        bar.time.tzinfo is not None and bar.time.utcoffset() in (timedelta(hours=-5), timedelta(hours=-4))
        for bar in daily
    )
    years = nvda.chart(date(2022, 1, 1), date(2026, 11, 25), period="year")
    assert [bar.time.year for bar in years] == [2022, 2023, 2024, 2025, 2026]
    before = calls(emu)
    minutes = nvda.chart(datetime(2026, 11, 24, 12, 0, tzinfo=ET), US_MIDDAY, period=1)
    assert calls(emu) - before == 3  # 330 one-minute bars, 120 a call
    assert len(minutes) == 240 + 90  # Tuesday 12:00–16:00, Wednesday 09:30–11:00
    five = nvda.chart(datetime(2026, 11, 25, 9, 30, tzinfo=ET), US_MIDDAY, period=5)
    assert len(five) == 18 and five.bars[1].time - five.bars[0].time == timedelta(minutes=5)
    hk = kis.stock("00700").chart("1mo")
    assert len(hk) > 15 and all(bar.time.weekday() < 5 for bar in hk)


def test_chart_converts_to_dataframes(kis: PyKis) -> None:
    chart: KisChart = kis.stock("005930").chart("10d")
    pandas = pytest.importorskip("pandas")
    frame = chart.to_pandas()
    assert isinstance(frame, pandas.DataFrame) and len(frame) == len(chart)


# ---- 6. market information ------------------------------------------------------------------------------


def test_trading_hours_sessions_and_trading_days(kis: PyKis, emu: Emulator) -> None:
    hours = kis.trading_hours("KRX")
    assert hours.session(KRX_MIDDAY) == "regular" and hours.session(SATURDAY) == "closed"
    assert hours.session(datetime(2026, 11, 25, 16, 30, tzinfo=KST)) == "after_market"
    nvda = kis.stock("NVDA")
    assert nvda.trading_hours().session(US_MIDDAY) == "regular"
    assert nvda.trading_hours().session(datetime(2026, 11, 25, 11, 0, tzinfo=KST)) == "daytime"
    assert nvda.trading_hours().session(datetime(2026, 11, 26, 11, 0, tzinfo=KST)) == "closed"  # Thanksgiving
    assert (
        kis.trading_hours("SEHK").session(datetime(2026, 11, 25, 12, 30, tzinfo=ZoneInfo("Asia/Hong_Kong"))) == "lunch"
    )
    before = calls(emu)
    assert kis.is_trading_day("KRX", date(2026, 11, 25))
    assert calls(emu) - before == 1  # CTCA0903R
    assert not kis.is_trading_day("KRX", date(2026, 11, 28))
    assert calls(emu) - before == 1  # answered from the kept page
    assert not kis.is_trading_day("KRX", date(2026, 12, 25))
    assert not kis.is_trading_day("NYSE", date(2026, 11, 26))  # Thanksgiving, built in
    assert not kis.is_trading_day("TSE", date(2026, 11, 29))
    assert kis.is_trading_day("SEHK", date(2026, 11, 25))


def test_tick_and_lot_sizes(kis: PyKis) -> None:
    samsung, etf, nvda, penny, toyota = (kis.stock(s) for s in ("005930", "069500", "NVDA", "SENS", "7203"))
    assert samsung.tick_size(71000) == 100 and samsung.tick_size(1999) == 1 and samsung.lot_size == 1
    assert etf.tick_size(55000) == 5
    assert nvda.tick_size(Decimal("180.00")) == Decimal("0.01") and penny.tick_size("0.55") == Decimal("0.0001")
    assert toyota.lot_size == 100


def test_a_closed_market_shows_the_last_trading_day(kis: PyKis, emu: Emulator) -> None:
    emu.clock.set(SATURDAY)
    friday = emu.market.daily_bars("005930", date(2026, 11, 27), date(2026, 11, 27))[0]
    quote = kis.stock("005930").quote()
    assert quote.close == friday.close and quote.volume == friday.volume
    assert kis.trading_hours("KRX").session(emu.clock.now()) == "closed"
    chart = kis.stock("005930").chart("5d")
    assert chart.bars[-1].time.date() == date(2026, 11, 27)


# ---- 7. search ------------------------------------------------------------------------------------------


def test_search_by_name_and_code(kis: PyKis) -> None:
    samsung = kis.search("삼성")
    assert samsung[0].symbol == "005930" and {"006400", "207940"} <= {row.symbol for row in samsung}
    assert [row.symbol for row in kis.search("nvidia")] == ["NVDA"]
    assert kis.search("005930")[0].name == "삼성전자"
    assert [row.symbol for row in kis.search("도요타")] == ["7203"]
    assert {row.market for row in kis.search("a", markets=["NYSE"], limit=50)} == {"NYSE"}
    assert kis.search("없는종목이름") == []


# ---- asyncio --------------------------------------------------------------------------------------------


async def test_async_client_covers_the_same_ground(emu: Emulator, tokens: Path) -> None:
    async with AsyncPyKis(emu.real.auth, keep_token=tokens) as kis:
        await kis.token()
        samsung = await kis.stock("005930")
        assert type(samsung).__name__ == "AsyncKisStock" and samsung.market == "KRX"
        assert (await samsung.quote()).close == emu.market.quote("005930").price
        assert len((await samsung.orderbook()).asks) == 10
        chart = await samsung.chart(date(2025, 1, 1), date(2026, 11, 25))
        assert len(chart) == len(emu.market.trading_days("KRX", date(2025, 1, 1), date(2026, 11, 25)))
        emu.clock.set(US_MIDDAY)
        symbols = [*[i.symbol for i in UNIVERSE if i.domestic][:60], "NVDA", "KO", "SPY", "00700", "7203"]
        before = calls(emu)
        quotes = await kis.quotes(symbols)
        assert [quote.symbol for quote in quotes] == symbols
        assert calls(emu) - before == 2 + 5
        assert await kis.is_trading_day("KRX", date(2026, 11, 25))
        assert not await kis.is_trading_day("NASDAQ", date(2026, 11, 26))
        assert (await kis.search("엔비디아"))[0].symbol == "NVDA"
        with pytest.raises(KisNotFoundError):
            await kis.stock("ZZZZQ")
