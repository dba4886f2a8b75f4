"""Overseas stock trading and account inquiries, served from the matching engine.

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

from datetime import date, datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pykis.emulator.endpoints._format import KST, fmt_fixed, fmt_rate, pct
from pykis.emulator.endpoints._trading import (
    VIRTUAL_TYPE_REFUSED,
    account_of,
    kst_date,
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
    from pykis.emulator.engine import Engine, Order, Position
    from pykis.emulator.instruments import Instrument

__all__ = ["EXCHANGE_MARKETS", "register"]

ORDER = "/uapi/overseas-stock/v1/trading/order"
ORDER_RVSECNCL = "/uapi/overseas-stock/v1/trading/order-rvsecncl"
DAYTIME_ORDER = "/uapi/overseas-stock/v1/trading/daytime-order"
DAYTIME_RVSECNCL = "/uapi/overseas-stock/v1/trading/daytime-order-rvsecncl"
INQUIRE_BALANCE = "/uapi/overseas-stock/v1/trading/inquire-balance"
PRESENT_BALANCE = "/uapi/overseas-stock/v1/trading/inquire-present-balance"
INQUIRE_NCCS = "/uapi/overseas-stock/v1/trading/inquire-nccs"
INQUIRE_CCNL = "/uapi/overseas-stock/v1/trading/inquire-ccnl"
PSAMOUNT = "/uapi/overseas-stock/v1/trading/inquire-psamount"
PERIOD_PROFIT = "/uapi/overseas-stock/v1/trading/inquire-period-profit"

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


# ------------------------------------------------------------------------------------------------ balances


def _foreign_positions(engine: Engine, number: str, markets: tuple[str, ...]) -> list[Position]:
    account = engine.account(number)
    held = [p for p in account.positions.values() if p.market in markets and p.qty > 0]
    return sorted(held, key=lambda p: (p.market, p.symbol))


def _position_values(ctx: EmulatorContext, position: Position) -> tuple[Decimal, Decimal, Decimal]:
    price = ctx.market.quote(position.symbol, position.market).price
    cost = position.avg_price * position.qty
    return price, cost, price * position.qty


def inquire_balance(request: ApiRequest, ctx: EmulatorContext) -> ApiResponse:
    """TTTS3012R 해외주식 잔고: positions of the exchange code in ``TR_CRCY_CD``."""
    found = account_of(request, ctx)
    if isinstance(found, ApiResponse):
        return found
    engine, number = found
    code = request.param("OVRS_EXCG_CD").strip().upper()
    # A blank code is every exchange, as in the other overseas inquiries (inquire-nccs documents it). The
    # broker's notes list no blank here; python-kis 2.1.6 sends blank OVRS_EXCG_CD and TR_CRCY_CD for every
    # virtual balance (api/account/balance.py, _internal_foreign_balance) and its live test of the virtual
    # service's balance (tests/unit/test_account_balance.py) depends on it: an inference, recorded as such.
    markets = _markets(code, request.env)
    if markets is None:
        return invalid_field("OVRS_EXCG_CD")
    currency = request.param("TR_CRCY_CD").strip().upper()
    held = [p for p in _foreign_positions(engine, number, markets) if not currency or p.currency == currency]
    page = paginate(
        held,
        request,
        page_size=100 if request.env == "real" else 20,
        query_key=f"{code}{currency}",
        cursor=("ctx_area_fk200", "ctx_area_nk200"),
    )
    cano, product = number.split("-")
    rows = []
    total_cost = total_value = Decimal(0)
    for position in held:
        _, cost, value = _position_values(ctx, position)
        total_cost += cost
        total_value += value
    for position in page.rows:
        price, cost, value = _position_values(ctx, position)
        instrument = ctx.market.instrument(position.symbol, position.market)
        rows.append(
            {
                "cano": cano,
                "acnt_prdt_cd": product,
                "prdt_type_cd": instrument.prdt_type_cd if instrument else "",
                "ovrs_pdno": position.symbol,
                "ovrs_item_name": instrument.name if instrument else "",
                "frcr_evlu_pfls_amt": _num(value - cost, 6),
                "evlu_pfls_rt": fmt_rate(pct(value - cost, cost)),
                "pchs_avg_pric": _num(position.avg_price, 4),
                "ovrs_cblc_qty": str(position.qty),
                "ord_psbl_qty": str(position.sellable),
                "frcr_pchs_amt1": _num(cost, 5),
                "ovrs_stck_evlu_amt": _num(value, 5),
                "now_pric2": _num(price, 6),
                "tr_crcy_cd": position.currency,
                "ovrs_excg_cd": _CODE_OF[position.market],
                "loan_type_cd": "10",
                "loan_dt": "",
                "expd_dt": "",
            }
        )
    account = engine.account(number)
    realized = sum((account.realized.get(c, Decimal(0)) for c in ({currency} if currency else _NATION)), Decimal(0))
    body: dict[str, Any] = dict(page.cursors)
    body["output1"] = rows
    body["output2"] = {
        "frcr_pchs_amt1": _num(total_cost, 5),
        "ovrs_rlzt_pfls_amt": _num(realized, 5),
        "ovrs_tot_pfls": _num(total_value - total_cost + realized, 5),
        "rlzt_erng_rt": fmt_fixed(pct(realized, total_cost), 8),
        "tot_evlu_pfls_amt": _num(total_value - total_cost, 5),
        "tot_pftrt": fmt_fixed(pct(total_value - total_cost, total_cost), 8),
        "frcr_buy_amt_smtl1": _num(total_cost, 5),
        "ovrs_rlzt_pfls_amt2": _num(realized, 5),
        "frcr_buy_amt_smtl2": _num(total_cost, 5),
    }
    return ok(body, tr_cont=page.tr_cont)


def present_balance(request: ApiRequest, ctx: EmulatorContext) -> ApiResponse:
    """CTRP6504R 해외주식 체결기준현재잔고: positions (output1), deposits per currency (output2), totals (output3).

    ``WCRC_FRCR_DVSN_CD`` 01 reports amounts in won, 02 in the foreign currency; exchange rates are the engine's.
    """
    found = account_of(request, ctx)
    if isinstance(found, ApiResponse):
        return found
    engine, number = found
    nation = request.param("NATN_CD").strip() or "000"
    currencies = [c for c, (code, _) in _NATION.items() if nation in ("000", code)]
    if not currencies:
        return invalid_field("NATN_CD")
    won = request.param("WCRC_FRCR_DVSN_CD").strip() == "01"
    rates = engine.rates
    account = engine.account(number)
    held = [p for p in _foreign_positions(engine, number, tuple(EXCHANGE_MARKETS.values())) if p.currency in currencies]
    today = kst_date(ctx)
    rows = []
    cost_krw = value_krw = Decimal(0)
    for position in held:
        price, cost, value = _position_values(ctx, position)
        rate = rates[position.currency]
        factor = rate if won else Decimal(1)
        cost_krw += cost * rate
        value_krw += value * rate
        bought = sum(
            f.qty
            for f in engine.fills(number)
            if f.symbol == position.symbol and f.side == "buy" and f.time.astimezone(KST).date() == today
        )
        sold = sum(
            f.qty
            for f in engine.fills(number)
            if f.symbol == position.symbol and f.side == "sell" and f.time.astimezone(KST).date() == today
        )
        instrument = ctx.market.instrument(position.symbol, position.market)
        nation_code, nation_name = _NATION[position.currency]
        rows.append(
            {
                "prdt_name": instrument.name if instrument else "",
                "cblc_qty13": _num(position.qty),
                "thdt_buy_ccld_qty1": _num(bought),
                "thdt_sll_ccld_qty1": _num(sold),
                "ccld_qty_smtl1": _num(position.qty),
                "ord_psbl_qty1": _num(position.sellable),
                "frcr_pchs_amt": _num(cost * factor, 5),
                "frcr_evlu_amt2": _num(value * factor, 5),
                "evlu_pfls_amt2": _num((value - cost) * factor, 5),
                "evlu_pfls_rt1": fmt_fixed(pct(value - cost, cost), 8),
                "pdno": position.symbol,
                "bass_exrt": _num(rate),
                "buy_crcy_cd": position.currency,
                "ovrs_now_pric1": _num(price),
                "avg_unpr3": _num(position.avg_price),
                "tr_mket_name": _MARKET_NAMES[position.market],
                "natn_kor_name": nation_name,
                "pchs_rmnd_wcrc_amt": _num(cost * rate, 2),
                "thdt_buy_ccld_frcr_amt": "0.00000000",
                "thdt_sll_ccld_frcr_amt": "0.00000000",
                "unit_amt": "1.00000000",
                "std_pdno": "",
                "prdt_type_cd": instrument.prdt_type_cd if instrument else "",
                "loan_rmnd": "0.00000000",
                "loan_dt": "",
                "loan_expd_dt": "",
                "ovrs_excg_cd": _CODE_OF[position.market],
                "item_lnkg_excg_cd": nation_code,
            }
        )
    deposits = []
    cash_krw = Decimal(0)
    # Currencies the account holds cash or positions in (USD always), as a fresh account shows them.
    held_currencies = {p.currency for p in held} | {c for c, amount in account.cash.items() if amount} | {"USD"}
    for currency in [c for c in currencies if c in held_currencies]:
        cash = account.cash.get(currency, Decimal(0))
        available = account.available(currency)
        rate = rates[currency]
        cash_krw += cash * rate
        deposits.append(
            {
                "crcy_cd": currency,
                "crcy_cd_name": _NATION[currency][1],
                "frcr_buy_amt_smtl": "0.00000000",
                "frcr_sll_amt_smtl": "0.00000000",
                "frcr_dncl_amt_2": _num(cash, 2),
                "frst_bltn_exrt": _num(rate),
                "frcr_buy_mgn_amt": _num(cash - available, 2),
                "frcr_etc_mgna": "0.00000000",
                "frcr_drwg_psbl_amt_1": _num(available, 2),
                "acpl_cstd_crcy_yn": "Y",
                "nxdy_frcr_drwg_psbl_amt": _num(available, 2),
            }
        )
    krw = account.cash.get("KRW", Decimal(0))
    summary = {
        "pchs_amt_smtl": _num(cost_krw, 2),
        "evlu_amt_smtl": _num(value_krw, 2),
        "evlu_pfls_amt_smtl": _num(value_krw - cost_krw, 2),
        "dncl_amt": _num(krw, 2),
        "cma_evlu_amt": "0.00000000",
        "tot_dncl_amt": _num(krw + cash_krw, 2),
        "etc_mgna": "0.00000000",
        "wdrw_psbl_tot_amt": _num(account.available("KRW"), 2),
        "frcr_evlu_tota": _num(cash_krw, 2),
        "evlu_erng_rt1": fmt_fixed(pct(value_krw - cost_krw, cost_krw), 8),
        "pchs_amt_smtl_amt": _num(cost_krw, 2),
        "evlu_amt_smtl_amt": _num(value_krw, 2),
        "tot_evlu_pfls_amt": _num(value_krw - cost_krw, 2),
        "tot_asst_amt": _num(krw + cash_krw + value_krw, 2),
        "buy_mgn_amt": "0.00000000",
        "mgna_tota": "0.00000000",
        "frcr_use_psbl_amt": _num(cash_krw, 2),
        "ustl_sll_amt_smtl": "0.00000000",
        "ustl_buy_amt_smtl": "0.00000000",
        "tot_frcr_cblc_smtl": _num(cash_krw, 2),
        "tot_loan_amt": "0.00000000",
    }
    return ok({"output1": rows, "output2": deposits, "output3": summary})


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


def psamount(request: ApiRequest, ctx: EmulatorContext) -> ApiResponse:
    """TTTS3007R 해외주식 매수가능금액조회."""
    found = account_of(request, ctx)
    if isinstance(found, ApiResponse):
        return found
    engine, number = found
    code = request.param("OVRS_EXCG_CD").strip().upper()
    market = EXCHANGE_MARKETS.get(code)
    if market is None:
        return invalid_field("OVRS_EXCG_CD")
    instrument = ctx.market.instrument(request.param("ITEM_CD").strip(), market)
    if instrument is None or (instrument.market != market and not (code == "NASD" and instrument.us)):
        return _unknown_symbol()
    price = price_of(request.param("OVRS_ORD_UNPR"))
    if price is None:
        return invalid_field("OVRS_ORD_UNPR")
    if price <= 0:
        price = ctx.market.quote(instrument.symbol, instrument.market).price
    account = engine.account(number)
    currency = instrument.currency
    cash = account.available(currency)
    qty = engine.buying_power(number, instrument.symbol, price, market=instrument.market)
    rate = engine.rates[currency]
    # What the won balance would add after an automatic exchange (환전이후), for the same price.
    won = account.available("KRW")
    after_cash = cash + won / rate
    unit = price * (1 + engine.fees.commission_rate(instrument))
    lots = int(after_cash / unit) // instrument.lot_size * instrument.lot_size if unit > 0 else 0
    output = {
        "tr_crcy_cd": currency,
        "ord_psbl_frcr_amt": _num(cash, 2),
        "sll_ruse_psbl_amt": "0.00",
        "ovrs_ord_psbl_amt": _num(cash, 2),
        "max_ord_psbl_qty": str(qty),
        "echm_af_ord_psbl_amt": _num(after_cash, 2),
        "echm_af_ord_psbl_qty": str(max(lots, 0)),
        "ord_psbl_qty": str(qty),
        "exrt": _num(rate),
        "frcr_ord_psbl_amt1": _num(cash, 2),
        "ovrs_max_ord_psbl_qty": str(qty),
    }
    return ok({"output": output})


def period_profit(request: ApiRequest, ctx: EmulatorContext) -> ApiResponse:
    """TTTS3039R 해외주식 기간손익 (real only): realized profit per trading day and symbol."""
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
    code = request.param("OVRS_EXCG_CD").strip().upper()
    markets = _markets(code, "real")
    if markets is None:
        return invalid_field("OVRS_EXCG_CD")
    currency = request.param("CRCY_CD").strip().upper()
    symbol = request.param("PDNO").strip()
    won = request.param("WCRC_FRCR_DVSN_CD").strip() == "02"
    sells = [
        f
        for f in engine.fills(number)
        if f.side == "sell"
        and f.market in markets
        and (not symbol or f.symbol == symbol)
        and start <= f.time.astimezone(KST).date() <= end
    ]
    sells = [f for f in sells if not currency or ctx.market.instrument(f.symbol, f.market).currency == currency]
    grouped: dict[tuple[date, str, str], list[Any]] = {}
    for fill in sells:
        grouped.setdefault((fill.time.astimezone(KST).date(), fill.market, fill.symbol), []).append(fill)
    rows = []
    total_sell = total_cost = total_profit = total_fee = Decimal(0)
    for (day, market, sym), group in sorted(grouped.items(), reverse=True):
        instrument = ctx.market.instrument(sym, market)
        rate = engine.rates[instrument.currency] if instrument else Decimal(1)
        factor = rate if won else Decimal(1)
        qty = sum(f.qty for f in group)
        amount = sum((f.amount for f in group), Decimal(0))
        realized = sum((f.realized for f in group), Decimal(0))
        fees = sum((f.fee + f.tax for f in group), Decimal(0))
        cost = amount - realized
        profit = realized - fees
        total_sell += amount * factor
        total_cost += cost * factor
        total_profit += profit * factor
        total_fee += fees * factor
        rows.append(
            {
                "trad_day": day.strftime("%Y%m%d"),
                "ovrs_pdno": sym,
                "ovrs_item_name": instrument.name if instrument else "",
                "slcl_qty": str(qty),
                "pchs_avg_pric": _num(cost / qty if qty else 0, 4),
                "frcr_pchs_amt1": _num(cost, 5),
                "avg_sll_unpr": _num(amount / qty if qty else 0, 4),
                "frcr_sll_amt_smtl1": _num(amount, 5),
                "stck_sll_tlex": _num(fees, 5),
                "ovrs_rlzt_pfls_amt": _num(profit * factor, 5),
                "pftrt": fmt_fixed(pct(profit, cost), 4),
                "exrt": _num(rate),
                "ovrs_excg_cd": _CODE_OF[market],
                "frst_bltn_exrt": _num(rate),
            }
        )
    page = paginate(
        rows,
        request,
        page_size=100,
        query_key=f"{start:%Y%m%d}{end:%Y%m%d}{code}{currency}{symbol}",
        cursor=("ctx_area_fk200", "ctx_area_nk200"),
    )
    body: dict[str, Any] = dict(page.cursors)
    body["output1"] = page.rows
    body["output2"] = {
        "stck_sll_amt_smtl": _num(total_sell, 5),
        "stck_buy_amt_smtl": _num(total_cost, 5),
        "smtl_fee1": _num(total_fee, 5),
        "excc_dfrm_amt": _num(total_sell - total_fee, 5),
        "ovrs_rlzt_pfls_tot_amt": _num(total_profit, 5),
        "tot_pftrt": fmt_fixed(pct(total_profit, total_cost), 8),
        "bass_dt": kst_date(ctx).strftime("%Y%m%d"),
        "exrt": _num(engine.rates.get(currency or "USD", Decimal(1))),
    }
    return ok(body, tr_cont=page.tr_cont)


def register(registry: EndpointRegistry) -> None:
    """Add the overseas trading endpoints to ``registry``."""
    registry.add(ORDER, order)
    registry.add(ORDER_RVSECNCL, order_rvsecncl)
    registry.add(DAYTIME_ORDER, daytime_order)
    registry.add(DAYTIME_RVSECNCL, daytime_rvsecncl)
    registry.add(INQUIRE_BALANCE, inquire_balance)
    registry.add(PRESENT_BALANCE, present_balance)
    registry.add(INQUIRE_NCCS, inquire_nccs)
    registry.add(INQUIRE_CCNL, inquire_ccnl)
    registry.add(PSAMOUNT, psamount)
    registry.add(PERIOD_PROFIT, period_profit)
