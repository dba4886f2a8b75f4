"""The generated layer's machinery: TR choice per environment and condition, arguments, results, paging."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from pykis.api import KisApiResult, Op, Prepared, operations
from pykis.api._generated import CATEGORIES, domestic_futureoption, domestic_stock, overseas_stock
from pykis.api.realtime import EVENTS, DomesticStockCcnlKrx
from pykis.catalog import rest_apis, websocket_trs
from pykis.errors import KisValidationError
from pykis.models.realtime import KisDomesticRealtimePrice, KisRealtimeRecord, event_for
from pykis.protocol.env import Environment
from pykis.protocol.envelope import Envelope


def test_one_operation_per_catalog_api_and_one_event_type_per_tr() -> None:
    ops = operations()
    assert len(ops) == len(rest_apis()) == 274
    assert {(op.spec.category, op.spec.name) for op in ops} == {(e["category"], e["name"]) for e in rest_apis()}
    assert {entry["tr_id"] for entry in websocket_trs()} <= set(EVENTS)
    assert len({id(kind) for kind in EVENTS.values()}) == len(websocket_trs()) == 60
    assert set(CATEGORIES) == {str(e["category"]) for e in rest_apis()}


def test_module_level_call_builds_an_api_call_without_io() -> None:
    prepared = domestic_stock.inquire_price(FID_COND_MRKT_DIV_CODE="J", FID_INPUT_ISCD="005930")
    assert isinstance(prepared, Prepared)
    call = prepared.call
    assert call.method == "GET"
    assert call.path == "/uapi/domestic-stock/v1/quotations/inquire-price"
    assert call.params == {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930"}
    assert call.tr_id_for(Environment.REAL) == call.tr_id_for(Environment.VIRTUAL) == "FHKST01010100"
    assert not call.trading


def test_tr_chosen_per_selector_and_request_field() -> None:
    args: dict[str, Any] = {"CANO": "1", "ACNT_PRDT_CD": "01", "PDNO": "AAPL", "ORD_QTY": "1"}
    args |= {"OVRS_ORD_UNPR": "1", "ORD_SVR_DVSN_CD": "0", "ORD_DVSN": "00"}
    buy_us = overseas_stock.order(ord_dv="buy", OVRS_EXCG_CD="NASD", **args).call
    sell_hk = overseas_stock.order(ord_dv="sell", OVRS_EXCG_CD="SEHK", **args).call
    assert (buy_us.tr_id_for(Environment.REAL), buy_us.tr_id_for(Environment.VIRTUAL)) == ("TTTT1002U", "VTTT1002U")
    assert (sell_hk.tr_id_for(Environment.REAL), sell_hk.tr_id_for(Environment.VIRTUAL)) == ("TTTS1001U", "VTTS1001U")
    assert buy_us.trading and buy_us.method == "POST"
    with pytest.raises(KisValidationError, match="no TR ID"):
        overseas_stock.order(ord_dv="buy", OVRS_EXCG_CD="XXXX", **args)


def test_condition_missing_in_virtual_is_refused_there_only() -> None:
    args = dict.fromkeys(domestic_futureoption.order.spec.params, "0")
    night = domestic_futureoption.order(ord_dv="night", **args).call
    day = domestic_futureoption.order(ord_dv="day", **args).call
    assert night.tr_id_for(Environment.REAL) == "STTN1101U"
    with pytest.raises(KisValidationError, match="virtual"):
        night.tr_id_for(Environment.VIRTUAL)
    assert day.tr_id_for(Environment.VIRTUAL) == "VTTO1101U"


def test_arguments_are_checked() -> None:
    operation: Op[Any, Any] = domestic_stock.inquire_price
    with pytest.raises(KisValidationError, match="unknown arguments NOPE"):
        operation(FID_COND_MRKT_DIV_CODE="J", FID_INPUT_ISCD="005930", NOPE="1")
    with pytest.raises(TypeError):
        operation("J", "005930")
    with pytest.raises(KisValidationError, match="must be a string"):
        operation(FID_COND_MRKT_DIV_CODE="J", FID_INPUT_ISCD=5930)
    # Fields the sample hard-codes are defaults; optional ones go out empty, as the samples send them.
    balance = domestic_stock.inquire_balance(
        CANO="1", ACNT_PRDT_CD="01", AFHR_FLPR_YN="N", INQR_DVSN="02", UNPR_DVSN="01",
        FUND_STTL_ICLD_YN="N", FNCG_AMT_AUTO_RDPT_YN="N", PRCS_DVSN="00",
    ).call  # fmt: skip
    assert balance.params["OFL_YN"] == "" and balance.params["CTX_AREA_FK100"] == ""


def test_fields_beyond_the_catalog_are_sent_only_when_given() -> None:
    fields = {
        "CANO": "1", "ACNT_PRDT_CD": "01", "OVRS_EXCG_CD": "NASD", "PDNO": "NVDA", "ORD_QTY": "1",
        "OVRS_ORD_UNPR": "0", "CTAC_TLNO": "", "MGCO_APTM_ODNO": "", "ORD_SVR_DVSN_CD": "0",
    }  # fmt: skip
    limit = overseas_stock.order(ord_dv="buy", ORD_DVSN="00", **fields).call
    assert "START_TIME" not in limit.params and "END_TIME" not in limit.params
    twap = overseas_stock.order(ord_dv="buy", ORD_DVSN="35", START_TIME="100000", END_TIME="150000", **fields).call
    assert (twap.params["START_TIME"], twap.params["END_TIME"], twap.tr_id) == ("100000", "150000", "TTTT1002U")


def test_result_folds_pages_and_single_object_blocks() -> None:
    spec = domestic_stock.inquire_balance.spec
    result = KisApiResult(spec)
    row = {"pdno": "005930", "hldg_qty": 3, "unknown": "x"}
    result.add(Envelope({"output1": [row], "output2": {"dnca_tot_amt": "100"}}, "TTTC8434R", "F"))
    result.add(Envelope({"output1": [row], "output2": {"dnca_tot_amt": "100"}}, "TTTC8434R", "E"))
    assert result.pages == 2
    assert [r.pdno for r in result.output1] == ["005930", "005930"]
    assert result.output1[0].hldg_qty == "3"  # numbers the server sent unquoted still read as the wire text
    assert len(result.output2) == 1 and result.output2[0].dnca_tot_amt == "100"
    assert result.first is result.output1[0]
    assert "inquire_balance" in repr(result)


def test_realtime_events_are_the_generated_types() -> None:
    raw = "^".join(["005930", "093000", "71000", *["0"] * 44])
    event = event_for("H0STCNT0", raw)
    assert type(event) is DomesticStockCcnlKrx
    assert isinstance(event, KisDomesticRealtimePrice)  # the hand-written model's properties stay
    assert event.stck_prpr == "71000" and event.mksc_shrn_iscd == "005930"
    other = event_for("H0STPGM0", "005930^093000^1^2")
    assert isinstance(other, KisRealtimeRecord)
    assert type(other) is EVENTS["H0STPGM0"]
    assert DomesticStockCcnlKrx.TR_ID == "H0STCNT0"


def test_typed_facade_blocking_and_asyncio(emulator: Any) -> None:
    from typing import assert_type

    from pykis.api._generated.domestic_stock import InquirePriceRow
    from pykis.client import AsyncPyKis, PyKis

    with PyKis(emulator.real.auth, keep_token=False) as kis:
        result = kis.api.domestic_stock.inquire_price(FID_COND_MRKT_DIV_CODE="J", FID_INPUT_ISCD="005930")
        assert_type(result, KisApiResult[InquirePriceRow])
        price = result.output[0].stck_prpr
        assert_type(price, str)
        assert int(price) > 0
        again = kis.api.run(domestic_stock.inquire_price(FID_COND_MRKT_DIV_CODE="J", FID_INPUT_ISCD="005930"))
        assert_type(again, KisApiResult[InquirePriceRow])
        assert again.output[0].rprs_mrkt_kor_name == result.output[0].rprs_mrkt_kor_name

    async def main() -> str:
        kis = AsyncPyKis(emulator.real.auth, keep_token=False)
        try:
            answer = await kis.api.domestic_stock.inquire_price(FID_COND_MRKT_DIV_CODE="J", FID_INPUT_ISCD="005930")
            assert_type(answer, KisApiResult[InquirePriceRow])
            return answer.output[0].stck_prpr
        finally:
            await kis.close()

    import asyncio

    assert int(asyncio.run(main())) > 0


def test_generic_answers_draw_from_the_market(tmp_path: Any) -> None:
    from decimal import Decimal

    from pykis.client import PyKis
    from pykis.emulator import Emulator

    # A frozen clock: the hand-written current-price answer and the generic one describe the same instant.
    with (
        Emulator(secrets_dir=tmp_path, clock="frozen", realtime=False) as emu,
        PyKis(emu.real.auth, keep_token=False) as kis,
    ):
        price = kis.api.domestic_stock.inquire_price(FID_COND_MRKT_DIV_CODE="J", FID_INPUT_ISCD="005930").output[0]
        ccnl = kis.api.domestic_stock.inquire_ccnl(FID_COND_MRKT_DIV_CODE="J", FID_INPUT_ISCD="005930")
        row = ccnl.output[0]
        assert row.stck_prpr == price.stck_prpr
        assert row.prdy_vrss == price.prdy_vrss and row.prdy_vrss_sign == price.prdy_vrss_sign
        assert Decimal(row.prdy_ctrt) == Decimal(price.prdy_ctrt)
        assert len(ccnl.output) > 1  # a list block
        # A continued inquiry without a hand-written endpoint: two pages, read to the end.
        cano, product = emu.real.app.account.split("-")
        balance = kis.api.domestic_futureoption.inquire_balance(
            CANO=cano, ACNT_PRDT_CD=product, MGNA_DVSN="01", EXCC_STAT_CD="1"
        )
        assert balance.pages == 2
        assert [e.tr_cont for e in balance.envelopes] == ["F", "E"]
        assert all(r.cano == cano for r in balance.output1)  # request fields are echoed


# A fresh interpreter: which API modules were already imported must not decide what a name reads.
FIRST_USE = """
import sys, threading
from pykis.api import Op
from pykis.api._generated import domestic_stock, overseas_stock
import pykis.api._generated.domestic_stock.inquire_price  # a direct import of an API's module
assert isinstance(domestic_stock.inquire_price, Op), domestic_stock.inquire_price
assert domestic_stock.InquirePriceRow.__name__ == "DomesticStockInquirePriceRow"
names = [name for name in overseas_stock._MODULES if name.islower()]
gate = threading.Barrier(8)
seen = []
def read():
    gate.wait()
    seen.extend(type(getattr(overseas_stock, name)).__name__ for name in names)
threads = [threading.Thread(target=read) for _ in range(8)]
for thread in threads: thread.start()
for thread in threads: thread.join()
print(sorted(set(seen)), len(seen) == 8 * len(names))
"""


def test_an_operation_reads_as_itself_however_its_module_was_first_imported() -> None:
    # Importing an API's module binds it in its package under the operation's name: a direct import, or another
    # thread's first use, must not leave the module where the operation is read (a quote of 200 symbols, read
    # from 7 threads at once, once got "'module' object is not callable").
    done = subprocess.run([sys.executable, "-c", FIRST_USE], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split("\n")[0] == "['Op'] True"
