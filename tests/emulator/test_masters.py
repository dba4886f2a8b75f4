"""Symbol master files: exact fixed-width tails, tab-separated overseas files, cp949, zip round trip."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from pykis.emulator.clock import FrozenClock
from pykis.emulator.instruments import UNIVERSE
from pykis.emulator.market import Market
from pykis.emulator.masters import (
    KOSDAQ_FIELDS,
    KOSPI_FIELDS,
    OVERSEAS_CODES,
    domestic_master,
    master_files,
    master_zip,
    overseas_master,
    parse_domestic,
    parse_overseas,
)


def test_field_tables_match_the_broker_readers() -> None:
    assert len(KOSPI_FIELDS) == 70 and sum(width for _, width in KOSPI_FIELDS) == 227
    assert len(KOSDAQ_FIELDS) == 64 and sum(width for _, width in KOSDAQ_FIELDS) == 221
    assert [width for _, width in KOSPI_FIELDS][:5] == [2, 1, 4, 4, 4]
    assert [width for _, width in KOSPI_FIELDS][31:34] == [9, 5, 5]  # base price, lot sizes


@pytest.mark.parametrize(("market_name", "tail"), [("KOSPI", 228), ("KOSDAQ", 222)])
def test_domestic_master_round_trips(market_name: str, tail: int) -> None:
    data = domestic_master(market_name)
    text = data.decode("cp949")
    lines = text.splitlines(keepends=True)
    expected = [instrument for instrument in UNIVERSE if instrument.market == market_name]
    assert len(lines) == len(expected)
    rows = parse_domestic(data, market_name)
    for instrument, line, row in zip(expected, lines, rows, strict=True):
        assert line.endswith("\n") and len(line) - len(line[:-tail]) == tail
        assert line[:9] == instrument.symbol.ljust(9)
        assert row["short_code"] == instrument.symbol
        assert row["standard_code"] == instrument.isin
        assert row["name"] == instrument.name
        assert row["group_code"] == {"stock": "ST", "etf": "EF", "etn": "EN"}[instrument.kind]
        assert int(row["base_price"]) == instrument.base_price
        assert int(row["lot_size"]) == instrument.lot_size == 1
        assert int(row["listed_shares"]) == instrument.listed_shares // 1000
        assert row["halted"] == ("Y" if instrument.halted else "N")
        assert len(row["listing_date"]) == 8 and row["listing_date"].isdigit()
    samsung = next(row for row in parse_domestic(domestic_master("KOSPI"), "KOSPI") if row["short_code"] == "005930")
    assert samsung["kospi"] == "Y" and int(samsung["market_cap"]) > 1_000_000


def test_overseas_masters_have_24_columns() -> None:
    for code, (market_name, national, _, decimals, _, _) in OVERSEAS_CODES.items():
        rows = parse_overseas(overseas_master(code))
        expected = [instrument for instrument in UNIVERSE if instrument.market == market_name]
        assert len(rows) == len(expected) >= 1
        for instrument, row in zip(expected, rows, strict=True):
            assert row["ncod"] == national and row["excd"] == instrument.excd
            assert row["symb"] == instrument.symbol and row["rsym"] == f"D{instrument.excd}{instrument.symbol}"
            assert row["knam"] == instrument.name and row["curr"] == instrument.currency
            assert int(row["bnit"]) == instrument.lot_size and row["zdiv"] == str(decimals)
            assert row["stis"] == ("3" if instrument.kind == "etf" else "2")
    nas = overseas_master("nas").decode("cp949")
    assert "\tNVDA\tDNASNVDA\t엔비디아\t" in nas


def test_zipped_downloads_and_market_prices() -> None:
    market = Market(FrozenClock(datetime(2026, 11, 25, 18, 0, tzinfo=ZoneInfo("Asia/Seoul"))))
    files = master_files(market=market)
    extra = {"konex_code", "elw_code", "idxcode", "fo_idx_code_mts", "fo_com_code", "ffcode", "frgn_code"}
    assert set(files) == {"kospi_code.mst.zip", "kosdaq_code.mst.zip", "memcode.mst", "bond_code.mst.zip"} | {
        f"{code}mst.cod.zip" for code in OVERSEAS_CODES
    } | {f"{name}.mst.zip" for name in extra}
    with zipfile.ZipFile(io.BytesIO(files["kospi_code.mst.zip"])) as archive:
        assert archive.namelist() == ["kospi_code.mst"]
        rows = parse_domestic(archive.read("kospi_code.mst"), "KOSPI")
    samsung = next(row for row in rows if row["short_code"] == "005930")
    assert int(samsung["base_price"]) == market.quote("005930").prev_close
    assert master_files() == master_files()  # reproducible bytes


def test_master_zip_by_name() -> None:
    assert master_zip("kospi_code.mst") == domestic_master("KOSPI")
    with zipfile.ZipFile(io.BytesIO(master_zip("hksmst.cod.zip"))) as archive:
        assert archive.read("hksmst.cod") == overseas_master("hks")
    with pytest.raises(KeyError):
        master_zip("memcode.mst.zip")  # the member file is downloaded unzipped
    with pytest.raises(KeyError):
        master_zip("nosuch_code.mst.zip")
