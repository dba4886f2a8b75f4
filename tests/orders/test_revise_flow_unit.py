"""``revise_flow`` (modify, cancel) driven from scripted action results: acknowledged, lost then settled from the
day's modify/cancel records, lost and not found, refused."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from msgspec.structs import replace

from pykis.auth import KisAccountNumber
from pykis.errors import KisOrderRejectedError, KisOrderTypeError, KisOrderUnknownError, KisPriceError
from pykis.scopes.orders import OrderFacts, Revision
from pykis.scopes.orders.revise import revise_flow
from pykis.scopes.orders.send import RESOLVE_DELAYS
from tests.orders.conftest import ACCOUNT, DAWN, NOW, SLEPT, Outcome, Script, ok, refusal
from tests.orders.test_order_flow_unit import LIMITS, LOST, days_orders, row, trs

PLACED = OrderFacts(
    account_number=KisAccountNumber.parse(ACCOUNT),
    symbol="005930",
    market="KRX",
    currency="KRW",
    side="buy",
    order_type="00",
    price=Decimal(71000),
    qty=3,
    branch="06010",
    number="0000117057",
    time=NOW,
    exchange="KRX",
    name="삼성전자",
    client_id="c0ffee",
)
NVDA_PLACED = replace(
    PLACED, symbol="NVDA", market="NASDAQ", currency="USD", price=Decimal("180.50"), qty=2, exchange="NASD"
)
REVISE_FIELDS = {
    "CANO": "12345678",
    "ACNT_PRDT_CD": "01",
    "KRX_FWDG_ORD_ORGNO": "06010",
    "ORGN_ODNO": "0000117057",
    "ORD_DVSN": "00",
    "RVSE_CNCL_DVSN_CD": "02",
    "ORD_QTY": "0",
    "ORD_UNPR": "0",
    "QTY_ALL_ORD_YN": "Y",
    "EXCG_ID_DVSN_CD": "KRX",
    "CNDT_PRIC": "",
}


def revise(script: Script, facts: OrderFacts, revision: Revision, *outcomes: Outcome) -> OrderFacts:
    return script.run(revise_flow(script.kis, facts, revision), *outcomes)


def test_an_acknowledged_cancel_returns_its_own_record(script: Script) -> None:
    ack = ok(output={"KRX_FWDG_ORD_ORGNO": "", "ODNO": "0000117070", "ORD_TMD": "100005"})
    cancel = revise(script, PLACED, Revision(cancel=True), ack)
    assert script.sent == [("TTTC0013U", REVISE_FIELDS)]  # a cancel asks no limits
    (entry,) = script.kis.journal.entries()
    assert cancel == replace(
        PLACED,
        number="0000117070",
        branch="06010",  # the acknowledgement names none: the original's
        time=NOW + timedelta(seconds=5),
        original_number="0000117057",
        kind="cancel",
        client_id=entry.client_id,
    )
    assert (entry.kind, entry.original, entry.qty, entry.price, entry.order_type) == (
        "cancel",
        "0000117057",
        3,
        "0",
        "00",
    )
    assert (entry.status, entry.number, entry.side, entry.symbol) == ("confirmed", "0000117070", "buy", "005930")
    assert (entry.account, entry.market) == (ACCOUNT, "KRX")


def test_a_partial_cancel_names_its_quantity(script: Script) -> None:
    ack = ok(output={"KRX_FWDG_ORD_ORGNO": "06011", "ODNO": "71", "ORD_TMD": "100006"})
    cancel = revise(script, PLACED, Revision(cancel=True, qty=2), ack)
    assert script.sent == [("TTTC0013U", {**REVISE_FIELDS, "ORD_QTY": "2", "QTY_ALL_ORD_YN": "N"})]
    assert (cancel.qty, cancel.price, cancel.branch, cancel.number) == (2, Decimal(71000), "06011", "71")
    assert script.kis.journal.entries()[0].qty == 2


def test_a_modify_whose_answer_is_lost_is_found_among_the_days_records(script: Script) -> None:
    first = days_orders(
        row(odno="0000117080", orgn_odno="0000117057", cncl_yn="Y"),  # a cancel of it: not what was sent
        row(odno="0000117081", orgn_odno="0000117056"),  # a modify of another order
        tr_cont="M",
    )
    second = days_orders(
        row(odno="0000117082", orgn_odno="00117057", ord_dt="", ord_tmd="100007", ord_gno_brno="06012")
    )
    modify = revise(script, PLACED, Revision(cancel=False, price=71500), LIMITS, LOST, first, second)
    assert trs(script) == ["FHKST01010100", "TTTC0013U", "TTTC0081R", "TTTC0081R"]
    assert script.sent[0][1] == {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930"}
    sent = script.sent[1][1]
    assert (sent["RVSE_CNCL_DVSN_CD"], sent["ORD_UNPR"], sent["ORD_DVSN"]) == ("01", "71500", "00")
    assert script.sent[2][1]["PDNO"] == "005930" and script.sent[2][1]["SLL_BUY_DVSN_CD"] == "00"
    (entry,) = script.kis.journal.entries()
    assert (entry.status, entry.number, entry.price, entry.kind) == ("confirmed", "0000117082", "71500", "modify")
    assert (modify.kind, modify.price, modify.qty, modify.number, modify.branch, modify.time) == (
        "modify",
        Decimal(71500),
        3,
        "0000117082",
        "06012",
        NOW + timedelta(seconds=7),
    )
    assert (modify.original_number, modify.client_id) == ("0000117057", entry.client_id)


def test_a_modify_to_a_type_without_price_drops_the_price(script: Script) -> None:
    ack = ok(output={"KRX_FWDG_ORD_ORGNO": "06010", "ODNO": "72", "ORD_TMD": "100008"})
    modify = revise(script, PLACED, Revision(cancel=False, condition="best"), ack)
    assert script.sent == [("TTTC0013U", {**REVISE_FIELDS, "ORD_DVSN": "03", "RVSE_CNCL_DVSN_CD": "01"})]
    assert (modify.order_type, modify.price) == ("03", None)


def test_a_cancel_that_is_not_found_is_reported_unknown(script: Script) -> None:
    looks: list[Outcome] = [days_orders()]
    for _ in RESOLVE_DELAYS:
        looks += [SLEPT, days_orders(row(odno="0000117090", orgn_odno="0000117057"))]  # a modify, not a cancel
    with pytest.raises(KisOrderUnknownError) as caught:
        revise(script, PLACED, Revision(cancel=True), LOST, *looks)
    error = caught.value
    (entry,) = script.kis.journal.entries()
    assert (error.kind, error.original_number, error.price, error.qty, error.client_id) == (
        "cancel",
        "0000117057",
        None,
        3,
        entry.client_id,
    )
    assert error.cause is LOST and error.__cause__ is LOST and entry.status == "unknown"
    assert trs(script).count("TTTC0013U") == 1 and script.pauses == list(RESOLVE_DELAYS)


def test_a_refused_revision_is_typed_and_journaled(script: Script) -> None:
    with pytest.raises(KisOrderRejectedError) as caught:
        revise(script, PLACED, Revision(cancel=True), refusal("APBK0917", "정정/취소할 수량이 없습니다"))
    assert (caught.value.msg_cd, caught.value.tr_id) == ("APBK0917", "TTTC0013U")
    assert [(e.status, e.kind) for e in script.kis.journal.entries()] == [("rejected", "cancel")]


def test_an_overseas_modify_is_found_among_the_overseas_records(script: Script) -> None:
    base = {
        "ord_dt": "20261004",
        "ord_gno_brno": "01790",
        "orgn_odno": "0000117057",
        "pdno": "NVDA",
        "ord_tmd": "210009",
        "dmst_ord_dt": "20261005",
        "thco_ord_tmd": "100009",
    }
    rows = [
        {**base, "odno": "1", "rvse_cncl_dvsn_cd": "02"},
        {**base, "odno": "2", "orgn_odno": "0000117000", "rvse_cncl_dvsn_cd": "01"},
        {**base, "odno": "0030000003", "rvse_cncl_dvsn_cd": "", "rvse_cncl_dvsn": "01"},
    ]
    modify = revise(script, NVDA_PLACED, Revision(cancel=False, price="181"), LOST, ok(output=rows))
    assert trs(script) == ["TTTT1004U", "TTTS3035R"]
    sent = script.sent[0][1]
    assert (sent["OVRS_EXCG_CD"], sent["PDNO"], sent["ORD_QTY"], sent["OVRS_ORD_UNPR"]) == ("NASD", "NVDA", "2", "181")
    assert (sent["RVSE_CNCL_DVSN_CD"], sent["ORGN_ODNO"], "CTAC_TLNO" in sent) == ("01", "0000117057", False)
    inquiry = script.sent[1][1]
    assert (inquiry["ORD_STRT_DT"], inquiry["ORD_END_DT"]) == ("20261004", "20261006")
    assert (modify.number, modify.branch, modify.time, modify.price) == (
        "0030000003",
        "01790",
        NOW + timedelta(seconds=9),
        Decimal(181),
    )


def test_a_daytime_cancel_goes_to_the_daytime_tr(script: Script) -> None:
    ack = ok(output={"ODNO": "0030000004", "ORD_TMD": "110000"})
    cancel = revise(script, replace(NVDA_PLACED, daytime=True), Revision(cancel=True, qty=1), ack)
    assert [tr for tr, _ in script.sent] == ["TTTS6038U"]
    sent = script.sent[0][1]
    assert (sent["ORD_QTY"], sent["OVRS_ORD_UNPR"], sent["CTAC_TLNO"], sent["RVSE_CNCL_DVSN_CD"]) == (
        "1",
        "0",
        "",
        "02",
    )
    assert (cancel.kind, cancel.qty, cancel.time) == ("cancel", 1, NOW + timedelta(hours=1))


def test_a_modify_of_the_quantity_keeps_the_price_and_type(script: Script) -> None:
    ack = ok(output={"ODNO": "73", "ORD_TMD": "100011"})
    modify = revise(script, PLACED, Revision(cancel=False, qty=2), LIMITS, ack)
    fields = {**REVISE_FIELDS, "RVSE_CNCL_DVSN_CD": "01", "ORD_QTY": "2", "ORD_UNPR": "71000", "QTY_ALL_ORD_YN": "N"}
    assert script.sent[1] == ("TTTC0013U", fields)
    assert (modify.qty, modify.price, modify.order_type, modify.branch) == (2, Decimal(71000), "00", "06010")


@pytest.mark.parametrize(
    ("placed", "revision", "order_type", "unit_price"),
    [
        (replace(PLACED, order_type="01", price=None), Revision(cancel=False, price=70900), "00", "70900"),
        (replace(PLACED, order_type="03", price=None), Revision(cancel=False, qty=1), "03", "0"),
        (PLACED, Revision(cancel=False, price=71500, execution="IOC"), "11", "71500"),
    ],
    ids=["market to limit", "best keeps its type", "limit to IOC"],
)
def test_a_modify_works_out_the_new_order_type(
    script: Script, placed: OrderFacts, revision: Revision, order_type: str, unit_price: str
) -> None:
    outcomes = (LIMITS,) if unit_price != "0" else ()
    modify = revise(script, placed, revision, *outcomes, ok(output={"ODNO": "74", "ORD_TMD": "100012"}))
    sent = script.sent[-1][1]
    assert (sent["ORD_DVSN"], sent["ORD_UNPR"], modify.order_type) == (order_type, unit_price, order_type)


def test_a_modify_outside_the_daily_limits_is_refused_before_sending(script: Script) -> None:
    with pytest.raises(KisPriceError) as caught:
        revise(script, PLACED, Revision(cancel=False, price=92400), LIMITS)
    assert caught.value.rule == "price_limit" and "005930's daily limits 49700~92300" in str(caught.value)
    assert trs(script) == ["FHKST01010100"] and script.kis.journal.entries() == []


def test_a_modify_not_found_reports_its_new_price(script: Script) -> None:
    looks: list[Outcome] = [days_orders()]
    for _ in RESOLVE_DELAYS:
        looks += [SLEPT, days_orders()]
    with pytest.raises(KisOrderUnknownError) as caught:
        revise(script, PLACED, Revision(cancel=False, price=71500), LIMITS, LOST, *looks)
    assert (caught.value.kind, caught.value.price) == ("modify", Decimal(71500))


def test_the_virtual_service_takes_its_own_revisions_only(virtual: Script) -> None:
    cancel = revise(virtual, PLACED, Revision(cancel=True), ok(output={"ODNO": "75", "ORD_TMD": "100013"}))
    assert (trs(virtual), cancel.number) == (["VTTC0013U"], "75")
    modify = revise(virtual, NVDA_PLACED, Revision(cancel=False, price="181"), ok(output={"ODNO": "76"}))
    assert (trs(virtual)[-1], modify.price) == ("VTTT1004U", Decimal(181))
    refused = [
        (PLACED, Revision(cancel=False, price=71500, execution="IOC"), "does not take ORD_DVSN 11"),
        (replace(PLACED, exchange="NXT"), Revision(cancel=True), "routes to KRX only, not NXT"),
        (replace(NVDA_PLACED, daytime=True), Revision(cancel=True), "overseas limit orders (00) only"),
    ]
    for placed, revision, message in refused:
        with pytest.raises(KisOrderTypeError) as caught:
            revise(virtual, placed, revision)
        assert caught.value.rule == "virtual" and message in str(caught.value)
    assert len(virtual.sent) == 2


def test_an_overseas_cancel_is_found_among_the_overseas_cancels(script: Script) -> None:
    base = {"orgn_odno": "0000117057", "pdno": "NVDA", "ord_tmd": "100014"}  # undated: today's
    rows = [{**base, "odno": "1", "rvse_cncl_dvsn_cd": "01"}, {**base, "odno": "0030000005", "rvse_cncl_dvsn_cd": "02"}]
    cancel = revise(script, NVDA_PLACED, Revision(cancel=True), LOST, ok(output=rows))
    assert (cancel.kind, cancel.number, cancel.time) == ("cancel", "0030000005", NOW + timedelta(seconds=14))
    assert script.sent[0] == (
        "TTTT1004U",
        {
            "CANO": "12345678",
            "ACNT_PRDT_CD": "01",
            "OVRS_EXCG_CD": "NASD",
            "PDNO": "NVDA",
            "ORGN_ODNO": "0000117057",
            "RVSE_CNCL_DVSN_CD": "02",
            "ORD_QTY": "2",
            "OVRS_ORD_UNPR": "0",
            "MGCO_APTM_ODNO": "",
            "ORD_SVR_DVSN_CD": "0",
        },
    )


def test_revision_dates_are_the_services_in_korea_time(dawn: Script) -> None:
    cancel = revise(dawn, PLACED, Revision(cancel=True), ok(output={"ODNO": "77", "ORD_TMD": "084004"}))
    assert cancel.time == DAWN + timedelta(seconds=4)
    records = days_orders(row(odno="78", orgn_odno="0000117057", cncl_yn="Y", ord_dt="", ord_tmd="084005"))
    cancel = revise(dawn, PLACED, Revision(cancel=True), LOST, records)
    lookup = dawn.sent[-1][1]
    assert (lookup["INQR_STRT_DT"], cancel.number, cancel.time) == ("20261005", "78", DAWN + timedelta(seconds=5))
