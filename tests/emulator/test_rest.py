"""The REST surface over raw HTTP: quotes, charts and continuation paging, every value a string."""

from __future__ import annotations

import itertools
import re
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from pykis.catalog import rest_apis
from pykis.emulator import Emulator
from pykis.emulator.gateway import AppCredential
from pykis.emulator.rest import ApiRequest, paginate
from tests.emulator.conftest import (
    CHART_PATH,
    DAILY_PATH,
    HOLIDAY_PATH,
    OVERSEAS_DETAIL_PATH,
    OVERSEAS_PRICE_PATH,
    PRICE_PATH,
    PRICE_QUERY,
    Wire,
    all_strings,
    envelope,
)

KST = ZoneInfo("Asia/Seoul")
NUMBER = re.compile(r"-?\d+(\.\d+)?")


def columns(path: str) -> list[str]:
    (entry,) = [e for e in rest_apis() if e["path"] == path]
    return list(entry["columns"])


def success(body: dict[str, Any]) -> None:
    assert body["rt_cd"] == "0", body
    assert body["msg_cd"] == "MCA00000"
    assert body["msg1"] == "정상처리 되었습니다."


# --------------------------------------------------------------------------------------- current prices


def test_domestic_price_005930(real: Wire, virtual: Wire, emulator: Emulator) -> None:
    for wire in (real, virtual):
        body = envelope(wire.get(PRICE_PATH, "FHKST01010100", PRICE_QUERY))
        success(body)
        assert all_strings(body)
        out = body["output"]
        assert list(out) == columns(PRICE_PATH)  # every catalog column, in order
        quote = emulator.market.quote("005930")
        assert out["stck_shrn_iscd"] == "005930"
        assert NUMBER.fullmatch(out["stck_prpr"]) and "." not in out["stck_prpr"]
        assert abs(int(out["stck_prpr"]) - int(quote.price)) <= 10 * int(quote.tick)
        assert out["stck_sdpr"] == str(int(quote.prev_close))
        change = int(out["stck_prpr"]) - int(out["stck_sdpr"])
        assert out["prdy_vrss"] == str(change)
        assert out["prdy_vrss_sign"] == ("2" if change > 0 else "5" if change < 0 else "3") or out[
            "prdy_vrss_sign"
        ] in ("1", "4")
        assert re.fullmatch(r"-?\d+\.\d\d", out["prdy_ctrt"])
        assert re.fullmatch(r"\d{8}", out["w52_hgpr_date"])
        assert out["temp_stop_yn"] == "N"


