"""Open orders: the part of an account's orders still working (정정취소가능), with what executed so far.

TTTC0084R on the real service; the virtual service has no such inquiry, so the day's orders (VTTC0081R) with the
unfilled filter stand in. Overseas: TTTS3035R over the last days, or TTTS3018R for one exchange.
"""

from __future__ import annotations

from collections.abc import Generator
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from pykis.api._generated import domestic_stock, overseas_stock
from pykis.errors import KisValidationError
from pykis.exchanges.markets import market_info
from pykis.models._base import dec
from pykis.models.order import (
    DomesticCcldBody,
    DomesticCcldRow,
    DomesticPendingBody,
    DomesticPendingRow,
    ForeignOrderBody,
    ForeignOrderRow,
)
from pykis.protocol.paging import next_page
from pykis.scopes.orders.facts import (
    OrderFacts,
    PendingFacts,
    daily_ccld_call,
    foreign_orders_flow,
    foreign_row_time,
    kst_time,
    ymd,
)
from pykis.scopes.orders.rules import KST

if TYPE_CHECKING:
    from pykis.auth import KisAccountNumber
    from pykis.client import _ClientCore
    from pykis.protocol.flow import Action
    from pykis.protocol.request import ApiCall

__all__ = ["pending_order_flow", "pending_orders_flow"]


def _domestic_facts(
    account: KisAccountNumber, row: DomesticPendingRow | DomesticCcldRow, at: datetime, exchange: str
) -> OrderFacts:
    """An open domestic order as the real (TTTC0084R) or the virtual (VTTC0081R) inquiry lists it."""
    return OrderFacts(
        account_number=account,
        symbol=row.pdno,
        market="KRX",
        currency="KRW",
        side="sell" if row.sll_buy_dvsn_cd == "01" else "buy",
        order_type=row.ord_dvsn_cd,
        price=dec(row.ord_unpr) or None,
        qty=int(dec(row.ord_qty)),
        branch=row.ord_gno_brno,
        number=row.odno,
        time=at,
        exchange=exchange or "KRX",
        original_number=row.orgn_odno or None,
        kind="modify" if row.orgn_odno.strip() else "new",
    )


def _domestic_pending_rows(core: _ClientCore, account: KisAccountNumber) -> Generator[Action, Any, list[PendingFacts]]:
    """Open domestic orders: TTTC0084R in real; the day's orders with the unfilled filter in virtual."""
    today = (yield from core._now_flow(KST)).date()
    found: list[PendingFacts] = []
    if not core.virtual:
        # TTTC0084R 주식정정취소가능주문조회 (real only)
        call: ApiCall | None = domestic_stock.inquire_psbl_rvsecncl(
            CANO=account.number,
            ACNT_PRDT_CD=account.product,
            INQR_DVSN_1="0",
            INQR_DVSN_2="0",
            CTX_AREA_FK100="",
            CTX_AREA_NK100="",
        ).call
        while call is not None:
            envelope = yield from core.request_flow(call)
            for row in envelope.decode(DomesticPendingBody).output:
                facts = _domestic_facts(account, row, kst_time(row.ord_tmd, today), row.excg_id_dvsn_cd)
                executed = int(dec(row.tot_ccld_qty))
                found.append(PendingFacts(facts, executed, int(dec(row.psbl_qty)), dec(row.tot_ccld_amt)))
            call = next_page(call, envelope)
        return found
    # VTTC0084R does not exist: the day's orders (VTTC0081R) with CCLD_DVSN 02 (미체결) instead.
    call = daily_ccld_call(account, today, today, executed="02")
    while call is not None:
        envelope = yield from core.request_flow(call)
        for ccld in envelope.decode(DomesticCcldBody).output1:
            remaining = int(dec(ccld.rmn_qty))
            if remaining <= 0 or ccld.cncl_yn == "Y":
                continue
            at = kst_time(ccld.ord_tmd, ymd(ccld.ord_dt) or today)
            facts = _domestic_facts(account, ccld, at, ccld.excg_id_dvsn_Cd or ccld.excg_id_dvsn_cd)
            found.append(PendingFacts(facts, int(dec(ccld.tot_ccld_qty)), remaining, dec(ccld.tot_ccld_amt)))
        call = next_page(call, envelope)
    return found


def _foreign_pending(account: KisAccountNumber, row: ForeignOrderRow, today: date) -> PendingFacts | None:
    remaining = int(dec(row.nccs_qty))
    if remaining <= 0 or (row.rvse_cncl_dvsn or row.rvse_cncl_dvsn_cd) == "02":
        return None
    try:
        info = market_info(row.ovrs_excg_cd)
    except KisValidationError:
        return None
    facts = OrderFacts(
        account_number=account,
        symbol=row.pdno,
        market=info.code,
        currency=row.tr_crcy_cd or info.currency,
        side="sell" if row.sll_buy_dvsn_cd == "01" else "buy",
        order_type="00",
        price=dec(row.ft_ord_unpr3) or None,
        qty=int(dec(row.ft_ord_qty)),
        branch=row.ord_gno_brno,
        number=row.odno,
        time=foreign_row_time(row, today),
        exchange=row.ovrs_excg_cd,
        original_number=row.orgn_odno or None,
        kind="modify" if row.orgn_odno.strip() else "new",
        name=row.prdt_name,
    )
    return PendingFacts(facts, int(dec(row.ft_ccld_qty)), remaining, dec(row.ft_ccld_amt3))


def pending_orders_flow(
    core: _ClientCore, account: KisAccountNumber, *, domestic: bool = True, overseas: bool = True
) -> Generator[Action, Any, list[PendingFacts]]:
    """Every open order of ``account``, domestic first."""
    found: list[PendingFacts] = []
    if domestic:
        found.extend((yield from _domestic_pending_rows(core, account)))
    if overseas:
        today = (yield from core._now_flow(KST)).date()
        rows = yield from foreign_orders_flow(core, account, today - timedelta(days=2), today + timedelta(days=1))
        for row in rows:
            pending = _foreign_pending(account, row, today)
            if pending is not None:
                found.append(pending)
    return found


def pending_order_flow(core: _ClientCore, facts: OrderFacts) -> Generator[Action, Any, PendingFacts | None]:
    """The order ``facts`` names, if part of it still works."""
    info = market_info(facts.market)
    if info.domestic:
        rows = yield from _domestic_pending_rows(core, facts.account_number)
    else:
        # TTTS3018R 해외주식 미체결내역 of the order's exchange.
        account = facts.account_number
        call: ApiCall | None = overseas_stock.inquire_nccs(
            CANO=account.number,
            ACNT_PRDT_CD=account.product,
            OVRS_EXCG_CD=info.ovrs_excg_cd or "",
            SORT_SQN="DS",
            CTX_AREA_FK200="",
            CTX_AREA_NK200="",
        ).call
        rows = []
        while call is not None:
            envelope = yield from core.request_flow(call)
            for row in envelope.decode(ForeignOrderBody).output:
                pending = _foreign_pending(facts.account_number, row, core.clock.today(KST))
                if pending is not None:
                    rows.append(pending)
            call = next_page(call, envelope)
    wanted = facts.number.lstrip("0")
    for pending in rows:
        if pending.facts.number.lstrip("0") == wanted:
            return pending
    return None
