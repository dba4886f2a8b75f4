"""Market-wide operations written once as flows: batch quotes, KRX trading days and symbol search.

The drivers (:class:`~pykis.PyKis`, :class:`~pykis.AsyncPyKis`) decide how the independent flows of a batch
run — a small thread pool or ``asyncio.gather`` — while the shared rate limiter keeps them within the app key's
limit.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Sequence
from datetime import date, datetime
from functools import partial
from typing import TYPE_CHECKING, Any

import msgspec

from pykis.api._generated import domestic_stock
from pykis.errors import KisValidationError
from pykis.exchanges.markets import market_info
from pykis.exchanges.masters import DOMESTIC_FILES, OVERSEAS_FILES, MasterRow, SymbolIndex
from pykis.exchanges.sessions import trading_hours
from pykis.models.quote import DomesticMultiQuoteBody, KisQuote, domestic_multi_quote
from pykis.protocol.env import Environment
from pykis.protocol.flow import Action, LoadMasters

if TYPE_CHECKING:
    from pykis.client import _ClientCore
    from pykis.scopes.stock import StockBase, Venue

__all__ = ["BATCH_SIZE", "QuotePlan", "krx_trading_day_flow", "plan_quotes", "search_flow", "trading_day_flow"]

BATCH_SIZE = 30  # FHKST11300006: "한 번의 호출에 최대 30종목"
_VENUE_CODES = {"KRX": "J", "NXT": "NX", "UN": "UN"}


class QuotePlan(msgspec.Struct, frozen=True):
    """Independent flows that together answer a batch: each flow returns quotes for ``positions`` (indexes
    into the caller's list), in that order."""

    parts: tuple[tuple[tuple[int, ...], Callable[[], Generator[Action, Any, list[KisQuote]]]], ...]
    size: int

    def assemble(self, results: Sequence[list[KisQuote]]) -> list[KisQuote]:
        """The quotes in input order from each part's result."""
        out: list[KisQuote | None] = [None] * self.size
        for (positions, _), quotes in zip(self.parts, results, strict=True):
            for position, quote in zip(positions, quotes, strict=True):
                out[position] = quote
        assert all(quote is not None for quote in out)
        return [quote for quote in out if quote is not None]


def _multi_quote_flow(
    core: _ClientCore, stocks: Sequence[StockBase], venue: str
) -> Generator[Action, Any, list[KisQuote]]:
    """FHKST11300006 관심종목(멀티종목) 시세조회: up to 30 domestic symbols in one call."""
    params: dict[str, str] = {}
    for index, stock in enumerate(stocks, start=1):
        params[f"FID_COND_MRKT_DIV_CODE_{index}"] = _VENUE_CODES[venue]
        params[f"FID_INPUT_ISCD_{index}"] = stock.quote_code
    envelope = yield from core.request_flow(domestic_stock.intstock_multprice(**params).call)
    rows = envelope.decode(DomesticMultiQuoteBody).output
    by_code = {row.inter_shrn_iscd.strip().upper(): row for row in rows}
    quotes: list[KisQuote] = []
    for position, stock in enumerate(stocks):
        row = by_code.get(stock.symbol.upper()) or by_code.get(stock.quote_code.upper())
        if row is None and position < len(rows):
            row = rows[position]
        if row is None or not row.inter2_prpr.strip():
            raise KisValidationError(f"the batch quote inquiry returned nothing for {stock.symbol}")
        now = core.clock.now(stock.timezone)  # the answer's Date is the service's now
        quotes.append(
            domestic_multi_quote(row, symbol=stock.symbol, market=stock.market, name=stock.name, time=now, venue=venue)
        )
    return quotes


def _single_quote_flow(stock: StockBase, venue: Venue) -> Generator[Action, Any, list[KisQuote]]:
    quote = yield from stock._quote_flow(False, venue)
    return [quote]


def plan_quotes(core: _ClientCore, stocks: Sequence[StockBase], venue: Venue = "KRX") -> QuotePlan:
    """Domestic symbols in batches of 30 (one FHKST11300006 call each, when the real service is configured;
    otherwise one FHKST01010100 call each); every overseas symbol its own HHDFS76200200 call."""
    if venue not in _VENUE_CODES:
        raise KisValidationError(f"venue must be KRX, NXT or UN, got {venue!r}")
    parts: list[tuple[tuple[int, ...], Callable[[], Generator[Action, Any, list[KisQuote]]]]] = []
    batched = Environment.REAL in core.environments
    domestic = [index for index, stock in enumerate(stocks) if stock.domestic]
    if batched:
        for first in range(0, len(domestic), BATCH_SIZE):
            chunk = tuple(domestic[first : first + BATCH_SIZE])
            members = [stocks[index] for index in chunk]
            parts.append((chunk, partial(_multi_quote_flow, core, members, venue)))
    singles = [index for index, stock in enumerate(stocks) if not stock.domestic or not batched]
    for index in singles:
        stock = stocks[index]
        parts.append(((index,), partial(_single_quote_flow, stock, venue)))
    return QuotePlan(tuple(parts), len(stocks))


def krx_trading_day_flow(core: _ClientCore, day: date) -> Generator[Action, Any, bool]:
    """Whether KRX trades on ``day``: CTCA0903R 국내휴장일조회 (real only; its ``opnd_yn``, 개장일여부), the
    answers kept for the client's lifetime — the broker asks for about one call a day. Without real
    credentials the built-in calendar answers."""
    known: dict[date, bool] = core._krx_open_days
    if day in known:
        return known[day]
    if Environment.REAL not in core.environments:
        return trading_hours("KRX").is_trading_day(day)
    envelope = yield from core.request_flow(domestic_stock.chk_holiday(BASS_DT=day.strftime("%Y%m%d")).call)
    rows = envelope.output("output")
    for row in rows if isinstance(rows, list) else []:
        text = str(row.get("bass_dt", "")) if isinstance(row, dict) else ""
        try:
            known[datetime.strptime(text, "%Y%m%d").date()] = str(row.get("opnd_yn", "")).upper() == "Y"
        except ValueError:
            continue
    if day not in known:
        return trading_hours("KRX").is_trading_day(day)
    return known[day]


def trading_day_flow(core: _ClientCore, market: str, day: date | None) -> Generator[Action, Any, bool]:
    """Whether ``market`` trades on ``day`` (default: today in the market's zone): KRX/NXT by CTCA0903R,
    the others by the built-in calendars."""
    hours = core.trading_hours(market)
    today = (yield from core._now_flow(hours.zone)).date()
    day = day or today
    if hours.always_open and day == today:
        return True  # an always-open sandbox trades today whatever the calendar says
    if hours.market in ("KRX", "NXT"):
        return (yield from krx_trading_day_flow(core, day))
    return hours.is_trading_day(day)


def search_flow(
    text: str, limit: int = 20, markets: Iterable[str] | None = None
) -> Generator[Action, Any, list[MasterRow]]:
    """Listings whose code, Korean or English name contains ``text``, over the master files of ``markets``
    (default: all). The domestic masters carry Korean names only."""
    if not isinstance(text, str) or not text.strip():
        raise KisValidationError("search text must be a non-empty string")
    if limit < 1:
        raise KisValidationError("limit must be positive")
    wanted = {market_info(market).code for market in markets} if markets is not None else None
    files = [name for name in DOMESTIC_FILES if wanted is None or "KRX" in wanted]
    files += [name for name, code in OVERSEAS_FILES.items() if wanted is None or code in wanted]
    index: SymbolIndex = yield LoadMasters(tuple(files))
    found = index.search(text, limit=limit if wanted is None else len(index))
    if wanted is not None:
        found = [row for row in found if row.market in wanted][:limit]
    return found
