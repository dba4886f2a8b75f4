"""One description per wire shape: the generated rows and bodies (pykis.wire) the models decode, the columns the
generator adds to the catalog, and the layering (models and wire import nothing of pykis.api)."""

from __future__ import annotations

import ast
import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import msgspec
import pytest

import pykis
from pykis.api._generated import domestic_bond, domestic_stock, overseas_stock
from pykis.api._runtime import KisApiResult, Op
from pykis.catalog import rest_apis
from pykis.catalog._wire import COLUMN_CORRECTIONS, READ_BY_MODELS
from pykis.models.balance import DomesticBalanceBody, DomesticBalanceSummary
from pykis.models.order import DomesticCcldBody, ForeignOrderBody, ForeignProfitBody
from pykis.models.orderbook import ForeignOrderbookBody, foreign_orderbook
from pykis.protocol.envelope import Envelope
from pykis.wire import KisApiRow
from pykis.wire import _account as account_wire
from pykis.wire.overseas_stock.inquire_nccs import OverseasStockInquireNccsBody, OverseasStockInquireNccsRow

PACKAGE = Path(pykis.__file__).parent
NEW_YORK = ZoneInfo("America/New_York")


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", ["models", "wire"])
def test_models_and_wire_import_nothing_of_the_api_layer(package: str) -> None:
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(name for name in imported_modules(path) if name.startswith("pykis.api"))
        for path in (PACKAGE / package).rglob("*.py")
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_wire_reads_only_the_model_base() -> None:
    reads = {name for path in (PACKAGE / "wire").rglob("*.py") for name in imported_modules(path)}
    assert {name for name in reads if name.startswith("pykis.models")} == {"pykis.models._base"}


def test_the_generators_tables_name_catalog_apis_and_blocks() -> None:
    catalog = {(str(entry["category"]), str(entry["name"])): entry for entry in rest_apis()}
    for group in READ_BY_MODELS.values():
        for key, shapes in group.items():
            assert set(shapes) <= set(catalog[key]["outputs"]), key
            assert set(shapes.values()) <= {"object", "object?", "rows", "rows?", "any"}
    for key, columns in COLUMN_CORRECTIONS.items():
        assert not {column for column, _ in columns} & set(catalog[key]["columns"]), f"{key}: already in rest.json"


def test_api_rows_are_the_wire_rows() -> None:
    assert domestic_stock.InquirePriceRow.__module__ == "pykis.wire._market"
    assert overseas_stock.InquireNccsRow.__module__ == "pykis.wire.overseas_stock.inquire_nccs"
    assert issubclass(domestic_stock.InquireDailyCcldRow, KisApiRow)
    assert DomesticCcldBody is account_wire.DomesticStockInquireDailyCcldBody


def test_both_spellings_of_the_exchange_code_are_read_as_sent() -> None:
    body = json.dumps(
        {"output1": [{"odno": "1", "excg_id_dvsn_Cd": "NXT"}, {"odno": "2", "excg_id_dvsn_cd": "SOR"}]}
    ).encode()
    first, second = msgspec.json.decode(body, type=DomesticCcldBody).output1
    assert (first.excg_id_dvsn_Cd, first.excg_id_dvsn_cd) == ("NXT", "")
    assert (second.excg_id_dvsn_Cd, second.excg_id_dvsn_cd) == ("", "SOR")


def test_the_api_layer_maps_a_key_to_its_exact_spelling_first() -> None:
    result = KisApiResult(domestic_stock.inquire_daily_ccld.spec)
    rows = [{"excg_id_dvsn_Cd": "NXT", "ODNO": "7"}, {"excg_id_dvsn_cd": "SOR"}, {"EXCG_ID_DVSN_CD": "KRX"}]
    result.add(Envelope(tr_id="TTTC0081R", body={"rt_cd": "0", "output1": rows}))
    got = [(row.excg_id_dvsn_Cd, row.excg_id_dvsn_cd, row.odno) for row in result.output1]
    assert got == [("NXT", "", "7"), ("", "SOR", ""), ("", "KRX", "")]


def test_pending_overseas_rows_keep_their_revise_code_through_the_order_row() -> None:
    # TTTS3018R rows are decoded with TTTS3035R's body: its 정정취소구분 spelling is one of the row's columns.
    body = b'{"output": [{"odno": "9", "nccs_qty": "3", "rvse_cncl_dvsn_cd": "02", "prdt_name": "APPLE INC"}]}'
    (row,) = msgspec.json.decode(body, type=ForeignOrderBody).output
    assert (row.rvse_cncl_dvsn_cd, row.nccs_qty, row.prdt_name) == ("02", "3", "APPLE INC")


def test_profit_rows_carry_the_item_name() -> None:
    (row,) = msgspec.json.decode(b'{"output1": [{"ovrs_item_name": "APPLE INC"}]}', type=ForeignProfitBody).output1
    assert row.ovrs_item_name == "APPLE INC"


@pytest.mark.parametrize("summary", [[{"dnca_tot_amt": "1000"}], {"dnca_tot_amt": "1000"}, None])
def test_a_block_sent_either_way_decodes(summary: object) -> None:
    body = msgspec.json.decode(json.dumps({"output1": [], "output2": summary}).encode(), type=DomesticBalanceBody)
    if summary is None:
        assert body.output2 is None
    else:
        row = body.output2[0] if isinstance(body.output2, list) else body.output2
        assert isinstance(row, DomesticBalanceSummary) and row.dnca_tot_amt == "1000"


def test_an_api_no_model_reads_takes_each_block_in_either_form() -> None:
    one = msgspec.json.decode(b'{"output": {"odno": "1"}}', type=OverseasStockInquireNccsBody).output
    many = msgspec.json.decode(b'{"output": [{"odno": "2"}]}', type=OverseasStockInquireNccsBody).output
    absent = msgspec.json.decode(b'{"rt_cd": "0"}', type=OverseasStockInquireNccsBody).output
    assert isinstance(one, OverseasStockInquireNccsRow) and one.odno == "1"
    assert isinstance(many, list) and [row.odno for row in many] == ["2"]
    assert absent is None


def test_ten_us_levels_come_from_the_corrected_columns() -> None:
    levels = {f"pask{n}": str(100 + n) for n in range(1, 11)} | {f"vask{n}": "5" for n in range(1, 11)}
    levels |= {f"pbid{n}": str(100 - n) for n in range(1, 11)} | {f"vbid{n}": "7" for n in range(1, 11)}
    body = {"output1": {"dymd": "20240802", "dhms": "093000", "avol": "50", "bvol": "70"}, "output2": levels}
    decoded = msgspec.json.decode(json.dumps(body).encode(), type=ForeignOrderbookBody)
    book = foreign_orderbook(decoded, symbol="AAPL", market="NASDAQ", day=datetime(2024, 8, 2, tzinfo=NEW_YORK))
    assert [level.price for level in book.asks] == [100 + n for n in range(1, 11)]
    assert [level.volume for level in book.bids] == [7] * 10
    assert (book.ask_volume, book.bid_volume) == (50, 70)
    assert book.time == datetime(2024, 8, 2, 9, 30, tzinfo=NEW_YORK)


def test_a_row_asked_for_first_leaves_the_operation_reachable() -> None:
    assert domestic_bond.SearchBondInfoRow.__module__ == "pykis.wire.domestic_bond.search_bond_info"
    assert isinstance(domestic_bond.search_bond_info, Op)
