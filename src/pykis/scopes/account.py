"""The account scope: ``kis.account()`` / ``kis.account("NNNNNNNN-NN")`` — balance, history, profit, orderable
amounts, sellable quantities, open orders and orders by symbol.

Every operation is written once as a flow; :class:`KisAccount` and :class:`AsyncKisAccount` only drive it.
The virtual service lacks some inquiries, and the flows fall back as the broker's users do:

==================================  ============================  ===========================================
what                                real                          virtual
==================================  ============================  ===========================================
open orders                         TTTC0084R                     TTTC0081R with CCLD_DVSN 02 (미체결)
sellable quantity (domestic)        TTTC8408R                     TTTC8434R's ``ord_psbl_qty``
realized profit                     TTTC8715R / TTTS3039R         worked out from the executions (estimated)
==================================  ============================  ===========================================
"""

from __future__ import annotations

from collections.abc import Generator
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from pykis.api._generated import domestic_stock, overseas_stock
from pykis.auth import KisAccountNumber
from pykis.errors import KisValidationError
from pykis.markets import market_info
from pykis.models._base import dec
from pykis.models.balance import (
    DomesticBalanceBody,
    DomesticBalanceSummary,
    ForeignPresentBalanceBody,
    KisBalanceStock,
    KisDeposit,
    KisDomesticBalanceStock,
    KisDomesticDeposit,
    KisForeignBalanceStock,
    KisForeignPresentDeposit,
    KisIntegrationBalance,
)
from pykis.models.order import (
    DomesticCcldBody,
    DomesticOrderableBody,
    DomesticProfitBody,
    ForeignBalanceBody,
    ForeignOrderableBody,
    ForeignProfitBody,
    KisDailyOrder,
    KisDailyOrders,
    KisOrderableAmount,
    KisOrderProfit,
    KisOrderProfits,
    OrderSide,
)
from pykis.protocol.flow import Action
from pykis.protocol.paging import next_page
from pykis.scopes.trading import (
    KST,
    AsyncKisOrder,
    AsyncKisPendingOrder,
    Condition,
    Execution,
    KisOrder,
    KisPendingOrder,
    KisPendingOrders,
    Listing,
    OrderFacts,
    PendingFacts,
    Price,
    Quantity,
    _kst_time,
    _ymd,
    daily_ccld_call,
    foreign_orders_flow,
    foreign_row_time,
    order_flow,
    pending_orders_flow,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable
    from datetime import time

    from pykis.client import AsyncPyKis, PyKis, _ClientCore
    from pykis.protocol.request import ApiCall
    from pykis.realtime import KisEventTicket

__all__ = ["AccountBase", "AsyncKisAccount", "KisAccount"]

ZERO = Decimal(0)
RECENT_DAYS = 89
"""TTTC0081R serves the last three months (3개월이내); older days go to CTSC9215R (3개월이전)."""
WINDOW_DAYS = 89
"""Days per CTSC9215R call when a range reaches further back."""


def _domestic_balance_call(account: KisAccountNumber) -> ApiCall:
    # TTTC8434R 주식잔고조회: 50 rows per page in real, 20 in virtual (rest.json notes).
    request = domestic_stock.inquire_balance(
        CANO=account.number,
        ACNT_PRDT_CD=account.product,
        AFHR_FLPR_YN="N",
        OFL_YN="",
        INQR_DVSN="02",
        UNPR_DVSN="01",
        FUND_STTL_ICLD_YN="N",
        FNCG_AMT_AUTO_RDPT_YN="N",
        PRCS_DVSN="00",
        CTX_AREA_FK100="",
        CTX_AREA_NK100="",
    )
    return request.call


def domestic_balance_flow(
    core: _ClientCore, account: KisAccountNumber
) -> Generator[Action, Any, tuple[list[KisBalanceStock], KisDeposit]]:
    """Domestic positions (every page) and the won deposit."""
    call: ApiCall | None = _domestic_balance_call(account)
    stocks: list[KisBalanceStock] = []
    summary = DomesticBalanceSummary()
    while call is not None:
        envelope = yield from core.request_flow(call)
        body = envelope.decode(DomesticBalanceBody)
        for row in body.output1:
            qty = int(dec(row.hldg_qty))
            if qty <= 0:
                continue
            stocks.append(
                KisDomesticBalanceStock(
                    account_number=account,
                    market="KRX",
                    symbol=row.pdno,
                    name=row.prdt_name,
                    currency="KRW",
                    qty=qty,
                    orderable=int(dec(row.ord_psbl_qty)),
                    purchase_price=dec(row.pchs_avg_pric),
                    price=dec(row.prpr),
                    purchase_amount=dec(row.pchs_amt),
                    amount=dec(row.evlu_amt),
                    profit=dec(row.evlu_pfls_amt),
                )
            )
        output2 = body.output2
        if isinstance(output2, list) and output2:
            summary = output2[0]
        elif isinstance(output2, DomesticBalanceSummary):
            summary = output2
        call = next_page(call, envelope)
    deposit = KisDomesticDeposit(
        account_number=account,
        currency="KRW",
        amount=dec(summary.dnca_tot_amt),
        withdrawable=dec(summary.prvs_rcdl_excc_amt),
        exchange_rate=Decimal(1),
    )
    return stocks, deposit


def foreign_balance_flow(
    core: _ClientCore, account: KisAccountNumber
) -> Generator[Action, Any, tuple[list[KisBalanceStock], dict[str, KisDeposit]]]:
    """Overseas positions and foreign deposits (CTRP6504R, every country, amounts in the foreign currency).

    A listing reported under more than one exchange code is kept once.
    """
    request = overseas_stock.inquire_present_balance(
        CANO=account.number,
        ACNT_PRDT_CD=account.product,
        WCRC_FRCR_DVSN_CD="02",
        NATN_CD="000",
        TR_MKET_CD="00",
        INQR_DVSN_CD="00",
    )
    envelope = yield from core.request_flow(request.call)
    body = envelope.decode(ForeignPresentBalanceBody)
    stocks: dict[tuple[str, str], KisBalanceStock] = {}
    for row in body.output1:
        qty = int(dec(row.cblc_qty13))
        if qty <= 0:
            continue
        try:
            info = market_info(row.ovrs_excg_cd)
        except KisValidationError:
            continue
        # One position per currency and symbol, whatever exchange codes it was reported under.
        key = (row.buy_crcy_cd or info.currency, row.pdno)
        if key in stocks:
            continue
        stocks[key] = KisForeignBalanceStock(
            account_number=account,
            market=info.code,
            symbol=row.pdno,
            name=row.prdt_name,
            currency=row.buy_crcy_cd or info.currency,
            qty=qty,
            orderable=int(dec(row.ord_psbl_qty1)),
            purchase_price=dec(row.avg_unpr3),
            price=dec(row.ovrs_now_pric1),
            purchase_amount=dec(row.frcr_pchs_amt),
            amount=dec(row.frcr_evlu_amt2),
            profit=dec(row.evlu_pfls_amt2),
            exchange_rate=dec(row.bass_exrt) or Decimal(1),
        )
    deposits: dict[str, KisDeposit] = {}
    for item in body.output2:
        currency = item.crcy_cd.strip().upper()
        if not currency or currency in deposits:
            continue
        deposits[currency] = KisForeignPresentDeposit(
            account_number=account,
            currency=currency,
            amount=dec(item.frcr_dncl_amt_2),
            withdrawable=dec(item.frcr_drwg_psbl_amt_1),
            exchange_rate=dec(item.frst_bltn_exrt),
        )
    return list(stocks.values()), deposits


def balance_flow(core: _ClientCore, account: KisAccountNumber) -> Generator[Action, Any, KisIntegrationBalance]:
    """The integrated balance: TTTC8434R (every page) and CTRP6504R."""
    domestic, won = yield from domestic_balance_flow(core, account)
    foreign, deposits = yield from foreign_balance_flow(core, account)
    return KisIntegrationBalance(
        account_number=account, deposits={"KRW": won, **deposits}, stocks=[*domestic, *foreign]
    )


def sellable_flow(core: _ClientCore, account: KisAccountNumber, listing: Listing) -> Generator[Action, Any, int]:
    """Shares of ``listing`` that may be sold now."""
    if listing.domestic:
        if not core.virtual:
            # TTTC8408R 매도가능수량조회 (real only)
            request = domestic_stock.inquire_psbl_sell(
                CANO=account.number, ACNT_PRDT_CD=account.product, PDNO=listing.symbol
            )
            envelope = yield from core.request_flow(request.call)
            output = envelope.output() or {}
            return int(dec(str(output.get("ord_psbl_qty", ""))))
        stocks, _ = yield from domestic_balance_flow(core, account)
        return next((s.orderable for s in stocks if s.symbol == listing.symbol), 0)
    # TTTS3012R 해외주식 잔고 of the listing's exchange and currency: ord_psbl_qty.
    page: ApiCall | None = overseas_stock.inquire_balance(
        CANO=account.number,
        ACNT_PRDT_CD=account.product,
        OVRS_EXCG_CD=listing.info.ovrs_excg_cd or "",
        TR_CRCY_CD=listing.info.currency,
        CTX_AREA_FK200="",
        CTX_AREA_NK200="",
    ).call
    while page is not None:
        envelope = yield from core.request_flow(page)
        for row in envelope.decode(ForeignBalanceBody).output1:
            if row.ovrs_pdno == listing.symbol:
                return int(dec(row.ord_psbl_qty))
        page = next_page(page, envelope)
    return 0


def orderable_flow(
    core: _ClientCore, account: KisAccountNumber, listing: Listing, price: Decimal | None, order_type: str = "00"
) -> Generator[Action, Any, KisOrderableAmount]:
    """Orderable cash and the most shares it buys at ``price`` (``None``: at the market)."""
    if listing.domestic:
        # TTTC8908R 매수가능조회
        request = domestic_stock.inquire_psbl_order(
            CANO=account.number,
            ACNT_PRDT_CD=account.product,
            PDNO=listing.symbol,
            ORD_UNPR="0" if price is None else format(price, "f"),
            ORD_DVSN="01" if price is None else "00",
            CMA_EVLU_AMT_ICLD_YN="N",
            OVRS_ICLD_YN="N",
        )
        envelope = yield from core.request_flow(request.call)
        out = envelope.decode(DomesticOrderableBody).output
        return KisOrderableAmount(
            account_number=account,
            market=listing.info.code,
            symbol=listing.symbol,
            currency="KRW",
            price=price,
            unit_price=dec(out.psbl_qty_calc_unpr) or price or ZERO,
            amount=dec(out.ord_psbl_cash),
            qty=int(dec(out.nrcvb_buy_qty or out.max_buy_qty)),
        )
    # TTTS3007R 해외주식 매수가능금액조회
    foreign_request = overseas_stock.inquire_psamount(
        CANO=account.number,
        ACNT_PRDT_CD=account.product,
        OVRS_EXCG_CD=listing.info.ovrs_excg_cd or "",
        OVRS_ORD_UNPR="0" if price is None else format(price, "f"),
        ITEM_CD=listing.symbol,
    )
    envelope = yield from core.request_flow(foreign_request.call)
    wire = envelope.decode(ForeignOrderableBody).output
    return KisOrderableAmount(
        account_number=account,
        market=listing.info.code,
        symbol=listing.symbol,
        currency=wire.tr_crcy_cd or listing.info.currency,
        price=price,
        unit_price=price or ZERO,
        amount=dec(wire.ord_psbl_frcr_amt),
        qty=int(dec(wire.max_ord_psbl_qty or wire.ovrs_max_ord_psbl_qty)),
        exchange_rate=dec(wire.exrt) or Decimal(1),
    )


def _windows(start: date, end: date, today: date) -> list[tuple[Literal["inner", "before"], date, date]]:
    """(period, start, end) per call: ``"inner"`` (TTTC0081R) for the last three months, ``"before"``
    (CTSC9215R) in 89-day windows before; the catalog's ``pd_dv`` selector picks the TR."""
    boundary = today - timedelta(days=RECENT_DAYS)
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
    if end < start:
        raise KisValidationError(f"end {end} is before start {start}")
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
                            time=_kst_time(row.ord_tmd, _ymd(row.ord_dt) or today),
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
                        time=_ymd(row.trad_dt) or start,
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
                        time=_ymd(item.trad_day) or start,
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
    if end < start:
        raise KisValidationError(f"end {end} is before start {start}")
    if core.virtual:
        rows = yield from _estimated_profits_flow(core, account, start, end, domestic, overseas)
        return KisOrderProfits(account_number=account, start=start, end=end, orders=rows, estimated=True)
    rows = yield from _real_profits_flow(core, account, start, end, domestic, overseas)
    rows.sort(key=lambda p: (p.time, p.market, p.symbol))
    return KisOrderProfits(account_number=account, start=start, end=end, orders=rows)


def _listing_flow(core: _ClientCore, symbol: str, market: str | None) -> Generator[Action, Any, Listing]:
    from pykis.scopes.resolve import resolve_flow

    row = yield from resolve_flow(core, symbol, market)
    return Listing.of_row(row)


def _scope(market: str | None) -> tuple[bool, bool]:
    if market is None:
        return True, True
    domestic = market_info(market).domestic
    return domestic, not domestic


def _range_flow(
    core: _ClientCore, start: date | datetime | None, end: date | datetime | None
) -> Generator[Action, Any, tuple[date, date]]:
    """(first, last) days in Korea time; ``end`` defaults to the service's today and ``start`` to ``end``."""
    today = (yield from core._now_flow(KST)).date()
    last = _day(end, today)
    return _day(start, last), last


def _day(value: date | datetime | None, default: date) -> date:
    if value is None:
        return default
    return (
        value.astimezone(KST).date()
        if isinstance(value, datetime) and value.tzinfo
        else (value.date() if isinstance(value, datetime) else value)
    )


class AccountBase:
    """One account (``NNNNNNNN-NN``) of the client's trading credentials."""

    __slots__ = ("_core", "account_number")

    def __init__(self, core: _ClientCore, account_number: KisAccountNumber) -> None:
        self._core = core
        self.account_number = account_number

    def __repr__(self) -> str:
        return f"{type(self).__name__}(account_number={self.account_number!r}, virtual={self._core.virtual})"

    def _execution_subscription(
        self, event: str, overseas: bool, where: Callable[[Any], bool] | None
    ) -> tuple[str, str, Callable[[Any], bool]]:
        """(TR ID, key, filter) of this account's execution notices (H0STCNI0/9, H0GSCNI0/9)."""
        from pykis.protocol.env import Environment
        from pykis.protocol.websocket import execution_tr

        if event != "execution":
            raise KisValidationError(f"an account streams 'execution' events, not {event!r}")
        environment = Environment.VIRTUAL if self._core.virtual else Environment.REAL
        tr = execution_tr(environment, self._core.trading_auth.id, overseas=overseas)
        number = self.account_number.number

        def mine(notice: Any) -> bool:
            # ACNT_NO carries CANO (+ the product code): one HTS ID may hold several accounts.
            return str(notice.account).replace("-", "").startswith(number) and (where is None or where(notice))

        return tr.id, tr.key, mine

    def _order_flow(
        self,
        side: OrderSide,
        symbol: str,
        market: str | None,
        price: Price | None,
        qty: Quantity | None,
        options: dict[str, Any],
    ) -> Generator[Action, Any, OrderFacts]:
        listing = yield from _listing_flow(self._core, symbol, market)
        return (
            yield from order_flow(
                self._core,
                self.account_number,
                listing,
                side,
                price,
                qty,
                options.get("condition"),
                options.get("execution"),
                options.get("exchange"),
                bool(options.get("daytime", False)),
                bool(options.get("precheck", True)),
                options.get("start"),
                options.get("end"),
            )
        )

    def _sellable_flow(self, symbol: str, market: str | None) -> Generator[Action, Any, int]:
        listing = yield from _listing_flow(self._core, symbol, market)
        return (yield from sellable_flow(self._core, self.account_number, listing))

    def _orderable_flow(
        self, symbol: str, market: str | None, price: Price | None
    ) -> Generator[Action, Any, KisOrderableAmount]:
        from pykis.scopes.trading import to_price

        listing = yield from _listing_flow(self._core, symbol, market)
        return (yield from orderable_flow(self._core, self.account_number, listing, to_price(price)))


class KisAccount(AccountBase):
    """An account, driven by the blocking :class:`~pykis.PyKis`."""

    def on(
        self,
        event: Literal["execution"],
        callback: Callable[[Any, Any], Any],
        *,
        overseas: bool = False,
        where: Callable[[Any], bool] | None = None,
    ) -> KisEventTicket:
        """Execution notices of this account (acknowledgements and fills; domestic, or ``overseas``).
        Keep the returned ticket: when it is garbage-collected the subscription ends."""
        tr_id, key, mine = self._execution_subscription(event, overseas, where)
        return self._core.websocket.on(tr_id, key, callback, where=mine)

    __slots__ = ()
    _core: PyKis

    def balance(self) -> KisIntegrationBalance:
        """Deposits per currency and every domestic and overseas position."""
        result: KisIntegrationBalance = self._core.run(balance_flow(self._core, self.account_number))
        return result

    def daily_orders(
        self, start: date | datetime | None = None, end: date | datetime | None = None, *, market: str | None = None
    ) -> KisDailyOrders:
        """Orders and executions from ``start`` to ``end`` (default: today), any range (split as the API needs)."""
        domestic, overseas = _scope(market)
        result: KisDailyOrders = self._core.run(
            daily_orders_flow(self._core, self.account_number, start, end, domestic=domestic, overseas=overseas)
        )
        return result

    def profits(
        self, start: date | datetime | None = None, end: date | datetime | None = None, *, market: str | None = None
    ) -> KisOrderProfits:
        """Realized profit per day and symbol from ``start`` to ``end`` (default: today)."""
        domestic, overseas = _scope(market)
        result: KisOrderProfits = self._core.run(
            profits_flow(self._core, self.account_number, start, end, domestic=domestic, overseas=overseas)
        )
        return result

    def orderable_amount(
        self, symbol: str, price: Price | None = None, *, market: str | None = None
    ) -> KisOrderableAmount:
        """Orderable cash and the most shares of ``symbol`` it buys at ``price`` (``None``: at the market)."""
        result: KisOrderableAmount = self._core.run(self._orderable_flow(symbol, market, price))
        return result

    def sellable_quantity(self, symbol: str, *, market: str | None = None) -> int:
        """Shares of ``symbol`` that may be sold now."""
        result: int = self._core.run(self._sellable_flow(symbol, market))
        return result

    def pending_orders(self, *, market: str | None = None) -> KisPendingOrders:
        """Every open order; each can be modified or cancelled like the order that placed it."""
        domestic, overseas = _scope(market)
        found: list[PendingFacts] = self._core.run(
            pending_orders_flow(self._core, self.account_number, domestic=domestic, overseas=overseas)
        )
        return KisPendingOrders(self.account_number, [KisPendingOrder(self._core, p) for p in found])

    def order(
        self,
        symbol: str,
        price: Price | None = None,
        qty: Quantity | None = None,
        *,
        side: OrderSide,
        market: str | None = None,
        condition: Condition | None = None,
        execution: Execution | None = None,
        exchange: str | None = None,
        daytime: bool = False,
        precheck: bool = True,
        start: time | None = None,
        end: time | None = None,
    ) -> KisOrder:
        """Place an order for ``symbol`` (see :meth:`pykis.scopes.trading.StockTrading.order`)."""
        options = {
            "condition": condition,
            "execution": execution,
            "exchange": exchange,
            "daytime": daytime,
            "precheck": precheck,
            "start": start,
            "end": end,
        }
        facts: OrderFacts = self._core.run(self._order_flow(side, symbol, market, price, qty, options))
        return KisOrder(self._core, facts)

    def buy(self, symbol: str, price: Price | None = None, qty: Quantity | None = None, **options: Any) -> KisOrder:
        """Buy ``qty`` of ``symbol`` at ``price`` (``None``: at the market)."""
        return self.order(symbol, price, qty, side="buy", **options)

    def sell(self, symbol: str, price: Price | None = None, qty: Quantity | None = None, **options: Any) -> KisOrder:
        """Sell ``qty`` of ``symbol`` (``None``: everything sellable) at ``price`` (``None``: at the market)."""
        return self.order(symbol, price, qty, side="sell", **options)


class AsyncAccountBase(AccountBase):
    """What only the asyncio account scope has: :meth:`stream`."""

    __slots__ = ()
    _core: AsyncPyKis

    def stream(
        self, event: Literal["execution"], *, overseas: bool = False, where: Callable[[Any], bool] | None = None
    ) -> AsyncIterator[Any]:
        """``async for e in account.stream("execution"): e.response.kind`` — each ``e`` is what :meth:`on`'s
        callback gets."""
        tr_id, key, mine = self._execution_subscription(event, overseas, where)
        return self._core.websocket.stream(tr_id, key, where=mine)


# <generated: AsyncKisAccount from KisAccount by scripts/generate_twins.py; do not edit>
class AsyncKisAccount(AsyncAccountBase):
    """An account, driven by :class:`~pykis.AsyncPyKis`: the same operations as coroutines."""

    def on(
        self,
        event: Literal["execution"],
        callback: Callable[[Any, Any], Any],
        *,
        overseas: bool = False,
        where: Callable[[Any], bool] | None = None,
    ) -> KisEventTicket:
        """Execution notices of this account (acknowledgements and fills; domestic, or ``overseas``).
        Keep the returned ticket: when it is garbage-collected the subscription ends."""
        tr_id, key, mine = self._execution_subscription(event, overseas, where)
        return self._core.websocket.on(tr_id, key, callback, where=mine)

    __slots__ = ()
    _core: AsyncPyKis

    async def balance(self) -> KisIntegrationBalance:
        """Deposits per currency and every domestic and overseas position."""
        result: KisIntegrationBalance = await self._core.run(balance_flow(self._core, self.account_number))
        return result

    async def daily_orders(
        self, start: date | datetime | None = None, end: date | datetime | None = None, *, market: str | None = None
    ) -> KisDailyOrders:
        """Orders and executions from ``start`` to ``end`` (default: today), any range (split as the API needs)."""
        domestic, overseas = _scope(market)
        result: KisDailyOrders = await self._core.run(
            daily_orders_flow(self._core, self.account_number, start, end, domestic=domestic, overseas=overseas)
        )
        return result

    async def profits(
        self, start: date | datetime | None = None, end: date | datetime | None = None, *, market: str | None = None
    ) -> KisOrderProfits:
        """Realized profit per day and symbol from ``start`` to ``end`` (default: today)."""
        domestic, overseas = _scope(market)
        result: KisOrderProfits = await self._core.run(
            profits_flow(self._core, self.account_number, start, end, domestic=domestic, overseas=overseas)
        )
        return result

    async def orderable_amount(
        self, symbol: str, price: Price | None = None, *, market: str | None = None
    ) -> KisOrderableAmount:
        """Orderable cash and the most shares of ``symbol`` it buys at ``price`` (``None``: at the market)."""
        result: KisOrderableAmount = await self._core.run(self._orderable_flow(symbol, market, price))
        return result

    async def sellable_quantity(self, symbol: str, *, market: str | None = None) -> int:
        """Shares of ``symbol`` that may be sold now."""
        result: int = await self._core.run(self._sellable_flow(symbol, market))
        return result

    async def pending_orders(self, *, market: str | None = None) -> KisPendingOrders:
        """Every open order; each can be modified or cancelled like the order that placed it."""
        domestic, overseas = _scope(market)
        found: list[PendingFacts] = await self._core.run(
            pending_orders_flow(self._core, self.account_number, domestic=domestic, overseas=overseas)
        )
        return KisPendingOrders(self.account_number, [AsyncKisPendingOrder(self._core, p) for p in found])

    async def order(
        self,
        symbol: str,
        price: Price | None = None,
        qty: Quantity | None = None,
        *,
        side: OrderSide,
        market: str | None = None,
        condition: Condition | None = None,
        execution: Execution | None = None,
        exchange: str | None = None,
        daytime: bool = False,
        precheck: bool = True,
        start: time | None = None,
        end: time | None = None,
    ) -> AsyncKisOrder:
        """Place an order for ``symbol`` (see :meth:`pykis.scopes.trading.StockTrading.order`)."""
        options = {
            "condition": condition,
            "execution": execution,
            "exchange": exchange,
            "daytime": daytime,
            "precheck": precheck,
            "start": start,
            "end": end,
        }
        facts: OrderFacts = await self._core.run(self._order_flow(side, symbol, market, price, qty, options))
        return AsyncKisOrder(self._core, facts)

    async def buy(
        self, symbol: str, price: Price | None = None, qty: Quantity | None = None, **options: Any
    ) -> AsyncKisOrder:
        """Buy ``qty`` of ``symbol`` at ``price`` (``None``: at the market)."""
        return await self.order(symbol, price, qty, side="buy", **options)

    async def sell(
        self, symbol: str, price: Price | None = None, qty: Quantity | None = None, **options: Any
    ) -> AsyncKisOrder:
        """Sell ``qty`` of ``symbol`` (``None``: everything sellable) at ``price`` (``None``: at the market)."""
        return await self.order(symbol, price, qty, side="sell", **options)


# </generated>
