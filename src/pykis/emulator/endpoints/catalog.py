"""Generic answers for every catalogued API without a hand-written endpoint (registered last).

The answer is shaped by the API's catalog entry (``rest.json``): its output blocks, each row carrying every
column of the entry as a string. What a list block's rows *are* depends on the API's kind, judged from its
path, name, columns and request:

* **rankings** (stock paths under ``/ranking/`` or named ``*rank*``) and **market lists** (stock APIs whose
  rows carry an instrument code, ``*_shrn_iscd``/``symb``, while the request names no instrument, e.g.
  ``FID_INPUT_ISCD`` ``0000``/``0001``/``1001``): one row per *different* instrument of the simulated
  market, each from its own quote, ranked (``data_rank`` 1…n) by what the API ranks where the path, the
  name or the label of the chosen sort code says it (market cap → price × listed shares, amount, turnover,
  volume growth, change rate — falling first when the label says 하락 — and volume otherwise). Domestic APIs
  draw domestic listings (``0001`` KOSPI, ``1001`` KOSDAQ, ``2001`` KOSPI, anything else all), overseas
  ones the listings of the request's ``EXCD``;
* **daily lists** (a date column and no time column, or ``daily`` in the name): one row per trading day of
  the instrument's (or the market's) calendar, newest first; with an instrument, prices, volume and amount
  come from that day's bar (``Market.daily_bars``, as the chart endpoints use them; ``FID_PERIOD_DIV_CODE``
  W/M/Y aggregates), change, sign and rate against the bar before. The current day's row is the quote;
* **intraday lists** of one instrument (a time column): one row per minute of the current trading day,
  newest first, each the quote as of the end of that minute (``Market.minute_bars``: price, the day's open
  and running high/low, cumulative volume and amount; ``cntg_vol`` the minute's volume);
* other lists repeat the request's instrument (if any), their dates stepping back one trading day a row.

Inside a row, values are derived in this order:

1. the request: a column named like a request field echoes it (``cano``, ``ovrs_excg_cd``, ``pdno``);
2. the row's instrument and market data: current price, open/high/low, previous close, change and sign,
   rate, volume, amount, best ask/bid, limits, listed shares, market cap, turnover, symbol and names;
   ``A_vrss_B`` columns (``oprc_vrss_prpr``, ``hgpr_vrss_prpr_rate``, ``sdpr_vrss_prpr_sign``) compare the
   two prices they name;
3. the column name's kind: dates (``*_dt``, ``*_date``, ``*ymd``) as YYYYMMDD of the row's day, times
   (``*_hour``, ``*_tmd``) as HHMMSS, flags (``*_yn``) ``N``, ranks ``1…n``, codes ``00``; change families
   (``X_vrss``, ``X_vrss_sign``, ``X_ctrt``) share one hashed direction; other numbers are hashed per
   (column, row) and non-negative unless they are a change or a profit.

Everything is a string and deterministic for a request and an emulator clock.

Shapes: where the broker's readers or documents show a block's shape, :data:`pykis.emulator.corrections.
BLOCK_SHAPES` says it. *Emulator choices* otherwise: a lone ``output`` block is a list when the API is a list
(paginated, ranking, daily/period/list/chart inquiries, or rows dated by a business day) and an object
otherwise; ``output1``/``output2`` follow the samples' habit (account inquiries: list + summary; quotations:
summary + list); further blocks are objects. List blocks hold at most :data:`ROWS` rows (fewer when an exchange
lists fewer instruments). APIs with continuation fields answer two pages (``F`` then ``E``): with their
``CTX_AREA_*`` cursors where the catalog names them, by ``tr_cont`` alone otherwise; every other API answers
one page (``D``). POST answers spell their columns in upper case (:func:`pykis.emulator.corrections.
wire_column`). Summary objects count the page's rows in
``nrec``/``crec`` and all rows in ``trec``. Past daily rows have no book (``askp``/``bidp`` ``0``); their
sign ignores the price limits, as the chart endpoints' rows do. Request date ranges are not honoured: rows
always end at the current trading day.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from pykis.emulator.corrections import block_shape, wire_column
from pykis.emulator.endpoints._format import KST, dec, pct
from pykis.emulator.endpoints.columns import DATE, TIME, PriceState, Row, column_value, market_values, price_values
from pykis.emulator.endpoints.overseas import EXCD_MARKETS, ZDIV
from pykis.emulator.market import UnknownSymbol
from pykis.emulator.rest import ApiRequest, ApiResponse, EmulatorContext, EndpointRegistry, ok

__all__ = ["ROWS", "SLICE", "register"]

ROWS = 4
"""Rows of a list block (two pages of two on continued inquiries)."""

_SYMBOL_FIELDS = ("FID_INPUT_ISCD", "PDNO", "OVRS_PDNO", "SYMB", "FID_INPUT_ISCD_1", "STCK_SHRN_ISCD", "SHTN_PDNO")
_EXCHANGE_FIELDS = ("EXCD", "OVRS_EXCG_CD", "FID_COND_MRKT_DIV_CODE")
_LIST_WORDS = ("ranking", "daily", "period", "list", "chart", "ccnl", "ccld", "trend", "rank", "news", "holiday")
_STOCK_PATHS = ("/uapi/domestic-stock/", "/uapi/overseas-stock/", "/uapi/overseas-price/", "/uapi/etfetn/")
# FID_INPUT_ISCD market codes of the domestic rankings → instrument markets (others: every domestic listing).
_DOMESTIC_SCOPES: dict[str, frozenset[str]] = {
    "0001": frozenset({"KOSPI"}),
    "1001": frozenset({"KOSDAQ"}),
    "2001": frozenset({"KOSPI"}),
}


# --------------------------------------------------------------------------------------- API kinds


def _is_list(entry: Mapping[str, Any], block: str) -> bool:
    known = block_shape(str(entry["path"]), block)
    if known is not None:
        return known == "list"
    outputs = list(entry.get("outputs") or ())
    trading = "/trading/" in str(entry["path"])
    if block == "output" and len(outputs) == 1:
        text = f"{entry['name']} {entry['path']}".lower()
        columns = [str(c).lower() for c in entry.get("columns", {})]
        dated = any(c.endswith("bsop_date") for c in columns)
        # Rows of instruments over a whole market: the instrument field offers 0000 (전체).
        market_wide = any(c.endswith("shrn_iscd") for c in columns) and any(
            str(p["name"]).upper() == "FID_INPUT_ISCD" and "0000" in str(p.get("description", ""))
            for p in entry.get("params", ())
        )
        return bool(entry.get("paginated")) or dated or market_wide or any(word in text for word in _LIST_WORDS)
    if block == "output1":
        return trading or len(outputs) == 1
    if block == "output2":
        return not trading
    return block.startswith("outblock") or (block == "output" and bool(entry.get("paginated")))


def _cursors(entry: Mapping[str, Any]) -> tuple[str, ...]:
    """The ``CTX_AREA_*`` fields a page's body carries: those the documentation lists for the answer, else the
    request's (a client copies them back). OTFM3122R documents ``ctx_area_fk200`` alone, which the broker's
    reader takes (examples_user/overseas_futureoption ``inquire_daily_ccld``)."""
    named = entry.get("continuation_response") or entry.get("continuation_request") or ()
    return tuple(name for name in (str(n).lower() for n in named) if name.startswith("ctx_"))


@dataclass(frozen=True, slots=True)
class _Shape:
    """The static facts of one API that decide what its rows are."""

    path: str
    name: str
    overseas: bool
    ranking: bool
    """Rows are instruments ranked, whatever the request's instrument field says."""
    market_list: bool
    """Rows are instruments when the request names none."""
    daily: bool
    intraday: bool
    sort_params: tuple[tuple[str, str], ...]
    """(request field, description) of the fields whose labels may say what is ranked."""


