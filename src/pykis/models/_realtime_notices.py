"""The execution-notice realtime models (체결통보), domestic and overseas.

The two notices share their column names but not their positions (the overseas one has no ``ODER_COND`` before
the symbol): each typed field names its columns and the per-TR types resolve them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pykis.models._realtime_base import _SAFE, Field, KisRealtimeEvent, _dec_or_none, _int, _text
from pykis.models._realtime_market import Side, _arrival

__all__ = ["KisDomesticRealtimeExecution", "KisForeignRealtimeExecution", "KisRealtimeExecution"]

_EXCHANGE_CODES = {"1": "KRX", "2": "NXT", "3": "SOR"}
_CURRENT_WIDTH = 26
"""Domestic notices: 26 columns today, 23 before 호가가격조건, 주문거래소구분 and 실시간체결창표시구분 were added
after 계좌명. In the 23-column layout the name and the order price sit where the 26-column one has ``FILLER``
and ``CRDT_CLS``."""


def _original(value: str) -> str | None:
    value = value.strip()
    return value if value and value.strip("0") else None


def _seller(code: str) -> Side:
    return "sell" if code == "01" else "buy"


def _correction(code: str) -> Literal["new", "modify", "cancel"]:
    return "modify" if code == "1" else "cancel" if code == "2" else "new"


def _is_fill(code: str) -> bool:
    return code == "2"


def _is_ack(code: str) -> bool:
    return code != "2"


def _flag(code: str) -> bool:
    return code == "1"


def _kind(refused: str, filled: str) -> Literal["fill", "ack", "rejected"]:
    return "rejected" if refused == "1" else "fill" if filled == "2" else "ack"


def _filled_qty(qty: str, filled: str) -> int:
    return int(qty) if filled == "2" else 0


def _filled_qty_safe(qty: str, filled: str) -> int:
    return _int(qty) if filled == "2" else 0


_SAFE[_filled_qty] = _filled_qty_safe


def _filled_price(price: str, filled: str) -> Decimal | None:
    return _dec_or_none(price) if filled == "2" else None


def _nonzero(value: str) -> Decimal | None:
    number = _dec_or_none(value)
    return number if number else None


def _domestic_market(event: KisRealtimeEvent, code: str) -> str:
    return "KRX" if event.width < _CURRENT_WIDTH else _EXCHANGE_CODES.get(code, "KRX")


def _domestic_name(event: KisRealtimeEvent, current: str, older: str) -> str:
    return (older if event.width < _CURRENT_WIDTH else current).strip()


def _domestic_price(event: KisRealtimeEvent, current: str, older: str) -> Decimal | None:
    return _nonzero(older if event.width < _CURRENT_WIDTH else current)


def _stripped(value: str) -> str:
    return value.strip()


def _foreign_filled_price(precise: str, price: str, filled: str) -> Decimal | None:
    if filled != "2":
        return None
    value = _dec_or_none(precise)
    return value if value is not None else _dec_or_none(price)


def _foreign_price(price: str, filled: str) -> Decimal | None:
    return None if filled == "2" else _nonzero(price)


class KisRealtimeExecution(KisRealtimeEvent):
    """An execution notice (체결통보): an order acknowledgement (``is_ack``) or a fill (``is_fill``)."""

    __repr_fields__ = (
        "kind",
        "account",
        "order_number",
        "symbol",
        "side",
        "qty",
        "price",
        "filled_qty",
        "filled_price",
        "time",
    )

    customer = Field(_text, "CUST_ID")
    """``CUST_ID`` 고객 ID (the HTS ID)."""
    account = Field(_text, "ACNT_NO")
    """``ACNT_NO`` 계좌번호."""
    order_number = Field(_text, "ODER_NO")
    """``ODER_NO`` 주문번호."""
    original_order_number = Field(_original, "OODER_NO")
    """``OODER_NO`` 원주문번호 (modify/cancel), ``None`` for a new order."""
    side = Field(_seller, "SELN_BYOV_CLS")
    """``SELN_BYOV_CLS`` 매도매수구분: 01 sell, 02 buy."""
    correction = Field(_correction, "RCTF_CLS")
    """``RCTF_CLS`` 정정구분: 0 new, 1 modify, 2 cancel."""
    symbol = Field(_text, "STCK_SHRN_ISCD")
    """``STCK_SHRN_ISCD`` 종목코드."""
    is_fill = Field(_is_fill, "CNTG_YN")
    """``CNTG_YN`` = 2: a fill notice."""
    is_ack = Field(_is_ack, "CNTG_YN")
    """``CNTG_YN`` = 1: an order, modify, cancel or reject acknowledgement."""
    rejected = Field(_flag, "RFUS_YN")
    """``RFUS_YN`` 거부여부 = 1."""
    kind = Field(_kind, "RFUS_YN", "CNTG_YN")
    """``fill``, ``ack`` or ``rejected``."""
    accepted = Field(_text, "ACPT_YN")
    """``ACPT_YN`` 접수여부: 1 received, 2 confirmed, 3 cancelled (IOC/FOK)."""
    qty = Field(int, "ODER_QTY")
    """``ODER_QTY`` 주문수량."""
    filled_qty = Field(_filled_qty, "CNTG_QTY", "CNTG_YN")
    """``CNTG_QTY`` 체결수량 of a fill; 0 for an acknowledgement."""
    filled_price = Field(_filled_price, "CNTG_UNPR", "CNTG_YN")
    """``CNTG_UNPR`` 체결단가 of a fill; ``None`` for an acknowledgement."""
    time = Field(_arrival, "STCK_CNTG_HOUR", context="_d", memo=True)
    """``STCK_CNTG_HOUR`` on the day the notice arrived, Asia/Seoul."""
    order_kind = Field(_text, "ODER_KIND|ODER_KIND2")
    """``ODER_KIND`` (domestic) / ``ODER_KIND2`` (overseas) 주문종류, the order division code as sent."""
    branch = Field(_text, "BRNC_NO")
    """``BRNC_NO`` 지점번호."""

    @property
    def price(self) -> Decimal | None:
        """The order price; ``None`` for market orders."""
        raise NotImplementedError


class KisDomesticRealtimeExecution(KisRealtimeExecution):
    """``H0STCNI0`` 국내주식 실시간체결통보 (real), ``H0STCNI9`` (virtual): AES-256-CBC encrypted, 26 fields
    (23 before 호가가격조건, 주문거래소구분 and 실시간체결창표시구분 were added after 계좌명)."""

    order_condition = Field(_text, "ODER_COND")
    """``ODER_COND`` 주문조건 code, as sent."""
    market = Field(_domestic_market, "ORD_EXG_GB", context=True)
    """``ORD_EXG_GB`` 주문거래소 구분 (26-field layout): ``KRX``, ``NXT`` or ``SOR``."""
    name = Field(_domestic_name, "CNTG_ISNM40", "FILLER", context=True)
    """``CNTG_ISNM40`` 종목명."""
    price = Field(_domestic_price, "ODER_PRC", "CRDT_CLS", context=True)
    """``ODER_PRC`` 주문가격; ``None`` when 0 or blank (market orders)."""


class KisForeignRealtimeExecution(KisRealtimeExecution):
    """``H0GSCNI0`` 해외주식 실시간체결통보 (real), ``H0GSCNI9`` (virtual): AES-256-CBC encrypted, 25 fields."""

    name = Field(_stripped, "CNTG_ISNM")
    """``CNTG_ISNM`` 체결종목명."""
    filled_price = Field(_foreign_filled_price, "CNTG_UNPR12", "CNTG_UNPR", "CNTG_YN")
    """``CNTG_UNPR12`` (or ``CNTG_UNPR``) 체결단가 of a fill; ``None`` for an acknowledgement."""
    price = Field(_foreign_price, "CNTG_UNPR", "CNTG_YN")
    """The order price: the notice carries it in ``CNTG_UNPR`` of an acknowledgement; ``None`` for fills."""
