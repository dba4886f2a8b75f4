"""What an account can order now: the sellable shares of a stock and the orderable cash (with the most shares it
buys). The order prechecks and ``account.sellable_quantity`` / ``account.orderable_amount`` ask these."""

from __future__ import annotations

from collections.abc import Generator
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pykis.api._generated import domestic_stock, overseas_stock
from pykis.models._base import dec
from pykis.models.order import DomesticOrderableBody, ForeignBalanceBody, ForeignOrderableBody, KisOrderableAmount
from pykis.protocol.paging import next_page
from pykis.scopes.balance import domestic_balance_flow

if TYPE_CHECKING:
    from pykis.auth import KisAccountNumber
    from pykis.client import _ClientCore
    from pykis.protocol.flow import Action
    from pykis.protocol.request import ApiCall
    from pykis.scopes.orders.rules import Listing

__all__ = ["orderable_flow", "sellable_flow"]

ZERO = Decimal(0)


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
