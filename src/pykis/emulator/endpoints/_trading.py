"""What the domestic and overseas trading endpoints share: the engine, the account check, order wording.

Every trading endpoint works on the matching engine the server keeps in ``ctx.extras["engine"]``. A request
may only touch the account of the app key that sent it (``CANO``-``ACNT_PRDT_CD`` must be the app's account):
the real service answers another account's number with a business error, and the emulator keeps every
account's cash, positions and orders apart the same way.

Engine refusals (``EngineReject``) become business errors: HTTP 200, ``rt_cd`` "1", the engine's
``msg_cd``/``msg1`` (PROTOCOL.md §4, §14).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from pykis.emulator.endpoints._format import KST
from pykis.emulator.engine import EngineReject
from pykis.emulator.rest import ApiRequest, ApiResponse, EmulatorContext, business_error

if TYPE_CHECKING:
    from pykis.emulator.engine import Engine, EngineReject

__all__ = [
    "DOMESTIC_TYPE_NAMES",
    "NO_ACCOUNT",
    "VIRTUAL_TYPE_REFUSED",
    "account_of",
    "engine_of",
    "kst_date",
    "parse_yyyymmdd",
    "rejected",
]

# An account number that is not the app's own (emulator stand-in, as engine.py's APBK0523).
NO_ACCOUNT = ("APBK0523", "계좌번호를 확인하여 주십시오.")
# An order type the virtual (모의투자) service does not take. Emulator stand-in: the live wording is unknown.
VIRTUAL_TYPE_REFUSED = ("APBK0518", "모의투자에서는 해당 주문구분을 지원하지 않습니다.")

# ORD_DVSN → 주문구분명 (PROTOCOL.md §10, §15).
DOMESTIC_TYPE_NAMES: dict[str, str] = {
    "00": "지정가",
    "01": "시장가",
    "02": "조건부지정가",
    "03": "최유리지정가",
    "04": "최우선지정가",
    "05": "장전시간외",
    "06": "장후시간외",
    "07": "시간외단일가",
    "11": "IOC지정가",
    "12": "FOK지정가",
    "13": "IOC시장가",
    "14": "FOK시장가",
    "15": "IOC최유리",
    "16": "FOK최유리",
    "21": "중간가",
    "23": "IOC중간가",
    "24": "FOK중간가",
    "27": "GTP지정가",
    "28": "GTP즉시지정가",
    "29": "GTP최우선지정가",
    "41": "애프터마켓지정가",
    "42": "애프터마켓IOC지정가",
    "43": "애프터마켓FOK지정가",
    "44": "애프터마켓즉시지정가",
    "45": "애프터마켓IOC즉시지정가",
    "46": "애프터마켓FOK즉시지정가",
    "47": "애프터마켓최우선지정가",
}


def engine_of(ctx: EmulatorContext) -> Engine:
    """The server's matching engine."""
    engine = ctx.extras.get("engine")
    if engine is None:
        raise RuntimeError("the emulator has no matching engine (ctx.extras['engine'])")
    return engine  # type: ignore[no-any-return]


def rejected(error: EngineReject) -> ApiResponse:
    """An engine refusal as the business error the trading system answers."""
    return business_error("1", error.code, error.message)


def account_of(request: ApiRequest, ctx: EmulatorContext) -> tuple[Engine, str] | ApiResponse:
    """The engine and the request's account number, or the refusal when it is not the app's account."""
    number = f"{request.param('CANO').strip()}-{request.param('ACNT_PRDT_CD').strip()}"
    if number != request.app.account:
        return business_error("1", *NO_ACCOUNT)
    engine = engine_of(ctx)
    try:
        engine.account(number)
    except EngineReject as error:
        return rejected(error)
    return engine, number


def kst_date(ctx: EmulatorContext) -> date:
    """Today in Korea."""
    return ctx.now().astimezone(KST).date()


def parse_yyyymmdd(text: str) -> date | None:
    """``"20240620"`` → a date, else ``None``."""
    text = text.strip()
    if len(text) != 8 or not text.isdigit():
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def whole(text: str) -> int | None:
    """A quantity field: digits only, else ``None``."""
    text = text.strip()
    return int(text) if text.isdigit() else None


def price_of(text: str) -> Decimal | None:
    """A price field: a non-negative decimal string, else ``None``."""
    try:
        value = Decimal(text.strip() or "0")
    except InvalidOperation:
        return None
    return value if value.is_finite() and value >= 0 else None


def months_back(today: date, months: int) -> date:
    """The first day of the calendar month ``months`` before ``today``'s."""
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    return date(year, month + 1, 1)
