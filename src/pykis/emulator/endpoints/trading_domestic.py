"""Domestic stock trading and account inquiries, served from the matching engine: orders, revisions, open orders
and fills here; balances, buying power, sellable quantity and period profit in :mod:`.accounts_domestic`.

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

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pykis.emulator.endpoints._format import KST, fmt_fixed, fmt_int
from pykis.emulator.endpoints._trading import (
    DOMESTIC_TYPE_NAMES,
    VIRTUAL_TYPE_REFUSED,
    account_of,
    kst_date,
    months_back,
    parse_yyyymmdd,
    price_of,
    rejected,
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
    from pykis.emulator.engine import Engine, Order

__all__ = ["VIRTUAL_ORDER_TYPES", "register"]

ORDER_CASH = "/uapi/domestic-stock/v1/trading/order-cash"
ORDER_RVSECNCL = "/uapi/domestic-stock/v1/trading/order-rvsecncl"
PSBL_RVSECNCL = "/uapi/domestic-stock/v1/trading/inquire-psbl-rvsecncl"
DAILY_CCLD = "/uapi/domestic-stock/v1/trading/inquire-daily-ccld"

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
    # 3개월이내 / 3개월이전 by calendar month, as the broker counts (legacy/Sample01/kis_domstk.py: "월단위 ex:
    # 2024.04.25 이면 2024.01월~04월조회", "2024.01월이전"): both serve the month three months back; TTTC0081R
    # refuses a start before it, CTSC9215R an end after it.
    today = kst_date(ctx)
    if request.tr_id.endswith("0081R"):
        if start < months_back(today, 3):
            return invalid_field("INQR_STRT_DT")
    elif end >= months_back(today, 2):
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


def register(registry: EndpointRegistry) -> None:
    """Add the domestic order endpoints to ``registry`` (the account inquiries are :mod:`.accounts_domestic`)."""
    registry.add(ORDER_CASH, order_cash)
    registry.add(ORDER_RVSECNCL, order_rvsecncl)
    registry.add(PSBL_RVSECNCL, psbl_rvsecncl)
    registry.add(DAILY_CCLD, daily_ccld)
