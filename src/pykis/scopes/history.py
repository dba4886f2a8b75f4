"""An account's history: its orders and executions over any range (TTTC0081R for the last three months, CTSC9215R
before, TTTS3035R overseas) and its realized profit (TTTC8715R / TTTS3039R; estimated from the executions on the
virtual service, which has neither)."""

from __future__ import annotations

from collections.abc import Generator
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from pykis.api._generated import domestic_stock, overseas_stock
from pykis.errors import KisValidationError
from pykis.exchanges.markets import market_info
from pykis.models._base import dec
from pykis.models.order import (
    DomesticCcldBody,
    DomesticProfitBody,
    ForeignProfitBody,
    KisDailyOrder,
    KisDailyOrders,
    KisOrderProfit,
    KisOrderProfits,
    OrderSide,
)
from pykis.protocol.paging import next_page
from pykis.scopes.balance import balance_flow
from pykis.scopes.orders.facts import daily_ccld_call, foreign_orders_flow, foreign_row_time, kst_time, ymd
from pykis.scopes.orders.rules import KST

if TYPE_CHECKING:
    from pykis.auth import KisAccountNumber
    from pykis.client import _ClientCore
    from pykis.protocol.flow import Action
    from pykis.protocol.request import ApiCall

__all__ = ["daily_orders_flow", "profits_flow"]

ZERO = Decimal(0)
WINDOW_DAYS = 89
"""Days per CTSC9215R call when a range reaches further back."""


def recent_start(today: date) -> date:
    """The first day TTTC0081R (3개월이내) serves: the first of the month three months back. The broker counts by
    calendar month (legacy/Sample01/kis_domstk.py: "월단위 ex: 2024.04.25 이면 2024.01월~04월조회"); the days
    before go to CTSC9215R (3개월이전), so a range split there is asked of each TR within what it serves."""
    year, month = divmod(today.year * 12 + today.month - 1 - 3, 12)
    return date(year, month + 1, 1)


def _windows(start: date, end: date, today: date) -> list[tuple[Literal["inner", "before"], date, date]]:
    """(period, start, end) per call: ``"inner"`` (TTTC0081R) from :func:`recent_start`, ``"before"``
    (CTSC9215R) in 89-day windows before it; the catalog's ``pd_dv`` selector picks the TR."""
    boundary = recent_start(today)
    windows: list[tuple[Literal["inner", "before"], date, date]] = []
    if end >= boundary:
        windows.append(("inner", max(start, boundary), end))
    cursor = min(end, boundary - timedelta(days=1))
    while cursor >= start:
        first = max(start, cursor - timedelta(days=WINDOW_DAYS - 1))
        windows.append(("before", first, cursor))
        cursor = first - timedelta(days=1)
    return windows


def daily_orders_flow(
    core: _ClientCore,
    account: KisAccountNumber,
    start: date | datetime | None,
    end: date | datetime | None,
    *,
    domestic: bool,
    overseas: bool,
) -> Generator[Action, Any, KisDailyOrders]:
    """Orders and executions between ``start`` and ``end`` (default: the service's today), oldest first."""
    start, end = yield from _range_flow(core, start, end)
    orders: list[KisDailyOrder] = []
    today = core.clock.today(KST)
    if domestic:
        for period, first, last in _windows(start, end, today):
            call: ApiCall | None = daily_ccld_call(account, first, last, period=period)
            while call is not None:
                envelope = yield from core.request_flow(call)
                for row in envelope.decode(DomesticCcldBody).output1:
                    side: OrderSide = "sell" if row.sll_buy_dvsn_cd == "01" else "buy"
                    kind: Literal["new", "modify", "cancel"] = (
                        "cancel" if row.cncl_yn == "Y" else "modify" if row.orgn_odno.strip() else "new"
                    )
                    orders.append(
                        KisDailyOrder(
                            account_number=account,
                            market="KRX",
                            symbol=row.pdno,
                            name=row.prdt_name,
                            side=side,
                            kind=kind,
                            order_type=row.ord_dvsn_cd,
                            branch=row.ord_gno_brno,
                            number=row.odno,
                            original_number=row.orgn_odno or None,
                            price=dec(row.ord_unpr),
                            qty=int(dec(row.ord_qty)),
                            executed_qty=int(dec(row.tot_ccld_qty)),
                            executed_amount=dec(row.tot_ccld_amt),
                            pending_qty=int(dec(row.rmn_qty)),
                            cancelled_qty=int(dec(row.cnc_cfrm_qty)),
                            time=kst_time(row.ord_tmd, ymd(row.ord_dt) or today),
                            exchange=row.excg_id_dvsn_Cd or row.excg_id_dvsn_cd or "KRX",
                            currency="KRW",
                        )
                    )
                call = next_page(call, envelope)
    if overseas:
        rows = yield from foreign_orders_flow(core, account, start - timedelta(days=1), end)
        for foreign in rows:
            at = foreign_row_time(foreign, today)
            if not start <= at.date() <= end:
                continue
            try:
                info = market_info(foreign.ovrs_excg_cd)
            except KisValidationError:
                continue
            revise = foreign.rvse_cncl_dvsn or foreign.rvse_cncl_dvsn_cd
            orders.append(
                KisDailyOrder(
                    account_number=account,
                    market=info.code,
                    symbol=foreign.pdno,
                    name=foreign.prdt_name,
                    side="sell" if foreign.sll_buy_dvsn_cd == "01" else "buy",
                    kind="cancel" if revise == "02" else "modify" if revise == "01" else "new",
                    order_type="00",
                    branch=foreign.ord_gno_brno,
                    number=foreign.odno,
                    original_number=foreign.orgn_odno or None,
                    price=dec(foreign.ft_ord_unpr3),
                    qty=int(dec(foreign.ft_ord_qty)),
                    executed_qty=int(dec(foreign.ft_ccld_qty)),
                    executed_amount=dec(foreign.ft_ccld_amt3),
                    pending_qty=int(dec(foreign.nccs_qty)),
                    cancelled_qty=0,
                    time=at,
                    exchange=foreign.ovrs_excg_cd,
                    currency=foreign.tr_crcy_cd or info.currency,
                )
            )
    orders.sort(key=lambda o: (o.time, o.number))
    return KisDailyOrders(account_number=account, start=start, end=end, orders=orders)


