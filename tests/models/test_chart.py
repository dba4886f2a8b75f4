"""Chart rows: decoding real-shaped pages, blank padding rows, running amounts, batch quote rows."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import msgspec
from hypothesis import given
from hypothesis import strategies as st

from pykis.models.chart import (
    DomesticDailyBody,
    DomesticMinuteBody,
    KisChart,
    OverseasMinuteBody,
    aggregate,
    domestic_daily_bars,
    domestic_minute_bars,
    overseas_minute_bars,
)
from pykis.models.quote import DomesticMultiQuoteBody, domestic_multi_quote
from pykis.scopes.chart import _fold_years, _steps

KST = ZoneInfo("Asia/Seoul")
ET = ZoneInfo("America/New_York")

bars_strategy = st.lists(
    st.tuples(
        st.integers(1, 2_000_000),  # open
        st.integers(0, 50_000),  # up
        st.integers(0, 50_000),  # down
        st.integers(0, 10**9),  # volume
    ),
    min_size=1,
    max_size=60,
)


@given(bars_strategy)
def test_daily_rows_round_trip(raw: list[tuple[int, int, int, int]]) -> None:
    first = datetime(2020, 1, 1, tzinfo=KST)
    rows = []
    for index, (open_, up, down, volume) in enumerate(raw):
        day = first + timedelta(days=index)
        rows.append(
            {
                "stck_bsop_date": day.strftime("%Y%m%d"),
                "stck_oprc": str(open_),
                "stck_hgpr": str(open_ + up),
                "stck_lwpr": str(max(open_ - down, 1)),
                "stck_clpr": str(open_),
                "acml_vol": str(volume),
                "acml_tr_pbmn": str(volume * open_),
                "mod_yn": "N",
            }
        )
    rows.reverse()  # newest first, as sent
    body = json.dumps({"rt_cd": "0", "output1": {}, "output2": [*rows, {}]}).encode()  # a blank padding row
    bars = domestic_daily_bars(msgspec.json.decode(body, type=DomesticDailyBody), KST)
    assert len(bars) == len(raw)
    for bar, row in zip(bars, rows, strict=True):
        assert bar.time.strftime("%Y%m%d") == row["stck_bsop_date"] and bar.time.tzinfo is KST
        assert (bar.high, bar.volume, bar.amount) == (
            Decimal(row["stck_hgpr"]),
            int(row["acml_vol"]),
            Decimal(row["acml_tr_pbmn"]),
        )


def test_minute_rows_and_running_amounts() -> None:
    rows = [
        {"stck_bsop_date": "20261125", "stck_cntg_hour": "090200", "stck_prpr": "101", "stck_oprc": "100",
         "stck_hgpr": "102", "stck_lwpr": "99", "cntg_vol": "30", "acml_tr_pbmn": "6000"},
        {"stck_bsop_date": "20261125", "stck_cntg_hour": "090100", "stck_prpr": "100", "stck_oprc": "100",
         "stck_hgpr": "100", "stck_lwpr": "100", "cntg_vol": "20", "acml_tr_pbmn": "3000"},
        {"stck_bsop_date": "20261125", "stck_cntg_hour": "090000", "stck_prpr": "100", "stck_oprc": "100",
         "stck_hgpr": "100", "stck_lwpr": "100", "cntg_vol": "10", "acml_tr_pbmn": "1000"},
        {"stck_bsop_date": "20261124", "stck_cntg_hour": "152900", "stck_prpr": "99", "stck_oprc": "99",
         "stck_hgpr": "99", "stck_lwpr": "99", "cntg_vol": "5", "acml_tr_pbmn": "90000"},
        {"stck_bsop_date": "", "stck_cntg_hour": ""},
    ]  # fmt: skip
    body = msgspec.json.decode(json.dumps({"output2": rows}).encode(), type=DomesticMinuteBody)
    bars = _steps(sorted(domestic_minute_bars(body, KST), key=lambda bar: bar.time))
    assert [bar.amount for bar in bars] == [90000, 1000, 2000, 3000]  # steps, restarting each day
    assert [bar.time.strftime("%d %H:%M") for bar in bars] == ["24 15:29", "25 09:00", "25 09:01", "25 09:02"]
    (three,) = aggregate(bars[1:], 3)
    assert (three.open, three.high, three.low, three.close, three.volume) == (
        Decimal(100),
        Decimal(102),
        Decimal(99),
        Decimal(101),
        60,
    )


def test_overseas_minute_page_and_its_next_flag() -> None:
    text = {
        "output1": {"next": "1", "more": "1"},
        "output2": [{"xymd": "20261125", "xhms": "105900", "open": "1.5", "high": "1.6", "low": "1.4",
                     "last": "1.55", "evol": "7", "eamt": "10"}],
    }  # fmt: skip
    body = msgspec.json.decode(json.dumps(text).encode(), type=OverseasMinuteBody)
    assert body.output1 is not None and body.output1.next == "1"
    (bar,) = overseas_minute_bars(body, ET)
    assert bar.time == datetime(2026, 11, 25, 10, 59, tzinfo=ET) and bar.close == Decimal("1.55")
    empty = msgspec.json.decode(b'{"rt_cd": "0"}', type=OverseasMinuteBody)
    assert overseas_minute_bars(empty, ET) == []


def test_monthly_bars_fold_into_years_and_the_chart_repr_is_short() -> None:
    text = [
        {"stck_bsop_date": f"2025{month:02d}01", "stck_oprc": str(month), "stck_hgpr": str(month + 10),
         "stck_lwpr": "1", "stck_clpr": str(month + 1), "acml_vol": "1", "acml_tr_pbmn": "2"}
        for month in range(1, 13)
    ]  # fmt: skip
    months = domestic_daily_bars(msgspec.convert({"output2": text}, DomesticDailyBody), KST)
    (year,) = list(_fold_years(months))
    assert (year.open, year.high, year.close, year.volume, year.amount) == (
        Decimal(1),
        Decimal(22),
        Decimal(13),
        12,
        Decimal(24),
    )
    chart = KisChart(symbol="005930", market="KRX", period="month", interval=0, bars=tuple(months))
    assert repr(chart) == (
        "KisChart(symbol='005930', market='KRX', period='month', bars=12, "
        "from='2025-01-01T00:00:00+09:00', to='2025-12-01T00:00:00+09:00', close=13)"
    )


def test_batch_quote_row_with_missing_fields() -> None:
    body = msgspec.json.decode(
        json.dumps(
            {
                "output": [
                    {"inter_shrn_iscd": "005930", "inter_kor_isnm": "삼성전자", "inter2_prpr": "71000",
                     "inter2_prdy_vrss": "-800", "acml_vol": "15", "inter2_prdy_clpr": "71800"},
                    {"inter_shrn_iscd": "024810", "inter2_prpr": "300", "mrkt_trtm_cls_name": "거래정지"},
                ]
            }
        ).encode(),
        type=DomesticMultiQuoteBody,
    )  # fmt: skip
    now = datetime(2026, 11, 25, 11, tzinfo=KST)
    first = domestic_multi_quote(body.output[0], symbol="005930", market="KRX", name="?", time=now)
    assert (first.name, first.close, first.prev_close, first.tick, first.upper_limit) == (
        "삼성전자",
        Decimal(71000),
        Decimal(71800),
        Decimal(100),
        None,
    )
    assert first.indicator is None and first.market_cap is None and first.sector_name is None
    halted = domestic_multi_quote(body.output[1], symbol="024810", market="KRX", name="이화전기", time=now)
    assert halted.halt and halted.name == "이화전기" and halted.open == 0
    assert "indicator=None" in repr(halted) and "E+" not in repr(first)
