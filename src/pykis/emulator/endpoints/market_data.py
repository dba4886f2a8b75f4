"""Market data beyond the current price: order books, minute charts, after-hours and batch quotes, overseas
period/minute charts and the product-info inquiries.

Columns and TR IDs follow ``rest.json``; every value is a string, derived from the simulated market so that
order books, minute bars, daily bars and quotes agree with one another. Choices the catalog leaves open are
marked *emulator choice*.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pykis.emulator.endpoints._format import (
    KST,
    dec,
    fmt_date,
    fmt_int,
    fmt_rate,
    fmt_zero,
    hashed_unit,
    parse_hhmmss,
    pct,
    sign_code,
    strptime_yyyymmdd,
)
from pykis.emulator.endpoints.domestic import MARKET_DIV_CODES, _resolve
from pykis.emulator.rest import (
    ApiRequest,
    ApiResponse,
    EmulatorContext,
    EndpointRegistry,
    invalid_field,
    ok,
)

__all__ = ["MINUTE_ROWS", "MULTI_PRICE_LIMIT", "TIME_DAILY_ROWS", "register"]

ASKING_PRICE = "/uapi/domestic-stock/v1/quotations/inquire-asking-price-exp-ccn"
TIME_CHART = "/uapi/domestic-stock/v1/quotations/inquire-time-itemchartprice"
TIME_DAILY_CHART = "/uapi/domestic-stock/v1/quotations/inquire-time-dailychartprice"
OVERTIME_PRICE = "/uapi/domestic-stock/v1/quotations/inquire-overtime-price"
MULTI_PRICE = "/uapi/domestic-stock/v1/quotations/intstock-multprice"
STOCK_INFO = "/uapi/domestic-stock/v1/quotations/search-stock-info"

MINUTE_ROWS = 30  # rest.json: "한 번의 호출에 최대 30건"
TIME_DAILY_ROWS = 120  # rest.json: "한 번의 호출에 최대 120건"
MULTI_PRICE_LIMIT = 30  # FID_INPUT_ISCD_1 … FID_INPUT_ISCD_30


# ----------------------------------------------------------------------------------------- domestic


def asking_price(request: ApiRequest, ctx: EmulatorContext) -> ApiResponse:
    """FHKST01010200 주식현재가 호가/예상체결: ``output1`` ten levels a side with totals, ``output2`` the
    expected execution. A halted stock has an empty book (zeros)."""
    resolved = _resolve(ctx, request)
    if isinstance(resolved, ApiResponse):
        return resolved
    instrument, quote = resolved
    book = ctx.market.orderbook(instrument.symbol, instrument.market)
    out1: dict[str, str] = {"aspr_acpt_hour": book.time.astimezone(KST).strftime("%H%M%S")}
    for side, levels in (("askp", book.asks), ("bidp", book.bids)):
        for index in range(10):
            out1[f"{side}{index + 1}"] = fmt_int(levels[index].price) if index < len(levels) else "0"
    for side, levels in (("askp", book.asks), ("bidp", book.bids)):
        for index in range(10):
            out1[f"{side}_rsqn{index + 1}"] = str(levels[index].qty) if index < len(levels) else "0"
    for side in ("askp", "bidp"):
        for index in range(10):
            out1[f"{side}_rsqn_icdc{index + 1}"] = "0"
    total_ask = sum(level.qty for level in book.asks)
    total_bid = sum(level.qty for level in book.bids)
    auction = quote.session in ("pre", "opening_auction")
    out1.update(
        {
            "total_askp_rsqn": str(total_ask),
            "total_bidp_rsqn": str(total_bid),
            "total_askp_rsqn_icdc": "0",
            "total_bidp_rsqn_icdc": "0",
            "ovtm_total_askp_icdc": "0",
            "ovtm_total_bidp_icdc": "0",
            "ovtm_total_askp_rsqn": "0",
            "ovtm_total_bidp_rsqn": "0",
            "ntby_aspr_rsqn": str(total_bid - total_ask),
            "new_mkop_cls_code": "10" if auction else "20",
        }
    )
    price, base = dec(quote.price), dec(quote.prev_close)
    expected = price if auction and not quote.halted else Decimal(0)
    out2 = {
        "antc_mkop_cls_code": "112" if auction else "",
        "stck_prpr": fmt_int(price),
        "stck_oprc": fmt_int(quote.open),
        "stck_hgpr": fmt_int(quote.high),
        "stck_lwpr": fmt_int(quote.low),
        "stck_sdpr": fmt_int(base),
        "antc_cnpr": fmt_int(expected),
        "antc_cntg_vrss_sign": sign_code(expected, base) if expected else "3",
        "antc_cntg_vrss": fmt_int(expected - base) if expected else "0",
        "antc_cntg_prdy_ctrt": fmt_rate(pct(expected - base, base)) if expected else "0.00",
        "antc_vol": str(int(quote.volume)) if expected else "0",
        "stck_shrn_iscd": instrument.symbol,
        "vi_cls_code": "N",
    }
    return ok({"output1": out1, "output2": out2})


def _minute_summary(instrument: Any, quote: Any) -> dict[str, str]:
    price, base = dec(quote.price), dec(quote.prev_close)
    return {
        "prdy_vrss": fmt_int(price - base),
        "prdy_vrss_sign": sign_code(price, base, quote.upper_limit, quote.lower_limit),
        "prdy_ctrt": fmt_rate(pct(price - base, base)),
        "stck_prdy_clpr": fmt_int(base),
        "acml_vol": str(int(quote.volume)),
        "acml_tr_pbmn": fmt_int(quote.amount),
        "hts_kor_isnm": instrument.name,
        "stck_prpr": fmt_int(price),
    }


def _domestic_minute_rows(bars: Sequence[Any]) -> list[dict[str, str]]:
    """``output2`` rows, newest first; ``acml_tr_pbmn`` is the day's running amount (누적 거래대금)."""
    rows: list[dict[str, str]] = []
    running: dict[date, Decimal] = {}
    for bar in bars:  # ascending
        local = bar.time.astimezone(KST)
        total = running.get(local.date(), Decimal(0)) + dec(bar.amount)
        running[local.date()] = total
        rows.append(
            {
                "stck_bsop_date": local.strftime("%Y%m%d"),
                "stck_cntg_hour": local.strftime("%H%M%S"),
                "stck_prpr": fmt_int(bar.close),
                "stck_oprc": fmt_int(bar.open),
                "stck_hgpr": fmt_int(bar.high),
                "stck_lwpr": fmt_int(bar.low),
                "cntg_vol": str(int(bar.volume)),
                "acml_tr_pbmn": fmt_int(total),
            }
        )
    rows.reverse()
    return rows