def _real_profits_flow(
    core: _ClientCore, account: KisAccountNumber, start: date, end: date, domestic: bool, overseas: bool
) -> Generator[Action, Any, list[KisOrderProfit]]:
    found: list[KisOrderProfit] = []
    if domestic:
        # TTTC8715R 기간별매매손익현황조회 (real only)
        call: ApiCall | None = domestic_stock.inquire_period_trade_profit(
            CANO=account.number,
            ACNT_PRDT_CD=account.product,
            SORT_DVSN="01",
            INQR_STRT_DT=f"{start:%Y%m%d}",
            INQR_END_DT=f"{end:%Y%m%d}",
            CBLC_DVSN="00",
            PDNO="",
            CTX_AREA_FK100="",
            CTX_AREA_NK100="",
        ).call
        while call is not None:
            envelope = yield from core.request_flow(call)
            for row in envelope.decode(DomesticProfitBody).output1:
                qty = int(dec(row.sll_qty))
                if qty <= 0:
                    continue
                buy_price = dec(row.pchs_unpr)
                found.append(
                    KisOrderProfit(
                        time=ymd(row.trad_dt) or start,
                        market="KRX",
                        symbol=row.pdno,
                        name=row.prdt_name,
                        currency="KRW",
                        qty=qty,
                        buy_price=buy_price,
                        sell_price=dec(row.sll_pric),
                        buy_amount=buy_price * qty,
                        sell_amount=dec(row.sll_amt),
                        fees=dec(row.fee) + dec(row.tl_tax),
                        profit=dec(row.rlzt_pfls),
                    )
                )
            call = next_page(call, envelope)
    if overseas:
        # TTTS3039R 해외주식 기간손익 (real only), amounts in the foreign currency.
        page: ApiCall | None = overseas_stock.inquire_period_profit(
            CANO=account.number,
            ACNT_PRDT_CD=account.product,
            OVRS_EXCG_CD="",
            NATN_CD="",
            CRCY_CD="",
            PDNO="",
            INQR_STRT_DT=f"{start:%Y%m%d}",
            INQR_END_DT=f"{end:%Y%m%d}",
            WCRC_FRCR_DVSN_CD="01",
            CTX_AREA_FK200="",
            CTX_AREA_NK200="",
        ).call
        while page is not None:
            envelope = yield from core.request_flow(page)
            for item in envelope.decode(ForeignProfitBody).output1:
                try:
                    info = market_info(item.ovrs_excg_cd)
                except KisValidationError:
                    continue
                qty = int(dec(item.slcl_qty))
                found.append(
                    KisOrderProfit(
                        time=ymd(item.trad_day) or start,
                        market=info.code,
                        symbol=item.ovrs_pdno,
                        name=item.ovrs_item_name,
                        currency=info.currency,
                        qty=qty,
                        buy_price=dec(item.pchs_avg_pric),
                        sell_price=dec(item.avg_sll_unpr),
                        buy_amount=dec(item.frcr_pchs_amt1),
                        sell_amount=dec(item.frcr_sll_amt_smtl1),
                        fees=dec(item.stck_sll_tlex),
                        profit=dec(item.ovrs_rlzt_pfls_amt),
                        exchange_rate=dec(item.exrt) or Decimal(1),
                    )
                )
            page = next_page(page, envelope)
    return found


