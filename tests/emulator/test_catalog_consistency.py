"""The generic catalog answers (``pykis.emulator.endpoints.catalog``) over raw HTTP: rankings list different
instruments of the simulated market in ranked order, each with its own quote; daily lists are trading days
whose prices are the chart endpoint's bars; change, sign and rate of a row agree.

The emulator runs on a frozen clock: Monday 2026-11-30 11:00 KST, KRX mid-session, so the four latest
trading days span a weekend. One test moves it to the Monday after a KRX holiday.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from pykis.catalog import rest_apis
from pykis.emulator import Emulator
from tests.emulator.conftest import CHART_PATH, OVERSEAS_PRICE_PATH, PRICE_PATH, Wire, all_strings, envelope

KST = ZoneInfo("Asia/Seoul")
MONDAY = datetime(2026, 11, 30, 11, 0, tzinfo=KST)
# Monday 2026-10-12: Friday 10-09 (한글날) and Monday 10-05 are KRX holidays.
AFTER_HOLIDAY = datetime(2026, 10, 12, 11, 0, tzinfo=KST)

D = "/uapi/domestic-stock/v1/"
VOLUME_RANK = D + "quotations/volume-rank"
FLUCTUATION = D + "ranking/fluctuation"
MARKET_CAP = D + "ranking/market-cap"
INVESTOR = D + "quotations/inquire-investor"
INVESTOR_DAILY = D + "quotations/investor-trade-by-stock-daily"
PROGRAM_DAILY = D + "quotations/comp-program-trade-daily"
CCNL = D + "quotations/inquire-ccnl"
TIME_CHART = D + "quotations/inquire-time-itemchartprice"
TRADE_VOL = "/uapi/overseas-stock/v1/ranking/trade-vol"
UPDOWN = "/uapi/overseas-stock/v1/ranking/updown-rate"

CENT = Decimal("0.01")
ENTRIES = {str(entry["path"]): entry for entry in rest_apis()}


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    """Overrides the package fixture: a frozen clock and generous rate limits."""
    with Emulator(clock="frozen", start=MONDAY, real_rate=1000, virtual_rate=1000, realtime=False) as emu:
        yield emu


@pytest.fixture(autouse=True)
def monday(emulator: Emulator) -> None:
    emulator.clock.set(MONDAY)


# ---- helpers ---------------------------------------------------------------------------------------------


def call(real: Wire, path: str, **given: str) -> tuple[dict[str, Any], str]:
    """The first page of a catalogued API: every required field sent (empty unless given); (body, tr_cont)."""
    return send(real, path, given, continued=False)


def call_next(real: Wire, path: str, **given: str) -> tuple[dict[str, Any], str]:
    """The next page (``tr_cont: N``) of the same inquiry."""
    return send(real, path, given, continued=True)


def send(real: Wire, path: str, given: dict[str, str], *, continued: bool) -> tuple[dict[str, Any], str]:
    entry = ENTRIES[path]
    params = {str(p["name"]).upper(): "" for p in entry["params"] if p.get("required")}
    params.update({name.upper(): value for name, value in given.items()})
    tr_id = str(entry["tr_id"]["real"])
    response = real.get(path, tr_id, params, tr_cont="N") if continued else real.get(path, tr_id, params)
    body = envelope(response)
    assert response.status_code == 200 and body["rt_cd"] == "0", body
    assert all_strings({k: v for k, v in body.items() if k.startswith("output")})
    return body, response.headers["tr_cont"]


def rows(real: Wire, path: str, block: str, **given: str) -> list[dict[str, str]]:
    """Every row of a list block: both pages of a continued inquiry (F then E), or the only one."""
    body, tr_cont = call(real, path, **given)
    found: list[dict[str, str]] = list(body[block])
    if tr_cont == "F":
        more, last = call_next(real, path, **given)
        assert last == "E"
        found += more[block]
    else:
        assert tr_cont == "D"
    return found


def quote(real: Wire, symbol: str) -> dict[str, str]:
    body, _ = call(real, PRICE_PATH, FID_COND_MRKT_DIV_CODE="J", FID_INPUT_ISCD=symbol)
    output: dict[str, str] = body["output"]
    return output


def overseas_quote(real: Wire, excd: str, symbol: str) -> dict[str, str]:
    body, _ = call(real, OVERSEAS_PRICE_PATH, AUTH="", EXCD=excd, SYMB=symbol)
    output: dict[str, str] = body["output"]
    return output


def rate(change: Decimal, base: Decimal) -> Decimal:
    return (change * 100 / base).quantize(CENT, rounding=ROUND_HALF_UP)


def assert_change_agrees(row: dict[str, str], price: str) -> None:
    """prdy_vrss = price − previous close; its sign code and prdy_ctrt say the same."""
    now, change = Decimal(row[price]), Decimal(row["prdy_vrss"])
    sign = row["prdy_vrss_sign"]
    if change > 0:
        assert sign in ("1", "2"), row
    elif change < 0:
        assert sign in ("4", "5"), row
    else:
        assert sign == "3", row
    if "prdy_ctrt" in row:
        assert Decimal(row["prdy_ctrt"]) == rate(change, now - change), row


def volume_rank(real: Wire, market: str = "0000") -> list[dict[str, str]]:
    return rows(
        real, VOLUME_RANK, "output", FID_COND_MRKT_DIV_CODE="J", FID_COND_SCR_DIV_CODE="20171",
        FID_INPUT_ISCD=market, FID_DIV_CLS_CODE="0", FID_BLNG_CLS_CODE="0",
    )  # fmt: skip


def daily_dates(output: list[dict[str, str]], column: str = "stck_bsop_date") -> list[date]:
    return [datetime.strptime(row[column], "%Y%m%d").date() for row in output]


# ---- rankings --------------------------------------------------------------------------------------------


def test_volume_ranking_lists_distinct_instruments_by_volume_each_with_its_own_quote(
    real: Wire, emulator: Emulator
) -> None:
    ranked = volume_rank(real)
    symbols = [row["mksc_shrn_iscd"] for row in ranked]
    assert len(ranked) == 4 and len(set(symbols)) == 4
    assert [row["data_rank"] for row in ranked] == ["1", "2", "3", "4"]
    volumes = [int(row["acml_vol"]) for row in ranked]
    assert volumes == sorted(volumes, reverse=True) and volumes[-1] > 0
    for row in ranked:
        current = quote(real, row["mksc_shrn_iscd"])
        for column in ("stck_prpr", "prdy_vrss", "prdy_vrss_sign", "prdy_ctrt", "acml_vol", "acml_tr_pbmn"):
            assert row[column] == current[column], (row["mksc_shrn_iscd"], column)
        assert row["lstn_stcn"] == current["lstn_stcn"]
        instrument = emulator.market.instrument(row["mksc_shrn_iscd"])
        assert instrument is not None and row["hts_kor_isnm"] == instrument.name
        assert_change_agrees(row, "stck_prpr")
    # The top of the whole domestic market, not of some sample of it.
    now = emulator.clock.now()
    domestic = [emulator.market.quote_at(i, now) for i in emulator.market.instruments() if i.domestic]
    busiest = sorted(domestic, key=lambda q: (-q.volume, q.instrument.symbol))[:4]
    assert symbols == [q.instrument.symbol for q in busiest]


def test_a_domestic_ranking_answers_one_page(real: Wire) -> None:
    # The broker's documentation of the domestic rankings (quoted in examples_llm's exp_price_trend
    # docstring): "최대 30건 확인 가능하며, 다음 조회가 불가합니다" — no continuation.
    first, first_cont = call(real, VOLUME_RANK, FID_COND_MRKT_DIV_CODE="J", FID_INPUT_ISCD="0000")
    assert first_cont == "D"
    assert [r["data_rank"] for r in first["output"]] == ["1", "2", "3", "4"]


def test_a_ranking_ignores_an_instrument_in_its_market_field(real: Wire) -> None:
    # Clients (and the api suite) send 005930 where the ranking expects a market code: still a ranking.
    ranked = volume_rank(real, market="005930")
    assert len({row["mksc_shrn_iscd"] for row in ranked}) == 4


def test_fluctuation_ranking_of_kosdaq_sorts_by_rate_and_compares_with_the_open(real: Wire, emulator: Emulator) -> None:
    ranked = rows(
        real, FLUCTUATION, "output", fid_cond_mrkt_div_code="J", fid_cond_scr_div_code="20170",
        fid_input_iscd="1001", fid_rank_sort_cls_code="0000",
    )  # fmt: skip
    symbols = [row["stck_shrn_iscd"] for row in ranked]
    assert len(set(symbols)) == len(ranked) == 4
    for symbol in symbols:
        instrument = emulator.market.instrument(symbol)
        assert instrument is not None and instrument.market == "KOSDAQ"
    rates = [Decimal(row["prdy_ctrt"]) for row in ranked]
    assert rates == sorted(rates, reverse=True)
    for row in ranked:
        current = quote(real, row["stck_shrn_iscd"])
        assert row["stck_prpr"] == current["stck_prpr"] and row["stck_hgpr"] == current["stck_hgpr"]
        assert_change_agrees(row, "stck_prpr")
        price, opening = Decimal(row["stck_prpr"]), Decimal(current["stck_oprc"])
        assert Decimal(row["oprc_vrss_prpr"]) == price - opening
        assert Decimal(row["oprc_vrss_prpr_rate"]) == rate(price - opening, opening)
        expected = "2" if price > opening else "5" if price < opening else "3"
        assert row["oprc_vrss_prpr_sign"] == expected
        high = Decimal(row["stck_hgpr"])
        assert Decimal(row["hgpr_vrss_prpr_rate"]) == rate(price - high, high) <= 0


def test_market_cap_ranking_sorts_by_price_times_listed_shares(real: Wire, emulator: Emulator) -> None:
    ranked = rows(real, MARKET_CAP, "output", fid_cond_mrkt_div_code="J", fid_input_iscd="0001")
    caps = [Decimal(row["stck_prpr"]) * int(row["lstn_stcn"]) for row in ranked]
    assert len(ranked) == 4 and caps == sorted(caps, reverse=True)
    for row in ranked:
        instrument = emulator.market.instrument(row["mksc_shrn_iscd"])
        assert instrument is not None and instrument.market == "KOSPI"
        assert int(row["lstn_stcn"]) == instrument.listed_shares
        assert row["stck_prpr"] == quote(real, row["mksc_shrn_iscd"])["stck_prpr"]


def test_overseas_rankings_draw_from_the_requested_exchange(real: Wire, emulator: Emulator) -> None:
    for excd, market in (("NAS", "NASDAQ"), ("NYS", "NYSE")):
        body, _ = call(real, TRADE_VOL, EXCD=excd, NDAY="0", VOL_RANG="0")
        ranked: list[dict[str, str]] = list(body["output2"])
        more, _ = call_next(real, TRADE_VOL, EXCD=excd, NDAY="0", VOL_RANG="0")
        ranked += more["output2"]
        listed = [i for i in emulator.market.instruments() if i.market == market]
        assert len(ranked) == min(4, len(listed)) > 1
        assert body["output1"]["nrec"] == str(len(body["output2"]))
        symbols = [row["symb"] for row in ranked]
        assert len(set(symbols)) == len(symbols)
        assert set(symbols) <= {i.symbol for i in listed}
        volumes = [int(row["tvol"]) for row in ranked]
        assert volumes == sorted(volumes, reverse=True)
        assert [row["rank"] for row in ranked] == [str(n) for n in range(1, len(ranked) + 1)]
        for row in ranked:
            current = overseas_quote(real, excd, row["symb"])
            for column in ("last", "sign", "diff", "rate", "tvol", "rsym"):
                assert row[column] == current[column], (row["symb"], column)


def test_overseas_updown_ranking_follows_the_chosen_direction(real: Wire) -> None:
    def ranked(gubn: str) -> list[Decimal]:
        first, _ = call(real, UPDOWN, EXCD="NAS", NDAY="0", GUBN=gubn, VOL_RANG="0")
        second, _ = call_next(real, UPDOWN, EXCD="NAS", NDAY="0", GUBN=gubn, VOL_RANG="0")
        return [Decimal(row["rate"]) for row in first["output2"] + second["output2"]]

    rising, falling = ranked("1"), ranked("0")  # 1: 상승율, 0: 하락율
    assert rising == sorted(rising, reverse=True) and falling == sorted(falling)
    assert rising[0] >= falling[0] and rising != falling


# ---- daily lists -----------------------------------------------------------------------------------------


def chart_rows(real: Wire, symbol: str, start: date, end: date) -> dict[str, dict[str, str]]:
    body, _ = call(
        real, CHART_PATH, FID_COND_MRKT_DIV_CODE="J", FID_INPUT_ISCD=symbol, FID_INPUT_DATE_1=f"{start:%Y%m%d}",
        FID_INPUT_DATE_2=f"{end:%Y%m%d}", FID_PERIOD_DIV_CODE="D", FID_ORG_ADJ_PRC="0",
    )  # fmt: skip
    return {row["stck_bsop_date"]: row for row in body["output2"]}


def assert_consecutive_trading_days(emulator: Emulator, days: list[date]) -> None:
    assert days == sorted(set(days), reverse=True), days
    assert all(day.weekday() < 5 for day in days)
    # Every trading day between the oldest and the newest row is listed, and nothing else.
    assert emulator.market.trading_days("KRX", days[-1], days[0]) == sorted(days)


def test_daily_list_rows_are_trading_days_from_the_chart_bars(real: Wire, emulator: Emulator) -> None:
    daily: list[dict[str, str]] = call(real, INVESTOR, FID_COND_MRKT_DIV_CODE="J", FID_INPUT_ISCD="005930")[0]["output"]
    days = daily_dates(daily)
    assert len(days) == 4 and days[0] == MONDAY.date()
    assert date(2026, 11, 28) not in days and date(2026, 11, 29) not in days
    assert_consecutive_trading_days(emulator, days)
    chart = chart_rows(real, "005930", days[-1] - timedelta(days=10), days[0])
    for row in daily:
        bar = chart[row["stck_bsop_date"]]
        for column in ("stck_clpr", "prdy_vrss", "prdy_vrss_sign"):
            assert row[column] == bar[column], (row["stck_bsop_date"], column)
        assert_change_agrees(row, "stck_clpr")
    assert len({row["stck_clpr"] + row["prdy_vrss"] for row in daily}) > 1  # not today's quote repeated


def test_daily_list_ohlc_and_volume_come_from_each_days_bar(real: Wire) -> None:
    given = {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "000660", "FID_INPUT_DATE_1": f"{MONDAY:%Y%m%d}"}
    daily = rows(real, INVESTOR_DAILY, "output2", **given)
    days = daily_dates(daily)
    assert len(days) == 4 and days == sorted(set(days), reverse=True)
    chart = chart_rows(real, "000660", days[-1] - timedelta(days=10), days[0])
    columns = ("stck_clpr", "stck_oprc", "stck_hgpr", "stck_lwpr", "acml_vol", "acml_tr_pbmn", "prdy_vrss")
    for row in daily:
        bar = chart[row["stck_bsop_date"]]
        for column in columns:
            assert row[column] == bar[column], (row["stck_bsop_date"], column)
        assert_change_agrees(row, "stck_clpr")
        assert Decimal(row["stck_lwpr"]) <= Decimal(row["stck_clpr"]) <= Decimal(row["stck_hgpr"])
    # The summary block and today's row are the current quote.
    summary = call(real, INVESTOR_DAILY, **given)[0]["output1"]
    current = quote(real, "000660")
    for column in ("stck_prpr", "prdy_vrss", "prdy_vrss_sign", "prdy_ctrt", "acml_vol"):
        assert summary[column] == current[column], column
    assert daily[0]["stck_clpr"] == current["stck_prpr"] and daily[0]["acml_vol"] == current["acml_vol"]


def test_daily_lists_skip_holidays_with_or_without_an_instrument(real: Wire, emulator: Emulator) -> None:
    emulator.clock.set(AFTER_HOLIDAY)
    expected = [date(2026, 10, 12), date(2026, 10, 8), date(2026, 10, 7), date(2026, 10, 6)]
    daily = call(real, INVESTOR, FID_COND_MRKT_DIV_CODE="J", FID_INPUT_ISCD="005930")[0]["output"]
    assert daily_dates(daily) == expected
    market_wide = call(real, PROGRAM_DAILY, FID_COND_MRKT_DIV_CODE="J", FID_MRKT_CLS_CODE="K")[0]["output"]
    assert daily_dates(market_wide) == expected


# ---- intraday lists --------------------------------------------------------------------------------------


def test_intraday_list_rows_are_the_latest_minutes_of_the_day(real: Wire) -> None:
    ticks: list[dict[str, str]] = call(real, CCNL, FID_COND_MRKT_DIV_CODE="J", FID_INPUT_ISCD="005930")[0]["output"]
    hours = [row["stck_cntg_hour"] for row in ticks]
    assert len(ticks) == 4 and hours == sorted(set(hours), reverse=True) and hours[0] <= "110000"
    current = quote(real, "005930")
    for column in ("stck_prpr", "prdy_vrss", "prdy_vrss_sign", "prdy_ctrt"):
        assert ticks[0][column] == current[column], column
    minutes_body, _ = call(
        real, TIME_CHART, FID_COND_MRKT_DIV_CODE="J", FID_INPUT_ISCD="005930", FID_INPUT_HOUR_1="110000",
        FID_PW_DATA_INCU_YN="Y",
    )  # fmt: skip
    minutes = {row["stck_cntg_hour"][:4]: row for row in minutes_body["output2"]}
    for row in ticks:
        bar = minutes[row["stck_cntg_hour"][:4]]
        assert row["stck_prpr"] == bar["stck_prpr"] and row["cntg_vol"] == bar["cntg_vol"]
        assert_change_agrees(row, "stck_prpr")


# ---- every row, and determinism -------------------------------------------------------------------------


def test_generic_answers_are_deterministic_and_amounts_non_negative(real: Wire) -> None:
    requests = [
        (VOLUME_RANK, {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "0000"}),
        (INVESTOR_DAILY, {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930"}),
        (INVESTOR, {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "035720"}),
        (TRADE_VOL, {"EXCD": "NAS"}),
    ]
    for path, given in requests:
        first, again = call(real, path, **given)[0], call(real, path, **given)[0]
        assert first == again, path
        blocks = [first[name] for name in first if name.startswith("output")]
        for row in (row for block in blocks for row in (block if isinstance(block, list) else [block])):
            for column, value in row.items():
                if column.endswith(("_vol", "_qty", "_pbmn", "tvol", "tamt", "lstn_stcn")):
                    assert Decimal(value) >= 0, (path, column, value)


def test_a_moving_clock_moves_the_answer(real: Wire, emulator: Emulator) -> None:
    before = volume_rank(real)
    emulator.clock.advance(3600)
    after = volume_rank(real)
    assert [r["acml_vol"] for r in before] != [r["acml_vol"] for r in after]


def test_every_generic_ranking_row_agrees_with_itself(real: Wire) -> None:
    checked = 0
    for path in sorted(p for p in ENTRIES if p.startswith(D + "ranking/")):
        body, _ = call(real, path, FID_COND_MRKT_DIV_CODE="J", FID_INPUT_ISCD="0000")
        lists = [block for name, block in body.items() if name.startswith("output") and isinstance(block, list)]
        for row in (row for block in lists for row in block if "stck_prpr" in row):
            if {"prdy_vrss", "prdy_vrss_sign"} <= set(row):
                assert_change_agrees(row, "stck_prpr")
                checked += 1
    assert checked > 20
