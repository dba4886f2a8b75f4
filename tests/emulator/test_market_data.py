"""Market-data endpoints over raw HTTP, written from rest.json: order books, minute charts, after-hours and
batch quotes, overseas period/minute charts, product-info inquiries, daytime EXCD codes and the master files.

The emulator runs on a frozen clock (a Wednesday, KRX mid-session), so every figure can be cross-checked
against the current-price inquiry of the same instant.
"""

from __future__ import annotations

import io
import itertools
import zipfile
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from pykis.catalog import rest_apis
from pykis.emulator import Emulator
from tests.emulator.conftest import (
    OVERSEAS_DETAIL_PATH,
    OVERSEAS_PRICE_PATH,
    PRICE_PATH,
    Wire,
    all_strings,
    envelope,
)

KST = ZoneInfo("Asia/Seoul")
ET = ZoneInfo("America/New_York")
# Wednesday 2026-11-25 11:00 KST: KRX regular session; US closed (Tuesday 21:00 ET).
KRX_MIDDAY = datetime(2026, 11, 25, 11, 0, tzinfo=KST)
# Wednesday 2026-11-25 11:00 ET: US regular session.
US_MIDDAY = datetime(2026, 11, 25, 11, 0, tzinfo=ET)

D = "/uapi/domestic-stock/v1/quotations/"
OVERSEAS = "/uapi/overseas-price/v1/quotations/"
ASKING = D + "inquire-asking-price-exp-ccn"
TIME_CHART = D + "inquire-time-itemchartprice"
TIME_DAILY = D + "inquire-time-dailychartprice"
OVERTIME = D + "inquire-overtime-price"
MULTI = D + "intstock-multprice"
STOCK_INFO = D + "search-stock-info"
O_ASKING = OVERSEAS + "inquire-asking-price"
O_DAILY = OVERSEAS + "dailyprice"
O_MINUTES = OVERSEAS + "inquire-time-itemchartprice"
O_INFO = OVERSEAS + "search-info"


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    """Overrides the package fixture: a frozen clock and generous rate limits."""
    with Emulator(clock="frozen", start=KRX_MIDDAY, real_rate=1000, virtual_rate=1000) as emu:
        yield emu


@pytest.fixture(autouse=True)
def midday(emulator: Emulator) -> None:
    emulator.clock.set(KRX_MIDDAY)


def catalog(path: str) -> dict[str, Any]:
    (entry,) = [e for e in rest_apis() if e["path"] == path]
    return entry


def ok(response: httpx.Response) -> dict[str, Any]:
    body = envelope(response)
    assert response.status_code == 200, body
    assert body["rt_cd"] == "0", body
    assert all_strings({k: v for k, v in body.items() if k.startswith("output")})
    return body


def price(real: Wire, symbol: str, division: str = "J") -> dict[str, str]:
    body = ok(real.get(PRICE_PATH, "FHKST01010100", {"FID_COND_MRKT_DIV_CODE": division, "FID_INPUT_ISCD": symbol}))
    output: dict[str, str] = body["output"]
    return output


def time_chart(real: Wire, symbol: str, hour: str, wire_tr: str = "FHKST03010200") -> list[dict[str, str]]:
    params = {
        "FID_COND_MRKT_DIV_CODE": "J",
        "FID_INPUT_ISCD": symbol,
        "FID_INPUT_HOUR_1": hour,
        "FID_PW_DATA_INCU_YN": "Y",
        "FID_ETC_CLS_CODE": "",
    }
    rows: list[dict[str, str]] = ok(real.get(TIME_CHART, wire_tr, params))["output2"]
    return rows


# ---- FHKST01010200 order book ---------------------------------------------------------------------------


