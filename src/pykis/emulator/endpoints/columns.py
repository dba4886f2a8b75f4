"""Column values of the generic answers: market columns of a quote, bar or minute, and any other column by its name.

The rules are the catalog's (:mod:`pykis.emulator.endpoints.catalog`); realtime TRs without a generator use them
too (:func:`generic_record`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from hashlib import blake2b
from typing import Any

from pykis.emulator.endpoints._format import dec, fmt_fixed, fmt_int, fmt_rate, pct, sign_code
from pykis.emulator.endpoints.overseas import ZDIV

__all__ = ["DATE", "TIME", "PriceState", "Row", "column_value", "generic_record", "market_values", "price_values"]


def _number(column: str, salt: str, index: int = 0) -> int:
    digest = blake2b(f"{column}:{salt}:{index}".encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big")


# --------------------------------------------------------------------------------------- market columns


def _places(instrument: Any) -> int | None:
    """Display decimals of an overseas listing (``zdiv``); ``None`` for domestic ones (whole won)."""
    market = getattr(instrument, "market", None)
    return ZDIV.get(market) if isinstance(market, str) else None


def _formatter(instrument: Any) -> Callable[[Any], str]:
    places = _places(instrument)
    if places is None:
        return fmt_int
    return lambda value: fmt_fixed(value, places)


@dataclass(frozen=True, slots=True)
class PriceState:
    """One state of an instrument (a quote, a day's bar, a minute) in display units; limits and book ``0`` if none."""

    price: Decimal
    open: Decimal
    high: Decimal
    low: Decimal
    prev: Decimal
    volume: int
    amount: Decimal
    prev_volume: int
    upper: Decimal
    lower: Decimal
    ask: Decimal
    bid: Decimal


def price_values(instrument: Any, state: PriceState, *, limit_sign: bool = True) -> dict[str, str]:
    """Column (or suffix) → value for one state of an instrument (a quote, a day's bar, a minute)."""
    fmt = _formatter(instrument)
    price, prev, upper, lower = state.price, state.prev, state.upper, state.lower
    open_, high, low, ask, bid = state.open, state.high, state.low, state.ask, state.bid
    volume, amount, prev_volume = state.volume, state.amount, state.prev_volume
    change = price - prev
    sign = sign_code(price, prev, upper or None, lower or None) if limit_sign else sign_code(price, prev)
    rate = fmt_rate(pct(change, prev))
    values = {
        "prpr": fmt(price),
        "last": fmt(price),
        "clpr": fmt(price),
        "clos": fmt(price),
        "oprc": fmt(open_),
        "open": fmt(open_),
        "hgpr": fmt(high),
        "high": fmt(high),
        "lwpr": fmt(low),
        "low": fmt(low),
        "sdpr": fmt(prev),
        "base": fmt(prev),
        "prdy_clpr": fmt(prev),
        "prdy_vrss": fmt(change),
        "diff": fmt(abs(change)),
        "prdy_vrss_sign": sign,
        "sign": sign,
        "prdy_ctrt": rate,
        "rate": rate,
        "acml_vol": str(volume),
        "tvol": str(volume),
        "acml_tr_pbmn": fmt_int(amount),
        "tamt": fmt_int(amount),
        "askp": fmt(ask),
        "askp1": fmt(ask),
        "pask": fmt(ask),
        "bidp": fmt(bid),
        "bidp1": fmt(bid),
        "pbid": fmt(bid),
        "mxpr": fmt(upper),
        "llam": fmt(lower),
        "prdy_vol": str(prev_volume),
        "pvol": str(prev_volume),
        "prdy_vrss_vol_rate": fmt_rate(pct(volume, prev_volume)),
    }
    if instrument is not None:
        values.update(_instrument_values(instrument, price, volume))
    return values


def _instrument_values(instrument: Any, price: Decimal, volume: int) -> dict[str, str]:
    """Whole-name columns that follow from the instrument itself (and its price and volume)."""
    shares = int(instrument.listed_shares)
    values = {
        "lstn_stcn": str(shares),
        "vol_tnrt": fmt_rate(pct(volume, shares)),
        "ename": str(instrument.english_name),
    }
    places = _places(instrument)
    if places is None:
        cap = fmt_int(price * shares / Decimal(100_000_000))  # 억원, as FHKST01010100 hts_avls
        values.update(
            hts_avls=cap,
            stck_avls=cap,
            rprs_mrkt_kor_name=instrument.market if instrument.kind == "stock" else str(instrument.kind).upper(),
        )
    else:
        values.update(
            zdiv=str(places),
            excd=str(instrument.excd),
            rsym=f"D{instrument.excd}{instrument.symbol}",
            tomv=fmt_int(price * shares),
            shar=str(shares),
            curr=str(instrument.currency),
        )
    return values


def market_values(quote: Any) -> dict[str, str]:
    """Column suffix → value from a market quote (names as the KIS columns spell them)."""
    state = PriceState(
        price=dec(quote.price),
        open=dec(quote.open),
        high=dec(quote.high),
        low=dec(quote.low),
        prev=dec(quote.prev_close),
        volume=int(quote.volume),
        amount=dec(quote.amount),
        prev_volume=int(quote.prev_volume),
        upper=dec(quote.upper_limit),
        lower=dec(quote.lower_limit),
        ask=dec(quote.ask),
        bid=dec(quote.bid),
    )
    values = price_values(quote.instrument, state)
    if quote.instrument is not None and quote.instrument.kind == "stock":
        values.update(per=fmt_rate(quote.per), pbr=fmt_rate(quote.pbr))
        values.update(eps=fmt_fixed(quote.eps, 2), bps=fmt_fixed(quote.bps, 2))
    return values


_SUFFIXES = frozenset(
    {"prpr", "clpr", "oprc", "hgpr", "lwpr", "sdpr", "prdy_clpr", "prdy_vrss", "prdy_vrss_sign", "prdy_ctrt",
     "acml_vol", "acml_tr_pbmn", "askp", "askp1", "bidp", "bidp1", "mxpr", "llam", "prdy_vol"}
)  # fmt: skip
"""Market columns matched as name suffixes (``stck_prpr``, ``bond_prpr``); the others match whole names."""

DATE = re.compile(r"(_dt|_date|ymd|_day|^dt|date)$")
TIME = re.compile(r"(_hour|_tmd|_time|hhmmss|^time|_tm)$")
# A_vrss_B[_sign|_rate|_ctrt]: B compared with A (시가대비현재가 = prpr − oprc).
_VERSUS = re.compile(r"^(oprc|hgpr|lwpr|sdpr)_vrss_(prpr|clpr)(?:_(sign|rate|ctrt))?$")
# Hashed rates that may be negative: changes, differences and profits.
_SIGNED_RATES = ("ctrt", "vrss", "erng", "pfls", "fluc", "rsfl", "dfrn", "icdc", "prft", "chng")


# --------------------------------------------------------------------------------------- one value


@dataclass(frozen=True, slots=True)
class Row:
    """What one row describes: its market columns, instrument names, day, time and hash salt."""

    values: Mapping[str, str]
    symbol: str
    name: str
    english: str
    day: date
    clock: str
    index: int
    salt: str


def _versus(match: re.Match[str], values: Mapping[str, str]) -> str | None:
    base_key, price_key, kind = match.group(1), match.group(2), match.group(3)
    if base_key not in values or price_key not in values:
        return None
    base, price = Decimal(values[base_key]), Decimal(values[price_key])
    if kind == "sign":
        return sign_code(price, base)
    if kind in ("rate", "ctrt"):
        return fmt_rate(pct(price - base, base))
    return fmt_fixed(price - base, len(values[price_key].partition(".")[2]))


def _family(lowered: str) -> str | None:
    """The change family of a column: ``X_vrss`` for ``X_vrss``, ``X_vrss_sign`` and ``X_ctrt``."""
    tokens = lowered.split("_")
    if tokens[-1] == "sign":
        tokens = tokens[:-1]
    elif tokens[-1] == "ctrt":
        tokens[-1] = "vrss"
    return "_".join(tokens) if len(tokens) > 1 and tokens[-1] == "vrss" else None


def _hashed_change(lowered: str, family: str, salt: str) -> str:
    direction = ("2", "3", "5")[_number(family + ":sign", salt) % 3]
    if lowered.endswith("sign"):
        return direction
    rate = lowered.endswith("ctrt")
    magnitude = 1 + _number(lowered, salt) % (1_000 if rate else 100_000)
    signed = {"2": magnitude, "3": 0, "5": -magnitude}[direction]
    return fmt_rate(Decimal(signed) / 100) if rate else str(signed)


def column_value(column: str, row: Row, params: Mapping[str, str]) -> str:
    """The value of ``column`` in ``row``, by the rules of the module doc of :mod:`.catalog` (request, market
    data, then the column name's kind)."""
    echoed = params.get(column.upper())
    if echoed is not None:
        return echoed
    lowered = column.lower()
    if row.values:
        found = _market_value(lowered, row.values)
        if found is not None:
            return found
    named = _named_value(lowered, row)
    return named if named is not None else _hashed_value(lowered, row)


def _market_value(lowered: str, values: Mapping[str, str]) -> str | None:
    versus = _VERSUS.match(lowered)
    if versus is not None:
        compared = _versus(versus, values)
        if compared is not None:
            return compared
    if lowered in values:
        return values[lowered]
    tokens = lowered.split("_")
    for start in range(1, len(tokens)):
        suffix = "_".join(tokens[start:])
        if suffix in values and suffix in _SUFFIXES:
            return values[suffix]
    return None


def _named_value(lowered: str, row: Row) -> str | None:
    """Names, symbols, dates, times, flags and ranks: what the row itself says."""
    if lowered.endswith(("eng_name", "eng_isnm", "engl_name")):
        return row.english
    if lowered.endswith(("_iscd", "pdno", "symb", "_shrn_iscd")) or lowered in ("symb", "rsym", "stck_shrn_iscd"):
        return row.symbol
    if lowered.endswith(("isnm", "_name", "_nm", "prdt_abrv_name", "name")):
        return row.name
    if DATE.search(lowered):
        return row.day.strftime("%Y%m%d")
    if TIME.search(lowered):
        return row.clock
    if lowered.endswith("_yn"):
        return "N"
    if lowered in ("data_rank", "rank", "rnk") or lowered.endswith("_rank"):
        return str(row.index + 1)
    return None


def _hashed_value(lowered: str, row: Row) -> str:
    """Changes, codes, rates, order numbers and other numbers, hashed per (column, row)."""
    family = _family(lowered)
    if family is not None:
        return _hashed_change(lowered, family, row.salt)
    if lowered.endswith("sign"):
        return "3"  # a direction with nothing to compare: unchanged
    if lowered.endswith(("_cd", "_code", "_dvsn", "_cls", "_dvsn_cd", "_div")):
        return "00"
    if lowered.endswith(("_rt", "_rate", "_ctrt", "_ratio", "_erng_rt")):
        hashed = _number(lowered, row.salt)
        if any(word in lowered for word in _SIGNED_RATES):
            return fmt_rate(Decimal(hashed % 2000 - 1000) / 100)
        return fmt_rate(Decimal(hashed % 2000) / 100)
    if lowered.endswith(("odno", "_ordno", "ord_no")):
        return f"{_number(lowered, row.salt) % 10**10:010d}"
    return str(_number(lowered, row.salt) % 100_000)


def generic_record(columns: Sequence[str], key: str, quote: Any, name: str, now: datetime) -> list[str]:
    """A realtime record of a TR without a dedicated generator: the key first (the symbol or HTS ID the
    records are keyed by), then every column by the rules of :func:`generic_value`."""
    values = market_values(quote) if quote is not None else {}
    symbol = quote.instrument.symbol if quote is not None else key
    english = quote.instrument.english_name if quote is not None else name
    row = Row(values, symbol, name, english, now.date(), now.strftime("%H%M%S"), 0, f"{symbol}:0")
    return [key, *(column_value(column, row, {}) for column in columns[1:])]
