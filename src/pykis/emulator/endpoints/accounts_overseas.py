"""Overseas account inquiries served from the matching engine: balances, present balance, buying power (psamount)
and period profit. TR IDs, exchange codes and page sizes: :mod:`.trading_overseas`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pykis.emulator.endpoints._format import KST, fmt_fixed, fmt_rate, pct
from pykis.emulator.endpoints._trading import (
    account_of,
    kst_date,
    parse_yyyymmdd,
    price_of,
)
from pykis.emulator.endpoints.trading_overseas import (
    _CODE_OF,
    _MARKET_NAMES,
    _NATION,
    EXCHANGE_MARKETS,
    _markets,
    _num,
    _unknown_symbol,
)
from pykis.emulator.rest import (
    ApiRequest,
    ApiResponse,
    EmulatorContext,
    EndpointRegistry,
    invalid_field,
    ok,
    paginate,
)

if TYPE_CHECKING:
    from pykis.emulator.engine import Engine, Position

__all__ = ["register"]

INQUIRE_BALANCE = "/uapi/overseas-stock/v1/trading/inquire-balance"
PRESENT_BALANCE = "/uapi/overseas-stock/v1/trading/inquire-present-balance"
PSAMOUNT = "/uapi/overseas-stock/v1/trading/inquire-psamount"
PERIOD_PROFIT = "/uapi/overseas-stock/v1/trading/inquire-period-profit"


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
    """Add the overseas account inquiries to ``registry``."""
    registry.add(INQUIRE_BALANCE, inquire_balance)
    registry.add(PRESENT_BALANCE, present_balance)
    registry.add(PSAMOUNT, psamount)
    registry.add(PERIOD_PROFIT, period_profit)
