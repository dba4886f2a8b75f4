"""Symbol master files in the broker's formats (PROTOCOL §8), generated from the emulator's universe.

* ``kospi_code.mst`` / ``kosdaq_code.mst``: cp949 text, one line per symbol: ``[0:9]`` short code, ``[9:21]``
  standard code (ISIN), the Korean name, then a fixed-width tail of exactly 228 / 222 characters including the
  newline (70 / 64 fields). Readers slice the head from the start and the tail from the end.
* ``{nas,nys,ams,hks,shs,szs,tse,hnx,hsx}mst.cod``: cp949, tab-separated, 24 columns, no header line.
* the other files of PROTOCOL §8 (``konex_code``, ``elw_code``, ``idxcode``, ``fo_idx_code_mts``,
  ``fo_com_code``, ``ffcode``, ``frgn_code``, ``bond_code`` and the unzipped ``memcode.mst``): see
  :mod:`pykis.emulator.masters_more`.

Field widths follow the broker's readers ``stocks_info/kis_kospi_code_mst.py``, ``kis_kosdaq_code_mst.py`` and
``overseas_stock_code.py`` (koreainvestment/open-trading-api). Values the emulator does not model (sector index
codes, financials, the overseas ``exid`` column) are filled with plausible constants.

``parse_domestic`` and ``parse_overseas`` are small reference readers used by the tests to prove the layouts.
"""

from __future__ import annotations

import io
import weakref
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from pykis.emulator.instruments import UNIVERSE, Instrument
from pykis.emulator.market import Market
from pykis.emulator.masters_more import EXTRA_MASTERS, extra_master

__all__ = [
    "KOSDAQ_FIELDS",
    "KOSPI_FIELDS",
    "OVERSEAS_CODES",
    "OVERSEAS_COLUMNS",
    "domestic_master",
    "master_files",
    "master_zip",
    "overseas_master",
    "parse_domestic",
    "parse_overseas",
    "zipped",
]

_FLAGS_KOSPI = (
    "manufacturing", "low_liquidity", "governance_index", "kospi200_sector", "kospi100", "kospi50", "krx", "etp",
    "elw_issued", "krx100", "krx_auto", "krx_semiconductor", "krx_bio", "krx_bank", "spac", "krx_energy_chem",
    "krx_steel", "short_term_overheat", "krx_media", "krx_construction", "non1", "krx_securities", "krx_ship",
    "krx_insurance", "krx_transport", "sri",
)  # fmt: skip
_FLAGS_KOSDAQ = (
    "venture", "low_liquidity", "krx", "etp", "krx100", "krx_auto", "krx_semiconductor", "krx_bio", "krx_bank",
    "spac", "krx_energy_chem", "krx_steel", "short_term_overheat", "krx_media", "krx_construction",
    "investment_caution", "krx_securities", "krx_ship", "krx_insurance", "krx_transport", "kosdaq150",
)  # fmt: skip
_HEAD = (("group_code", 2), ("cap_size", 1), ("sector_large", 4), ("sector_mid", 4), ("sector_small", 4))
_MIDDLE = (
    ("base_price", 9), ("lot_size", 5), ("after_hours_lot_size", 5), ("halted", 1), ("liquidation", 1),
    ("administrative", 1), ("market_warning", 2), ("warning_notice", 1), ("unfaithful_disclosure", 1),
    ("backdoor_listing", 1), ("ex_right", 2), ("par_change", 2), ("capital_increase", 2), ("margin_rate", 3),
    ("credit_able", 1), ("credit_days", 3), ("prev_volume", 12), ("par_value", 12), ("listing_date", 8),
    ("listed_shares", 15), ("capital", 21), ("fiscal_month", 2), ("ipo_price", 7), ("preferred", 1),
    ("short_sale_overheat", 1), ("abnormal_surge", 1), ("krx300", 1),
)  # fmt: skip
_TAIL = (
    ("sales", 9), ("operating_profit", 9), ("ordinary_profit", 9), ("net_income", 5), ("roe", 9),
    ("base_month", 8), ("market_cap", 9), ("group_company", 3), ("credit_limit_exceeded", 1),
    ("collateral_loan", 1), ("stock_lending", 1),
)  # fmt: skip

