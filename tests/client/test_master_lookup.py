"""A lookup over master files kept as bytes (only the matching lines parsed) finds what a lookup over every parsed
row finds, for the same symbol, market and duplicate listings; a search still sees every row."""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from pykis.emulator.instruments import Instrument
from pykis.emulator.masters import domestic_master, overseas_master
from pykis.exchanges.masters import MasterRow, SymbolIndex, rows_of
from tests.properties import examples

_HANGUL = st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3)
_FILES = {"kospi_code.mst": "KOSPI", "kosdaq_code.mst": "KOSDAQ", "nasmst.cod": "nas", "nysmst.cod": "nys"}
_FILES |= {"amsmst.cod": "ams", "tsemst.cod": "tse"}
_MARKETS = {"nas": "NASDAQ", "nys": "NYSE", "ams": "AMEX", "tse": "TSE"}
_CURRENCY = {"NASDAQ": "USD", "NYSE": "USD", "AMEX": "USD", "TSE": "JPY"}


def _instrument(symbol: str, name: str, english: str, market: str) -> Instrument:
    currency = _CURRENCY.get(market, "KRW")
    return Instrument(symbol, name, english, market, "stock", currency, 1, Decimal(100), 1000, None)


@st.composite
def universes(draw: st.DrawFn) -> tuple[list[Instrument], list[str]]:
    """Listings whose symbols are prefixes of one another, recur on several markets (and twice in one file), and
    appear inside names and other columns; with the symbols worth looking up."""
    roots = draw(st.lists(st.text("0123456789QZ", min_size=4, max_size=6), min_size=1, max_size=4))
    domestic = {
        root + tail for root in roots for tail in draw(st.sets(st.sampled_from(["", "0", "1", "Z"]), min_size=1))
    }
    tickers = draw(st.lists(st.text("ABCIKSabc.0", min_size=1, max_size=4), min_size=1, max_size=5))
    overseas = {
        ticker + tail for ticker in tickers for tail in draw(st.sets(st.sampled_from(["", "A", "B", ".A"]), min_size=1))
    }
    symbols = sorted(domestic | overseas)
    mentions = st.text(st.one_of(_HANGUL, st.sampled_from(" &-.")), max_size=4)
    # A name is Hangul mixed with other symbols, so a symbol's bytes also occur mid-line and after a tab.
    names = st.lists(st.one_of(mentions, st.sampled_from(symbols)), min_size=1, max_size=4).map("".join)
    instruments = []
    for symbol in sorted(domestic):
        for market in draw(st.lists(st.sampled_from(["KOSPI", "KOSDAQ"]), min_size=1, max_size=2)):
            instruments.append(_instrument(symbol, draw(names.filter(str.strip)), "X", market))
    for symbol in sorted(overseas):
        for market in draw(st.lists(st.sampled_from(sorted(_CURRENCY)), min_size=1, max_size=3)):
            english = draw(names.map(lambda text: "".join(c for c in text if c.isascii())).filter(str.strip))
            instruments.append(_instrument(symbol, draw(names.filter(str.strip)), english, market))
    instruments = draw(st.permutations(instruments))
    wanted = symbols + [symbol[:-1] for symbol in symbols if len(symbol) > 1] + [s.lower() for s in symbols]
    return instruments, wanted + draw(st.lists(st.text("ABCQZ0159.", min_size=1, max_size=7), max_size=5))


def _contents(instruments: list[Instrument], newline: bytes) -> dict[str, bytes]:
    files = {}
    for name, code in _FILES.items():
        content = domestic_master(code, instruments) if name.endswith("mst") else overseas_master(code, instruments)
        files[name] = content.replace(b"\n", newline)
    return files


def _indexes(files: dict[str, bytes]) -> tuple[SymbolIndex, SymbolIndex]:
    """(kept as bytes, every row parsed), fed the files in the same order."""
    lazy, full = SymbolIndex(), SymbolIndex()
    for name, content in files.items():
        lazy.add_file(name, content)
        for row in rows_of(name, content):
            full.add(row)
    return lazy, full


@given(universes(), st.sampled_from([b"\n", b"\r\n", b"\r", b"\x1e"]))
@settings(max_examples=examples(150), deadline=None)
def test_a_lookup_over_bytes_finds_what_every_parsed_row_finds(
    universe: tuple[list[Instrument], list[str]], newline: bytes
) -> None:
    instruments, wanted = universe
    lazy, full = _indexes(_contents(instruments, newline))
    for symbol in wanted:
        for market in (None, "KRX", "NASDAQ", "NYSE", "AMEX", "TYO"):
            assert lazy.lookup(symbol, market) == full.lookup(symbol, market), (symbol, market)
    assert len(lazy) == len(full) == len(instruments)