def _shape(entry: Mapping[str, Any], lists: Mapping[str, bool]) -> _Shape:
    path = str(entry["path"])
    name = str(entry["name"]).lower()
    columns = [str(c).lower() for c in entry.get("columns", {})]
    stock = path.startswith(_STOCK_PATHS) and "/trading/" not in path
    listing = any(lists.values())
    dated = any(DATE.search(c) for c in columns)
    timed = any(TIME.search(c) for c in columns)
    coded = any(c.endswith("shrn_iscd") or c == "symb" for c in columns)
    named = any(c.endswith(("isnm", "name")) for c in columns)
    ranking = stock and listing and ("/ranking/" in path or "rank" in name)
    market_list = stock and listing and not ranking and coded and named and not dated and not timed
    daily = listing and not ranking and ((dated and not timed) or "daily" in name)
    intraday = listing and not ranking and not daily and timed
    sort_params = tuple(
        (str(p["name"]).upper(), str(p.get("description", "")))
        for p in entry.get("params", ())
        if ":" in str(p.get("description", "")) or "(" in str(p.get("description", ""))
    )
    return _Shape(path, name, "/overseas-" in path, ranking, market_list, daily, intraday, sort_params)


# --------------------------------------------------------------------------------------- rankings


def _label(description: str, value: str) -> str:
    """The label a parameter's description gives ``value`` (``"0:상승율, 1:하락율"`` → ``"하락율"`` for 1)."""
    if not value:
        return ""
    match = re.search(rf"(?<![0-9A-Za-z]){re.escape(value)}\s*[:(：]\s*([^,()0-9':]+)", description)
    return match.group(1).strip() if match else ""


