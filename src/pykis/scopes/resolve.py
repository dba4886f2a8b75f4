"""Resolving a symbol to its listing: the master files first (no API call), product inquiries second."""

from __future__ import annotations

import re
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from pykis.errors import (
    KisAPIError,
    KisAuthError,
    KisGatewayTimeoutError,
    KisNotFoundError,
    KisRateLimitError,
    KisValidationError,
)
from pykis.exchanges.markets import MARKETS, market_info
from pykis.exchanges.masters import DOMESTIC_FILES, MasterRow, SymbolIndex
from pykis.protocol.env import Environment
from pykis.protocol.flow import Action, LoadMasters

if TYPE_CHECKING:
    from pykis.client import _ClientCore

__all__ = ["resolve_flow"]

_SYMBOL = re.compile(r"^[A-Z0-9][A-Z0-9.\-/]{0,15}$")
_US_FILES = ("nasmst.cod", "nysmst.cod", "amsmst.cod")
_OTHER_FILES = tuple(
    info.master_file for info in MARKETS.values() if not info.domestic and info.master_file not in _US_FILES
)


def _domestic_like(symbol: str) -> bool:
    """KRX short codes: six characters starting with a digit (005930, 0008Z0); ETNs may carry a Q."""
    return (len(symbol) == 6 and symbol[0].isdigit()) or (len(symbol) == 7 and symbol[0] == "Q")


def resolve_flow(core: _ClientCore, symbol: str, market: str | None) -> Generator[Action, Any, MasterRow]:
    """The listing of ``symbol`` (on ``market`` when given); raises :class:`KisNotFoundError`."""
    if not isinstance(symbol, str):
        raise KisValidationError(f"symbol must be a string, got {type(symbol).__name__}")
    wanted = symbol.strip().upper()
    if not _SYMBOL.match(wanted):
        raise KisValidationError(f"{symbol!r} is not a stock symbol")
    code = market_info(market).code if market else None
    if code is not None:
        groups: tuple[tuple[str, ...], ...] = (
            tuple(DOMESTIC_FILES) if code == "KRX" else (MARKETS[code].master_file,),
        )
    elif _domestic_like(wanted):
        groups = (tuple(DOMESTIC_FILES), _OTHER_FILES)
    else:
        groups = (_US_FILES, _OTHER_FILES)
    for files in groups:
        index: SymbolIndex = yield LoadMasters(files)
        row = index.lookup(wanted, code)
        if row is not None:
            return row
    row = yield from _inquire(core, wanted, code)
    if row is None:
        raise KisNotFoundError(wanted, code)
    return row


def _not_listed(error: KisAPIError) -> None:
    """A business refusal of a product inquiry means "not listed there"; a refused credential, the rate
    limit or a gateway timeout is not an answer about the symbol and propagates."""
    if isinstance(error, KisAuthError | KisRateLimitError | KisGatewayTimeoutError):
        raise error


def _inquire(core: _ClientCore, symbol: str, code: str | None) -> Generator[Action, Any, MasterRow | None]:
    """Fallback when the masters lack the symbol: CTPF1002R (domestic) or CTPF1702R (overseas)."""
    from pykis.api._generated import domestic_stock  # noqa: PLC0415 — the fallback inquiries' API modules load only when the masters miss

    if Environment.REAL not in core.environments:
        return None  # the product inquiries are not offered by the virtual service
    if code == "KRX" or (code is None and _domestic_like(symbol)):
        request = domestic_stock.search_stock_info(PRDT_TYPE_CD="300", PDNO=symbol)
        try:
            envelope = yield from core.request_flow(request.call)
        except KisAPIError as error:
            _not_listed(error)
            return None
        output = envelope.output()
        if isinstance(output, dict) and output.get("prdt_abrv_name"):
            board = "KOSDAQ" if str(output.get("mket_id_cd", "")).upper() in ("KSQ", "KQ") else "KOSPI"
            return MasterRow(
                symbol, str(output["prdt_abrv_name"]), str(output.get("prdt_eng_abrv_name", "")), "KRX", board, "stock"
            )
        return None
    if code:
        groups = [[MARKETS[code]]]
    else:
        # A US symbol can be found on more than one exchange (BLDR, ORCL…): ask all three, then pick the
        # primary listing by SymbolIndex.PRIORITY; the other markets are asked one by one.
        overseas = [info for info in MARKETS.values() if not info.domestic]
        groups = [[info for info in overseas if info.currency == "USD"]]
        groups += [[info] for info in overseas if info.currency != "USD"]
    for group in groups:
        found: list[MasterRow] = []
        for info in group:
            row = yield from _inquire_overseas(core, symbol, info.code)
            if row is not None:
                found.append(row)
        if found:
            return SymbolIndex(found).lookup(symbol)
    return None


def _inquire_overseas(core: _ClientCore, symbol: str, code: str) -> Generator[Action, Any, MasterRow | None]:
    from pykis.api._generated import overseas_stock  # noqa: PLC0415 — the fallback inquiries' API modules load only when the masters miss

    info = MARKETS[code]
    request = overseas_stock.search_info(PRDT_TYPE_CD=info.prdt_type_cd, PDNO=symbol)
    try:
        envelope = yield from core.request_flow(request.call)
    except KisAPIError as error:
        _not_listed(error)
        return None
    output = envelope.output()
    if not isinstance(output, dict) or not output.get("std_pdno") or output.get("lstg_yn") == "N":
        return None
    name, english = str(output.get("prdt_name", "")), str(output.get("prdt_eng_name", ""))
    return MasterRow(symbol, name, english, info.code, info.excd or "", "stock", currency=info.currency)