@given(universes(), st.sampled_from(["", "a", "Q", "0"]))
@settings(max_examples=examples(40), deadline=None)
def test_a_search_after_lookups_ranks_every_row(universe: tuple[list[Instrument], list[str]], text: str) -> None:
    instruments, wanted = universe
    lazy, full = _indexes(_contents(instruments, b"\n"))
    for symbol in wanted[:3]:
        lazy.lookup(symbol)
    needle = text or wanted[0]
    assert lazy.search(needle, limit=1000) == full.search(needle, limit=1000)
    # Parsed now: later lookups read the parsed rows, with the same answers.
    assert [lazy.lookup(symbol) for symbol in wanted] == [full.lookup(symbol) for symbol in wanted]


@given(universes(), st.sampled_from(["-", "005930 X", "한국", "\t", ""]))
@settings(max_examples=examples(20), deadline=None)
def test_a_symbol_the_bytes_cannot_be_searched_for_parses_every_row(
    universe: tuple[list[Instrument], list[str]], odd: str
) -> None:
    instruments, wanted = universe
    lazy, full = _indexes(_contents(instruments, b"\n"))
    assert lazy.lookup(odd) == full.lookup(odd)
    assert [lazy.lookup(symbol) for symbol in wanted] == [full.lookup(symbol) for symbol in wanted]


def test_rows_added_one_by_one_keep_their_place_among_the_files() -> None:
    content = overseas_master("nas", [_instrument("BLDR", "빌더스", "BUILDERS A", "NASDAQ")])
    listed = MasterRow("BLDR", "다른 이름", "", "NASDAQ", "NAS", "stock", currency="USD")
    (from_file,) = rows_of("nasmst.cod", content)
    # Two NASDAQ rows for one symbol: the one given first wins, as when both were parsed rows.
    file_first = SymbolIndex()
    file_first.add_file("nasmst.cod", content)
    file_first.add(listed)
    assert file_first.lookup("bldr") == from_file and len(file_first) == 2
    row_first = SymbolIndex([listed])
    row_first.add_file("nasmst.cod", content)
    assert row_first.lookup("BLDR") == listed and row_first.lookup("BLDR", "NYSE") is None


@given(st.binary(max_size=600), st.sampled_from(sorted(_FILES)), st.text("AB0159Q.\t\n", min_size=1, max_size=7))
@settings(max_examples=examples(200), deadline=None)
def test_a_lookup_over_any_bytes_returns_only_a_parsed_row(content: bytes, name: str, symbol: str) -> None:
    lazy = SymbolIndex()
    lazy.add_file(name, content)
    found = lazy.lookup(symbol)
    # Garbled lines may hide a symbol from the byte search (a blank opening its column), never invent one.
    assert found is None or found in [row for row in rows_of(name, content) if row.symbol.upper() == symbol.upper()]


def test_threads_sharing_an_index_see_every_row_once() -> None:
    instruments = [_instrument(f"{code:06d}", "가나다", "X", "KOSPI") for code in range(0, 3000, 7)]
    instruments += [_instrument(f"T{code}", "라마", f"T{code} CORP", "NASDAQ") for code in range(300)]
    files = _contents(instruments, b"\n")
    wanted = [instrument.symbol for instrument in instruments]
    switching = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads interleave every few bytecodes, not every 5 ms
    try:
        _race(files, wanted, len(instruments))
    finally:
        sys.setswitchinterval(switching)


def _race(files: dict[str, bytes], wanted: list[str], count: int) -> None:
    for _ in range(5):
        lazy, full = _indexes(files)
        expected = [full.lookup(symbol) for symbol in wanted]
        # Lookups (searching the bytes) race a search and a count (parsing every row) on one index.
        with ThreadPoolExecutor(4) as pool:
            counted = pool.submit(len, lazy)
            searched = pool.submit(lazy.search, "T1", 1000)
            looked_up = [pool.submit(_lookups, lazy, wanted) for _ in range(3)]
            assert all(found.result() == expected for found in looked_up)
            assert counted.result() == count
            assert searched.result() == full.search("T1", 1000)


def _lookups(index: SymbolIndex, symbols: list[str]) -> list[MasterRow | None]:
    return [index.lookup(symbol) for symbol in symbols]
