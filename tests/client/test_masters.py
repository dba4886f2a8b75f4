"""Client-side master parsing against the emulator's generator (the broker's layouts), the symbol index and the
daily cache."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from pykis.emulator.instruments import UNIVERSE, Instrument
from pykis.emulator.masters import OVERSEAS_CODES, domestic_master, overseas_master
from pykis.exchanges.masters import DOMESTIC_FILES, MasterCache, MasterRow, SymbolIndex, rows_of
from tests.properties import examples

_HANGUL = st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3)
_NAME_CHARS = st.one_of(_HANGUL, st.sampled_from("ABCXYZ0123456789&-.()· "))
_NAMES = st.text(_NAME_CHARS, min_size=1, max_size=24).map(str.strip).filter(bool)
# Client market code of each emulator master file code.
_CLIENT_MARKET = {"nas": "NASDAQ", "nys": "NYSE", "ams": "AMEX", "hks": "HKEX", "shs": "SSE", "szs": "SZSE"}
_CLIENT_MARKET |= {"tse": "TYO", "hnx": "HNX", "hsx": "HSX"}
_CURRENCY = {"NASDAQ": "USD", "NYSE": "USD", "AMEX": "USD", "SEHK": "HKD", "SSE": "CNY", "SZSE": "CNY"}
_CURRENCY |= {"TSE": "JPY", "HNX": "VND", "HSX": "VND"}


@st.composite
def domestic_instruments(draw: st.DrawFn) -> list[Instrument]:
    count = draw(st.integers(1, 8))
    codes = draw(st.lists(st.integers(0, 999_999), min_size=count, max_size=count, unique=True))
    out = []
    for code in codes:
        out.append(
            Instrument(
                f"{code:06d}",
                draw(_NAMES),
                "X",
                draw(st.sampled_from(["KOSPI", "KOSDAQ"])),
                draw(st.sampled_from(["stock", "etf", "etn"])),
                "KRW",
                1,
                Decimal(draw(st.integers(1, 2_000_000))),
                draw(st.integers(1, 10**10)),
                None,
                draw(st.booleans()),
            )
        )
    return out


@given(domestic_instruments())
@settings(max_examples=examples(60), deadline=None)
def test_domestic_masters_round_trip(instruments: list[Instrument]) -> None:
    for board, name in (("KOSPI", "kospi_code.mst"), ("KOSDAQ", "kosdaq_code.mst")):
        rows = list(rows_of(name, domestic_master(board, instruments)))
        wanted = [i for i in instruments if i.market == board]
        assert [(r.symbol, r.name, r.isin, r.kind, r.board, r.market) for r in rows] == [
            (i.symbol, i.name, i.isin, i.kind, board, "KRX") for i in wanted
        ]


@st.composite
def overseas_instruments(draw: st.DrawFn) -> tuple[str, list[Instrument]]:
    code = draw(st.sampled_from(sorted(OVERSEAS_CODES)))
    market = OVERSEAS_CODES[code][0]
    symbols = draw(st.lists(st.from_regex(r"[A-Z0-9]{1,6}", fullmatch=True), min_size=1, max_size=8, unique=True))
    out = [
        Instrument(
            symbol,
            draw(_NAMES),
            draw(st.text(st.sampled_from("Abc Corp.&-Inc"), min_size=1, max_size=30).map(str.strip).filter(bool)),
            market,
            draw(st.sampled_from(["stock", "etf"])),
            _CURRENCY[market],
            draw(st.sampled_from([1, 10, 100, 1000])),
            Decimal(draw(st.integers(1, 10**6))),
            draw(st.integers(1, 10**10)),
            None,
        )
        for symbol in symbols
    ]
    return code, out


@given(overseas_instruments())
@settings(max_examples=examples(60), deadline=None)
def test_overseas_masters_round_trip(case: tuple[str, list[Instrument]]) -> None:
    code, instruments = case
    rows = list(rows_of(f"{code}mst.cod", overseas_master(code, instruments)))
    assert [(r.symbol, r.name, r.english_name, r.market, r.kind, r.currency, r.lot_size) for r in rows] == [
        (i.symbol, i.name, i.english_name.upper(), _CLIENT_MARKET[code], i.kind, i.currency, i.lot_size)
        for i in instruments
    ]


def test_the_whole_emulator_universe_parses() -> None:
    index = SymbolIndex()
    for name in DOMESTIC_FILES:
        for row in rows_of(name, domestic_master(DOMESTIC_FILES[name][0])):
            index.add(row)
    for code in OVERSEAS_CODES:
        for row in rows_of(f"{code}mst.cod", overseas_master(code)):
            index.add(row)
    assert len(index) == len(UNIVERSE)
    samsung = index.lookup("005930")
    assert samsung is not None and (samsung.name, samsung.board, samsung.isin) == ("삼성전자", "KOSPI", "KR7005930003")
    etn = index.lookup("530036")
    assert etn is not None and etn.kind == "etn"
    toyota = index.lookup("7203")
    assert toyota is not None and (toyota.market, toyota.lot_size, toyota.currency) == ("TYO", 100, "JPY")


def _row(symbol: str, market: str) -> MasterRow:
    return MasterRow(symbol, symbol.lower(), symbol, market, market[:3], "stock", currency="USD")


@given(st.permutations(["NASDAQ", "NYSE", "AMEX"]))
def test_a_dual_listing_resolves_to_the_primary_exchange_whatever_the_order(order: list[str]) -> None:
    index = SymbolIndex(_row("BLDR", market) for market in order)
    found = index.lookup("bldr")
    assert found is not None and found.market == "NYSE"
    nasdaq = index.lookup("BLDR", "NASDAQ")
    assert nasdaq is not None and nasdaq.market == "NASDAQ"
    assert index.lookup("BLDR", "TYO") is None


def test_search_ranks_exact_then_prefix_then_substring() -> None:
    index = SymbolIndex(
        [
            MasterRow("000001", "평안은행", "PING AN BANK", "SZSE", "SZS", "stock", currency="CNY"),
            MasterRow("AAPL", "애플", "APPLE INC", "NASDAQ", "NAS", "stock", currency="USD"),
            MasterRow("APLE", "애플 호스피탈리티", "APPLE HOSPITALITY REIT", "NYSE", "NYS", "stock", currency="USD"),
            MasterRow("PAPL", "파인애플", "PINEAPPLE CORP", "NYSE", "NYS", "stock", currency="USD"),
        ]
    )
    assert [row.symbol for row in index.search("애플")] == ["AAPL", "APLE", "PAPL"]
    assert [row.symbol for row in index.search("apple")] == ["AAPL", "APLE", "PAPL"]
    assert [row.symbol for row in index.search("ping")] == ["000001"]
    assert index.search("  ") == [] and len(index.search("a", limit=2)) == 2


def test_master_cache_keeps_a_file_for_a_day_of_its_clock(tmp_path: Path) -> None:
    now = [1_800_000_000.0]  # the client's service clock, not the machine's nor the file system's
    cache = MasterCache(tmp_path / "masters", lambda: now[0])
    assert cache.fresh("nasmst.cod") is None
    cache.store("nasmst.cod", b"content")
    assert os.stat(tmp_path / "masters" / "nasmst.cod").st_mtime == now[0]  # stamped by that clock
    now[0] += 86_400
    assert cache.fresh("nasmst.cod") == b"content"
    now[0] += 1
    assert cache.fresh("nasmst.cod") is None
