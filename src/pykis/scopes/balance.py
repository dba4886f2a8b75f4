"""The account's balance: positions and deposits, domestic (TTTC8434R, every page) and overseas (CTRP6504R)."""

from __future__ import annotations

from collections.abc import Generator
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pykis.api._generated import domestic_stock, overseas_stock
from pykis.errors import KisValidationError
from pykis.exchanges.markets import market_info
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
from pykis.protocol.paging import next_page

if TYPE_CHECKING:
    from pykis.auth import KisAccountNumber
    from pykis.client import _ClientCore
    from pykis.protocol.flow import Action
    from pykis.protocol.request import ApiCall

__all__ = ["balance_flow", "domestic_balance_flow", "foreign_balance_flow"]


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
