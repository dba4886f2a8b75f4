"""Domestic stock trading and account inquiries, served from the matching engine.

=================================================  ============  ============  ============================
path                                               real          virtual       output
=================================================  ============  ============  ============================
``/trading/order-cash``                            TTTC0011U/12U VTTC0011U/12U ``output`` (upper-case keys)
``/trading/order-rvsecncl``                        TTTC0013U     VTTC0013U     ``output`` (upper-case keys)
``/trading/inquire-balance``                       TTTC8434R     VTTC8434R     output1 rows, output2 summary
``/trading/inquire-psbl-rvsecncl``                 TTTC0084R     —             output rows
``/trading/inquire-daily-ccld``                    TTTC0081R /   VTTC0081R /   output1 rows, output2 summary
                                                   CTSC9215R     VTSC9215R
``/trading/inquire-psbl-order``                    TTTC8908R     VTTC8908R     output
``/trading/inquire-psbl-sell``                     TTTC8408R     —             output
``/trading/inquire-period-trade-profit``           TTTC8715R     —             output1 rows, output2 summary
=================================================  ============  ============  ============================

Legacy order TR IDs (TTTC0801U/0802U/0803U) reach the same handlers through the gateway's aliases. Page sizes
follow ``rest.json``'s notes: balance 50 (real) / 20 (virtual), daily orders 100 / 15; the others are
emulator choices (50). Every value is a string. The virtual service takes ORD_DVSN 00–04 on KRX only
(emulator rule after python-kis's table of what demo accepts); other types are refused with a business error.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pykis.emulator.endpoints._format import KST, fmt_date, fmt_fixed, fmt_int, fmt_rate, pct
from pykis.emulator.endpoints._trading import (
    DOMESTIC_TYPE_NAMES,
    VIRTUAL_TYPE_REFUSED,
    account_of,
    kst_date,
    parse_yyyymmdd,
    price_of,
    rejected,
    three_months_ago,
    whole,
)
from pykis.emulator.engine import MSG_ACCEPTED, EngineReject
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

if TYPE_CHECKING:
    from pykis.emulator.engine import Engine, Fill, Order, Position

__all__ = ["VIRTUAL_ORDER_TYPES", "register"]

ORDER_CASH = "/uapi/domestic-stock/v1/trading/order-cash"
ORDER_RVSECNCL = "/uapi/domestic-stock/v1/trading/order-rvsecncl"
INQUIRE_BALANCE = "/uapi/domestic-stock/v1/trading/inquire-balance"
PSBL_RVSECNCL = "/uapi/domestic-stock/v1/trading/inquire-psbl-rvsecncl"
DAILY_CCLD = "/uapi/domestic-stock/v1/trading/inquire-daily-ccld"
PSBL_ORDER = "/uapi/domestic-stock/v1/trading/inquire-psbl-order"
PSBL_SELL = "/uapi/domestic-stock/v1/trading/inquire-psbl-sell"
PERIOD_PROFIT = "/uapi/domestic-stock/v1/trading/inquire-period-trade-profit"

VIRTUAL_ORDER_TYPES = frozenset({"00", "01", "02", "03", "04"})
"""ORD_DVSN codes the virtual service takes (python-kis's table: the rest are 모의투자 미지원)."""
_EXCHANGES = frozenset({"KRX", "NXT", "SOR"})
_NXT_ONLY = frozenset({"27", "28", "29"})  # PROTOCOL §15: GTP, NXT pre-market only
_KRX_ONLY = frozenset({"05", "06", "07", "41", "42", "43", "44", "45", "46", "47"})  # KRX sessions
_MARKET_PRICED = frozenset({"01", "03", "04", "05", "06", "13", "14", "15", "16", "21", "23", "24", "28", "29"})
_MARKET_PRICED |= frozenset({"44", "45", "46", "47"})
_BUY, _SELL = "buy", "sell"


def _is_buy(tr_id: str) -> bool:
    # TTTC0012U buy / TTTC0011U sell (V… in virtual); legacy 0802U/0801U are already resolved by the gateway.
    return tr_id.endswith("0012U")


# ------------------------------------------------------------------------------------------------ orders


def order_cash(request: ApiRequest, ctx: EmulatorContext) -> ApiResponse:
    """TTTC0011U / TTTC0012U 주식주문(현금)."""
    found = account_of(request, ctx)
    if isinstance(found, ApiResponse):
        return found
    engine, number = found
    ord_dvsn = request.param("ORD_DVSN").strip()
    exchange = request.param("EXCG_ID_DVSN_CD").strip().upper() or "KRX"
    qty = whole(request.param("ORD_QTY"))
    price = price_of(request.param("ORD_UNPR"))
    if exchange not in _EXCHANGES:
        return invalid_field("EXCG_ID_DVSN_CD")
    if qty is None:
        return invalid_field("ORD_QTY")
    if price is None:
        return invalid_field("ORD_UNPR")
    if request.env == "virtual" and (ord_dvsn not in VIRTUAL_ORDER_TYPES or exchange != "KRX"):
        return business_error("1", *VIRTUAL_TYPE_REFUSED)
    if (ord_dvsn in _NXT_ONLY and exchange != "NXT") or (ord_dvsn in _KRX_ONLY and exchange != "KRX"):
        return business_error("1", "APBK0518", f"주문구분을 확인하여 주십시오. ({ord_dvsn}: {exchange})")
    symbol = request.param("PDNO").strip()
    if symbol[:1] in ("Q", "q") and len(symbol) == 7:
        symbol = symbol[1:]
    instrument = ctx.market.instrument(symbol)
    if instrument is None or not instrument.domestic:
        return business_error("1", "APBK0656", "해당 종목 정보가 없습니다.")
    side = _BUY if _is_buy(request.tr_id) else _SELL
    try:
        order = engine.place(number, instrument.symbol, side, qty, price, ord_dvsn, exchange=exchange)
    except EngineReject as error:
        return rejected(error)

    output = {"KRX_FWDG_ORD_ORGNO": order.branch, "ODNO": order.order_no, "ORD_TMD": order.ord_tmd}
    return ok({"output": output}, msg_cd=MSG_ACCEPTED[0], msg1=MSG_ACCEPTED[1])


def order_rvsecncl(request: ApiRequest, ctx: EmulatorContext) -> ApiResponse:
    """TTTC0013U 주식주문(정정취소): 01 modify, 02 cancel; ``QTY_ALL_ORD_YN`` Y moves the whole remainder."""
    found = account_of(request, ctx)
    if isinstance(found, ApiResponse):
        return found
    engine, number = found
    kind = request.param("RVSE_CNCL_DVSN_CD").strip()
    if kind not in ("01", "02"):
        return invalid_field("RVSE_CNCL_DVSN_CD")
    all_qty = request.param("QTY_ALL_ORD_YN").strip().upper()
    if all_qty not in ("Y", "N"):
        return invalid_field("QTY_ALL_ORD_YN")
    qty = whole(request.param("ORD_QTY") or "0")
    price = price_of(request.param("ORD_UNPR"))
    if qty is None:
        return invalid_field("ORD_QTY")
    if price is None:
        return invalid_field("ORD_UNPR")
    original = engine.order(request.param("ORGN_ODNO").strip() or "0")
    branch = request.param("KRX_FWDG_ORD_ORGNO").strip()
    if original is None or original.account != number or (branch and branch != original.branch):
        return business_error("1", "APBK0521", "원주문번호를 잘못 입력하셨습니다.")
    ord_dvsn = request.param("ORD_DVSN").strip() or original.ord_dvsn
    if request.env == "virtual" and ord_dvsn not in VIRTUAL_ORDER_TYPES:
        return business_error("1", *VIRTUAL_TYPE_REFUSED)
    try:
        if kind == "02":
            record = engine.cancel(number, original.order_no, qty=qty, all_qty=all_qty == "Y")
        else:
            new_price = None if ord_dvsn in _MARKET_PRICED else price
            record = engine.modify(
                number, original.order_no, price=new_price, qty=qty, all_qty=all_qty == "Y", ord_dvsn=ord_dvsn
            )
    except EngineReject as error:
        return rejected(error)
    # Upper case as order-cash: the broker's legacy/Sample01/kis_api01.py reads the revision's answer as
    # rt_data.KRX_FWDG_ORD_ORGNO / ODNO / ORD_TMD (the lower-case map in chk_order_rvsecncl.py is a label map).
    output = {"KRX_FWDG_ORD_ORGNO": record.branch, "ODNO": record.order_no, "ORD_TMD": record.ord_tmd}
    return ok({"output": output}, msg_cd=MSG_ACCEPTED[0], msg1=MSG_ACCEPTED[1])


# ------------------------------------------------------------------------------------------------ balance


def _held(engine: Engine, number: str) -> list[Position]:
    account = engine.account(number)
    return [p for p in account.positions.values() if p.currency == "KRW" and p.qty > 0]


def _today_qty(engine: Engine, number: str, symbol: str, market: str, side: str, today: date) -> tuple[int, Decimal]:
    qty, amount = 0, Decimal(0)
    for fill in engine.fills(number):
        same = fill.symbol == symbol and fill.market == market and fill.side == side
        if same and fill.time.astimezone(KST).date() == today:
            qty += fill.qty
            amount += fill.amount
    return qty, amount


def _balance_row(ctx: EmulatorContext, engine: Engine, number: str, position: Position) -> dict[str, str]:
    instrument = ctx.market.instrument(position.symbol, position.market)
    quote = ctx.market.quote(position.symbol, position.market)
    today = kst_date(ctx)
    bought, _ = _today_qty(engine, number, position.symbol, position.market, _BUY, today)
    sold, _ = _today_qty(engine, number, position.symbol, position.market, _SELL, today)
    cost = position.avg_price * position.qty
    value = quote.price * position.qty
    return {
        "pdno": position.symbol,
        "prdt_name": instrument.name if instrument is not None else "",
        "trad_dvsn_name": "현금",
        "bfdy_buy_qty": "0",
        "bfdy_sll_qty": "0",
        "thdt_buyqty": str(bought),
        "thdt_sll_qty": str(sold),
        "hldg_qty": str(position.qty),
        "ord_psbl_qty": str(position.sellable),
        "pchs_avg_pric": fmt_fixed(position.avg_price, 4),
        "pchs_amt": fmt_int(cost),
        "prpr": fmt_int(quote.price),
        "evlu_amt": fmt_int(value),
        "evlu_pfls_amt": fmt_int(value - cost),
        "evlu_pfls_rt": fmt_rate(pct(value - cost, cost)),
        "evlu_erng_rt": fmt_fixed(pct(value - cost, cost), 8),
        "loan_dt": "",
        "loan_amt": "0",
        "stln_slng_chgs": "0",
        "expd_dt": "",
        "fltt_rt": fmt_fixed(quote.change_rate, 8),
        "bfdy_cprs_icdc": fmt_int(quote.change),
        "item_mgna_rt_name": "20%",
        "grta_rt_name": "",
        "sbst_pric": fmt_int(quote.price * Decimal("0.7")),
        "stck_loan_unpr": "0",
    }


def _balance_summary(ctx: EmulatorContext, engine: Engine, number: str) -> dict[str, str]:
    account = engine.account(number)
    cash = account.cash.get("KRW", Decimal(0))
    today = kst_date(ctx)
    cost = value = Decimal(0)
    for position in _held(engine, number):
        cost += position.avg_price * position.qty
        value += ctx.market.quote(position.symbol, position.market).price * position.qty
    bought = sold = fees = Decimal(0)
    for fill in engine.fills(number):
        if fill.market in ("KOSPI", "KOSDAQ") and fill.time.astimezone(KST).date() == today:
            if fill.side == _BUY:
                bought += fill.amount
            else:
                sold += fill.amount
            fees += fill.fee + fill.tax
    total = cash + value
    return {
        "dnca_tot_amt": fmt_int(cash),
        "nxdy_excc_amt": fmt_int(cash),
        "prvs_rcdl_excc_amt": fmt_int(cash),
        "cma_evlu_amt": "0",
        "bfdy_buy_amt": "0",
        "thdt_buy_amt": fmt_int(bought),
        "nxdy_auto_rdpt_amt": "0",
        "bfdy_sll_amt": "0",
        "thdt_sll_amt": fmt_int(sold),
        "d2_auto_rdpt_amt": "0",
        "bfdy_tlex_amt": "0",
        "thdt_tlex_amt": fmt_int(fees),
        "tot_loan_amt": "0",
        "scts_evlu_amt": fmt_int(value),
        "tot_evlu_amt": fmt_int(total),
        "nass_amt": fmt_int(total),
        "fncg_gld_auto_rdpt_yn": "N",
        "pchs_amt_smtl_amt": fmt_int(cost),
        "evlu_amt_smtl_amt": fmt_int(value),
        "evlu_pfls_smtl_amt": fmt_int(value - cost),
        "tot_stln_slng_chgs": "0",
        "bfdy_tot_asst_evlu_amt": fmt_int(total),
        "asst_icdc_amt": "0",
        "asst_icdc_erng_rt": "0.00000000",
    }


def inquire_balance(request: ApiRequest, ctx: EmulatorContext) -> ApiResponse:
    """TTTC8434R 주식잔고조회: 50 rows per page in real, 20 in virtual (rest.json notes)."""
    found = account_of(request, ctx)
    if isinstance(found, ApiResponse):
        return found
    engine, number = found
    if request.param("INQR_DVSN") not in ("01", "02"):
        return invalid_field("INQR_DVSN")
    held = sorted(_held(engine, number), key=lambda p: p.symbol)
    page = paginate(
        held, request, page_size=50 if request.env == "real" else 20, query_key=f"{request.param('CANO')}BAL"
    )
    rows = [_balance_row(ctx, engine, number, position) for position in page.rows]
    body: dict[str, Any] = dict(page.cursors)
    body["output1"] = rows
    body["output2"] = [_balance_summary(ctx, engine, number)]
    return ok(body, tr_cont=page.tr_cont)


def inquire_psbl_sell(request: ApiRequest, ctx: EmulatorContext) -> ApiResponse:
    """TTTC8408R 매도가능수량조회 (real only)."""
    found = account_of(request, ctx)
    if isinstance(found, ApiResponse):
        return found
    engine, number = found
    symbol = request.param("PDNO").strip()
    instrument = ctx.market.instrument(symbol)
    if instrument is None or not instrument.domestic:
        return business_error("1", "APBK0656", "해당 종목 정보가 없습니다.")
    position = engine.account(number).position(instrument.symbol, instrument.market)
    today = kst_date(ctx)
    bought, _ = _today_qty(engine, number, instrument.symbol, instrument.market, _BUY, today)
    sold, _ = _today_qty(engine, number, instrument.symbol, instrument.market, _SELL, today)
    price = ctx.market.quote(instrument.symbol).price
    qty = position.qty if position else 0
    cost = position.avg_price * qty if position else Decimal(0)
    value = price * qty
    output = {
        "pdno": instrument.symbol,
        "prdt_name": instrument.name,
        "buy_qty": str(bought),
        "sll_qty": str(sold),
        "cblc_qty": str(qty),
        "nsvg_qty": str(qty),
        "ord_psbl_qty": str(position.sellable if position else 0),
        "pchs_avg_pric": fmt_fixed(position.avg_price if position else 0, 4),
        "pchs_amt": fmt_int(cost),
        "now_pric": fmt_int(price),
        "evlu_amt": fmt_int(value),
        "evlu_pfls_amt": fmt_int(value - cost),
        "evlu_pfls_rt": fmt_rate(pct(value - cost, cost)),
    }
    return ok({"output": output})


def inquire_psbl_order(request: ApiRequest, ctx: EmulatorContext) -> ApiResponse:
    """TTTC8908R 매수가능조회: the cash and the most shares it buys at ``ORD_UNPR`` (market: the upper limit)."""
    found = account_of(request, ctx)
    if isinstance(found, ApiResponse):
        return found
    engine, number = found
    symbol = request.param("PDNO").strip()
    instrument = ctx.market.instrument(symbol) if symbol else None
    if symbol and (instrument is None or not instrument.domestic):
        return business_error("1", "APBK0656", "해당 종목 정보가 없습니다.")
    price = price_of(request.param("ORD_UNPR"))
    if price is None:
        return invalid_field("ORD_UNPR")
    cash = engine.account(number).available("KRW")
    qty = 0
    unit = price
    if instrument is not None:
        quote = ctx.market.quote(instrument.symbol)
        if price <= 0 or request.param("ORD_DVSN").strip() == "01":
            unit = quote.upper_limit or quote.price
        qty = engine.buying_power(number, instrument.symbol, unit, market=instrument.market)
    amount = fmt_int(cash)
    output = {
        "ord_psbl_cash": amount,
        "ord_psbl_sbst": "0",
        "ruse_psbl_amt": "0",
        "fund_rpch_chgs": "0",
        "psbl_qty_calc_unpr": fmt_int(unit),
        "nrcvb_buy_amt": amount,
        "nrcvb_buy_qty": str(qty),
        "max_buy_amt": amount,
        "max_buy_qty": str(qty),
        "cma_evlu_amt": "0",
        "ovrs_re_use_amt_wcrc": "0",
        "ord_psbl_frcr_amt_wcrc": "0",
    }
    return ok({"output": output})


# ------------------------------------------------------------------------------------------------ orders lists


def _side_code(order: Order) -> str:
    return "01" if order.side == _SELL else "02"


def _domestic_orders(engine: Engine, number: str) -> list[Order]:
    return [order for order in engine.orders(number) if order.market in ("KOSPI", "KOSDAQ")]


def _ccld_name(order: Order) -> str:
    return {"ioc": "IOC", "fok": "FOK"}.get(order.tif, "없음")


def _name(ctx: EmulatorContext, order: Order) -> str:
    instrument = ctx.market.instrument(order.symbol, order.market)
    return instrument.name if instrument is not None else ""


def psbl_rvsecncl(request: ApiRequest, ctx: EmulatorContext) -> ApiResponse:
    """TTTC0084R 주식정정취소가능주문조회 (real only): open orders, 50 per page."""
    found = account_of(request, ctx)
    if isinstance(found, ApiResponse):
        return found
    engine, number = found
    wanted = request.param("INQR_DVSN_2").strip() or "0"
    if wanted not in ("0", "1", "2"):
        return invalid_field("INQR_DVSN_2")
    orders = [
        order
        for order in _domestic_orders(engine, number)
        if order.is_open and (wanted == "0" or (wanted == "1") == (order.side == _SELL))
    ]
    if request.param("INQR_DVSN_1").strip() == "1":
        orders.sort(key=lambda o: (o.symbol, o.order_no))
    page = paginate(orders, request, page_size=50, query_key=f"{request.param('CANO')}RVSE{wanted}")
    rows = [
        {
            "ord_gno_brno": order.branch,
            "odno": order.order_no,
            "orgn_odno": order.original_order_no,
            "ord_dvsn_name": DOMESTIC_TYPE_NAMES.get(order.ord_dvsn, ""),
            "pdno": order.symbol,
            "prdt_name": _name(ctx, order),
            "rvse_cncl_dvsn_name": "정정" if order.kind == "modify" else "",
            "ord_qty": str(order.qty),
            "ord_unpr": fmt_int(order.price),
            "ord_tmd": order.ord_tmd,
            "tot_ccld_qty": str(order.filled_qty),
            "tot_ccld_amt": fmt_int(order.filled_amount),
            "psbl_qty": str(order.remaining),
            "sll_buy_dvsn_cd": _side_code(order),
            "ord_dvsn_cd": order.ord_dvsn,
            "mgco_aptm_odno": "",
            "excg_dvsn_cd": "01" if order.exchange == "KRX" else "02",
            "excg_id_dvsn_cd": order.exchange,
            "excg_id_dvsn_name": {"KRX": "한국거래소", "NXT": "대체거래소", "SOR": "SOR"}.get(order.exchange, ""),
            "stpm_cndt_pric": "0",
            "stpm_efct_occr_yn": "N",
        }
        for order in page.rows
    ]
    body: dict[str, Any] = dict(page.cursors)
    body["output"] = rows
    return ok(body, tr_cont=page.tr_cont)


def _ccld_row(ctx: EmulatorContext, order: Order) -> dict[str, str]:
    cancelled = order.qty if order.kind == "cancel" else order.cancelled_qty
    return {
        "ord_dt": order.ord_dt,
        "ord_gno_brno": order.branch,
        "odno": order.order_no,
        "orgn_odno": order.original_order_no,
        "ord_dvsn_name": DOMESTIC_TYPE_NAMES.get(order.ord_dvsn, ""),
        "sll_buy_dvsn_cd": _side_code(order),
        "sll_buy_dvsn_cd_name": ("매도" if order.side == _SELL else "매수")
        + {"modify": "정정", "cancel": "취소"}.get(order.kind, ""),
        "pdno": order.symbol,
        "prdt_name": _name(ctx, order),
        "ord_qty": str(order.qty),
        "ord_unpr": fmt_int(order.price),
        "ord_tmd": order.ord_tmd,
        "tot_ccld_qty": str(order.filled_qty),
        "avg_prvs": fmt_int(order.avg_fill_price),
        "cncl_yn": "Y" if order.kind == "cancel" else "N",
        "tot_ccld_amt": fmt_int(order.filled_amount),
        "loan_dt": "",
        "ordr_empno": "OpnAPI",
        "ord_dvsn_cd": order.ord_dvsn,
        "cnc_cfrm_qty": str(cancelled),
        "rmn_qty": str(order.remaining),
        "rjct_qty": "0",
        "ccld_cndt_name": _ccld_name(order),
        "inqr_ip_addr": "",
        "cpbc_ordp_ord_rcit_dvsn_cd": "",
        "cpbc_ordp_infm_mthd_dvsn_cd": "",
        "infm_tmd": "",
        "ctac_tlno": "",
        "prdt_type_cd": "300",
        "excg_dvsn_cd": "01" if order.exchange == "KRX" else "02",
        "cpbc_ordp_mtrl_dvsn_cd": "",
        "ord_orgno": "",
        "rsvn_ord_end_dt": "",
        # The broker's column map spells this one with a capital C.
        "excg_id_dvsn_Cd": order.exchange,
        "stpm_cndt_pric": "0",
        "stpm_efct_occr_dtmd": "",
    }


def daily_ccld(request: ApiRequest, ctx: EmulatorContext) -> ApiResponse:
    """TTTC0081R (3개월이내) / CTSC9215R (3개월이전) 주식일별주문체결조회: 100 rows per page, 15 in virtual."""
    found = account_of(request, ctx)
    if isinstance(found, ApiResponse):
        return found
    engine, number = found
    start = parse_yyyymmdd(request.param("INQR_STRT_DT"))
    end = parse_yyyymmdd(request.param("INQR_END_DT"))
    if start is None:
        return invalid_field("INQR_STRT_DT")
    if end is None or end < start:
        return invalid_field("INQR_END_DT")
    # 3개월이내 / 3개월이전: a few days' slack either side of the boundary (the live cut-off is not documented).
    recent = request.tr_id.endswith("0081R")
    boundary = three_months_ago(kst_date(ctx))
    if recent and start < boundary:
        return invalid_field("INQR_STRT_DT")
    if not recent and end >= boundary + timedelta(days=8):
        return invalid_field("INQR_END_DT")
    side = request.param("SLL_BUY_DVSN_CD").strip() or "00"
    ccld = request.param("CCLD_DVSN").strip() or "00"
    if side not in ("00", "01", "02"):
        return invalid_field("SLL_BUY_DVSN_CD")
    if ccld not in ("00", "01", "02"):
        return invalid_field("CCLD_DVSN")
    symbol = request.param("PDNO").strip()
    odno = request.param("ODNO").strip()
    exchange = request.param("EXCG_ID_DVSN_CD").strip().upper()

    def wanted(order: Order) -> bool:
        day = order.time.astimezone(KST).date()
        if not start <= day <= end:
            return False
        if side != "00" and _side_code(order) != side:
            return False
        if symbol and order.symbol != symbol:
            return False
        if odno and order.order_no != odno.zfill(10):
            return False
        if exchange and exchange not in ("ALL", order.exchange):
            return False
        if ccld == "01":
            return order.filled_qty > 0
        if ccld == "02":
            return order.is_open
        return True

    orders = [order for order in _domestic_orders(engine, number) if wanted(order)]
    if request.param("INQR_DVSN").strip() != "01":
        orders.reverse()  # 00: 역순, newest first
    key = f"{start:%Y%m%d}{end:%Y%m%d}{side}{ccld}{symbol}{odno}"
    page = paginate(orders, request, page_size=100 if request.env == "real" else 15, query_key=key)
    filled_qty = sum(order.filled_qty for order in orders)
    filled_amount = sum((order.filled_amount for order in orders), Decimal(0))
    fees = sum(
        (fill.fee + fill.tax for fill in engine.fills(number) if fill.order_no in {o.order_no for o in orders}),
        Decimal(0),
    )
    body: dict[str, Any] = dict(page.cursors)
    body["output1"] = [_ccld_row(ctx, order) for order in page.rows]
    body["output2"] = {
        "tot_ord_qty": str(sum(order.qty for order in orders if order.kind != "cancel")),
        "tot_ccld_qty": str(filled_qty),
        "tot_ccld_amt": fmt_int(filled_amount),
        "prsm_tlex_smtl": fmt_int(fees),
        "pchs_avg_pric": fmt_fixed(filled_amount / filled_qty if filled_qty else 0, 4),
    }
    return ok(body, tr_cont=page.tr_cont)


# ------------------------------------------------------------------------------------------------ profit


def _profit_rows(ctx: EmulatorContext, fills: Iterable[Fill]) -> list[dict[str, str]]:
    grouped: dict[tuple[str, str], list[Fill]] = {}
    for fill in fills:
        grouped.setdefault((fmt_date(fill.time), fill.symbol), []).append(fill)
    rows: list[dict[str, str]] = []
    for (day, symbol), group in sorted(grouped.items(), reverse=True):
        buys = [f for f in group if f.side == _BUY]
        sells = [f for f in group if f.side == _SELL]
        buy_qty = sum(f.qty for f in buys)
        buy_amt = sum((f.amount for f in buys), Decimal(0))
        sell_qty = sum(f.qty for f in sells)
        sell_amt = sum((f.amount for f in sells), Decimal(0))
        fee = sum((f.fee for f in group), Decimal(0))
        tax = sum((f.tax for f in group), Decimal(0))
        realized = sum((f.realized for f in sells), Decimal(0))
        cost = sell_amt - realized
        profit = realized - sum((f.fee + f.tax for f in sells), Decimal(0))
        instrument = ctx.market.instrument(symbol)
        rows.append(
            {
                "trad_dt": day,
                "pdno": symbol,
                "prdt_name": instrument.name if instrument is not None else "",
                "trad_dvsn_name": "현금",
                "loan_dt": "",
                "hldg_qty": "0",
                "pchs_unpr": fmt_fixed(cost / sell_qty if sell_qty else 0, 4),
                "buy_qty": str(buy_qty),
                "buy_amt": fmt_int(buy_amt),
                "sll_pric": fmt_fixed(sell_amt / sell_qty if sell_qty else 0, 4),
                "sll_qty": str(sell_qty),
                "sll_amt": fmt_int(sell_amt),
                "rlzt_pfls": fmt_int(profit),
                "pfls_rt": fmt_fixed(pct(profit, cost), 2),
                "fee": fmt_int(fee),
                "tl_tax": fmt_int(tax),
                "loan_int": "0",
            }
        )
    return rows


def period_trade_profit(request: ApiRequest, ctx: EmulatorContext) -> ApiResponse:
    """TTTC8715R 기간별매매손익현황조회 (real only): per trading day and symbol, net of fees and taxes."""
    found = account_of(request, ctx)
    if isinstance(found, ApiResponse):
        return found
    engine, number = found
    start = parse_yyyymmdd(request.param("INQR_STRT_DT"))
    end = parse_yyyymmdd(request.param("INQR_END_DT"))
    if start is None:
        return invalid_field("INQR_STRT_DT")
    if end is None or end < start:
        return invalid_field("INQR_END_DT")
    symbol = request.param("PDNO").strip()
    fills = [
        fill
        for fill in engine.fills(number)
        if fill.market in ("KOSPI", "KOSDAQ")
        and start <= fill.time.astimezone(KST).date() <= end
        and (not symbol or fill.symbol == symbol)
    ]
    rows = _profit_rows(ctx, fills)
    if request.param("SORT_DVSN").strip() == "01":
        rows.reverse()
    page = paginate(rows, request, page_size=50, query_key=f"{start:%Y%m%d}{end:%Y%m%d}{symbol}")
    sells = [f for f in fills if f.side == _SELL]
    buys = [f for f in fills if f.side == _BUY]

    def total(items: list[Fill], name: str) -> Decimal:
        return sum((getattr(f, name) for f in items), Decimal(0))

    realized = total(sells, "realized") - total(sells, "fee") - total(sells, "tax")
    cost = total(sells, "amount") - total(sells, "realized")
    body: dict[str, Any] = dict(page.cursors)
    body["output1"] = page.rows
    body["output2"] = {
        "sll_qty_smtl": str(sum(f.qty for f in sells)),
        "sll_tr_amt_smtl": fmt_int(total(sells, "amount")),
        "sll_fee_smtl": fmt_int(total(sells, "fee")),
        "sll_tltx_smtl": fmt_int(total(sells, "tax")),
        "sll_excc_amt_smtl": fmt_int(total(sells, "amount") - total(sells, "fee") - total(sells, "tax")),
        "buyqty_smtl": str(sum(f.qty for f in buys)),
        "buy_tr_amt_smtl": fmt_int(total(buys, "amount")),
        "buy_fee_smtl": fmt_int(total(buys, "fee")),
        "buy_tax_smtl": fmt_int(total(buys, "tax")),
        "buy_excc_amt_smtl": fmt_int(total(buys, "amount") + total(buys, "fee") + total(buys, "tax")),
        "tot_qty": str(sum(f.qty for f in fills)),
        "tot_tr_amt": fmt_int(total(fills, "amount")),
        "tot_fee": fmt_int(total(fills, "fee")),
        "tot_tltx": fmt_int(total(fills, "tax")),
        "tot_excc_amt": fmt_int(total(sells, "amount") - total(buys, "amount")),
        "tot_rlzt_pfls": fmt_int(realized),
        "tot_pftrt": fmt_fixed(pct(realized, cost), 8),
    }
    return ok(body, tr_cont=page.tr_cont)


def register(registry: EndpointRegistry) -> None:
    """Add the domestic trading endpoints to ``registry``."""
    registry.add(ORDER_CASH, order_cash)
    registry.add(ORDER_RVSECNCL, order_rvsecncl)
    registry.add(INQUIRE_BALANCE, inquire_balance)
    registry.add(PSBL_RVSECNCL, psbl_rvsecncl)
    registry.add(DAILY_CCLD, daily_ccld)
    registry.add(PSBL_ORDER, inquire_psbl_order)
    registry.add(PSBL_SELL, inquire_psbl_sell)
    registry.add(PERIOD_PROFIT, period_trade_profit)