def _day_minutes(ctx: EmulatorContext, instrument: Any, day: date) -> list[Any]:
    """Every one-minute bar of ``day`` begun so far (the whole day when it is over)."""
    if instrument.halted:
        return []
    return list(ctx.market.minute_bars(instrument.symbol, day, market=instrument.market))


def time_chart(request: ApiRequest, ctx: EmulatorContext) -> ApiResponse:
    """FHKST03010200 주식당일분봉조회: the current trading day's one-minute bars, at most 30, the newest at or
    before FID_INPUT_HOUR_1 first. ``output1`` summarises the day."""
    resolved = _resolve(ctx, request)
    if isinstance(resolved, ApiResponse):
        return resolved
    instrument, quote = resolved
    until = parse_hhmmss(request.param("FID_INPUT_HOUR_1"))
    if until is None:
        return invalid_field("FID_INPUT_HOUR_1")
    bars = [bar for bar in _day_minutes(ctx, instrument, quote.trading_day) if bar.time.astimezone(KST).time() <= until]
    return ok({"output1": _minute_summary(instrument, quote), "output2": _domestic_minute_rows(bars[-MINUTE_ROWS:])})


def time_daily_chart(request: ApiRequest, ctx: EmulatorContext) -> ApiResponse:
    """FHKST03010230 주식일별분봉조회 (real only): 120 one-minute bars back from FID_INPUT_DATE_1 +
    FID_INPUT_HOUR_1, crossing into earlier trading days when needed."""
    resolved = _resolve(ctx, request)
    if isinstance(resolved, ApiResponse):
        return resolved
    instrument, quote = resolved
    day = strptime_yyyymmdd(request.param("FID_INPUT_DATE_1"))
    if day is None:
        return invalid_field("FID_INPUT_DATE_1")
    until = parse_hhmmss(request.param("FID_INPUT_HOUR_1"))
    if until is None:
        return invalid_field("FID_INPUT_HOUR_1")
    limit = datetime.combine(day, until, KST)
    day = min(day, quote.trading_day)
    if not ctx.market.is_trading_day("KRX", day):
        day = ctx.market.previous_trading_day("KRX", day)
    collected: list[Any] = []
    for _ in range(40):  # enough trading days for 120 bars even on short sessions
        bars = [bar for bar in _day_minutes(ctx, instrument, day) if bar.time <= limit]
        collected = bars + collected
        if len(collected) >= TIME_DAILY_ROWS or instrument.halted:
            break
        day = ctx.market.previous_trading_day("KRX", day)
    return ok(
        {
            "output1": _minute_summary(instrument, quote),
            "output2": _domestic_minute_rows(collected[-TIME_DAILY_ROWS:]),
        }
    )