_RANK_KEYS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("cap", ("market-cap", "market_cap", "시가총액", "시총")),
    ("amount", ("pbmn", "금액", "대금")),
    ("turnover", ("turnover", "회전율")),
    ("growth", ("growth", "surge", "증가율", "급증")),
    ("rate", ("fluct", "updown", "등락", "상승", "하락", "change")),
    ("volume", ("vol", "거래량")),
)


def _rank_order(shape: _Shape, request: ApiRequest) -> tuple[str, bool]:
    """(what is ranked, ascending?) from the chosen sort labels first, then the API's path and name."""
    labels = " ".join(_label(description, request.param(field).strip()) for field, description in shape.sort_params)
    for text in (labels, f"{shape.name} {shape.path}".lower()):
        for key, words in _RANK_KEYS:
            if any(word in text for word in words):
                return key, key == "rate" and "하락" in labels
    return "volume", False


def _rank_value(key: str, quote: Any) -> Decimal:
    """What ``key`` ranks, from a quote or a day state (the same fields)."""
    instrument = quote.instrument
    if key == "cap":
        return dec(quote.price) * int(instrument.listed_shares)
    if key == "amount":
        return dec(quote.amount)
    if key == "turnover":
        return Decimal(int(quote.volume)) / int(instrument.listed_shares)
    if key == "growth":
        return Decimal(int(quote.volume)) / int(quote.prev_volume) if quote.prev_volume else Decimal(0)
    if key == "rate":
        return pct(dec(quote.price) - dec(quote.prev_close), dec(quote.prev_close))
    return Decimal(int(quote.volume))


def _pool(ctx: EmulatorContext, shape: _Shape, request: ApiRequest) -> list[Any]:
    """The instruments a ranking or market list draws from."""
    universe = list(ctx.market.instruments())
    if shape.overseas:
        market = EXCD_MARKETS.get(request.param("EXCD").strip().upper())
        if market is None:
            exchange = request.param("OVRS_EXCG_CD").strip().upper()
            market = next((i.market for i in universe if exchange and exchange == i.ovrs_excg_cd), None)
        if market is None:
            return [i for i in universe if not i.domestic]
        return [i for i in universe if i.market == market]
    scope = _DOMESTIC_SCOPES.get(request.param("FID_INPUT_ISCD").strip())
    return [i for i in universe if i.domestic and (scope is None or i.market in scope)]