KOSPI_FIELDS: tuple[tuple[str, int], ...] = (
    _HEAD + tuple((name, 1) for name in _FLAGS_KOSPI) + _MIDDLE + (("kospi", 1),) + _TAIL
)
"""``kospi_code.mst`` tail: (field, width), 70 fields, 227 characters before the newline."""
KOSDAQ_FIELDS: tuple[tuple[str, int], ...] = _HEAD + tuple((name, 1) for name in _FLAGS_KOSDAQ) + _MIDDLE + _TAIL
"""``kosdaq_code.mst`` tail: (field, width), 64 fields, 221 characters before the newline."""

OVERSEAS_COLUMNS: tuple[str, ...] = (
    "ncod", "exid", "excd", "exnm", "symb", "rsym", "knam", "enam", "stis", "curr", "zdiv", "ztyp", "base", "bnit",
    "anit", "mstm", "metm", "isdr", "drcd", "icod", "sjong", "ttyp", "etyp", "ttyp_sb",
)  # fmt: skip
"""The 24 tab-separated columns of ``*mst.cod`` (names from the broker's C header)."""

# file code -> (instrument market, national code, exchange name, decimals, open HHMM, close HHMM)
OVERSEAS_CODES: dict[str, tuple[str, str, str, int, str, str]] = {
    "nas": ("NASDAQ", "US", "Nasdaq", 4, "0930", "1600"),
    "nys": ("NYSE", "US", "New York", 4, "0930", "1600"),
    "ams": ("AMEX", "US", "Amex", 4, "0930", "1600"),
    "hks": ("SEHK", "HK", "Hong Kong", 3, "0930", "1600"),
    "shs": ("SSE", "CN", "Shanghai", 2, "0930", "1500"),
    "szs": ("SZSE", "CN", "Shenzhen", 2, "0930", "1500"),
    "tse": ("TSE", "JP", "Tokyo", 1, "0900", "1530"),
    "hnx": ("HNX", "VN", "Hanoi", 0, "0900", "1445"),
    "hsx": ("HSX", "VN", "Ho Chi Minh", 0, "0900", "1445"),
}
"""Overseas master file codes the emulator serves."""

_TAIL_LENGTH = {"KOSPI": 228, "KOSDAQ": 222}


def _numeric(value: int, width: int) -> str:
    text = str(max(value, 0))
    if len(text) > width:  # saturate rather than break the layout
        text = "9" * width
    return text.rjust(width, "0")


def _listing_date(instrument: Instrument) -> date:
    seed = sum(ord(char) * (index + 7) for index, char in enumerate(instrument.symbol))
    return date(1975 + seed % 48, 1 + seed % 12, 1 + seed % 28)


