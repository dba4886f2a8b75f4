"""Quote models: decoding real-shaped bodies, optional fields, plain-number reprs."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pykis.models._base import dec, dec_or_none, render, yyyymmdd
from pykis.models.quote import DomesticQuoteBody, ForeignQuoteBody, KisDomesticQuote, domestic_quote, foreign_quote

KST = ZoneInfo("Asia/Seoul")
NOW = datetime(2024, 8, 2, 13, 50, tzinfo=KST)


def domestic_body(**changes: str | None) -> bytes:
    output: dict[str, str | None] = {
        "stck_shrn_iscd": "005930",
        "stck_prpr": "71000",
        "prdy_vrss": "-800",
        "stck_oprc": "71500",
        "stck_hgpr": "72000",
        "stck_lwpr": "70500",
        "stck_mxpr": "93300",
        "stck_llam": "50300",
        "acml_vol": "15312345",
        "acml_tr_pbmn": "1089123456789",
        "hts_avls": "4238621",
        "bstp_kor_isnm": "전기.전자",
        "eps": "2131.00",
        "bps": "52002.00",
        "per": "33.32",
        "pbr": "1.37",
        "w52_hgpr": "88800",
        "w52_lwpr": "49900",
        "w52_hgpr_date": "20240711",
        "w52_lwpr_date": "20231101",
        "aspr_unit": "100",
        "hts_deal_qty_unit_val": "1",
        "temp_stop_yn": "N",
        "iscd_stat_cls_code": "55",
        "mrkt_warn_cls_code": "00",
        "short_over_yn": "N",
        "unknown_new_field": "whatever",
    }
    for key, value in changes.items():
        if value is None:
            output.pop(key, None)
        else:
            output[key] = value
    return json.dumps({"rt_cd": "0", "msg_cd": "MCA00000", "msg1": "정상처리 되었습니다.", "output": output}).encode()


def decode_domestic(body: bytes) -> KisDomesticQuote:
    wire = msgspec.json.decode(body, type=DomesticQuoteBody).output
    return domestic_quote(wire, symbol="005930", market="KRX", name="삼성전자", time=NOW)


def test_domestic_quote_fields() -> None:
    quote = decode_domestic(domestic_body())
    assert quote.close == Decimal(71000)
    assert quote.prev_close == Decimal(71800)
    assert quote.rate == Decimal("-1.11")
    assert quote.market_cap == Decimal(4238621) * 100_000_000
    assert quote.indicator is not None
    assert quote.indicator.week52_high_date == date(2024, 7, 11)
    assert quote.sector_name == "전기.전자"
    assert quote.risk == "none"
    assert quote.halt is False


@pytest.mark.parametrize("missing", [None, ""])
def test_missing_sector_name_is_none(missing: str | None) -> None:
    # 002170 and 002450 come without bstp_kor_isnm (PROTOCOL.md §14).
    body = domestic_body(bstp_kor_isnm=missing) if missing is not None else domestic_body(bstp_kor_isnm=None)
    assert decode_domestic(body).sector_name is None


def test_halt_and_warnings() -> None:
    quote = decode_domestic(domestic_body(temp_stop_yn="Y", mrkt_warn_cls_code="02", short_over_yn="Y"))
    assert quote.halt is True
    assert quote.risk == "warning"
    assert quote.overbought is True


def test_repr_prints_plain_numbers_in_the_seed_shape() -> None:
    text = repr(decode_domestic(domestic_body()))
    assert text.startswith("KisDomesticQuote(\n    symbol='005930',\n    market='KRX',\n    name='삼성전자',")
    assert "close=71000," in text
    assert "E+" not in text
    assert "indicator=KisDomesticIndicator(\n        eps=2131," in text
    assert "week52_high_date='2024-07-11'" in text


def test_foreign_quote_like_the_seed() -> None:
    body = json.dumps(
        {
            "rt_cd": "0",
            "msg_cd": "MCA00000",
            "msg1": "ok",
            "output": {
                "rsym": "DNASNVDA",
                "open": "109.21",
                "high": "109.38",
                "low": "104.37",
                "last": "105.42",
                "base": "109.21",
                "tomv": "2593332000000",
                "h52p": "140.76",
                "h52d": "20240620",
                "l52p": "39.2215",
                "l52d": "20231031",
                "perx": "63.88",
                "pbrx": "54.65",
                "epsx": "1.71",
                "bpsx": "2.00",
                "vnit": "1",
                "e_hogau": "0.0100",
                "e_icod": "반도체 및 반도체장비",
                "e_ordyn": "매매 가능",
                "tvol": "1506310",
                "tamt": "160791125",
            },
        },
        ensure_ascii=False,
    ).encode()
    wire = msgspec.json.decode(body, type=ForeignQuoteBody).output
    quote = foreign_quote(wire, symbol="NVDA", market="NASDAQ", name="엔비디아", time=NOW)
    text = repr(quote)
    assert text.startswith("KisForeignQuote(\n    symbol='NVDA',\n    market='NASDAQ',\n    name='엔비디아',")
    for fragment in ("change=-3.79,", "tick=0.01,", "week52_low=39.2215,", "bps=2,", "halt=False,", "unit=1,"):
        assert fragment in text
    assert quote.change == Decimal("-3.79")


@given(st.decimals(allow_nan=False, allow_infinity=False, places=4, min_value=-(10**12), max_value=10**12))
def test_numbers_round_trip_through_the_string_form(value: Decimal) -> None:
    assert dec(str(value)) == value
    assert dec_or_none(f" {value} ") == value
    assert "E" not in render(value)
    assert Decimal(render(value)) == value


@given(st.text(max_size=12))
def test_garbage_numbers_never_crash(text: str) -> None:
    assert isinstance(dec(text), Decimal)
    assert dec_or_none(text) is None or isinstance(dec_or_none(text), Decimal)
    assert yyyymmdd(text) is None or isinstance(yyyymmdd(text), date)


def test_render_plain() -> None:
    assert render(Decimal("7.1E+4")) == "71000"
    assert render(Decimal("1.7100")) == "1.71"
    assert render(Decimal("0.000")) == "0"