def overtime_price(request: ApiRequest, ctx: EmulatorContext) -> ApiResponse:
    """FHPST02300000 국내주식 시간외현재가 (real only): the after-hours single-price session.

    Emulator choice: its base (``ovtm_untp_sdpr``) is the day's regular price; the session price sits a hashed
    move of at most ±3 % from it, on the tick grid inside the ±10 % after-hours limits, with a small volume.
    """
    resolved = _resolve(ctx, request)
    if isinstance(resolved, ApiResponse):
        return resolved
    instrument, quote = resolved
    market = ctx.market
    base, prev = dec(quote.price), dec(quote.prev_close)
    upper = market.round_price(instrument, base * Decimal("1.1"), "down")
    lower = market.round_price(instrument, base * Decimal("0.9"), "up")
    if quote.halted:
        price, volume = base, 0
    else:
        move = Decimal(str(round((hashed_unit(instrument.symbol, quote.trading_day, "ovtm") - 0.5) * 0.06, 4)))
        price = min(max(market.round_price(instrument, base * (1 + move)), lower), upper)
        volume = int(quote.volume) // 200
    out = {
        "bstp_kor_isnm": instrument.sector_name or "",
        "mang_issu_cls_name": "",
        "ovtm_untp_prpr": fmt_int(price),
        "ovtm_untp_prdy_vrss": fmt_int(price - prev),
        "ovtm_untp_prdy_vrss_sign": sign_code(price, prev),
        "ovtm_untp_prdy_ctrt": fmt_rate(pct(price - prev, prev)),
        "ovtm_untp_vol": str(volume),
        "ovtm_untp_tr_pbmn": fmt_int(price * volume),
        "ovtm_untp_mxpr": fmt_int(upper),
        "ovtm_untp_llam": fmt_int(lower),
        "ovtm_untp_oprc": fmt_int(base if volume else 0),
        "ovtm_untp_hgpr": fmt_int(max(base, price) if volume else 0),
        "ovtm_untp_lwpr": fmt_int(min(base, price) if volume else 0),
        "marg_rate": "20.00",
        "ovtm_untp_antc_cnpr": "0",
        "ovtm_untp_antc_cntg_vrss": "0",
        "ovtm_untp_antc_cntg_vrss_sign": "3",
        "ovtm_untp_antc_cntg_ctrt": "0.00",
        "ovtm_untp_antc_cnqn": "0",
        "crdt_able_yn": "Y",
        "new_lstn_cls_name": "",
        "sltr_yn": "N",
        "mang_issu_yn": "N",
        "mrkt_warn_cls_code": "00",
        "trht_yn": "Y" if quote.halted else "N",
        "vlnt_deal_cls_name": "",
        "ovtm_untp_sdpr": fmt_int(base),
        "mrkt_warn_cls_name": "",
        "revl_issu_reas_name": "",
        "insn_pbnt_yn": "N",
        "flng_cls_name": "",
        "rprs_mrkt_kor_name": instrument.market,
        "ovtm_vi_cls_code": "N",
        "bidp": fmt_int(price if not quote.halted else 0),
        "askp": fmt_int(market.round_price(instrument, price + quote.tick, "up") if not quote.halted else 0),
    }
    if instrument.sector_name is None:
        del out["bstp_kor_isnm"]  # as FHKST01010100 omits it for these symbols
    return ok({"output": out})


MULTI_COLUMNS = (
    "kospi_kosdaq_cls_name", "mrkt_trtm_cls_name", "hour_cls_code", "inter_shrn_iscd", "inter_kor_isnm",
    "inter2_prpr", "inter2_prdy_vrss", "prdy_vrss_sign", "prdy_ctrt", "acml_vol", "inter2_oprc", "inter2_hgpr",
    "inter2_lwpr", "inter2_llam", "inter2_mxpr", "inter2_askp", "inter2_bidp", "seln_rsqn", "shnu_rsqn",
    "total_askp_rsqn", "total_bidp_rsqn", "acml_tr_pbmn", "inter2_prdy_clpr", "oprc_vrss_hgpr_rate",
    "intr_antc_cntg_vrss", "intr_antc_cntg_vrss_sign", "intr_antc_cntg_prdy_ctrt", "intr_antc_vol", "inter2_sdpr",
)  # fmt: skip