SLICE = 0.002
"""Seconds of market computation a ranking runs before it lets the event loop serve other requests."""


async def _day_states(ctx: EmulatorContext, instruments: Sequence[Any], now: datetime) -> list[Any]:
    """Each instrument's ``Market.day_state`` at ``now``, yielding to the event loop every :data:`SLICE` seconds.

    The first look at an instrument on a day builds its minute path (milliseconds; for a whole market, up to
    a second or more on a slow machine). Computed in slices on the loop itself, a cold ranking delays other
    requests and the WebSocket feed by about a slice at a time instead of stalling them for its whole
    duration; and, unlike a worker thread, it uses the market from the loop's thread, as every other handler,
    the matching engine and the realtime publisher do.
    """
    states: list[Any] = []
    deadline = time.perf_counter() + SLICE
    for instrument in instruments:
        states.append(ctx.market.day_state(instrument, now))
        if time.perf_counter() >= deadline:
            await asyncio.sleep(0)
            deadline = time.perf_counter() + SLICE
    return states


async def _ranked(ctx: EmulatorContext, shape: _Shape, request: ApiRequest) -> list[Any]:
    """The top :data:`ROWS` quotes of the pool, best first (ties by symbol).

    The pool is ranked by its day states (what every ranking key reads); only the rows shown get full quotes.
    """
    now = ctx.now()
    states = await _day_states(ctx, _pool(ctx, shape, request), now)
    key, ascending = _rank_order(shape, request)
    sign = 1 if ascending else -1
    states.sort(key=lambda state: (sign * _rank_value(key, state), state.instrument.symbol))
    return [ctx.market.quote_at(state.instrument, now) for state in states[:ROWS]]


def _quote_row(quote: Any, index: int, clock: str) -> Row:
    instrument = quote.instrument
    return Row(
        values=market_values(quote),
        symbol=instrument.symbol,
        name=instrument.name,
        english=instrument.english_name,
        day=quote.trading_day if quote.trading_day != date.min else quote.time.astimezone(KST).date(),
        clock=clock,
        index=index,
        salt=instrument.symbol,
    )


# --------------------------------------------------------------------------------------- days and minutes


def _days_back(ctx: EmulatorContext, market: str, end: date, count: int) -> list[date]:
    """The last ``count`` trading days of ``market`` up to ``end``, newest first."""
    span = 2 * count + 14
    for _ in range(8):
        days = ctx.market.trading_days(market, end - timedelta(days=span), end)
        if len(days) >= count:
            return list(reversed(days[-count:]))
        span *= 2
    return list(reversed(days))


_PERIOD_DAYS = {"D": 2, "W": 8, "M": 32, "Y": 370}


def _daily_rows(ctx: EmulatorContext, request: ApiRequest, found: tuple[Any, Any], clock: str) -> list[Row]:
    """One row per trading day (or week/month/year) of the instrument, newest first, from its bars."""
    instrument, quote = found
    period = request.param("FID_PERIOD_DIV_CODE").strip().upper()
    period = period if period in _PERIOD_DAYS else "D"
    today = ctx.now().astimezone(instrument.timezone).date()
    start = today - timedelta(days=_PERIOD_DAYS[period] * (ROWS + 2) + 14)
    bars = ctx.market.daily_bars(instrument.symbol, start, today, period=period, market=instrument.market)
    window = bars[-(ROWS + 1) :]
    rows: list[Row] = []
    for position in range(len(window) - 1, max(len(window) - 1 - ROWS, -1), -1):
        bar, prior = window[position], window[position - 1] if position > 0 else None
        day = bar.time.date()
        current = position == len(window) - 1 and day == quote.trading_day and period == "D"
        if current:
            values = market_values(quote)
        else:
            limits = ctx.market.price_limits(instrument, day)
            values = price_values(
                instrument,
                PriceState(
                    price=dec(bar.close),
                    open=dec(bar.open),
                    high=dec(bar.high),
                    low=dec(bar.low),
                    prev=dec(prior.close) if prior is not None else dec(bar.open),
                    volume=int(bar.volume),
                    amount=dec(bar.amount),
                    prev_volume=int(prior.volume) if prior is not None else 0,
                    upper=dec(limits.upper) if period == "D" else Decimal(0),
                    lower=dec(limits.lower) if period == "D" else Decimal(0),
                    ask=Decimal(0),
                    bid=Decimal(0),
                ),
                limit_sign=False,
            )
        salt = f"{instrument.symbol}:{day.isoformat()}"
        index = len(rows)
        rows.append(Row(values, instrument.symbol, instrument.name, instrument.english_name, day, clock, index, salt))
    return rows


