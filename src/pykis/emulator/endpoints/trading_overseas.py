"""Overseas stock trading and account inquiries, served from the matching engine: orders here, balances, buying
power and period profit in :mod:`.accounts_overseas`.

=============================================  ==========================  ===========  =========================
path                                           real                        virtual      output
=============================================  ==========================  ===========  =========================
``/trading/order``                             per exchange and side (§11) V… (US sell  ``output`` upper-case
                                                                           VTTT1001U)
``/trading/order-rvsecncl``                    TTTT1004U                   VTTT1004U    ``output`` upper-case
``/trading/daytime-order``                     TTTS6036U / TTTS6037U       —            ``output`` upper-case
``/trading/daytime-order-rvsecncl``            TTTS6038U                   —            ``output`` upper-case
``/trading/inquire-balance``                   TTTS3012R                   VTTS3012R    output1 rows, output2
``/trading/inquire-present-balance``           CTRP6504R                   VTRP6504R    output1, output2, output3
``/trading/inquire-nccs``                      TTTS3018R                   VTTS3018R    output rows
``/trading/inquire-ccnl``                      TTTS3035R                   VTTS3035R    output rows
``/trading/inquire-psamount``                  TTTS3007R                   VTTS3007R    output
``/trading/inquire-period-profit``             TTTS3039R                   —            output1 rows, output2
=============================================  ==========================  ===========  =========================

Exchange codes are ``OVRS_EXCG_CD`` (PROTOCOL.md §9). In the real service's inquiries ``NASD`` means every US
market; the virtual service's balance takes NASD, NYSE and AMEX one by one, and its order history (inquire-ccnl)
takes only empty filters (``PDNO`` "", ``SLL_BUY_DVSN`` 00, ``CCLD_NCCS_DVSN`` 00, ``OVRS_EXCG_CD`` "").
A blank ``OVRS_EXCG_CD`` is every exchange in the balance and the open orders (the latter answers its first
page only, as its parameter note says).
Orders: US buys take ORD_DVSN 00/32/34 and sells 00/31/32/33/34, plus TWAP 35 / VWAP 36 (PROTOCOL §15, windows
in ``START_TIME``/``END_TIME`` as local HHMMSS); other exchanges 00 only; the virtual service 00 only; the US
daytime session 00 only. Page sizes are emulator choices (real 100, virtual 20): the broker documents none.
"""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pykis.emulator.endpoints._format import KST, fmt_fixed
from pykis.emulator.endpoints._trading import (
    VIRTUAL_TYPE_REFUSED,
    account_of,
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
    from pykis.emulator.instruments import Instrument

__all__ = ["EXCHANGE_MARKETS", "register"]

ORDER = "/uapi/overseas-stock/v1/trading/order"
ORDER_RVSECNCL = "/uapi/overseas-stock/v1/trading/order-rvsecncl"
DAYTIME_ORDER = "/uapi/overseas-stock/v1/trading/daytime-order"
DAYTIME_RVSECNCL = "/uapi/overseas-stock/v1/trading/daytime-order-rvsecncl"
INQUIRE_NCCS = "/uapi/overseas-stock/v1/trading/inquire-nccs"
INQUIRE_CCNL = "/uapi/overseas-stock/v1/trading/inquire-ccnl"

EXCHANGE_MARKETS: dict[str, str] = {
    "NASD": "NASDAQ",
    "NYSE": "NYSE",
    "AMEX": "AMEX",
    "SEHK": "SEHK",
    "SHAA": "SSE",
    "SZAA": "SZSE",
    "TKSE": "TSE",
    "HASE": "HNX",
    "VNSE": "HSX",
}
_CODE_OF = {market: code for code, market in EXCHANGE_MARKETS.items()}
_US = ("NASDAQ", "NYSE", "AMEX")
_NATION = {
    "USD": ("840", "미국"),
    "HKD": ("344", "홍콩"),
    "CNY": ("156", "중국"),
    "JPY": ("392", "일본"),
    "VND": ("704", "베트남"),
}
_MARKET_NAMES = {
    "NASDAQ": "나스닥",
    "NYSE": "뉴욕",
    "AMEX": "아멕스",
    "SEHK": "홍콩",
    "SSE": "상해A",
    "SZSE": "심천A",
    "TSE": "도쿄",
    "HNX": "하노이",
    "HSX": "호치민",
}
# Real order TR → (side, exchange codes) (PROTOCOL.md §11); virtual TRs are V + the same, but VTTT1001U is US sell.
_ORDER_TRS: dict[str, tuple[str, frozenset[str]]] = {
    "TTTT1002U": ("buy", frozenset({"NASD", "NYSE", "AMEX"})),
    "TTTT1006U": ("sell", frozenset({"NASD", "NYSE", "AMEX"})),
    "TTTS1002U": ("buy", frozenset({"SEHK"})),
    "TTTS1001U": ("sell", frozenset({"SEHK"})),
    "TTTS0202U": ("buy", frozenset({"SHAA"})),
    "TTTS1005U": ("sell", frozenset({"SHAA"})),
    "TTTS0305U": ("buy", frozenset({"SZAA"})),
    "TTTS0304U": ("sell", frozenset({"SZAA"})),
    "TTTS0308U": ("buy", frozenset({"TKSE"})),
    "TTTS0307U": ("sell", frozenset({"TKSE"})),
    "TTTS0311U": ("buy", frozenset({"HASE", "VNSE"})),
    "TTTS0310U": ("sell", frozenset({"HASE", "VNSE"})),
    "TTTS6036U": ("buy", frozenset({"NASD", "NYSE", "AMEX"})),
    "TTTS6037U": ("sell", frozenset({"NASD", "NYSE", "AMEX"})),
}
_US_TYPES = {
    "buy": frozenset({"00", "32", "34", "35", "36"}),
    "sell": frozenset({"00", "31", "32", "33", "34", "35", "36"}),
}
_NO_PRICE_TYPES = frozenset({"31", "33"})


def _real_tr(tr_id: str) -> str:
    if tr_id == "VTTT1001U":
        return "TTTT1006U"
    return "T" + tr_id[1:] if tr_id.startswith("V") else tr_id


def _markets(code: str, env: str) -> tuple[str, ...] | None:
    """The instrument markets an inquiry's exchange code covers ("" and "%" mean all)."""
    code = code.strip().upper()
    if code in ("", "%"):
        return tuple(EXCHANGE_MARKETS.values())
    if code == "NASD" and env == "real":
        return _US
    if code in ("NAS",):
        return ("NASDAQ",)
    market = EXCHANGE_MARKETS.get(code)
    return (market,) if market else None


def _num(value: Decimal | int, places: int = 8) -> str:
    return fmt_fixed(value, places)


def _unknown_symbol() -> ApiResponse:
    return business_error("1", "APBK0656", "해당 종목 정보가 없습니다.")


# ------------------------------------------------------------------------------------------------ orders


def _window(request: ApiRequest, instrument: Instrument, ctx: EmulatorContext) -> tuple[datetime, datetime] | None:
    start, end = request.param("START_TIME").strip(), request.param("END_TIME").strip()
    if not start or not end or not (start.isdigit() and end.isdigit() and len(start) == len(end) == 6):
        return None
    day = ctx.now().astimezone(instrument.timezone).date()
    zone = instrument.timezone

    def at(text: str) -> datetime:
        return datetime.combine(day, time(int(text[:2]), int(text[2:4]), int(text[4:])), tzinfo=zone)

    return at(start), at(end)


def _place(request: ApiRequest, ctx: EmulatorContext, *, daytime: bool) -> ApiResponse:
    found = account_of(request, ctx)
    if isinstance(found, ApiResponse):
        return found
    engine, number = found
    spec = _ORDER_TRS.get(_real_tr(request.tr_id))
    code = request.param("OVRS_EXCG_CD").strip().upper()
    if spec is None or code not in spec[1]:
        return invalid_field("OVRS_EXCG_CD")
    side = spec[0]
    market = EXCHANGE_MARKETS[code]
    instrument = ctx.market.instrument(request.param("PDNO").strip(), market)
    if instrument is None or instrument.market != market:
        return _unknown_symbol()
    qty = whole(request.param("ORD_QTY"))
    price = price_of(request.param("OVRS_ORD_UNPR"))
    if qty is None:
        return invalid_field("ORD_QTY")
    if price is None:
        return invalid_field("OVRS_ORD_UNPR")
    ord_dvsn = request.param("ORD_DVSN").strip() or "00"
    if request.env == "virtual" and ord_dvsn != "00":
        return business_error("1", *VIRTUAL_TYPE_REFUSED)
    allowed = _US_TYPES[side] if instrument.us and not daytime else frozenset({"00"})
    if ord_dvsn not in allowed:
        return business_error("1", "APBK0518", f"주문구분을 확인하여 주십시오. ({ord_dvsn})")
    window = _window(request, instrument, ctx) if ord_dvsn in ("35", "36") else None
    try:
        order = engine.place(
            number,
            instrument.symbol,
            side,
            qty,
            Decimal(0) if ord_dvsn in _NO_PRICE_TYPES else price,
            ord_dvsn,
            market=instrument.market,
            exchange="DAYTIME" if daytime else code,
            start=window[0] if window else None,
            end=window[1] if window else None,
        )
    except EngineReject as error:
        return rejected(error)
    output = {"KRX_FWDG_ORD_ORGNO": order.branch, "ODNO": order.order_no, "ORD_TMD": order.ord_tmd}
    return ok({"output": output}, msg_cd=MSG_ACCEPTED[0], msg1=MSG_ACCEPTED[1])


def order(request: ApiRequest, ctx: EmulatorContext) -> ApiResponse:
    """해외주식 주문: TTTT1002U/TTTT1006U (US), TTTS1002U/1001U (HK), … — the TR names side and exchange."""
    return _place(request, ctx, daytime=False)


def daytime_order(request: ApiRequest, ctx: EmulatorContext) -> ApiResponse:
    """TTTS6036U / TTTS6037U 해외주식 미국주간주문 (real only, limit only)."""
    return _place(request, ctx, daytime=True)


def _revise(request: ApiRequest, ctx: EmulatorContext, *, daytime: bool) -> ApiResponse:
    found = account_of(request, ctx)
    if isinstance(found, ApiResponse):
        return found
    engine, number = found
    kind = request.param("RVSE_CNCL_DVSN_CD").strip()
    if kind not in ("01", "02"):
        return invalid_field("RVSE_CNCL_DVSN_CD")
    original = engine.order(request.param("ORGN_ODNO").strip() or "0")
    code = request.param("OVRS_EXCG_CD").strip().upper()
    if (
        original is None
        or original.account != number
        or original.symbol != request.param("PDNO").strip()
        or EXCHANGE_MARKETS.get(code) not in (original.market, *(_US if code == "NASD" else ()))
    ):
        return business_error("1", "APBK0521", "원주문번호를 잘못 입력하셨습니다.")
    qty = whole(request.param("ORD_QTY") or "0")
    price = price_of(request.param("OVRS_ORD_UNPR"))
    if qty is None:
        return invalid_field("ORD_QTY")
    if price is None:
        return invalid_field("OVRS_ORD_UNPR")
    # ORD_QTY at (or above) the remaining quantity, or 0, moves the whole remainder.
    all_qty = qty == 0 or qty >= original.remaining
    try:
        if kind == "02":
            record = engine.cancel(number, original.order_no, qty=qty, all_qty=all_qty)
        else:
            record = engine.modify(number, original.order_no, price=price or None, qty=qty, all_qty=all_qty)
    except EngineReject as error:
        return rejected(error)
    output = {"KRX_FWDG_ORD_ORGNO": record.branch, "ODNO": record.order_no, "ORD_TMD": record.ord_tmd}
    _ = daytime
    return ok({"output": output}, msg_cd=MSG_ACCEPTED[0], msg1=MSG_ACCEPTED[1])


def order_rvsecncl(request: ApiRequest, ctx: EmulatorContext) -> ApiResponse:
    """TTTT1004U 해외주식 정정취소주문."""
    return _revise(request, ctx, daytime=False)


def daytime_rvsecncl(request: ApiRequest, ctx: EmulatorContext) -> ApiResponse:
    """TTTS6038U 해외주식 미국주간정정취소 (real only)."""
    return _revise(request, ctx, daytime=True)


# ------------------------------------------------------------------------------------------------ order lists


def _foreign_orders(engine: Engine, number: str, markets: tuple[str, ...]) -> list[Order]:
    return [order for order in engine.orders(number) if order.market in markets]


def _order_row(ctx: EmulatorContext, order: Order) -> dict[str, str]:
    instrument = ctx.market.instrument(order.symbol, order.market)
    zone = instrument.timezone if instrument else KST
    nation_code, nation_name = _NATION[order.currency]
    side_name = "매도" if order.side == "sell" else "매수"
    revise = {"modify": "01", "cancel": "02"}.get(order.kind, "00")
    revise_name = {"01": "정정", "02": "취소"}.get(revise, "")
    return {
        "ord_dt": order.time.astimezone(zone).strftime("%Y%m%d"),
        "ord_gno_brno": order.branch,
        "odno": order.order_no,
        "orgn_odno": order.original_order_no,
        "sll_buy_dvsn_cd": "01" if order.side == "sell" else "02",
        "sll_buy_dvsn_cd_name": side_name,
        "rvse_cncl_dvsn": revise,
        "rvse_cncl_dvsn_cd": revise,
        "rvse_cncl_dvsn_name": revise_name,
        "pdno": order.symbol,
        "prdt_name": instrument.name if instrument else "",
        "ft_ord_qty": str(order.qty),
        "ft_ord_unpr3": _num(order.price),
        "ft_ccld_qty": str(order.filled_qty),
        "ft_ccld_unpr3": _num(order.avg_fill_price),
        "ft_ccld_amt3": _num(order.filled_amount, 5),
        "nccs_qty": str(order.remaining),
        "prcs_stat_name": "완료" if not order.is_open else "접수",
        "rjct_rson": "",
        "rjct_rson_name": "",
        "ord_tmd": order.time.astimezone(zone).strftime("%H%M%S"),
        "tr_mket_name": _MARKET_NAMES.get(order.market, ""),
        "tr_crcy_cd": order.currency,
        "tr_natn": nation_code,
        "natn_cd": nation_code,
        "ovrs_excg_cd": _CODE_OF[order.market],
        "tr_natn_name": nation_name,
        "dmst_ord_dt": order.ord_dt,
        "thco_ord_tmd": order.ord_tmd,
        "loan_type_cd": "10",
        "loan_dt": "",
        "mdia_dvsn_name": "OpenAPI",
        "usa_amk_exts_rqst_yn": "N",
        "splt_buy_attr_name": "",
    }


_NCCS_COLUMNS = [
    "ord_dt",
    "ord_gno_brno",
    "odno",
    "orgn_odno",
    "pdno",
    "prdt_name",
    "sll_buy_dvsn_cd",
    "rvse_cncl_dvsn_cd",
    "rjct_rson",
    "ord_tmd",
    "tr_crcy_cd",
    "natn_cd",
    "ft_ord_qty",
    "ft_ccld_qty",
    "nccs_qty",
    "ft_ord_unpr3",
    "ft_ccld_unpr3",
    "ft_ccld_amt3",
    "ovrs_excg_cd",
    "loan_type_cd",
    "loan_dt",
    "usa_amk_exts_rqst_yn",
]
_CCNL_COLUMNS = [
    "ord_dt",
    "ord_gno_brno",
    "odno",
    "orgn_odno",
    "sll_buy_dvsn_cd",
    "sll_buy_dvsn_cd_name",
    "rvse_cncl_dvsn",
    "rvse_cncl_dvsn_name",
    "pdno",
    "prdt_name",
    "ft_ord_qty",
    "ft_ord_unpr3",
    "ft_ccld_qty",
    "ft_ccld_unpr3",
    "ft_ccld_amt3",
    "nccs_qty",
    "prcs_stat_name",
    "rjct_rson",
    "rjct_rson_name",
    "ord_tmd",
    "tr_mket_name",
    "tr_crcy_cd",
    "tr_natn",
    "ovrs_excg_cd",
    "tr_natn_name",
    "dmst_ord_dt",
    "thco_ord_tmd",
    "loan_type_cd",
    "loan_dt",
    "mdia_dvsn_name",
    "usa_amk_exts_rqst_yn",
    "splt_buy_attr_name",
]


def inquire_nccs(request: ApiRequest, ctx: EmulatorContext) -> ApiResponse:
    """TTTS3018R 해외주식 미체결내역: open orders of the exchange code."""
    found = account_of(request, ctx)
    if isinstance(found, ApiResponse):
        return found
    engine, number = found
    code = request.param("OVRS_EXCG_CD").strip().upper()
    markets = _markets(code, request.env)
    if markets is None:
        return invalid_field("OVRS_EXCG_CD")
    orders = [o for o in _foreign_orders(engine, number, markets) if o.is_open]
    if request.param("SORT_SQN").strip().upper() != "DS":
        orders.reverse()
    size = 100 if request.env == "real" else 20
    if not code:
        # A blank exchange code is every exchange, but its first page only: the broker's parameter note
        # (rest.json, examples_llm/overseas_stock/inquire_nccs) says a blank code cannot be continued.
        orders = orders[:size]
    page = paginate(
        orders,
        request,
        page_size=size,
        query_key=f"NCCS{code}",
        cursor=("ctx_area_fk200", "ctx_area_nk200"),
    )
    rows = [{name: _order_row(ctx, o)[name] for name in _NCCS_COLUMNS} for o in page.rows]
    body: dict[str, Any] = dict(page.cursors)
    body["output"] = rows
    return ok(body, tr_cont=page.tr_cont)


def inquire_ccnl(request: ApiRequest, ctx: EmulatorContext) -> ApiResponse:
    """TTTS3035R 해외주식 주문체결내역: orders between local dates, optionally filtered (not in virtual)."""
    found = account_of(request, ctx)
    if isinstance(found, ApiResponse):
        return found
    engine, number = found
    start = parse_yyyymmdd(request.param("ORD_STRT_DT"))
    end = parse_yyyymmdd(request.param("ORD_END_DT"))
    if start is None:
        return invalid_field("ORD_STRT_DT")
    if end is None or end < start:
        return invalid_field("ORD_END_DT")
    symbol = request.param("PDNO").strip()
    side = request.param("SLL_BUY_DVSN").strip() or "00"
    ccld = request.param("CCLD_NCCS_DVSN").strip() or "00"
    code = request.param("OVRS_EXCG_CD").strip().upper()
    if request.env == "virtual":
        # PROTOCOL §9 / rest.json: the virtual service only takes "all" for these filters.
        for name, value, accepted in (
            ("PDNO", symbol, ("",)),
            ("SLL_BUY_DVSN", side, ("00",)),
            ("CCLD_NCCS_DVSN", ccld, ("00",)),
            ("OVRS_EXCG_CD", code, ("",)),
        ):
            if value not in accepted:
                return invalid_field(name)
    markets = _markets(code, request.env)
    if markets is None:
        return invalid_field("OVRS_EXCG_CD")

    def wanted(order: Order) -> bool:
        instrument = ctx.market.instrument(order.symbol, order.market)
        zone = instrument.timezone if instrument else KST
        if not start <= order.time.astimezone(zone).date() <= end:
            return False
        if symbol not in ("", "%") and order.symbol != symbol:
            return False
        if side not in ("00", "01" if order.side == "sell" else "02"):
            return False
        if ccld == "01":
            return order.filled_qty > 0
        if ccld == "02":
            return order.is_open
        return True

    orders = [o for o in _foreign_orders(engine, number, markets) if wanted(o)]
    if request.param("SORT_SQN").strip().upper() == "AS":
        orders.reverse()
    key = f"{start:%Y%m%d}{end:%Y%m%d}{symbol}{side}{ccld}{code}"
    page = paginate(
        orders,
        request,
        page_size=100 if request.env == "real" else 20,
        query_key=key,
        cursor=("ctx_area_fk200", "ctx_area_nk200"),
    )
    rows = [{name: _order_row(ctx, o)[name] for name in _CCNL_COLUMNS} for o in page.rows]
    body: dict[str, Any] = dict(page.cursors)
    body["output"] = rows
    return ok(body, tr_cont=page.tr_cont)


def register(registry: EndpointRegistry) -> None:
    """Add the overseas order endpoints to ``registry`` (the account inquiries are :mod:`.accounts_overseas`)."""
    registry.add(ORDER, order)
    registry.add(ORDER_RVSECNCL, order_rvsecncl)
    registry.add(DAYTIME_ORDER, daytime_order)
    registry.add(DAYTIME_RVSECNCL, daytime_rvsecncl)
    registry.add(INQUIRE_NCCS, inquire_nccs)
    registry.add(INQUIRE_CCNL, inquire_ccnl)