def _multi_row(ctx: EmulatorContext, code: str) -> dict[str, str]:
    symbol = code[1:] if code[:1] in ("Q", "q") else code
    instrument = ctx.market.instrument(symbol)
    if instrument is None or not instrument.domestic:
        # Emulator choice: an unknown code keeps its place in the list with blank columns.
        return {**dict.fromkeys(MULTI_COLUMNS, ""), "inter_shrn_iscd": code}
    quote = ctx.market.quote(instrument.symbol, instrument.market)
    book = ctx.market.orderbook(instrument.symbol, instrument.market)
    price, base = dec(quote.price), dec(quote.prev_close)
    open_ = dec(quote.open)
    return {
        "kospi_kosdaq_cls_name": "코스피" if instrument.market == "KOSPI" else "코스닥",
        "mrkt_trtm_cls_name": "거래정지" if quote.halted else "",
        "hour_cls_code": "0",
        "inter_shrn_iscd": instrument.symbol,
        "inter_kor_isnm": instrument.name,
        "inter2_prpr": fmt_int(price),
        "inter2_prdy_vrss": fmt_int(price - base),
        "prdy_vrss_sign": sign_code(price, base, quote.upper_limit, quote.lower_limit),
        "prdy_ctrt": fmt_rate(pct(price - base, base)),
        "acml_vol": str(int(quote.volume)),
        "inter2_oprc": fmt_int(open_),
        "inter2_hgpr": fmt_int(quote.high),
        "inter2_lwpr": fmt_int(quote.low),
        "inter2_llam": fmt_int(quote.lower_limit),
        "inter2_mxpr": fmt_int(quote.upper_limit),
        "inter2_askp": fmt_zero(book.asks[0].price if book.asks else None),
        "inter2_bidp": fmt_zero(book.bids[0].price if book.bids else None),
        "seln_rsqn": str(book.asks[0].qty if book.asks else 0),
        "shnu_rsqn": str(book.bids[0].qty if book.bids else 0),
        "total_askp_rsqn": str(sum(level.qty for level in book.asks)),
        "total_bidp_rsqn": str(sum(level.qty for level in book.bids)),
        "acml_tr_pbmn": fmt_int(quote.amount),
        "inter2_prdy_clpr": fmt_int(base),
        "oprc_vrss_hgpr_rate": fmt_rate(pct(dec(quote.high) - open_, open_)),
        "intr_antc_cntg_vrss": "0",
        "intr_antc_cntg_vrss_sign": "3",
        "intr_antc_cntg_prdy_ctrt": "0.00",
        "intr_antc_vol": "0",
        "inter2_sdpr": fmt_int(base),
    }


def multi_price(request: ApiRequest, ctx: EmulatorContext) -> ApiResponse:
    """FHKST11300006 관심종목(멀티종목) 시세조회 (real only): one ``output`` row per FID_INPUT_ISCD_n, n = 1…30,
    in the order asked."""
    rows: list[dict[str, str]] = []
    for index in range(1, MULTI_PRICE_LIMIT + 1):
        code = request.param(f"FID_INPUT_ISCD_{index}").strip()
        if not code:
            continue
        division = request.param(f"FID_COND_MRKT_DIV_CODE_{index}").strip().upper()
        if division not in MARKET_DIV_CODES:
            return invalid_field(f"FID_COND_MRKT_DIV_CODE_{index}")
        rows.append(_multi_row(ctx, code))
    return ok({"output": rows})


