"""Domestic stock quotations: current price, period chart, daily prices and the holiday calendar.

Columns follow ``rest.json`` (the broker's ``chk_*.py`` column maps). Values the simulated market does not
model (foreign ownership, program trading, credit balances, par value) are sent as plausible constants in
the real format, never left out, except ``bstp_kor_isnm``, which the real service omits for some symbols.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from pykis.emulator.endpoints._format import (
    KST,
    day_of,
    dec,
    fmt_date,
    fmt_fixed,
    fmt_int,
    fmt_rate,
    pct,
    sign_code,
)
from pykis.emulator.rest import (
    ApiRequest,
    ApiResponse,
    EmulatorContext,
    EndpointRegistry,
    business_error,
    invalid_field,
    ok,
    paginate,
)

__all__ = ["HOLIDAY_PAGE_SIZE", "MARKET_DIV_CODES", "register"]

INQUIRE_PRICE = "/uapi/domestic-stock/v1/quotations/inquire-price"
ITEM_CHART = "/uapi/domestic-stock/v1/quotations/inquire-daily-itemchartprice"
DAILY_PRICE = "/uapi/domestic-stock/v1/quotations/inquire-daily-price"
CHK_HOLIDAY = "/uapi/domestic-stock/v1/quotations/chk-holiday"

# FID_COND_MRKT_DIV_CODE values for stock quotes (PROTOCOL.md §9): KRX, NXT, integrated.
MARKET_DIV_CODES = frozenset({"J", "NX", "UN"})
CHART_LIMIT = 100  # rest.json: "한 번의 호출에 최대 100건"
DAILY_PRICE_ROWS = 30  # rest.json: "D:(일)최근 30거래일, W:(주)최근 30주, M:(월)최근 30개월"
HOLIDAY_PAGE_SIZE = 23  # emulator choice; the page size of CTCA0903R is not documented
PERIODS = frozenset({"D", "W", "M", "Y"})


def _symbol_error() -> ApiResponse:
    # PROTOCOL.md §7: MCA05918 "종목코드 오류입니다."
    return business_error("1", "MCA05918", "종목코드 오류입니다.")


def _today(ctx: EmulatorContext) -> date:
    return ctx.now().astimezone(KST).date()


def _resolve(ctx: EmulatorContext, request: ApiRequest) -> tuple[Any, Any] | ApiResponse:
    """The (instrument, quote) a domestic quote request names, or its refusal."""
    if request.param("FID_COND_MRKT_DIV_CODE").upper() not in MARKET_DIV_CODES:
        return invalid_field("FID_COND_MRKT_DIV_CODE")
    code = request.param("FID_INPUT_ISCD").strip()
    symbol = code[1:] if code[:1] in ("Q", "q") else code
    instrument = ctx.market.instrument(symbol)
    if instrument is None or not instrument.domestic:
        return _symbol_error()
    if code[:1] in ("Q", "q") and instrument.kind != "etn":
        return _symbol_error()
    return instrument, ctx.market.quote(instrument.symbol)


def _market_cap_eok(price: Decimal, shares: int) -> str:
    """HTS 시가총액 in 억원."""
    return fmt_int(price * shares / Decimal(100_000_000))


def price_output(instrument: Any, quote: Any) -> dict[str, str]:
    """FHKST01010100 ``output``: every column of the catalog, in its order."""
    price, base = dec(quote.price), dec(quote.prev_close)
    high, low = dec(quote.high), dec(quote.low)
    w52_high, w52_low = dec(quote.week52_high), dec(quote.week52_low)
    volume = int(quote.volume)
    pivot = (high + low + price) / 3
    out: dict[str, str] = {
        "iscd_stat_cls_code": "58" if quote.halted else "55",
        "marg_rate": "20.00",
        "rprs_mrkt_kor_name": instrument.market if instrument.kind == "stock" else instrument.kind.upper(),
        "new_hgpr_lwpr_cls_code": "",
        "bstp_kor_isnm": instrument.sector_name or "",
        "temp_stop_yn": "Y" if quote.halted else "N",
        "oprc_rang_cont_yn": "N",
        "clpr_rang_cont_yn": "N",
        "crdt_able_yn": "Y",
        "grmn_rate_cls_code": "40",
        "elw_pblc_yn": "N",
        "stck_prpr": fmt_int(price),
        "prdy_vrss": fmt_int(price - base),
        "prdy_vrss_sign": sign_code(price, base, quote.upper_limit, quote.lower_limit),
        "prdy_ctrt": fmt_rate(pct(price - base, base)),
        "acml_tr_pbmn": fmt_int(quote.amount),
        "acml_vol": str(volume),
        "prdy_vrss_vol_rate": fmt_rate(pct(volume, quote.prev_volume)),
        "stck_oprc": fmt_int(quote.open),
        "stck_hgpr": fmt_int(high),
        "stck_lwpr": fmt_int(low),
        "stck_mxpr": fmt_int(quote.upper_limit),
        "stck_llam": fmt_int(quote.lower_limit),
        "stck_sdpr": fmt_int(base),
        "wghn_avrg_stck_prc": fmt_fixed(dec(quote.amount) / volume if volume else price, 2),
        "hts_frgn_ehrt": "0.00",
        "frgn_ntby_qty": "0",
        "pgtr_ntby_qty": "0",
        "pvt_scnd_dmrs_prc": fmt_int(pivot + (high - low)),
        "pvt_frst_dmrs_prc": fmt_int(2 * pivot - low),
        "pvt_pont_val": fmt_int(pivot),
        "pvt_frst_dmsp_prc": fmt_int(2 * pivot - high),
        "pvt_scnd_dmsp_prc": fmt_int(pivot - (high - low)),
        "dmrs_val": fmt_int((high + low + 2 * price) / 4 + (high - low) / 2),
        "dmsp_val": fmt_int((high + low + 2 * price) / 4 - (high - low) / 2),
        "cpfn": "0",
        "rstc_wdth_prc": fmt_int(dec(quote.upper_limit) - base),
        "stck_fcam": "0",
        "stck_sspr": fmt_int(base * Decimal("0.7")),
        "aspr_unit": fmt_int(quote.tick),
        "hts_deal_qty_unit_val": str(instrument.lot_size),
        "lstn_stcn": str(instrument.listed_shares),
        "hts_avls": _market_cap_eok(price, instrument.listed_shares),
        "per": fmt_rate(quote.per),
        "pbr": fmt_rate(quote.pbr),
        "stac_month": "12",
        "vol_tnrt": fmt_rate(pct(volume, instrument.listed_shares)),
        "eps": fmt_fixed(quote.eps, 2),
        "bps": fmt_fixed(quote.bps, 2),
        "d250_hgpr": fmt_int(w52_high),
        "d250_hgpr_date": fmt_date(quote.week52_high_date),
        "d250_hgpr_vrss_prpr_rate": fmt_rate(pct(price - w52_high, w52_high)),
        "d250_lwpr": fmt_int(w52_low),
        "d250_lwpr_date": fmt_date(quote.week52_low_date),
        "d250_lwpr_vrss_prpr_rate": fmt_rate(pct(price - w52_low, w52_low)),
        "stck_dryy_hgpr": fmt_int(w52_high),
        "dryy_hgpr_vrss_prpr_rate": fmt_rate(pct(price - w52_high, w52_high)),
        "dryy_hgpr_date": fmt_date(quote.week52_high_date),
        "stck_dryy_lwpr": fmt_int(w52_low),
        "dryy_lwpr_vrss_prpr_rate": fmt_rate(pct(price - w52_low, w52_low)),
        "dryy_lwpr_date": fmt_date(quote.week52_low_date),
        "w52_hgpr": fmt_int(w52_high),
        "w52_hgpr_vrss_prpr_ctrt": fmt_rate(pct(price - w52_high, w52_high)),
        "w52_hgpr_date": fmt_date(quote.week52_high_date),
        "w52_lwpr": fmt_int(w52_low),
        "w52_lwpr_vrss_prpr_ctrt": fmt_rate(pct(price - w52_low, w52_low)),
        "w52_lwpr_date": fmt_date(quote.week52_low_date),
        "whol_loan_rmnd_rate": "0.00",
        "ssts_yn": "Y",
        "stck_shrn_iscd": instrument.symbol,
        "fcam_cnnm": "원",
        "cpfn_cnnm": "억",
        "apprch_rate": "0.00",
        "frgn_hldn_qty": "0",
        "vi_cls_code": "N",
        "ovtm_vi_cls_code": "N",
        "last_ssts_cntg_qty": "0",
        "invt_caful_yn": "N",
        "mrkt_warn_cls_code": "00",
        "short_over_yn": "N",
        "sltr_yn": "N",
        "mang_issu_cls_code": "N",
    }
    if instrument.sector_name is None:
        # PROTOCOL.md §14: some KOSPI symbols (002170, 002450) come without a sector name.
        del out["bstp_kor_isnm"]
    return out


def inquire_price(request: ApiRequest, ctx: EmulatorContext) -> ApiResponse:
    """FHKST01010100 주식현재가 시세."""
    resolved = _resolve(ctx, request)
    if isinstance(resolved, ApiResponse):
        return resolved
    instrument, quote = resolved
    return ok({"output": price_output(instrument, quote)})


def _parse_date(text: str) -> date | None:
    try:
        return datetime.strptime(text.strip(), "%Y%m%d").date()
    except ValueError:
        return None


def _bar_rows(bars: Sequence[Any], previous_close: Decimal | None) -> list[dict[str, str]]:
    """FHKST03010100 ``output2`` rows, newest first; 전일 대비 against the bar before each one."""
    rows: list[dict[str, str]] = []
    prior = previous_close
    for bar in bars:  # ascending
        close = dec(bar.close)
        base = prior if prior is not None else dec(bar.open)
        rows.append(
            {
                "stck_bsop_date": fmt_date(bar.time),
                "stck_clpr": fmt_int(close),
                "stck_oprc": fmt_int(bar.open),
                "stck_hgpr": fmt_int(bar.high),
                "stck_lwpr": fmt_int(bar.low),
                "acml_vol": str(int(bar.volume)),
                "acml_tr_pbmn": fmt_int(bar.amount),
                "flng_cls_code": "00",
                "prtt_rate": "0.00",
                "mod_yn": "N",
                "prdy_vrss_sign": sign_code(close, base),
                "prdy_vrss": fmt_int(close - base),
                "revl_issu_reas": "",
            }
        )
        prior = close
    rows.reverse()
    return rows


def _lookback(period: str, count: int) -> timedelta:
    """How far back to fetch so that ``count`` bars of ``period`` (plus one) are covered."""
    days = {"D": 2, "W": 8, "M": 32, "Y": 370}[period]
    return timedelta(days=days * (count + 1) + 14)


def item_chart(request: ApiRequest, ctx: EmulatorContext) -> ApiResponse:
    """FHKST03010100 국내주식기간별시세(일/주/월/년): at most 100 bars, newest first."""
    resolved = _resolve(ctx, request)
    if isinstance(resolved, ApiResponse):
        return resolved
    instrument, quote = resolved
    start = _parse_date(request.param("FID_INPUT_DATE_1"))
    if start is None:
        return invalid_field("FID_INPUT_DATE_1")
    end = _parse_date(request.param("FID_INPUT_DATE_2"))
    if end is None:
        return invalid_field("FID_INPUT_DATE_2")
    period = request.param("FID_PERIOD_DIV_CODE").upper()
    if period not in PERIODS:
        return invalid_field("FID_PERIOD_DIV_CODE")
    adjusted = request.param("FID_ORG_ADJ_PRC") != "1"  # 0: 수정주가, 1: 원주가
    end = min(end, _today(ctx))
    bars: list[Any] = []
    previous: Decimal | None = None
    if start <= end:
        # Only the newest 100 bars (plus the one before them, for 전일 대비) are needed: fetch a span that
        # holds them, and the whole window only when that span came up short.
        earliest = start - _lookback(period, 1)
        recent = max(earliest, end - _lookback(period, CHART_LIMIT))
        fetched = ctx.market.daily_bars(instrument.symbol, recent, end, period=period, adjusted=adjusted)
        if recent > earliest and len(fetched) <= CHART_LIMIT:
            fetched = ctx.market.daily_bars(instrument.symbol, earliest, end, period=period, adjusted=adjusted)
        inside = [bar for bar in fetched if day_of(bar.time) >= start]
        before = [bar for bar in fetched if day_of(bar.time) < start]
        bars = inside[-CHART_LIMIT:]
        cut = len(inside) - len(bars)
        if cut > 0:
            previous = dec(inside[cut - 1].close)
        elif before:
            previous = dec(before[-1].close)
    price, base = dec(quote.price), dec(quote.prev_close)
    summary = {
        "prdy_vrss": fmt_int(price - base),
        "prdy_vrss_sign": sign_code(price, base, quote.upper_limit, quote.lower_limit),
        "prdy_ctrt": fmt_rate(pct(price - base, base)),
        "stck_prdy_clpr": fmt_int(base),
        "acml_vol": str(int(quote.volume)),
        "acml_tr_pbmn": fmt_int(quote.amount),
        "hts_kor_isnm": instrument.name,
        "stck_prpr": fmt_int(price),
        "stck_shrn_iscd": instrument.symbol,
        "prdy_vol": str(int(quote.prev_volume)),
        "stck_mxpr": fmt_int(quote.upper_limit),
        "stck_llam": fmt_int(quote.lower_limit),
        "stck_oprc": fmt_int(quote.open),
        "stck_hgpr": fmt_int(quote.high),
        "stck_lwpr": fmt_int(quote.low),
        "stck_prdy_oprc": fmt_int(base),
        "stck_prdy_hgpr": fmt_int(base),
        "stck_prdy_lwpr": fmt_int(base),
        "askp": fmt_int(quote.ask),
        "bidp": fmt_int(quote.bid),
        "prdy_vrss_vol": str(int(quote.volume) - int(quote.prev_volume)),
        "vol_tnrt": fmt_rate(pct(quote.volume, instrument.listed_shares)),
        "stck_fcam": "0",
        "lstn_stcn": str(instrument.listed_shares),
        "cpfn": "0",
        "hts_avls": _market_cap_eok(price, instrument.listed_shares),
        "per": fmt_rate(quote.per),
        "eps": fmt_fixed(quote.eps, 2),
        "pbr": fmt_rate(quote.pbr),
        "itewhol_loan_rmnd_ratem": "0.00",
    }
    return ok({"output1": summary, "output2": _bar_rows(bars, previous)})


def daily_price(request: ApiRequest, ctx: EmulatorContext) -> ApiResponse:
    """FHKST01010400 주식현재가 일자별: the latest 30 days, weeks or months, newest first."""
    resolved = _resolve(ctx, request)
    if isinstance(resolved, ApiResponse):
        return resolved
    instrument, _quote = resolved
    period = request.param("FID_PERIOD_DIV_CODE").upper()
    if period not in ("D", "W", "M"):
        return invalid_field("FID_PERIOD_DIV_CODE")
    adjusted = request.param("FID_ORG_ADJ_PRC") == "1"  # 0: 수정주가미반영, 1: 수정주가반영
    today = _today(ctx)
    bars = ctx.market.daily_bars(
        instrument.symbol, today - _lookback(period, DAILY_PRICE_ROWS), today, period=period, adjusted=adjusted
    )
    window = bars[-(DAILY_PRICE_ROWS + 1) :]
    rows: list[dict[str, str]] = []
    for index in range(len(window) - 1, max(len(window) - 1 - DAILY_PRICE_ROWS, -1), -1):
        bar = window[index]
        prior = window[index - 1] if index > 0 else None
        close = dec(bar.close)
        base = dec(prior.close) if prior is not None else dec(bar.open)
        rows.append(
            {
                "stck_bsop_date": fmt_date(bar.time),
                "stck_oprc": fmt_int(bar.open),
                "stck_hgpr": fmt_int(bar.high),
                "stck_lwpr": fmt_int(bar.low),
                "stck_clpr": fmt_int(close),
                "acml_vol": str(int(bar.volume)),
                "prdy_vrss_vol_rate": fmt_rate(
                    pct(int(bar.volume) - int(prior.volume), prior.volume) if prior is not None else 0
                ),
                "prdy_vrss": fmt_int(close - base),
                "prdy_vrss_sign": sign_code(close, base),
                "prdy_ctrt": fmt_rate(pct(close - base, base)),
                "hts_frgn_ehrt": "0.00",
                "frgn_ntby_qty": "0",
                "flng_cls_code": "00",
                "acml_prtt_rate": "0.00",
            }
        )
    return ok({"output": rows})


def chk_holiday(request: ApiRequest, ctx: EmulatorContext) -> ApiResponse:
    """CTCA0903R 국내휴장일조회: one row per calendar day from BASS_DT, paged with CTX_AREA_FK/NK.

    The calendar reaches the end of the year after BASS_DT. Real-host only (``demo_supported: false``;
    the virtual host answers EGW02006, as users report for this very TR).
    """
    start = _parse_date(request.param("BASS_DT"))
    if start is None:
        return invalid_field("BASS_DT")
    last = date(start.year + 1, 12, 31)
    rows: list[dict[str, str]] = []
    day = start
    while day <= last:
        open_day = bool(ctx.market.is_trading_day("KOSPI", day))
        yn = "Y" if open_day else "N"
        rows.append(
            {
                "bass_dt": day.strftime("%Y%m%d"),
                "wday_dvsn_cd": f"{(day.isoweekday() % 7) + 1:02d}",  # 01 Sunday … 07 Saturday
                "bzdy_yn": yn,
                "tr_day_yn": yn,
                "opnd_yn": yn,
                "sttl_day_yn": yn,
            }
        )
        day += timedelta(days=1)
    page = paginate(
        rows,
        request,
        page_size=HOLIDAY_PAGE_SIZE,
        query_key=start.strftime("%Y%m%d"),
        cursor=("ctx_area_fk", "ctx_area_nk"),
    )
    return ok({**page.cursors, "output": page.rows}, tr_cont=page.tr_cont)


def register(registry: EndpointRegistry) -> None:
    """Add the domestic quotation endpoints to ``registry``."""
    registry.add(INQUIRE_PRICE, inquire_price)
    registry.add(ITEM_CHART, item_chart)
    registry.add(DAILY_PRICE, daily_price)
    registry.add(CHK_HOLIDAY, chk_holiday)