def _estimated_profits_flow(
    core: _ClientCore, account: KisAccountNumber, start: date, end: date, domestic: bool, overseas: bool
) -> Generator[Action, Any, list[KisOrderProfit]]:
    """Virtual fallback: sells of the range priced against a moving average cost (before fees and taxes).

    The average starts from the current balance's purchase price (or the first buy of the range) and moves
    with each buy of the range; a holding bought before the range at another price makes this an estimate.
    """
    orders = yield from daily_orders_flow(core, account, start, end, domestic=domestic, overseas=overseas)
    balance = yield from balance_flow(core, account)
    averages: dict[tuple[str, str], tuple[int, Decimal]] = {}
    grouped: dict[tuple[date, str, str], KisOrderProfit] = {}
    for order in orders.orders:
        if not order.executed_qty or order.kind == "cancel":
            continue
        key = (order.market, order.symbol)
        held, average = averages.get(key, (0, ZERO))
        if not held and not average:
            stock = balance.stock(order.symbol, order.market)
            average = stock.purchase_price if stock is not None else ZERO
        price = order.average_price
        if order.side == "buy":
            total = held + order.executed_qty
            average = (average * held + price * order.executed_qty) / total if total else price
            averages[key] = (total, average)
            continue
        averages[key] = (max(held - order.executed_qty, 0), average)
        cost = (average or price) * order.executed_qty
        day = order.time.date()
        previous = grouped.get((day, order.market, order.symbol))
        rate = Decimal(1)
        deposit = balance.deposit(order.currency)
        if deposit is not None and order.currency != "KRW":
            rate = deposit.exchange_rate
        qty = order.executed_qty + (previous.qty if previous else 0)
        buy_amount = cost + (previous.buy_amount if previous else ZERO)
        sell_amount = order.executed_amount + (previous.sell_amount if previous else ZERO)
        grouped[(day, order.market, order.symbol)] = KisOrderProfit(
            time=day,
            market=order.market,
            symbol=order.symbol,
            name=order.name,
            currency=order.currency,
            qty=qty,
            buy_price=buy_amount / qty,
            sell_price=sell_amount / qty,
            buy_amount=buy_amount,
            sell_amount=sell_amount,
            fees=ZERO,
            profit=sell_amount - buy_amount,
            exchange_rate=rate,
        )
    return sorted(grouped.values(), key=lambda p: (p.time, p.market, p.symbol))


def profits_flow(
    core: _ClientCore,
    account: KisAccountNumber,
    start: date | datetime | None,
    end: date | datetime | None,
    *,
    domestic: bool,
    overseas: bool,
) -> Generator[Action, Any, KisOrderProfits]:
    """Realized profit per day and symbol between ``start`` and ``end`` (default: the service's today)."""
    start, end = yield from _range_flow(core, start, end)
    if core.virtual:
        rows = yield from _estimated_profits_flow(core, account, start, end, domestic, overseas)
        return KisOrderProfits(account_number=account, start=start, end=end, orders=rows, estimated=True)
    rows = yield from _real_profits_flow(core, account, start, end, domestic, overseas)
    rows.sort(key=lambda p: (p.time, p.market, p.symbol))
    return KisOrderProfits(account_number=account, start=start, end=end, orders=rows)


def _range_flow(
    core: _ClientCore, start: date | datetime | None, end: date | datetime | None
) -> Generator[Action, Any, tuple[date, date]]:
    """(first, last) days in Korea time; ``end`` defaults to the service's today and ``start`` to ``end``; an
    ``end`` before ``start`` is a :class:`KisValidationError`."""
    # An end given needs no "today" from the service: a refused range then sends nothing.
    last = (yield from core._now_flow(KST)).date() if end is None else _day(end, date.min)
    first = _day(start, last)
    if last < first:
        raise KisValidationError(f"end {last} is before start {first}")
    return first, last


def _day(value: date | datetime | None, default: date) -> date:
    if value is None:
        return default
    return (
        value.astimezone(KST).date()
        if isinstance(value, datetime) and value.tzinfo
        else (value.date() if isinstance(value, datetime) else value)
    )