STOCK_INFO_COLUMNS = (
    "pdno", "prdt_type_cd", "prdt_name", "prdt_name120", "prdt_abrv_name", "prdt_eng_name", "prdt_eng_name120",
    "prdt_eng_abrv_name", "mket_id_cd", "scty_grp_id_cd", "excg_dvsn_cd", "setl_mmdd", "lstg_stqt", "lstg_cptl_amt",
    "cpta", "papr", "issu_pric", "kospi200_item_yn", "scts_mket_lstg_dt", "scts_mket_lstg_abol_dt",
    "kosdaq_mket_lstg_dt", "kosdaq_mket_lstg_abol_dt", "frbd_mket_lstg_dt", "frbd_mket_lstg_abol_dt",
    "reits_kind_cd", "etf_dvsn_cd", "oilf_fund_yn", "idx_bztp_lcls_cd", "idx_bztp_mcls_cd", "idx_bztp_scls_cd",
    "idx_bztp_lcls_cd_name", "idx_bztp_mcls_cd_name", "idx_bztp_scls_cd_name", "stck_kind_cd", "mfnd_opng_dt",
    "mfnd_end_dt", "dpsi_erlm_cncl_dt", "etf_cu_qty", "std_pdno", "dpsi_aptm_erlm_yn", "etf_txtn_type_cd",
    "etf_type_cd", "lstg_abol_dt", "nwst_odst_dvsn_cd", "sbst_pric", "thco_sbst_pric", "thco_sbst_pric_chng_dt",
    "tr_stop_yn", "admn_item_yn", "thdt_clpr", "bfdy_clpr", "clpr_chng_dt", "std_idst_clsf_cd",
    "std_idst_clsf_cd_name", "ocr_no", "crfd_item_yn", "elec_scty_yn", "issu_istt_cd", "etf_chas_erng_rt_dbnb",
    "etf_etn_ivst_heed_item_yn", "stln_int_rt_dvsn_cd", "frnr_psnl_lmt_rt", "lstg_rqsr_issu_istt_cd",
    "lstg_rqsr_item_cd", "trst_istt_issu_istt_cd", "cptt_trad_tr_psbl_yn", "nxt_tr_stop_yn",
)  # fmt: skip


def stock_info(request: ApiRequest, ctx: EmulatorContext) -> ApiResponse:
    """CTPF1002R 주식기본조회 (real only). An unknown PDNO is answered with blank columns (emulator choice, as
    the overseas inquiries answer an unlisted symbol)."""
    if request.param("PRDT_TYPE_CD").strip() != "300":
        return invalid_field("PRDT_TYPE_CD")
    code = request.param("PDNO").strip()
    symbol = code[1:] if code[:1] in ("Q", "q") else code
    instrument = ctx.market.instrument(symbol)
    out = dict.fromkeys(STOCK_INFO_COLUMNS, "")
    if instrument is None or not instrument.domestic:
        return ok({"output": out})
    quote = ctx.market.quote(instrument.symbol, instrument.market)
    kospi = instrument.market == "KOSPI"
    out.update(
        {
            "pdno": instrument.quote_code,
            "prdt_type_cd": "300",
            "prdt_name": instrument.name,
            "prdt_name120": instrument.name,
            "prdt_abrv_name": instrument.name,
            "prdt_eng_name": instrument.english_name,
            "prdt_eng_name120": instrument.english_name,
            "prdt_eng_abrv_name": instrument.english_name,
            "mket_id_cd": "STK" if kospi else "KSQ",
            "scty_grp_id_cd": {"stock": "ST", "etf": "EF", "etn": "EN"}[instrument.kind],
            "excg_dvsn_cd": "02" if kospi else "03",
            "setl_mmdd": "1231",
            "lstg_stqt": str(instrument.listed_shares),
            "lstg_cptl_amt": "0",
            "cpta": "0",
            "papr": "100" if instrument.kind == "stock" else "0",
            "issu_pric": "0",
            "kospi200_item_yn": "N",
            "std_pdno": instrument.isin or "",
            "tr_stop_yn": "Y" if quote.halted else "N",
            "admn_item_yn": "N",
            "thdt_clpr": fmt_int(quote.price),
            "bfdy_clpr": fmt_int(quote.prev_close),
            "clpr_chng_dt": fmt_date(quote.trading_day),
            "std_idst_clsf_cd_name": instrument.sector_name or "",
            "idx_bztp_lcls_cd_name": instrument.sector_name or "",
            "nxt_tr_stop_yn": "Y" if quote.halted else "N",
        }
    )
    return ok({"output": out})


def register(registry: EndpointRegistry) -> None:
    """Add the market-data endpoints to ``registry``."""
    registry.add(ASKING_PRICE, asking_price)
    registry.add(TIME_CHART, time_chart)
    registry.add(TIME_DAILY_CHART, time_daily_chart)
    registry.add(OVERTIME_PRICE, overtime_price)
    registry.add(MULTI_PRICE, multi_price)
    registry.add(STOCK_INFO, stock_info)