def _domestic_values(instrument: Instrument, base_price: int, prev_volume: int) -> dict[str, str]:
    kind_group = {"stock": "ST", "etf": "EF", "etn": "EN"}[instrument.kind]
    market_cap = base_price * instrument.listed_shares // 100_000_000  # 억원
    par_value = 100 if instrument.kind == "stock" else 0
    cap_size = "1" if market_cap >= 100_000 else "2" if market_cap >= 10_000 else "3"
    values = dict.fromkeys(_FLAGS_KOSPI + _FLAGS_KOSDAQ, "N")
    values.update(
        group_code=kind_group,
        cap_size=cap_size if instrument.kind == "stock" else "0",
        sector_large="0000",
        sector_mid="0000",
        sector_small="0000",
        kospi200_sector="0",
        etp="0" if instrument.kind == "stock" else ("1" if instrument.kind == "etf" else "2"),
        krx="Y",
        base_price=_numeric(base_price, 9),
        lot_size=_numeric(instrument.lot_size, 5),
        after_hours_lot_size=_numeric(instrument.lot_size, 5),
        halted="Y" if instrument.halted else "N",
        liquidation="N",
        administrative="N",
        market_warning="00",
        warning_notice="N",
        unfaithful_disclosure="N",
        backdoor_listing="N",
        ex_right="00",
        par_change="00",
        capital_increase="00",
        margin_rate=_numeric(40 if instrument.kind == "stock" else 100, 3),
        credit_able="Y" if instrument.kind == "stock" else "N",
        credit_days=_numeric(90, 3),
        prev_volume=_numeric(prev_volume, 12),
        par_value=_numeric(par_value, 12),
        listing_date=_listing_date(instrument).strftime("%Y%m%d"),
        listed_shares=_numeric(instrument.listed_shares // 1000, 15),
        capital=_numeric(instrument.listed_shares * par_value, 21),
        fiscal_month="12",
        ipo_price=_numeric(0, 7),
        preferred="0",
        short_sale_overheat="N",
        abnormal_surge="N",
        krx300="Y" if market_cap >= 10_000 else "N",
        kospi="Y" if instrument.market == "KOSPI" else "N",
        sales=_numeric(market_cap // 2, 9),
        operating_profit=_numeric(market_cap // 20, 9),
        ordinary_profit=_numeric(market_cap // 22, 9),
        net_income=_numeric(market_cap // 30, 5),
        roe=_numeric(0, 9),
        base_month="202609",
        market_cap=_numeric(market_cap, 9),
        group_company="000",
        credit_limit_exceeded="N",
        collateral_loan="Y" if instrument.kind == "stock" else "N",
        stock_lending="Y" if instrument.kind == "stock" else "N",
    )
    return values


def _tail(fields: Sequence[tuple[str, int]], values: dict[str, str]) -> str:
    parts = []
    for name, width in fields:
        value = values.get(name, "")
        parts.append(value[:width].ljust(width))
    return "".join(parts)


def _reference(instrument: Instrument, market: Market | None) -> tuple[Decimal, int]:
    """(base price, previous volume): the market's last close when a market is given, else the anchor."""
    if market is None or instrument.halted:
        return instrument.base_price, 0
    # The quote's previous close and volume, without its minute path and 52-week range: a whole master file
    # is built on the event loop, so each instrument must cost microseconds, not milliseconds.
    return market.previous_close(instrument)


def domestic_master(
    market_name: str, universe: Iterable[Instrument] = UNIVERSE, *, market: Market | None = None
) -> bytes:
    """``kospi_code.mst`` (``market_name="KOSPI"``) or ``kosdaq_code.mst`` (``"KOSDAQ"``), cp949 bytes.

    With ``market``, the base price and previous volume come from the simulation's current quote.
    """
    fields = KOSPI_FIELDS if market_name == "KOSPI" else KOSDAQ_FIELDS
    if market_name not in _TAIL_LENGTH:
        raise ValueError(f"no domestic master for {market_name!r}")
    lines = []
    for instrument in universe:
        if instrument.market != market_name or instrument.isin is None:
            continue
        price, prev_volume = _reference(instrument, market)
        head = instrument.symbol.ljust(9) + instrument.isin.ljust(12) + instrument.name
        tail = _tail(fields, _domestic_values(instrument, int(price), prev_volume))
        lines.append(head + tail + "\n")
    return "".join(lines).encode("cp949")


def overseas_master(code: str, universe: Iterable[Instrument] = UNIVERSE, *, market: Market | None = None) -> bytes:
    """``{code}mst.cod`` (``code`` in ``OVERSEAS_CODES``), cp949 bytes, tab-separated, no header."""
    market_name, national, exchange_name, decimals, opens, closes = OVERSEAS_CODES[code]
    rows = []
    for instrument in universe:
        if instrument.market != market_name:
            continue
        excd = instrument.excd or ""
        price, _ = _reference(instrument, market)
        base = f"{price:.{decimals}f}"
        row = {
            "ncod": national,
            "exid": instrument.prdt_type_cd,  # the real column's values were not found; the product code stands in
            "excd": excd,
            "exnm": exchange_name,
            "symb": instrument.symbol,
            "rsym": f"D{excd}{instrument.symbol}",
            "knam": instrument.name,
            "enam": instrument.english_name.upper(),
            "stis": "3" if instrument.kind in ("etf", "etn") else "2",
            "curr": instrument.currency,
            "zdiv": str(decimals),
            "ztyp": "1",
            "base": base,
            "bnit": str(instrument.lot_size),
            "anit": str(instrument.lot_size),
            "mstm": opens,
            "metm": closes,
            "isdr": "N",
            "drcd": "",
            "icod": "",
            "sjong": "0",
            "ttyp": "1",
            "etyp": {"etf": "001", "etn": "002"}.get(instrument.kind, ""),
            "ttyp_sb": "",
        }
        rows.append("\t".join(row[column] for column in OVERSEAS_COLUMNS) + "\n")
    return "".join(rows).encode("cp949")


def zipped(name: str, content: bytes) -> bytes:
    """``content`` as a one-member zip archive named ``name`` (the download format, e.g. kospi_code.mst.zip)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))  # fixed stamp: reproducible bytes
        info.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(info, content)
    return buffer.getvalue()


def master_files(universe: Iterable[Instrument] = UNIVERSE, *, market: Market | None = None) -> dict[str, bytes]:
    """Every served download, keyed by its file name under ``/common/master/`` (``kospi_code.mst.zip``, …)."""
    instruments = tuple(universe)
    files = {
        "kospi_code.mst.zip": zipped("kospi_code.mst", domestic_master("KOSPI", instruments, market=market)),
        "kosdaq_code.mst.zip": zipped("kosdaq_code.mst", domestic_master("KOSDAQ", instruments, market=market)),
    }
    for code in OVERSEAS_CODES:
        files[f"{code}mst.cod.zip"] = zipped(f"{code}mst.cod", overseas_master(code, instruments, market=market))
    for plain, build in EXTRA_MASTERS.items():
        if plain == "memcode.mst":
            files[plain] = build()  # the one download that is not zipped (PROTOCOL §8)
        else:
            files[f"{plain}.zip"] = zipped(plain, build())
    return files


def parse_domestic(data: bytes, market_name: str) -> list[dict[str, str]]:
    """Reference reader: slice each line like the broker's sample (head from the start, tail from the end)."""
    fields = KOSPI_FIELDS if market_name == "KOSPI" else KOSDAQ_FIELDS
    tail_length = _TAIL_LENGTH[market_name]
    rows = []
    for line in data.decode("cp949").splitlines(keepends=True):
        head, tail = line[: len(line) - tail_length], line[-tail_length:]
        row = {"short_code": head[0:9].rstrip(), "standard_code": head[9:21].rstrip(), "name": head[21:].strip()}
        position = 0
        for name, width in fields:
            row[name] = tail[position : position + width].strip()
            position += width
        if tail[position:] != "\n":
            raise ValueError(f"tail of {row['short_code']} is not {tail_length} characters")
        rows.append(row)
    return rows


def parse_overseas(data: bytes) -> list[dict[str, str]]:
    """Reference reader: tab-separated cp949, exactly 24 columns per line."""
    rows = []
    for line in data.decode("cp949").splitlines():
        cells = line.split("\t")
        if len(cells) != len(OVERSEAS_COLUMNS):
            raise ValueError(f"expected {len(OVERSEAS_COLUMNS)} columns, got {len(cells)}")
        rows.append(dict(zip(OVERSEAS_COLUMNS, cells, strict=True)))
    return rows


def master_zip(name: str, market: Market | None = None) -> bytes:
    """One download by file name, as the server serves it under ``/common/master/``.

    ``kospi_code.mst.zip``, ``kosdaq_code.mst.zip`` and ``{code}mst.cod.zip`` are zipped; the same names without
    ``.zip`` give the plain file. Raises ``KeyError`` for any other name.
    """
    if market is None:
        return _build_master(name, None)
    # The files carry previous closes and volumes, which change once a day: build each at most once a day.
    built = _MASTER_CACHE.setdefault(market, {})
    key = (name, market.clock.now().date())
    data = built.get(key)
    if data is None:
        if len(built) > 64:
            built.clear()
        data = built[key] = _build_master(name, market)
    return data


_MASTER_CACHE: weakref.WeakKeyDictionary[Market, dict[tuple[str, date], bytes]] = weakref.WeakKeyDictionary()


def _build_master(name: str, market: Market | None) -> bytes:
    plain = name.removesuffix(".zip")
    # The market's own universe: an emulator started with extra instruments lists them in its masters too.
    universe = tuple(market.instruments()) if market is not None else UNIVERSE
    if plain == "kospi_code.mst":
        content = domestic_master("KOSPI", universe, market=market)
    elif plain == "kosdaq_code.mst":
        content = domestic_master("KOSDAQ", universe, market=market)
    elif plain.endswith("mst.cod") and plain[: -len("mst.cod")] in OVERSEAS_CODES:
        content = overseas_master(plain[: -len("mst.cod")], universe, market=market)
    else:
        extra = extra_master(plain)
        if extra is None or name == "memcode.mst.zip":  # memcode.mst is downloaded unzipped (PROTOCOL §8)
            raise KeyError(name)
        content = extra
    return zipped(plain, content) if name.endswith(".zip") else content
