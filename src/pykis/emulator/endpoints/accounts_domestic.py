"""Domestic account inquiries served from the matching engine: balance, buying power (psbl-order), sellable
quantity (psbl-sell) and period trade profit. TR IDs and page sizes: :mod:`.trading_domestic`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pykis.emulator.endpoints._format import KST, fmt_date, fmt_fixed, fmt_int, fmt_rate, pct
from pykis.emulator.endpoints._trading import (
    account_of,
    kst_date,
    parse_yyyymmdd,
    price_of,
)
from pykis.emulator.engine import BUY, SELL
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
    from pykis.emulator.engine import Engine, Fill, Position

__all__ = ["register"]

INQUIRE_BALANCE = "/uapi/domestic-stock/v1/trading/inquire-balance"
PSBL_ORDER = "/uapi/domestic-stock/v1/trading/inquire-psbl-order"
PSBL_SELL = "/uapi/domestic-stock/v1/trading/inquire-psbl-sell"
PERIOD_PROFIT = "/uapi/domestic-stock/v1/trading/inquire-period-trade-profit"


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
    bought, _ = _today_qty(engine, number, position.symbol, position.market, BUY, today)
    sold, _ = _today_qty(engine, number, position.symbol, position.market, SELL, today)
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
            if fill.side == BUY:
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
    bought, _ = _today_qty(engine, number, instrument.symbol, instrument.market, BUY, today)
    sold, _ = _today_qty(engine, number, instrument.symbol, instrument.market, SELL, today)
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


# ------------------------------------------------------------------------------------------------ profit


def _profit_rows(ctx: EmulatorContext, fills: Iterable[Fill]) -> list[dict[str, str]]:
    grouped: dict[tuple[str, str], list[Fill]] = {}
    for fill in fills:
        grouped.setdefault((fmt_date(fill.time), fill.symbol), []).append(fill)
    rows: list[dict[str, str]] = []
    for (day, symbol), group in sorted(grouped.items(), reverse=True):
        buys = [f for f in group if f.side == BUY]
        sells = [f for f in group if f.side == SELL]
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
    sells = [f for f in fills if f.side == SELL]
    buys = [f for f in fills if f.side == BUY]

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
    """Add the domestic account inquiries to ``registry``."""
    registry.add(INQUIRE_BALANCE, inquire_balance)
    registry.add(PSBL_ORDER, inquire_psbl_order)
    registry.add(PSBL_SELL, inquire_psbl_sell)
    registry.add(PERIOD_PROFIT, period_trade_profit)