def _intraday_rows(ctx: EmulatorContext, found: tuple[Any, Any]) -> list[Row]:
    """One row per minute of the quote's trading day, newest first, each the state at that minute's end."""
    instrument, quote = found
    day = quote.trading_day
    now = ctx.now()
    bars = [] if instrument.halted else ctx.market.minute_bars(instrument.symbol, day, market=instrument.market)
    if not bars:
        return []
    opening = dec(bars[0].open)
    high, low, volume, amount = dec(bars[0].high), dec(bars[0].low), 0, Decimal(0)
    states: list[tuple[Any, Decimal, Decimal, int, Decimal]] = []
    for bar in bars:
        high, low = max(high, dec(bar.high)), min(low, dec(bar.low))
        volume += int(bar.volume)
        amount += dec(bar.amount)
        states.append((bar, high, low, volume, amount))
    rows: list[Row] = []
    for bar, top, bottom, cumulative, turnover in reversed(states[-ROWS:]):
        end = min(bar.time + timedelta(seconds=59), now.astimezone(bar.time.tzinfo))
        values = price_values(
            instrument,
            PriceState(
                price=dec(bar.close),
                open=opening,
                high=top,
                low=bottom,
                prev=dec(quote.prev_close),
                volume=cumulative,
                amount=turnover,
                prev_volume=int(quote.prev_volume),
                upper=dec(quote.upper_limit),
                lower=dec(quote.lower_limit),
                ask=dec(quote.ask) if not rows else Decimal(0),
                bid=dec(quote.bid) if not rows else Decimal(0),
            ),
        )
        values["cntg_vol"] = str(int(bar.volume))
        clock = end.strftime("%H%M%S")  # local time of the instrument's market
        salt = f"{instrument.symbol}:{day.isoformat()}:{clock}"
        index = len(rows)
        rows.append(Row(values, instrument.symbol, instrument.name, instrument.english_name, day, clock, index, salt))
    return rows


# --------------------------------------------------------------------------------------- the handler


def _instrument(ctx: EmulatorContext, request: ApiRequest) -> tuple[Any, Any] | None:
    exchange = next((request.param(f).strip() for f in _EXCHANGE_FIELDS[:2] if request.param(f).strip()), None)
    for field_name in _SYMBOL_FIELDS:
        code = request.param(field_name).strip()
        if not code:
            continue
        symbol = code[1:] if code[:1] in ("Q", "A") and code[1:].isdigit() else code
        try:
            instrument = ctx.market.instrument(symbol, exchange) if exchange else ctx.market.instrument(symbol)
        except (KeyError, ValueError):
            instrument = None
        if instrument is None and exchange:
            instrument = ctx.market.instrument(symbol)
        if instrument is not None:
            try:
                return instrument, ctx.market.quote_at(instrument, ctx.now())
            except UnknownSymbol:
                return None
    return None


def _calendar_market(shape: _Shape, request: ApiRequest, found: tuple[Any, Any] | None) -> str:
    """The market whose trading days date the rows."""
    if found is not None:
        return str(found[0].market)
    if shape.overseas:
        market = EXCD_MARKETS.get(request.param("EXCD").strip().upper())
        if market is not None:
            return market
    return "KRX"


