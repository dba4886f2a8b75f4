"""Generic answers for every catalogued API without a hand-written endpoint (registered last).

The answer is shaped by the API's catalog entry (``rest.json``): its output blocks, each row carrying every
column of the entry as a string. Values are derived, in this order, from

1. the request: a column named like a request field echoes it (``cano``, ``ovrs_excg_cd``, ``pdno``);
2. the simulated market, when the request names a known instrument (``FID_INPUT_ISCD``, ``PDNO``, ``SYMB``…):
   current price, open/high/low, previous close, change and sign, rate, volume, amount, best ask/bid,
   limits, the instrument's symbol and name;
3. the column name's kind: dates (``*_dt``, ``*_date``, ``*ymd``) as YYYYMMDD of the emulator clock (a row
   index steps back one day), times (``*_hour``, ``*_tmd``) as HHMMSS, flags (``*_yn``) ``N``, ranks
   ``1…n``, names, codes ``00``, and other numbers deterministic per (column, symbol).

*Emulator choices*: a lone ``output`` block is a list when the API is a list (paginated, ranking,
daily/period/list/chart inquiries) and an object otherwise; ``output1``/``output2`` follow the samples'
habit (account inquiries: list + summary; quotations: summary + list); further blocks are objects. List
blocks hold :data:`ROWS` rows. Continued inquiries answer two pages (``F`` then ``E``): with their
``CTX_AREA_*`` cursors where the catalog names them, by ``tr_cont`` alone otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from hashlib import blake2b
from typing import Any

from pykis.emulator.endpoints._format import KST, fmt_rate, pct, sign_code
from pykis.emulator.market import UnknownSymbol
from pykis.emulator.rest import ApiRequest, ApiResponse, EmulatorContext, EndpointRegistry, ok

__all__ = ["ROWS", "generic_record", "generic_value", "market_values", "register"]

ROWS = 4
"""Rows of a list block (two pages of two on continued inquiries)."""

_SYMBOL_FIELDS = ("FID_INPUT_ISCD", "PDNO", "OVRS_PDNO", "SYMB", "FID_INPUT_ISCD_1", "STCK_SHRN_ISCD", "SHTN_PDNO")
_EXCHANGE_FIELDS = ("EXCD", "OVRS_EXCG_CD", "FID_COND_MRKT_DIV_CODE")
_LIST_WORDS = ("ranking", "daily", "period", "list", "chart", "ccnl", "ccld", "trend", "rank", "news", "holiday")


def _number(column: str, salt: str, index: int) -> int:
    digest = blake2b(f"{column}:{salt}:{index}".encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big")


def _fmt(value: Decimal | int) -> str:
    text = format(value, "f") if isinstance(value, Decimal) else str(value)
    return text


def market_values(quote: Any) -> dict[str, str]:
    """Column suffix → value from a market quote (names as the KIS columns spell them)."""
    price, prev = Decimal(quote.price), Decimal(quote.prev_close)
    change = price - prev
    values = {
        "prpr": _fmt(price),
        "last": _fmt(price),
        "clpr": _fmt(price),
        "oprc": _fmt(quote.open),
        "open": _fmt(quote.open),
        "hgpr": _fmt(quote.high),
        "high": _fmt(quote.high),
        "lwpr": _fmt(quote.low),
        "low": _fmt(quote.low),
        "sdpr": _fmt(prev),
        "base": _fmt(prev),
        "prdy_clpr": _fmt(prev),
        "prdy_vrss": _fmt(change),
        "diff": _fmt(abs(change)),
        "prdy_vrss_sign": sign_code(price, prev, quote.upper_limit or None, quote.lower_limit or None),
        "sign": sign_code(price, prev, quote.upper_limit or None, quote.lower_limit or None),
        "prdy_ctrt": fmt_rate(pct(change, prev)),
        "rate": fmt_rate(pct(change, prev)),
        "acml_vol": str(quote.volume),
        "tvol": str(quote.volume),
        "acml_tr_pbmn": _fmt(Decimal(quote.amount).quantize(Decimal(1))),
        "tamt": _fmt(Decimal(quote.amount).quantize(Decimal(1))),
        "askp": _fmt(quote.ask),
        "askp1": _fmt(quote.ask),
        "pask": _fmt(quote.ask),
        "bidp": _fmt(quote.bid),
        "bidp1": _fmt(quote.bid),
        "pbid": _fmt(quote.bid),
        "mxpr": _fmt(quote.upper_limit),
        "llam": _fmt(quote.lower_limit),
        "prdy_vol": str(quote.prev_volume),
    }
    return values


_SUFFIXES = frozenset(
    {"prpr", "clpr", "oprc", "hgpr", "lwpr", "sdpr", "prdy_clpr", "prdy_vrss", "prdy_vrss_sign", "prdy_ctrt",
     "acml_vol", "acml_tr_pbmn", "askp", "askp1", "bidp", "bidp1", "mxpr", "llam", "prdy_vol"}
)  # fmt: skip
"""Market columns matched as name suffixes (``stck_prpr``, ``bond_prpr``); the others match whole names."""

_DATE = re.compile(r"(_dt|_date|ymd|_day|^dt|date)$")
_TIME = re.compile(r"(_hour|_tmd|_time|hhmmss|^time|_tm)$")


def generic_value(
    column: str,
    index: int,
    params: Mapping[str, str],
    market_values: Mapping[str, str],
    names: tuple[str, str],
    now: datetime,
) -> str:
    """The value of ``column`` in row ``index`` (see the module doc)."""
    lowered = column.lower()
    echoed = params.get(column.upper())
    if echoed is not None:
        return echoed
    if market_values:
        if lowered in market_values:
            return market_values[lowered]
        tokens = lowered.split("_")
        for start in range(1, len(tokens)):
            suffix = "_".join(tokens[start:])
            if suffix in market_values and suffix in _SUFFIXES:
                return market_values[suffix]
    symbol, name = names
    if lowered.endswith(("_iscd", "pdno", "symb", "_shrn_iscd")) or lowered in ("symb", "rsym", "stck_shrn_iscd"):
        return symbol
    if lowered.endswith(("isnm", "_name", "_nm", "prdt_abrv_name", "name")):
        return name
    if _DATE.search(lowered):
        return (now - timedelta(days=index)).strftime("%Y%m%d")
    if _TIME.search(lowered):
        return now.strftime("%H%M%S")
    if lowered.endswith("_yn"):
        return "N"
    if lowered in ("data_rank", "rank", "rnk") or lowered.endswith("_rank"):
        return str(index + 1)
    if lowered.endswith(("_cd", "_code", "_dvsn", "_cls", "_dvsn_cd", "_div")):
        return "00"
    if lowered.endswith(("_rt", "_rate", "_ctrt", "_ratio", "_erng_rt")):
        return fmt_rate(Decimal(_number(lowered, symbol, index) % 2000 - 1000) / 100)
    if lowered.endswith(("odno", "_ordno", "ord_no")):
        return f"{_number(lowered, symbol, index) % 10**10:010d}"
    return str(_number(lowered, symbol, index) % 100_000)


def generic_record(columns: Sequence[str], key: str, quote: Any, name: str, now: datetime) -> list[str]:
    """A realtime record of a TR without a dedicated generator: the key first (the symbol or HTS ID the
    records are keyed by), then every column by the rules of :func:`generic_value`."""
    values = market_values(quote) if quote is not None else {}
    symbol = quote.instrument.symbol if quote is not None else key
    record = [key]
    for column in columns[1:]:
        record.append(generic_value(column, 0, {}, values, (symbol, name), now))
    return record


def _is_list(entry: Mapping[str, Any], block: str) -> bool:
    outputs = list(entry.get("outputs") or ())
    trading = "/trading/" in str(entry["path"])
    if block == "output" and len(outputs) == 1:
        text = f"{entry['name']} {entry['path']}".lower()
        return bool(entry.get("paginated")) or any(word in text for word in _LIST_WORDS)
    if block == "output1":
        return trading or len(outputs) == 1
    if block == "output2":
        return not trading
    return block.startswith("outblock") or (block == "output" and bool(entry.get("paginated")))


def _cursors(entry: Mapping[str, Any]) -> tuple[str, str] | None:
    names = [str(n).lower() for n in entry.get("continuation_response") or () if str(n).lower().startswith("ctx_")]
    fk = next((n for n in names if "fk" in n), None)
    nk = next((n for n in names if "nk" in n), None)
    return (fk, nk) if fk and nk else None


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


def _handler(entry: Mapping[str, Any]) -> Any:
    columns = tuple(str(c) for c in entry.get("columns", {}))
    outputs = tuple(str(o) for o in entry.get("outputs") or ())
    paginated = bool(entry.get("paginated"))
    cursors = _cursors(entry)
    lists = {block: _is_list(entry, block) for block in outputs}

    def handle(request: ApiRequest, ctx: EmulatorContext) -> ApiResponse:
        found = _instrument(ctx, request)
        derived = market_values(found[1]) if found else {}
        symbol = next((request.param(f).strip() for f in _SYMBOL_FIELDS if request.param(f).strip()), "")
        names = (found[0].symbol, found[0].name) if found else (symbol, "에뮬레이터")
        now = ctx.now().astimezone(KST)
        indices = list(range(ROWS))
        tr_cont = "D"
        body: dict[str, Any] = {}
        if paginated:
            first = not request.continued
            indices = indices[: ROWS // 2] if first else indices[ROWS // 2 :]
            tr_cont = "F" if first else "E"
            if cursors is not None:
                fk, nk = cursors
                body[fk] = request.tr_id.ljust(_width(fk))
                body[nk] = (str(ROWS // 2) if first else "").ljust(_width(nk))

        def row(index: int) -> dict[str, str]:
            return {c: generic_value(c, index, request.params, derived, names, now) for c in columns}

        for block in outputs:
            body[block] = [row(i) for i in indices] if lists[block] else row(indices[0])
        if not outputs:
            body.update(row(0))
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