def test_domestic_price_omits_a_missing_sector_name(real: Wire, emulator: Emulator) -> None:
    unnamed = [i for i in emulator.market.instruments() if i.domestic and i.sector_name is None and i.kind == "stock"]
    if not unnamed:
        pytest.skip("the universe has no domestic stock without a sector name")
    query = {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": unnamed[0].symbol}
    out = envelope(real.get(PRICE_PATH, "FHKST01010100", query))["output"]
    assert "bstp_kor_isnm" not in out


def test_domestic_price_refuses_an_unknown_or_overseas_symbol(real: Wire) -> None:
    for symbol in ("999999", "NVDA"):
        body = envelope(
            real.get(PRICE_PATH, "FHKST01010100", {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": symbol})
        )
        assert body == {"rt_cd": "1", "msg_cd": "MCA05918", "msg1": "종목코드 오류입니다."}


def test_overseas_price_nvda(real: Wire, virtual: Wire, emulator: Emulator) -> None:
    for wire in (real, virtual):
        body = envelope(wire.get(OVERSEAS_PRICE_PATH, "HHDFS00000300", {"AUTH": "", "EXCD": "NAS", "SYMB": "NVDA"}))
        success(body)
        assert all_strings(body)
        out = body["output"]
        assert list(out) == columns(OVERSEAS_PRICE_PATH)
        assert out["rsym"] == "DNASNVDA"
        assert out["zdiv"] == "4"
        assert re.fullmatch(r"\d+\.\d{4}", out["last"]) and re.fullmatch(r"\d+\.\d{4}", out["base"])
        assert re.fullmatch(r"\d+\.\d{4}", out["diff"])  # unsigned; the sign says which way
        last, base = float(out["last"]), float(out["base"])
        assert out["sign"] == ("2" if last > base else "5" if last < base else "3")
        assert float(out["rate"]) == pytest.approx((last - base) / base * 100, abs=0.006)
        assert base == float(emulator.market.quote("NVDA", market="NASDAQ").prev_close)


def test_overseas_price_of_an_unlisted_symbol_is_empty(real: Wire) -> None:
    for query in ({"EXCD": "NAS", "SYMB": "NOPE"}, {"EXCD": "NYS", "SYMB": "NVDA"}):
        body = envelope(real.get(OVERSEAS_PRICE_PATH, "HHDFS00000300", {"AUTH": "", **query}))
        success(body)
        assert set(body["output"].values()) == {""}
    bad = envelope(real.get(OVERSEAS_PRICE_PATH, "HHDFS00000300", {"AUTH": "", "EXCD": "XXX", "SYMB": "NVDA"}))
    assert bad == {"rt_cd": "2", "msg_cd": "OPSQ2001", "msg1": "ERROR INVALID EXCD"}


def test_overseas_price_detail(real: Wire) -> None:
    body = envelope(real.get(OVERSEAS_DETAIL_PATH, "HHDFS76200200", {"AUTH": "", "EXCD": "NAS", "SYMB": "NVDA"}))
    success(body)
    assert all_strings(body)
    out = body["output"]
    assert list(out) == columns(OVERSEAS_DETAIL_PATH)
    assert out["curr"] == "USD" and out["rsym"] == "DNASNVDA" and out["zdiv"] == "4"
    assert float(out["low"]) <= float(out["last"]) <= float(out["high"])
    assert int(out["t_xprc"]) == round(float(out["last"]) * float(out["t_rate"]))
    assert re.fullmatch(r"\d{8}", out["h52d"]) and float(out["h52p"]) >= float(out["last"])


# --------------------------------------------------------------------------------------- charts


def chart_query(start: str, end: str, period: str = "D") -> dict[str, str]:
    return {
        "FID_COND_MRKT_DIV_CODE": "J",
        "FID_INPUT_ISCD": "005930",
        "FID_INPUT_DATE_1": start,
        "FID_INPUT_DATE_2": end,
        "FID_PERIOD_DIV_CODE": period,
        "FID_ORG_ADJ_PRC": "0",
    }


def test_daily_chart_of_200_bars_over_two_calls(real: Wire, emulator: Emulator) -> None:
    today = emulator.clock.now().astimezone(KST).date()
    start = (today - timedelta(days=400)).strftime("%Y%m%d")
    end = today.strftime("%Y%m%d")
    bars: list[dict[str, str]] = []
    calls = 0
    while len(bars) < 200:
        body = envelope(real.get(CHART_PATH, "FHKST03010100", chart_query(start, end)))
        success(body)
        assert all_strings(body)
        calls += 1
        page = body["output2"]
        assert 0 < len(page) <= 100
        assert body["output1"]["stck_shrn_iscd"] == "005930"
        bars.extend(page)
        # The client moves the end date before the oldest bar it got (the API has no cursor).
        oldest = datetime.strptime(page[-1]["stck_bsop_date"], "%Y%m%d").date()
        end = (oldest - timedelta(days=1)).strftime("%Y%m%d")
    assert calls >= 2
    dates = [bar["stck_bsop_date"] for bar in bars]
    assert dates == sorted(dates, reverse=True) and len(set(dates)) == len(dates)  # newest first, no overlap
    for newer, older in itertools.pairwise(bars):
        assert int(newer["prdy_vrss"]) == int(newer["stck_clpr"]) - int(older["stck_clpr"])
    for bar in bars:
        assert int(bar["stck_lwpr"]) <= min(int(bar["stck_oprc"]), int(bar["stck_clpr"]))
        assert int(bar["stck_hgpr"]) >= max(int(bar["stck_oprc"]), int(bar["stck_clpr"]))


def test_chart_window_and_periods(real: Wire) -> None:
    body = envelope(real.get(CHART_PATH, "FHKST03010100", chart_query("20250106", "20250110")))
    assert [bar["stck_bsop_date"] for bar in body["output2"]][-1] >= "20250106"
    assert len(body["output2"]) <= 5
    weekly = envelope(real.get(CHART_PATH, "FHKST03010100", chart_query("20240101", "20241231", "W")))
    assert 40 <= len(weekly["output2"]) <= 53
    bad = envelope(real.get(CHART_PATH, "FHKST03010100", chart_query("2025-01-06", "20250110")))
    assert bad == {"rt_cd": "2", "msg_cd": "OPSQ2001", "msg1": "ERROR INVALID FID_INPUT_DATE_1"}


def test_inquire_daily_price_returns_the_latest_30(real: Wire) -> None:
    query = {**PRICE_QUERY, "FID_PERIOD_DIV_CODE": "D", "FID_ORG_ADJ_PRC": "1"}
    body = envelope(real.get(DAILY_PATH, "FHKST01010400", query))
    success(body)
    assert all_strings(body)
    rows = body["output"]
    assert len(rows) == 30
    assert list(rows[0]) == columns(DAILY_PATH)
    dates = [row["stck_bsop_date"] for row in rows]
    assert dates == sorted(dates, reverse=True)


# --------------------------------------------------------------------------------------- paging


def test_holiday_calendar_pages_with_tr_cont_and_cursors(real: Wire) -> None:
    query = {"BASS_DT": "20251201", "CTX_AREA_FK": "", "CTX_AREA_NK": ""}
    first = real.get(HOLIDAY_PATH, "CTCA0903R", query)
    assert first.headers["tr_cont"] == "F"
    body = envelope(first)
    success(body)
    rows = list(body["output"])
    assert rows[0]["bass_dt"] == "20251201" and rows[0]["wday_dvsn_cd"] == "02"  # a Monday
    headers_seen = ["F"]
    while headers_seen[-1] in ("F", "M"):
        # Cursors go back under the request fields of the same name, in either case.
        follow = {"BASS_DT": "20251201", "ctx_area_fk": body["ctx_area_fk"], "CTX_AREA_NK": body["ctx_area_nk"]}
        response = real.get(HOLIDAY_PATH, "CTCA0903R", follow, tr_cont="N")
        headers_seen.append(response.headers["tr_cont"])
        body = envelope(response)
        success(body)
        rows.extend(body["output"])
    assert headers_seen[-1] == "E" and set(headers_seen[1:-1]) <= {"M"}
    days = [row["bass_dt"] for row in rows]
    assert days[0] == "20251201" and days[-1] == "20261231"
    expected = (date(2026, 12, 31) - date(2025, 12, 1)).days + 1
    assert len(days) == len(set(days)) == expected


def test_holiday_calendar_without_tr_cont_starts_over(real: Wire) -> None:
    first = envelope(real.get(HOLIDAY_PATH, "CTCA0903R", {"BASS_DT": "20251201"}))
    again = real.get(
        HOLIDAY_PATH,
        "CTCA0903R",
        {"BASS_DT": "20251201", "CTX_AREA_FK": first["ctx_area_fk"], "CTX_AREA_NK": first["ctx_area_nk"]},
    )
    assert again.headers["tr_cont"] == "F"
    assert envelope(again)["output"][0]["bass_dt"] == "20251201"


def _request(params: dict[str, str], tr_cont: str = "") -> ApiRequest:
    app = AppCredential("real", "P" * 36, "s" * 180, "id", "12345678-01")
    return ApiRequest("real", "GET", "/x", "TR", "TR", params, {}, {}, app, None, tr_cont)


def test_paginate_helper() -> None:
    rows = list(range(250))
    first = paginate(rows, _request({}), page_size=100, query_key="Q")
    assert first.rows == list(range(100)) and first.tr_cont == "F" and first.more
    assert first.cursors["ctx_area_fk100"] == "Q".ljust(100)
    assert first.cursors["ctx_area_nk100"].strip() == "100" and len(first.cursors["ctx_area_nk100"]) == 100
    cursors = {k.upper(): v for k, v in first.cursors.items()}
    second = paginate(rows, _request(cursors, "N"), page_size=100, query_key="Q")
    assert second.rows == list(range(100, 200)) and second.tr_cont == "M"
    third = paginate(
        rows, _request({k.upper(): v for k, v in second.cursors.items()}, "N"), page_size=100, query_key="Q"
    )
    assert third.rows == list(range(200, 250)) and third.tr_cont == "E" and not third.more
    assert third.cursors["ctx_area_nk100"].strip() == ""
    only = paginate(rows[:10], _request({}), page_size=100, query_key="Q")
    assert only.tr_cont == "D" and only.rows == rows[:10]
    stale = paginate(rows, _request(cursors | {"CTX_AREA_FK100": "OTHER"}, "N"), page_size=100, query_key="Q")
    assert stale.rows[0] == 0 and stale.tr_cont == "M"
    wide = paginate(rows, _request({}), page_size=100, query_key="Q", cursor=("ctx_area_fk200", "ctx_area_nk200"))
    assert len(wide.cursors["ctx_area_fk200"]) == 200