def test_orderbook_has_ten_levels_totals_and_the_acceptance_time(real: Wire) -> None:
    body = ok(real.get(ASKING, "FHKST01010200", {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930"}))
    book, expected = body["output1"], body["output2"]
    columns = set(catalog(ASKING)["columns"])
    assert set(book) | set(expected) == columns
    asks = [int(book[f"askp{i}"]) for i in range(1, 11)]
    bids = [int(book[f"bidp{i}"]) for i in range(1, 11)]
    assert asks == sorted(asks) and len(set(asks)) == 10
    assert bids == sorted(bids, reverse=True) and len(set(bids)) == 10
    quote = price(real, "005930")
    assert asks[0] - bids[0] == int(quote["aspr_unit"])
    assert bids[0] == int(quote["stck_prpr"]) == int(expected["stck_prpr"])
    assert int(book["total_askp_rsqn"]) == sum(int(book[f"askp_rsqn{i}"]) for i in range(1, 11))
    assert int(book["total_bidp_rsqn"]) == sum(int(book[f"bidp_rsqn{i}"]) for i in range(1, 11))
    assert book["aspr_acpt_hour"] == "110000"
    assert expected["antc_cnpr"] == "0"  # no auction at 11:00


def test_orderbook_of_a_halted_stock_is_empty(real: Wire) -> None:
    book = ok(real.get(ASKING, "FHKST01010200", {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "024810"}))
    assert {book["output1"][f"askp{i}"] for i in range(1, 11)} == {"0"}
    assert book["output1"]["total_bidp_rsqn"] == "0"


@pytest.mark.parametrize("division", ["NX", "UN"])
def test_nxt_and_integrated_codes_are_served(real: Wire, division: str) -> None:
    assert price(real, "005930", division)["stck_prpr"] == price(real, "005930")["stck_prpr"]
    book = ok(real.get(ASKING, "FHKST01010200", {"FID_COND_MRKT_DIV_CODE": division, "FID_INPUT_ISCD": "005930"}))
    assert int(book["output1"]["askp1"]) > 0


def test_an_unknown_market_code_is_refused(real: Wire) -> None:
    body = envelope(real.get(ASKING, "FHKST01010200", {"FID_COND_MRKT_DIV_CODE": "X", "FID_INPUT_ISCD": "005930"}))
    assert (body["rt_cd"], body["msg_cd"]) == ("2", "OPSQ2001")
    assert "FID_COND_MRKT_DIV_CODE" in body["msg1"]


# ---- minute charts --------------------------------------------------------------------------------------


def test_today_minute_bars_come_thirty_at_a_time_back_from_the_hour(real: Wire) -> None:
    rows = time_chart(real, "005930", "100000")
    assert len(rows) == 30
    hours = [row["stck_cntg_hour"] for row in rows]
    assert hours[0] == "100000" and hours[-1] == "093100"
    assert hours == sorted(hours, reverse=True)
    assert {row["stck_bsop_date"] for row in rows} == {"20261125"}
    amounts = [int(row["acml_tr_pbmn"]) for row in reversed(rows)]
    assert amounts == sorted(amounts)  # running total


def test_minute_bars_page_back_by_moving_the_hour(real: Wire) -> None:
    seen: list[str] = []
    hour = "105900"
    for _ in range(5):
        rows = time_chart(real, "005930", hour)
        if not rows:
            break
        seen += [row["stck_cntg_hour"] for row in rows]
        oldest = datetime.strptime(rows[-1]["stck_cntg_hour"], "%H%M%S")
        hour = (oldest - timedelta(minutes=1)).strftime("%H%M%S")
    assert len(seen) == len(set(seen)) == 120  # 09:00 … 10:59, four full pages, then nothing before the open
    assert seen[-1] == "090000"


def test_the_days_minute_bars_add_up_to_the_quote(real: Wire) -> None:
    """120 bars from 09:00 to 10:59 cover the session so far: volume, range, open and last price agree."""
    params = {
        "FID_COND_MRKT_DIV_CODE": "J",
        "FID_INPUT_ISCD": "005930",
        "FID_INPUT_HOUR_1": "110000",
        "FID_INPUT_DATE_1": "20261125",
    }
    body = ok(real.get(TIME_DAILY, "FHKST03010230", params))
    rows = body["output2"]
    assert len(rows) == 120
    assert {row["stck_bsop_date"] for row in rows} == {"20261125"}
    quote = price(real, "005930")
    assert sum(int(row["cntg_vol"]) for row in rows) == int(quote["acml_vol"]) == int(body["output1"]["acml_vol"])
    assert max(int(row["stck_hgpr"]) for row in rows) == int(quote["stck_hgpr"])
    assert min(int(row["stck_lwpr"]) for row in rows) == int(quote["stck_lwpr"])
    assert rows[-1]["stck_oprc"] == quote["stck_oprc"]
    assert rows[0]["stck_prpr"] == quote["stck_prpr"]
    assert int(rows[0]["acml_tr_pbmn"]) == int(quote["acml_tr_pbmn"])


def test_daily_minute_chart_crosses_into_the_previous_trading_day(real: Wire) -> None:
    params = {
        "FID_COND_MRKT_DIV_CODE": "J",
        "FID_INPUT_ISCD": "005930",
        "FID_INPUT_HOUR_1": "093000",
        "FID_INPUT_DATE_1": "20261125",
    }
    rows = ok(real.get(TIME_DAILY, "FHKST03010230", params))["output2"]
    assert len(rows) == 120
    assert rows[0]["stck_bsop_date"] == "20261125" and rows[0]["stck_cntg_hour"] == "093000"
    assert rows[-1]["stck_bsop_date"] == "20261124"  # Tuesday's close
    assert rows[30]["stck_cntg_hour"] == "090000"  # 09:00 … 09:30 today, then Tuesday's last minute
    assert (rows[31]["stck_bsop_date"], rows[31]["stck_cntg_hour"]) == ("20261124", "152900")


def test_daily_minute_chart_is_real_only(virtual: Wire) -> None:
    params = {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930", "FID_INPUT_HOUR_1": "093000"}
    params["FID_INPUT_DATE_1"] = "20261125"
    response = virtual.get(TIME_DAILY, "FHKST03010230", params)
    assert response.status_code == 500 and envelope(response)["msg_cd"] == "EGW02006"
    # The today-only chart is offered in virtual.
    assert len(time_chart(virtual, "005930", "100000")) == 30


def test_a_halted_stock_has_no_minute_bars(real: Wire) -> None:
    assert time_chart(real, "024810", "110000") == []


# ---- FHPST02300000 after-hours ---------------------------------------------------------------------------


def test_after_hours_price_sits_inside_its_limits(real: Wire) -> None:
    body = ok(real.get(OVERTIME, "FHPST02300000", {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930"}))
    out = body["output"]
    assert set(out) == set(catalog(OVERTIME)["columns"])
    regular = price(real, "005930")
    assert out["ovtm_untp_sdpr"] == regular["stck_prpr"]
    assert int(out["ovtm_untp_llam"]) <= int(out["ovtm_untp_prpr"]) <= int(out["ovtm_untp_mxpr"])
    assert int(out["ovtm_untp_prpr"]) - int(out["ovtm_untp_prdy_vrss"]) == int(regular["stck_sdpr"])
    missing = ok(real.get(OVERTIME, "FHPST02300000", {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "002170"}))
    assert "bstp_kor_isnm" not in missing["output"]
    halted = ok(real.get(OVERTIME, "FHPST02300000", {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "024810"}))
    assert halted["output"]["trht_yn"] == "Y" and halted["output"]["ovtm_untp_vol"] == "0"


# ---- FHKST11300006 batch quotes ---------------------------------------------------------------------------


def test_batch_quote_answers_thirty_symbols_in_order(real: Wire, emulator: Emulator) -> None:
    symbols = [i.symbol for i in emulator.market.instruments() if i.domestic and i.kind == "stock"][:31]
    params: dict[str, str] = {}
    for index, symbol in enumerate(symbols, start=1):
        params[f"FID_COND_MRKT_DIV_CODE_{index}"] = "J"
        params[f"FID_INPUT_ISCD_{index}"] = symbol
    rows = ok(real.get(MULTI, "FHKST11300006", params))["output"]
    assert [row["inter_shrn_iscd"] for row in rows] == symbols[:30]  # the 31st pair is not part of the API
    assert set(rows[0]) == set(catalog(MULTI)["columns"])
    for row in rows[:3]:
        single = price(real, row["inter_shrn_iscd"])
        assert row["inter2_prpr"] == single["stck_prpr"]
        assert row["acml_vol"] == single["acml_vol"]
        assert row["inter2_mxpr"] == single["stck_mxpr"]
    by_code = {row["inter_shrn_iscd"]: row for row in rows}
    assert by_code["024810"]["mrkt_trtm_cls_name"] == "거래정지"


def test_batch_quote_needs_the_first_pair_and_valid_codes(real: Wire, virtual: Wire) -> None:
    body = envelope(real.get(MULTI, "FHKST11300006", {"FID_COND_MRKT_DIV_CODE_1": "J"}))
    assert (body["rt_cd"], body["msg_cd"]) == ("2", "OPSQ2001") and "FID_INPUT_ISCD_1" in body["msg1"]
    params = {"FID_COND_MRKT_DIV_CODE_1": "J", "FID_INPUT_ISCD_1": "005930"}
    params |= {"FID_COND_MRKT_DIV_CODE_2": "Z", "FID_INPUT_ISCD_2": "000660"}
    assert "FID_COND_MRKT_DIV_CODE_2" in envelope(real.get(MULTI, "FHKST11300006", params))["msg1"]
    refused = virtual.get(MULTI, "FHKST11300006", {"FID_COND_MRKT_DIV_CODE_1": "J", "FID_INPUT_ISCD_1": "005930"})
    assert envelope(refused)["msg_cd"] == "EGW02006"


# ---- product info ----------------------------------------------------------------------------------------


def test_domestic_product_info(real: Wire) -> None:
    out = ok(real.get(STOCK_INFO, "CTPF1002R", {"PRDT_TYPE_CD": "300", "PDNO": "005930"}))["output"]
    assert set(out) == set(catalog(STOCK_INFO)["columns"])
    assert (out["prdt_abrv_name"], out["std_pdno"], out["mket_id_cd"]) == ("삼성전자", "KR7005930003", "STK")
    kosdaq = ok(real.get(STOCK_INFO, "CTPF1002R", {"PRDT_TYPE_CD": "300", "PDNO": "247540"}))["output"]
    assert kosdaq["mket_id_cd"] == "KSQ"
    assert (
        ok(real.get(STOCK_INFO, "CTPF1002R", {"PRDT_TYPE_CD": "300", "PDNO": "024810"}))["output"]["tr_stop_yn"] == "Y"
    )
    unknown = ok(real.get(STOCK_INFO, "CTPF1002R", {"PRDT_TYPE_CD": "300", "PDNO": "999999"}))["output"]
    assert unknown["prdt_abrv_name"] == "" and unknown["std_pdno"] == ""


def test_overseas_product_info_names_the_listing_exchange(real: Wire) -> None:
    out = ok(real.get(O_INFO, "CTPF1702R", {"PRDT_TYPE_CD": "512", "PDNO": "NVDA"}))["output"]
    assert set(out) == set(catalog(O_INFO)["columns"])
    assert (out["lstg_yn"], out["ovrs_excg_cd"], out["tr_crcy_cd"]) == ("Y", "NASD", "USD")
    assert out["std_pdno"].startswith("US") and len(out["std_pdno"]) == 12
    # NVDA is not listed on NYSE: blank columns, not an error.
    assert ok(real.get(O_INFO, "CTPF1702R", {"PRDT_TYPE_CD": "513", "PDNO": "NVDA"}))["output"]["std_pdno"] == ""
    toyota = ok(real.get(O_INFO, "CTPF1702R", {"PRDT_TYPE_CD": "515", "PDNO": "7203"}))["output"]
    assert (toyota["ovrs_excg_cd"], toyota["buy_unit_qty"]) == ("TKSE", "100")
    bad = envelope(real.get(O_INFO, "CTPF1702R", {"PRDT_TYPE_CD": "999", "PDNO": "NVDA"}))
    assert bad["rt_cd"] == "2"


# ---- overseas order book, daily and minute charts, daytime codes --------------------------------------------


def test_overseas_orderbook_levels(real: Wire, emulator: Emulator) -> None:
    emulator.clock.set(US_MIDDAY)
    body = ok(real.get(O_ASKING, "HHDFS76200100", {"AUTH": "", "EXCD": "NAS", "SYMB": "NVDA"}))
    summary, levels = body["output1"], body["output2"]
    assert set(summary) | set(levels) | set(body["output3"]) >= set(catalog(O_ASKING)["columns"])
    asks = [float(levels[f"pask{i}"]) for i in range(1, 11)]
    bids = [float(levels[f"pbid{i}"]) for i in range(1, 11)]
    assert asks == sorted(asks) and bids == sorted(bids, reverse=True) and bids[0] < asks[0]
    assert int(summary["avol"]) == sum(int(levels[f"vask{i}"]) for i in range(1, 11))
    assert (summary["dymd"], summary["dhms"]) == ("20261125", "110000")  # exchange-local time
    tokyo = ok(real.get(O_ASKING, "HHDFS76200100", {"AUTH": "", "EXCD": "TSE", "SYMB": "7203"}))["output2"]
    assert "pbid1" in tokyo and "pbid2" not in tokyo
    assert int(tokyo["vbid1"]) % 100 == 0  # whole lots
    unknown = ok(real.get(O_ASKING, "HHDFS76200100", {"AUTH": "", "EXCD": "NAS", "SYMB": "ZZZZ"}))
    assert unknown["output1"]["last"] == ""


def overseas_daily(real: Wire, bymd: str, gubn: str = "0", symbol: str = "NVDA") -> list[dict[str, str]]:
    params = {"AUTH": "", "EXCD": "NAS", "SYMB": symbol, "GUBN": gubn, "BYMD": bymd, "MODP": "1"}
    rows: list[dict[str, str]] = ok(real.get(O_DAILY, "HHDFS76240000", params))["output2"]
    return rows


def test_overseas_daily_bars_page_back_by_bymd(real: Wire, emulator: Emulator) -> None:
    emulator.clock.set(US_MIDDAY)
    seen: list[str] = []
    bymd = ""
    for _ in range(3):
        rows = overseas_daily(real, bymd)
        assert len(rows) == 100
        dates = [row["xymd"] for row in rows]
        assert dates == sorted(dates, reverse=True)
        seen += dates
        bymd = (datetime.strptime(dates[-1], "%Y%m%d") - timedelta(days=1)).strftime("%Y%m%d")
    assert len(seen) == len(set(seen)) == 300
    assert "20261126" not in seen and "20261127" not in seen  # Thanksgiving, and the future
    assert seen[0] == "20261125"
    detail = ok(real.get(OVERSEAS_DETAIL_PATH, "HHDFS76200200", {"AUTH": "", "EXCD": "NAS", "SYMB": "NVDA"}))
    assert overseas_daily(real, "")[0]["clos"] == detail["output"]["last"]


def test_overseas_weekly_and_monthly_bars(real: Wire) -> None:
    weeks = [datetime.strptime(row["xymd"], "%Y%m%d") for row in overseas_daily(real, "20261120", "1")]
    months = [row["xymd"][:6] for row in overseas_daily(real, "20261120", "2")]
    # One bar per ISO week, stamped at the week's first trading day.
    assert len(weeks) == len({week.isocalendar()[:2] for week in weeks}) == 100
    assert all(3 <= (a - b).days <= 11 for a, b in itertools.pairwise(weeks))
    assert len(months) == 100 and len(set(months)) == 100
    bad = envelope(real.get(O_DAILY, "HHDFS76240000", {"EXCD": "NAS", "SYMB": "NVDA", "GUBN": "7", "MODP": "0"}))
    assert bad["rt_cd"] == "2"


def overseas_minutes(real: Wire, keyb: str = "", nmin: str = "1", nrec: str = "120") -> dict[str, Any]:
    params = {
        "AUTH": "",
        "EXCD": "NAS",
        "SYMB": "NVDA",
        "NMIN": nmin,
        "PINC": "1",
        "NEXT": "1" if keyb else "",
        "NREC": nrec,
        "FILL": "",
        "KEYB": keyb,
    }
    return ok(real.get(O_MINUTES, "HHDFS76950200", params))


def test_overseas_minute_bars_page_with_next_and_keyb(real: Wire, emulator: Emulator) -> None:
    emulator.clock.set(US_MIDDAY)
    stamps: list[str] = []
    keyb = ""
    for _ in range(3):
        body = overseas_minutes(real, keyb)
        rows = body["output2"]
        assert len(rows) == 120 and body["output1"]["next"] == "1"
        stamps += [row["xymd"] + row["xhms"] for row in rows]
        oldest = datetime.strptime(stamps[-1], "%Y%m%d%H%M%S")
        keyb = (oldest - timedelta(minutes=1)).strftime("%Y%m%d%H%M%S")
    assert len(stamps) == len(set(stamps)) == 360
    assert stamps == sorted(stamps, reverse=True)
    assert stamps[0] == "20261125105900"  # 10:59 ET is the last minute begun by 11:00
    assert any(stamp.startswith("20261124") for stamp in stamps)  # PINC 1 reaches into Tuesday
    first = overseas_minutes(real)["output2"][0]
    assert (first["kymd"], first["khms"]) == ("20261126", "005900")  # the same minute in Korea


def test_overseas_minute_intervals_and_limits(real: Wire, emulator: Emulator) -> None:
    emulator.clock.set(US_MIDDAY)
    rows = overseas_minutes(real, nmin="5", nrec="10")["output2"]
    times = [datetime.strptime(row["xymd"] + row["xhms"], "%Y%m%d%H%M%S") for row in rows]
    assert len(rows) == 10 and all((a - b) == timedelta(minutes=5) for a, b in itertools.pairwise(times))
    params = {"AUTH": "", "EXCD": "NAS", "SYMB": "NVDA", "NMIN": "1", "PINC": "1", "NREC": "121"}
    assert envelope(real.get(O_MINUTES, "HHDFS76950200", params))["rt_cd"] == "2"


@pytest.mark.parametrize(("daytime", "regular"), [("BAQ", "NAS"), ("BAY", "NYS"), ("BAA", "AMS")])
def test_daytime_exchange_codes_quote_the_us_listing(real: Wire, daytime: str, regular: str) -> None:
    symbol = {"NAS": "NVDA", "NYS": "KO", "AMS": "SPY"}[regular]
    for path, tr_id in ((OVERSEAS_PRICE_PATH, "HHDFS00000300"), (OVERSEAS_DETAIL_PATH, "HHDFS76200200")):
        day = ok(real.get(path, tr_id, {"AUTH": "", "EXCD": daytime, "SYMB": symbol}))["output"]
        night = ok(real.get(path, tr_id, {"AUTH": "", "EXCD": regular, "SYMB": symbol}))["output"]
        assert day["rsym"] == f"D{daytime}{symbol}"
        assert day["last"] == night["last"] != ""


# ---- master files -----------------------------------------------------------------------------------------


def test_master_files_are_served_zipped_without_auth(emulator: Emulator, http: httpx.Client) -> None:
    response = http.get(f"{emulator.real.rest_url}/common/master/nasmst.cod.zip")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        (name,) = archive.namelist()
        text = archive.read(name).decode("cp949")
    assert name == "nasmst.cod"
    rows = [line.split("\t") for line in text.splitlines()]
    assert all(len(row) == 24 for row in rows)
    assert "NVDA" in {row[4] for row in rows}
    kospi = http.get(f"{emulator.real.rest_url}/common/master/kospi_code.mst.zip")
    with zipfile.ZipFile(io.BytesIO(kospi.content)) as archive:
        lines = archive.read("kospi_code.mst").decode("cp949").splitlines(keepends=True)
    assert all(len(line) - 228 > 21 for line in lines)  # head + name + the 228-character tail
    assert any(line.startswith("005930   KR7005930003삼성전자") for line in lines)
    assert http.get(f"{emulator.real.rest_url}/common/master/nothing.zip").status_code == 404
