"""What the service says about orders: acknowledged orders as records, and the inquiries that list the day's
orders (used to settle a lost answer, to find open orders and to read an account's history)."""

from __future__ import annotations

from collections.abc import Generator
from datetime import date, datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

import msgspec

from pykis.api._generated import domestic_stock, overseas_stock
from pykis.auth import KisAccountNumber
from pykis.models.order import ForeignOrderBody, ForeignOrderRow, OrderSide
from pykis.protocol.paging import next_page
from pykis.scopes.orders.rules import KST

if TYPE_CHECKING:
    from pykis.client import _ClientCore
    from pykis.protocol.flow import Action
    from pykis.protocol.request import ApiCall

__all__ = [
    "OrderFacts",
    "PendingFacts",
    "account_of",
    "daily_ccld_call",
    "foreign_orders_flow",
    "foreign_row_time",
    "kst_time",
    "ymd",
]


class OrderFacts(msgspec.Struct, frozen=True):
    """An order as the server acknowledged it."""

    account_number: KisAccountNumber
    symbol: str
    market: str
    currency: str
    side: OrderSide
    order_type: str
    price: Decimal | None
    qty: int
    branch: str
    number: str
    time: datetime
    exchange: str
    daytime: bool = False
    condition: str | None = None
    execution: str | None = None
    original_number: str | None = None
    kind: Literal["new", "modify", "cancel"] = "new"
    name: str = ""
    client_id: str | None = None


class PendingFacts(msgspec.Struct, frozen=True):
    """An order still working: the facts plus its executed and pending quantities."""

    facts: OrderFacts
    executed_qty: int
    pending_qty: int
    executed_amount: Decimal = msgspec.field(default=Decimal(0))


def kst_time(hhmmss: str, day: date) -> datetime:
    """``HHMMSS`` on ``day`` in Korea time (the start of ``day`` when the text is not a time)."""
    text = hhmmss.strip().zfill(6)[:6]
    try:
        return datetime.combine(day, time(int(text[:2]), int(text[2:4]), int(text[4:6])), tzinfo=KST)
    except ValueError:
        return datetime.combine(day, time.min, tzinfo=KST)


def ymd(text: str) -> date | None:
    """``YYYYMMDD`` as a date; ``None`` when the text is not one."""
    text = text.strip()
    if len(text) != 8 or not text.isdigit():
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def foreign_row_time(row: ForeignOrderRow, today: date) -> datetime:
    """The order time of an overseas row in Korea time (당사주문시각), else the local order time."""
    if row.dmst_ord_dt.strip() and row.thco_ord_tmd.strip():
        return kst_time(row.thco_ord_tmd, ymd(row.dmst_ord_dt) or today)
    return kst_time(row.ord_tmd, ymd(row.ord_dt) or today)


def foreign_orders_flow(
    core: _ClientCore, account: KisAccountNumber, start: date, end: date
) -> Generator[Action, Any, list[ForeignOrderRow]]:
    """Every overseas order between local dates (TTTS3035R 해외주식 주문체결내역), all pages.

    The virtual service takes only empty filters there (PROTOCOL §9), so the library filters locally.
    """
    call: ApiCall | None = overseas_stock.inquire_ccnl(
        CANO=account.number,
        ACNT_PRDT_CD=account.product,
        PDNO="" if core.virtual else "%",
        ORD_STRT_DT=f"{start:%Y%m%d}",
        ORD_END_DT=f"{end:%Y%m%d}",
        SLL_BUY_DVSN="00",
        CCLD_NCCS_DVSN="00",
        OVRS_EXCG_CD="" if core.virtual else "%",
        SORT_SQN="DS",
        ORD_DT="",
        ORD_GNO_BRNO="",
        ODNO="",
        CTX_AREA_NK200="",
        CTX_AREA_FK200="",
    ).call
    rows: list[ForeignOrderRow] = []
    while call is not None:
        envelope = yield from core.request_flow(call)
        rows.extend(envelope.decode(ForeignOrderBody).output)
        call = next_page(call, envelope)
    return rows


def account_of(core: _ClientCore, account: str | KisAccountNumber | None) -> KisAccountNumber:
    """The account an order names, or the client's primary one."""
    if account is None:
        return core.primary_account
    if isinstance(account, KisAccountNumber):
        return account
    return KisAccountNumber.parse(account)


def daily_ccld_call(
    account: KisAccountNumber,
    first: date,
    last: date,
    *,
    period: Literal["inner", "before"] = "inner",
    side: str = "00",
    symbol: str = "",
    executed: str = "00",
) -> ApiCall:
    """주식일별주문체결조회 from ``first`` to ``last``: TTTC0081R within three months (``inner``), CTSC9215R before
    (``before``); ``side`` 00 all / 01 sell / 02 buy, ``executed`` (CCLD_DVSN) 00 all / 01 executed / 02 open."""
    return domestic_stock.inquire_daily_ccld(
        pd_dv=period,
        CANO=account.number,
        ACNT_PRDT_CD=account.product,
        INQR_STRT_DT=f"{first:%Y%m%d}",
        INQR_END_DT=f"{last:%Y%m%d}",
        SLL_BUY_DVSN_CD=side,
        PDNO=symbol,
        CCLD_DVSN=executed,
        INQR_DVSN="01",
        INQR_DVSN_3="00",
        ORD_GNO_BRNO="",
        ODNO="",
        INQR_DVSN_1="",
        CTX_AREA_FK100="",
        CTX_AREA_NK100="",
    ).call
