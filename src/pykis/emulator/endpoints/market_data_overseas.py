"""Overseas market data beyond the current price: order books, period and minute charts, product information.

Columns and TR IDs follow ``rest.json``; values come from the simulated market (see :mod:`.market_data`).
Choices the catalog leaves open are marked *emulator choice*.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from pykis.emulator.endpoints._format import (
    KST,
    dec,
    fmt_date,
    fmt_fixed,
    fmt_int,
    fmt_rate,
    pct,
    sign_code,
    strptime_yyyymmdd,
)
from pykis.emulator.endpoints.overseas import ZDIV, _lookup
from pykis.emulator.instruments import isin_check_digit
from pykis.emulator.rest import ApiRequest, ApiResponse, EmulatorContext, EndpointRegistry, invalid_field, ok

__all__ = ["DAILY_CHART_ROWS", "OVERSEAS_MINUTE_LIMIT", "PRODUCT_MARKETS", "register", "standard_code"]

OVERSEAS_ASKING = "/uapi/overseas-price/v1/quotations/inquire-asking-price"
OVERSEAS_DAILY = "/uapi/overseas-price/v1/quotations/dailyprice"
OVERSEAS_MINUTES = "/uapi/overseas-price/v1/quotations/inquire-time-itemchartprice"
OVERSEAS_INFO = "/uapi/overseas-price/v1/quotations/search-info"
DAILY_CHART_ROWS = 100  # HHDFS76240000: 100 rows back from BYMD
OVERSEAS_MINUTE_LIMIT = 120  # NREC: "최대 120"
OVERSEAS_MINUTE_HISTORY = 30  # emulator choice: calendar days of overseas minute history
_GUBN = {"0": "D", "1": "W", "2": "M"}
_US_LEVELS = 10  # emulator choice: US books show 10 levels, the other markets the best level only


ASKING_COLUMNS_1 = (
    "rsym", "zdiv", "curr", "base", "open", "high", "low", "last", "dymd", "dhms", "bvol", "avol", "bdvl", "advl",
    "code", "ropen", "rhigh", "rlow", "rclose",
)  # fmt: skip
ASKING_COLUMNS_3 = ("vstm", "vetm", "csbp", "cshi", "cslo", "iep", "iev")


def overseas_asking_price(request: ApiRequest, ctx: EmulatorContext) -> ApiResponse:
    """HHDFS76200100 해외주식 현재가 호가 (real only): ``output1`` the summary and totals, ``output2`` the levels
    (``pbid1``/``pask1``/``vbid1``/``vask1``…; ten for US listings, the best level elsewhere — emulator choice),
    ``output3`` the VCM/auction fields."""
    found = _lookup(ctx, request)
    if isinstance(found, ApiResponse):
        return found
    if found is None:
        return ok(
            {
                "output1": dict.fromkeys(ASKING_COLUMNS_1, ""),
                "output2": {},
                "output3": dict.fromkeys(ASKING_COLUMNS_3, ""),
            }
        )
    excd, instrument, quote = found
    places = ZDIV[instrument.market]
    depth = _US_LEVELS if instrument.us else 1
    book = ctx.market.orderbook(instrument.symbol, instrument.market, depth=depth)
    local = book.time.astimezone(instrument.timezone)
    base = dec(quote.prev_close)

    def rate(value: Any) -> str:
        return fmt_rate(pct(dec(value) - base, base)) if dec(value) else "0.00"

    out1 = {
        "rsym": f"D{excd}{instrument.symbol}",
        "zdiv": str(places),
        "curr": instrument.currency,
        "base": fmt_fixed(base, places),
        "open": fmt_fixed(quote.open, places),
        "high": fmt_fixed(quote.high, places),
        "low": fmt_fixed(quote.low, places),
        "last": fmt_fixed(quote.price, places),
        "dymd": local.strftime("%Y%m%d"),
        "dhms": local.strftime("%H%M%S"),
        "bvol": str(sum(level.qty for level in book.bids)),
        "avol": str(sum(level.qty for level in book.asks)),
        "bdvl": "0",
        "advl": "0",
        "code": instrument.symbol,
        "ropen": rate(quote.open),
        "rhigh": rate(quote.high),
        "rlow": rate(quote.low),
        "rclose": rate(quote.price),
    }
    out2: dict[str, str] = {}
    for index in range(depth):
        bid = book.bids[index] if index < len(book.bids) else None
        ask = book.asks[index] if index < len(book.asks) else None
        out2[f"pbid{index + 1}"] = fmt_fixed(bid.price if bid else 0, places)
        out2[f"pask{index + 1}"] = fmt_fixed(ask.price if ask else 0, places)
        out2[f"vbid{index + 1}"] = str(bid.qty if bid else 0)
        out2[f"vask{index + 1}"] = str(ask.qty if ask else 0)
        out2[f"dbid{index + 1}"] = "0"
        out2[f"dask{index + 1}"] = "0"
    out3 = {"vstm": "", "vetm": "", "csbp": "0", "cshi": "0", "cslo": "0", "iep": "0", "iev": "0"}
    return ok({"output1": out1, "output2": out2, "output3": out3})


def _lookback(period: str, count: int) -> timedelta:
    days = {"D": 2, "W": 8, "M": 32}[period]
    return timedelta(days=days * (count + 1) + 14)


def overseas_daily(request: ApiRequest, ctx: EmulatorContext) -> ApiResponse:
    """HHDFS76240000 해외주식 기간별시세: 100 day/week/month bars (GUBN 0/1/2) back from BYMD (blank: today,
    local time), newest first. MODP: 0 raw, 1 adjusted (no corporate actions are simulated)."""
    period = _GUBN.get(request.param("GUBN").strip())
    if period is None:
        return invalid_field("GUBN")
    if request.param("MODP").strip() not in ("0", "1"):
        return invalid_field("MODP")
    found = _lookup(ctx, request)
    if isinstance(found, ApiResponse):
        return found
    if found is None:
        return ok({"output1": {"rsym": "", "zdiv": "", "nrec": "0"}, "output2": []})
    excd, instrument, quote = found
    places = ZDIV[instrument.market]
    today = ctx.now().astimezone(instrument.timezone).date()
    text = request.param("BYMD").strip()
    end = strptime_yyyymmdd(text) if text else today
    if end is None:
        return invalid_field("BYMD")
    end = min(end, today)
    bars = ctx.market.daily_bars(
        instrument.symbol,
        end - _lookback(period, DAILY_CHART_ROWS),
        end,
        period=period,
        adjusted=request.param("MODP") == "1",
        market=instrument.market,
    )
    window = bars[-(DAILY_CHART_ROWS + 1) :]
    rows: list[dict[str, str]] = []
    for index in range(len(window) - 1, 0 if len(window) > DAILY_CHART_ROWS else -1, -1):
        bar = window[index]
        prior = dec(window[index - 1].close) if index > 0 else dec(bar.open)
        close = dec(bar.close)
        latest = index == len(window) - 1
        rows.append(
            {
                "xymd": fmt_date(bar.time, instrument.timezone),
                "clos": fmt_fixed(close, places),
                "sign": sign_code(close, prior),
                "diff": fmt_fixed(abs(close - prior), places),
                "rate": fmt_rate(pct(close - prior, prior)),
                "open": fmt_fixed(bar.open, places),
                "high": fmt_fixed(bar.high, places),
                "low": fmt_fixed(bar.low, places),
                "tvol": str(int(bar.volume)),
                "tamt": fmt_int(bar.amount),
                "pbid": fmt_fixed(quote.bid if latest else 0, places),
                "vbid": "0",
                "pask": fmt_fixed(quote.ask if latest else 0, places),
                "vask": "0",
            }
        )
    summary = {"rsym": f"D{excd}{instrument.symbol}", "zdiv": str(places), "nrec": str(len(rows))}
    return ok({"output1": summary, "output2": rows})


def _session_bounds(ctx: EmulatorContext, instrument: Any, day: date) -> tuple[datetime, datetime] | None:
    bars = ctx.market.minute_bars(instrument.symbol, day, market=instrument.market, until=_far_future(day))
    if not bars:
        return None
    return bars[0].time, bars[-1].time + timedelta(minutes=1)


def _far_future(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=2), time(0), KST)


def overseas_minutes(request: ApiRequest, ctx: EmulatorContext) -> ApiResponse:
    """HHDFS76950200 해외주식분봉조회 (real only): NMIN-minute bars, newest first, at most NREC (≤ 120).

    PINC 0 keeps to the current trading day, 1 reaches back into earlier days. A follow-up call sends NEXT 1
    and KEYB, the local ``YYYYMMDDHHMMSS`` to continue from (bars starting at or before it). ``output1.next``
    is 1 while older bars remain (within 30 calendar days, emulator choice)."""
    try:
        interval = int(request.param("NMIN").strip())
        wanted = int(request.param("NREC").strip())
    except ValueError:
        return invalid_field("NMIN" if not request.param("NMIN").strip().isdigit() else "NREC")
    if not 1 <= interval <= 240:
        return invalid_field("NMIN")
    if not 1 <= wanted <= OVERSEAS_MINUTE_LIMIT:
        return invalid_field("NREC")
    pinc = request.param("PINC").strip()
    if pinc not in ("0", "1"):
        return invalid_field("PINC")
    found = _lookup(ctx, request)
    if isinstance(found, ApiResponse):
        return found
    if found is None:
        summary = dict.fromkeys(("rsym", "zdiv", "stim", "etim", "sktm", "ektm", "tymd"), "")
        return ok({"output1": {**summary, "next": "0", "more": "0", "nrec": "0"}, "output2": []})
    _, instrument, quote = found
    zone = instrument.timezone
    limit: datetime | None = None
    if request.param("NEXT").strip() == "1" and request.param("KEYB").strip():
        try:
            limit = datetime.strptime(request.param("KEYB").strip(), "%Y%m%d%H%M%S").replace(tzinfo=zone)
        except ValueError:
            return invalid_field("KEYB")
    today = quote.trading_day
    oldest = today - timedelta(days=OVERSEAS_MINUTE_HISTORY)
    day = today if limit is None else min(today, limit.date())
    if not ctx.market.is_trading_day(instrument.market, day):
        day = ctx.market.previous_trading_day(instrument.market, day)
    collected: list[Any] = []
    while True:
        bars = ctx.market.minute_bars(instrument.symbol, day, interval=interval, market=instrument.market)
        if limit is not None:
            bars = [bar for bar in bars if bar.time <= limit]
        collected = bars + collected
        earlier = ctx.market.previous_trading_day(instrument.market, day)
        if len(collected) >= wanted or pinc == "0" or earlier < oldest:
            break
        day = earlier
    more = len(collected) > wanted or (len(collected) == wanted and pinc == "1" and earlier >= oldest)
    return _minutes_answer(ctx, found, collected[-wanted:], more=more)


def _minutes_answer(ctx: EmulatorContext, found: tuple[str, Any, Any], bars: list[Any], *, more: bool) -> ApiResponse:
    """``output1`` (the session's bounds, ``next``/``more``) and ``output2`` (``bars``, newest first)."""
    excd, instrument, quote = found
    zone = instrument.timezone
    places = ZDIV[instrument.market]
    today = quote.trading_day
    rows = []
    for bar in reversed(bars):
        local = bar.time.astimezone(zone)
        korea = bar.time.astimezone(KST)
        rows.append(
            {
                "tymd": local.strftime("%Y%m%d"),
                "xymd": local.strftime("%Y%m%d"),
                "xhms": local.strftime("%H%M%S"),
                "kymd": korea.strftime("%Y%m%d"),
                "khms": korea.strftime("%H%M%S"),
                "open": fmt_fixed(bar.open, places),
                "high": fmt_fixed(bar.high, places),
                "low": fmt_fixed(bar.low, places),
                "last": fmt_fixed(bar.close, places),
                "evol": str(int(bar.volume)),
                "eamt": fmt_int(bar.amount),
            }
        )
    bounds = _session_bounds(ctx, instrument, today)
    start, end = bounds if bounds else (None, None)
    summary = {
        "rsym": f"D{excd}{instrument.symbol}",
        "zdiv": str(places),
        "stim": start.astimezone(zone).strftime("%H%M%S") if start else "",
        "etim": end.astimezone(zone).strftime("%H%M%S") if end else "",
        "sktm": start.astimezone(KST).strftime("%H%M%S") if start else "",
        "ektm": end.astimezone(KST).strftime("%H%M%S") if end else "",
        "next": "1" if more else "0",
        "more": "1" if more else "0",
        "nrec": str(len(rows)),
        "tymd": today.strftime("%Y%m%d"),
    }
    return ok({"output1": summary, "output2": rows})


SEARCH_INFO_COLUMNS = (
    "std_pdno", "prdt_eng_name", "natn_cd", "natn_name", "tr_mket_cd", "tr_mket_name", "ovrs_excg_cd",
    "ovrs_excg_name", "tr_crcy_cd", "ovrs_papr", "crcy_name", "ovrs_stck_dvsn_cd", "prdt_clsf_cd", "prdt_clsf_name",
    "sll_unit_qty", "buy_unit_qty", "tr_unit_amt", "lstg_stck_num", "lstg_dt", "ovrs_stck_tr_stop_dvsn_cd",
    "lstg_abol_item_yn", "ovrs_stck_prdt_grp_no", "lstg_yn", "tax_levy_yn", "ovrs_stck_erlm_rosn_cd",
    "ovrs_stck_hist_rght_dvsn_cd", "chng_bf_pdno", "prdt_type_cd_2", "ovrs_item_name", "sedol_no", "blbg_tckr_text",
    "ovrs_stck_etf_risk_drtp_cd", "etp_chas_erng_rt_dbnb", "istt_usge_isin_cd", "mint_svc_yn",
    "mint_svc_yn_chng_dt", "prdt_name", "lei_cd", "ovrs_stck_stop_rson_cd", "lstg_abol_dt",
    "mini_stk_tr_stat_dvsn_cd", "mint_frst_svc_erlm_dt", "mint_dcpt_trad_psbl_yn", "mint_fnum_trad_psbl_yn",
    "mint_cblc_cvsn_ipsb_yn", "ptp_item_yn", "ptp_item_trfx_exmt_yn", "ptp_item_trfx_exmt_strt_dt",
    "ptp_item_trfx_exmt_end_dt", "dtm_tr_psbl_yn", "sdrf_stop_ecls_yn", "sdrf_stop_ecls_erlm_dt", "memo_text1",
    "ovrs_now_pric1", "last_rcvg_dtime",
)  # fmt: skip
# PRDT_TYPE_CD (PROTOCOL.md §9) -> instrument market; the HK CNY/USD lines (543, 558) are not simulated.
PRODUCT_MARKETS = {
    "512": "NASDAQ",
    "513": "NYSE",
    "529": "AMEX",
    "515": "TSE",
    "501": "SEHK",
    "507": "HNX",
    "508": "HSX",
    "551": "SSE",
    "552": "SZSE",
}
# currency -> (national code, name, ISIN country prefix)
_NATIONS = {
    "USD": ("840", "미국", "US"),
    "HKD": ("344", "홍콩", "HK"),
    "CNY": ("156", "중국", "CN"),
    "JPY": ("392", "일본", "JP"),
    "VND": ("704", "베트남", "VN"),
}


def standard_code(instrument: Any) -> str:
    """The standard code (ISIN) of a listing: the domestic one, or for an overseas listing an ISIN-shaped
    code with a valid check digit (*emulator choice*: the real ones are not derivable from the symbol)."""
    if instrument.isin:
        return str(instrument.isin)
    country = _NATIONS[instrument.currency][2]
    body = (country + "".join(ch for ch in instrument.symbol if ch.isalnum())).ljust(11, "0")[:11]
    return body + isin_check_digit(body)


def search_info(request: ApiRequest, ctx: EmulatorContext) -> ApiResponse:
    """CTPF1702R 해외주식 상품기본정보 (real only). A symbol the exchange does not list comes back with blank
    columns (``rt_cd`` 0), as the quote inquiries answer an unlisted SYMB."""
    market = PRODUCT_MARKETS.get(request.param("PRDT_TYPE_CD").strip())
    if market is None:
        return invalid_field("PRDT_TYPE_CD")
    symbol = request.param("PDNO").strip().upper()
    instrument = ctx.market.instrument(symbol, market=market) if symbol else None
    out = dict.fromkeys(SEARCH_INFO_COLUMNS, "")
    if instrument is None or instrument.market != market:
        return ok({"output": out})
    quote = ctx.market.quote(instrument.symbol, instrument.market)
    nation, nation_name, _ = _NATIONS[instrument.currency]
    excd = instrument.excd or ""
    out.update(
        {
            "std_pdno": standard_code(instrument),
            "prdt_eng_name": instrument.english_name.upper(),
            "natn_cd": nation,
            "natn_name": nation_name,
            "tr_mket_cd": request.param("PRDT_TYPE_CD").strip()[1:],
            "tr_mket_name": instrument.market,
            "ovrs_excg_cd": instrument.ovrs_excg_cd or "",
            "ovrs_excg_name": instrument.market,
            "tr_crcy_cd": instrument.currency,
            "ovrs_papr": "0",
            "crcy_name": instrument.currency,
            "ovrs_stck_dvsn_cd": "02" if instrument.kind == "etf" else "01",
            "prdt_clsf_cd": "",
            "prdt_clsf_name": instrument.sector_name or "",
            "sll_unit_qty": str(instrument.lot_size),
            "buy_unit_qty": str(instrument.lot_size),
            "tr_unit_amt": "0",
            "lstg_stck_num": str(instrument.listed_shares),
            "lstg_dt": "",
            "ovrs_stck_tr_stop_dvsn_cd": "02" if quote.halted else "01",
            "lstg_abol_item_yn": "N",
            "lstg_yn": "Y",
            "tax_levy_yn": "N",
            "prdt_type_cd_2": request.param("PRDT_TYPE_CD").strip(),
            "ovrs_item_name": instrument.name,
            "prdt_name": instrument.name,
            "dtm_tr_psbl_yn": "Y" if instrument.us else "N",
            "ovrs_now_pric1": fmt_fixed(quote.price, ZDIV[instrument.market]),
            "last_rcvg_dtime": ctx.now().astimezone(KST).strftime("%Y%m%d%H%M%S"),
            "blbg_tckr_text": f"{instrument.symbol} {excd}",
        }
    )
    return ok({"output": out})


def register(registry: EndpointRegistry) -> None:
    """Add the overseas market-data endpoints to ``registry``."""
    registry.add(OVERSEAS_ASKING, overseas_asking_price)
    registry.add(OVERSEAS_DAILY, overseas_daily)
    registry.add(OVERSEAS_MINUTES, overseas_minutes)
    registry.add(OVERSEAS_INFO, search_info)