def _pages(entry: Mapping[str, Any]) -> bool:
    """Whether the API pages: its request or answer carries a continuation field (``CTX_AREA_*``, ``KEYB``,
    ``INDEX_KEY``…). The catalog's ``paginated`` flag also marks samples that merely follow ``tr_cont``
    by template (CTPF1604R's does), which the service's single answers never set."""
    return bool(entry.get("continuation_request") or entry.get("continuation_response"))


_BLOCK_NAME = re.compile(r"^(output\d*|outblock\d*)$", re.IGNORECASE)


def _handler(entry: Mapping[str, Any]) -> Any:
    method = str(entry["method"])
    # chk_*.py maps sometimes list a block's own name (``Output1``) among its columns: not a field.
    columns = tuple(wire_column(method, str(c)) for c in entry.get("columns", {}) if not _BLOCK_NAME.match(str(c)))
    outputs = tuple(str(o) for o in entry.get("outputs") or ())
    paginated = _pages(entry)
    cursors = _cursors(entry)
    lists = {block: _is_list(entry, block) for block in outputs}
    shape = _shape(entry, lists)

    async def handle(request: ApiRequest, ctx: EmulatorContext) -> ApiResponse:
        now = ctx.now().astimezone(KST)
        clock = now.strftime("%H%M%S")
        found = None if shape.ranking else _instrument(ctx, request)
        market = _calendar_market(shape, request, found)
        today = found[1].trading_day if found is not None else now.date()
        days = _days_back(ctx, market, today, ROWS) or [today]
        symbol = next((request.param(f).strip() for f in _SYMBOL_FIELDS if request.param(f).strip()), "")
        names = (found[0].symbol, found[0].name) if found else (symbol, "에뮬레이터")
        english = str(found[0].english_name) if found else names[1]
        derived = market_values(found[1]) if found else {}

        def plain(index: int, day: date, values: Mapping[str, str] = derived) -> Row:
            return Row(values, names[0], names[1], english, day, clock, index, f"{names[0]}:{index}")

        rows: list[Row]
        if shape.ranking or (shape.market_list and found is None):
            ranked = await _ranked(ctx, shape, request)
            rows = [_quote_row(quote, index, clock) for index, quote in enumerate(ranked)]
        elif shape.daily and found is not None:
            rows = _daily_rows(ctx, request, found, clock)
        elif shape.intraday and found is not None:
            rows = _intraday_rows(ctx, found) or [plain(index, today) for index in range(ROWS)]
        else:
            rows = [plain(index, day) for index, day in enumerate(days)]
        tr_cont = "D"
        body: dict[str, Any] = {}
        page = rows
        if paginated:
            first = not request.continued
            page = rows[: ROWS // 2] if first else rows[ROWS // 2 :]
            tr_cont = "F" if first else "E"
            for cursor in cursors:  # the first key names the inquiry, the next one where the next page starts
                mark = request.tr_id if "fk" in cursor else str(ROWS // 2) if first else ""
                body[cursor] = mark.ljust(_width(cursor))
        counts = {"nrec": str(len(page)), "crec": str(len(page)), "trec": str(len(rows))}
        summary_values = dict(derived)
        if shape.overseas and found is None:
            summary_values["zdiv"] = str(ZDIV.get(market, 0))
        summary = plain(0, today if found is not None else days[0], summary_values)

        def render(row: Row) -> dict[str, str]:
            return {c: counts.get(c.lower()) or column_value(c, row, request.params) for c in columns}

        for block in outputs:
            body[block] = [render(row) for row in page] if lists[block] else render(summary)
        if not outputs:
            body.update(render(summary))
        return ok(body, tr_cont=tr_cont)

    return handle


def _width(name: str) -> int:
    digits = "".join(ch for ch in name if ch.isdigit())
    return int(digits) if digits else 0


def register(registry: EndpointRegistry) -> None:
    """Serve every catalogued ``/uapi`` API that no other module serves (call it last)."""
    for route in registry.catalog.routes.values():
        if not route.path.startswith("/uapi/") or registry.get(route.method, route.path) is not None:
            continue
        registry.add(route.path, _handler(route.entry))
