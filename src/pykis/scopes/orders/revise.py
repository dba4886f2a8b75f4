"""Modifying (정정) and cancelling (취소) an acknowledged order: TTTC0013U at home, TTTT1004U / TTTS6038U abroad.

A revision is checked like an order (type, tick grid, daily limits, the virtual service's types), journaled, sent
once and, when its answer is lost, looked for among the day's modify or cancel records of the original order.
"""

from __future__ import annotations

from collections.abc import Generator
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

import msgspec

from pykis.api._generated import domestic_stock, overseas_stock
from pykis.exchanges.markets import market_info
from pykis.models.order import DomesticCcldBody
from pykis.protocol.paging import next_page
from pykis.scopes.orders.facts import daily_ccld_call, foreign_orders_flow, foreign_row_time, kst_time, ymd
from pykis.scopes.orders.plan import domestic_limits_flow
from pykis.scopes.orders.rules import (
    KST,
    PRICED_DOMESTIC,
    Listing,
    check_limits,
    check_tick,
    check_virtual,
    domestic_order_type,
    to_price,
    to_qty,
    wire_price,
)
from pykis.scopes.orders.send import OrderAck, acknowledged, send_once_flow, settle_flow, unknown

if TYPE_CHECKING:
    from pykis.client import _ClientCore
    from pykis.protocol.flow import Action
    from pykis.protocol.request import ApiCall
    from pykis.scopes.orders.facts import OrderFacts
    from pykis.scopes.orders.request import Revision
    from pykis.scopes.orders.send import Found

__all__ = ["revise_flow"]

Kind = Literal["modify", "cancel"]


class _Change(msgspec.Struct, frozen=True):
    """A revision checked and ready to send."""

    facts: OrderFacts
    kind: Kind
    order_type: str
    price: Decimal | None
    """The new price (``None``: a cancel, or a type that carries none)."""
    qty: int | None
    """Shares moved or cancelled; ``None``: all that remain."""

    @property
    def unit_price(self) -> str:
        """ORD_UNPR / OVRS_ORD_UNPR: ``"0"`` for a cancel."""
        return "0" if self.kind == "cancel" else wire_price(self.price)

    def call(self) -> ApiCall:
        """The revision TR's call."""
        facts, revise = self.facts, "02" if self.kind == "cancel" else "01"
        account = facts.account_number
        if market_info(facts.market).domestic:
            return domestic_stock.order_rvsecncl(
                CANO=account.number,
                ACNT_PRDT_CD=account.product,
                KRX_FWDG_ORD_ORGNO=facts.branch,
                ORGN_ODNO=facts.number,
                ORD_DVSN=self.order_type,
                RVSE_CNCL_DVSN_CD=revise,
                ORD_QTY=str(self.qty or 0),
                ORD_UNPR=self.unit_price,
                QTY_ALL_ORD_YN="Y" if self.qty is None else "N",
                EXCG_ID_DVSN_CD=facts.exchange,
            ).call
        fields = {
            "CANO": account.number,
            "ACNT_PRDT_CD": account.product,
            "OVRS_EXCG_CD": facts.exchange,
            "PDNO": facts.symbol,
            "ORGN_ODNO": facts.number,
            "RVSE_CNCL_DVSN_CD": revise,
            "ORD_QTY": str(self.qty or facts.qty),
            "OVRS_ORD_UNPR": self.unit_price,
            "MGCO_APTM_ODNO": "",
            "ORD_SVR_DVSN_CD": "0",
        }
        if facts.daytime:
            return overseas_stock.daytime_order_rvsecncl(**fields).call  # TTTS6038U (real only)
        return overseas_stock.order_rvsecncl(**fields).call


def _change_flow(core: _ClientCore, facts: OrderFacts, revision: Revision) -> Generator[Action, Any, _Change]:
    """Check ``revision`` of the order ``facts`` against the rules, as an order would be."""
    listing = Listing(facts.symbol, market_info(facts.market))
    count = None if revision.qty is None else to_qty(revision.qty)
    price = facts.price if revision.price is None else to_price(revision.price)
    order_type = facts.order_type
    changes_type = revision.condition is not None or revision.execution is not None or revision.price is not None
    if not revision.cancel and changes_type and listing.domestic:
        order_type = domestic_order_type(revision.condition, revision.execution, price is not None, facts.exchange)
        if order_type not in PRICED_DOMESTIC:
            price = None
    if core.virtual:
        check_virtual(listing, order_type, facts.exchange, facts.daytime)
    if not revision.cancel and price is not None:
        check_tick(listing, price)
        if listing.domestic:
            lower, upper, _ = yield from domestic_limits_flow(core, listing)
            check_limits(listing, price, lower, upper)
    kind: Kind = "cancel" if revision.cancel else "modify"
    return _Change(facts, kind, order_type, None if revision.cancel else price, count)


def revise_flow(core: _ClientCore, facts: OrderFacts, revision: Revision) -> Generator[Action, Any, OrderFacts]:
    """Modify or cancel the order ``facts``; returns the modify or cancel record (its own order number)."""
    change = yield from _change_flow(core, facts, revision)
    entry = core.journal.begin(
        account=str(facts.account_number),
        symbol=facts.symbol,
        market=facts.market,
        side=facts.side,
        qty=facts.qty if change.qty is None else change.qty,
        price=wire_price(change.price),
        order_type=change.order_type,
        kind=change.kind,
        original=facts.number,
    )
    answer = yield from send_once_flow(core, change.call(), entry)
    if isinstance(answer, OrderAck):
        core.journal.settle(entry, "confirmed", answer.ODNO)
        number, branch, at = acknowledged(answer, core.clock.today(KST))
    else:
        found, candidates = yield from settle_flow(core, entry, lambda: _revisions_flow(core, facts, change.kind))
        if found is None:
            raise unknown(entry, change.price, answer, candidates) from answer
        number, branch, at = found
    return msgspec.structs.replace(
        facts,
        order_type=change.order_type,
        price=facts.price if revision.cancel else change.price,
        qty=facts.qty if change.qty is None else change.qty,
        branch=branch or facts.branch,
        number=number,
        time=at,
        original_number=facts.number,
        kind=change.kind,
        client_id=entry.client_id,
    )


def _revisions_flow(core: _ClientCore, facts: OrderFacts, kind: Kind) -> Generator[Action, Any, list[Found]]:
    """Today's modify (정정) or cancel (취소) records of the order ``facts``."""
    today = (yield from core._now_flow(KST)).date()
    original = facts.number.strip().lstrip("0")
    found: list[Found] = []
    if market_info(facts.market).domestic:
        call: ApiCall | None = daily_ccld_call(facts.account_number, today, today, symbol=facts.symbol)
        while call is not None:
            envelope = yield from core.request_flow(call)
            for row in envelope.decode(DomesticCcldBody).output1:
                if row.orgn_odno.strip().lstrip("0") == original and (row.cncl_yn == "Y") == (kind == "cancel"):
                    found.append((row.odno, row.ord_gno_brno, kst_time(row.ord_tmd, ymd(row.ord_dt) or today)))
            call = next_page(call, envelope)
        return found
    code = "02" if kind == "cancel" else "01"
    rows = yield from foreign_orders_flow(
        core, facts.account_number, today - timedelta(days=1), today + timedelta(days=1)
    )
    for foreign in rows:
        if (
            foreign.orgn_odno.strip().lstrip("0") == original
            and (foreign.rvse_cncl_dvsn_cd or foreign.rvse_cncl_dvsn) == code
        ):
            found.append((foreign.odno, foreign.ord_gno_brno, foreign_row_time(foreign, today)))
    return found
