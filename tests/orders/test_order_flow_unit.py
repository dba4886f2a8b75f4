"""``order_flow`` driven from scripted action results (tests/orders/conftest.py): sent and accepted, refused,
answer lost then found among the day's orders (never sent twice), lost and not found, garbled acknowledgements."""

from __future__ import annotations

from datetime import UTC, timedelta
from decimal import Decimal

import pytest

from pykis.auth import KisAccountNumber
from pykis.errors import (
    KisAPIError,
    KisAuthError,
    KisError,
    KisGatewayTimeoutError,
    KisHTTPError,
    KisOrderRejectedError,
    KisOrderUnknownError,
    KisRateLimitError,
    KisTransportError,
)
from pykis.exchanges.markets import market_info
from pykis.protocol.http import HttpResponse
from pykis.scopes.orders import OrderFacts, OrderRequest
from pykis.scopes.orders.rules import Listing
from pykis.scopes.orders.send import RESOLVE_DELAYS, order_flow
from tests.orders.conftest import ACCOUNT, DAWN, NOW, SLEPT, Outcome, Script, answer, ok, refusal

SAMSUNG = Listing("005930", market_info("KRX"), "삼성전자")
NVDA = Listing("NVDA", market_info("NASDAQ"), "NVIDIA")
BUY = OrderRequest(side="buy", price=71000, qty=3, precheck=False)
LIMITS = ok(output={"stck_llam": "49700", "stck_mxpr": "92300", "stck_prpr": "71000"})
ACK = ok(output={"KRX_FWDG_ORD_ORGNO": "06010", "ODNO": "0000117057", "ORD_TMD": "100001"})
LOST = KisTransportError("connection reset by peer")
ORDER_FIELDS = {
    "CANO": "12345678",
    "ACNT_PRDT_CD": "01",
    "PDNO": "005930",
    "ORD_DVSN": "00",
    "ORD_QTY": "3",
    "ORD_UNPR": "71000",
    "EXCG_ID_DVSN_CD": "KRX",
    "SLL_TYPE": "",
    "CNDT_PRIC": "",
}


def row(**fields: str) -> dict[str, str]:
    """A row of today's domestic orders (TTTC0081R) that asks exactly what :data:`BUY` asked, but ``fields``."""
    base = {
        "ord_dt": "20261005",
        "ord_gno_brno": "06010",
        "odno": "0000117060",
        "orgn_odno": "",
        "sll_buy_dvsn_cd": "02",
        "pdno": "005930",
        "ord_qty": "3",
        "ord_unpr": "71000",
        "ord_tmd": "100002",
        "cncl_yn": "N",
        "ord_dvsn_cd": "00",
    }
    return {**base, **fields}


def days_orders(*rows: dict[str, str], tr_cont: str = "") -> HttpResponse:
    return ok(output1=list(rows), output2={}, tr_cont=tr_cont, ctx_area_fk100="F1", ctx_area_nk100="N1")


def place(script: Script, request: OrderRequest = BUY, *outcomes: Outcome, listing: Listing = SAMSUNG) -> OrderFacts:
    kis = script.kis
    return script.run(order_flow(kis, kis.primary_account, listing, request), *outcomes)


def trs(script: Script) -> list[str]:
    return [tr for tr, _ in script.sent]


# ------------------------------------------------------------------------------------------------ accepted


def test_an_accepted_order_is_sent_once_and_confirmed_in_the_journal(script: Script) -> None:
    facts = place(script, BUY, LIMITS, ACK)
    assert script.sent == [
        ("FHKST01010100", {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930"}),
        ("TTTC0012U", ORDER_FIELDS),
    ]
    (entry,) = script.kis.journal.entries()
    assert facts == OrderFacts(
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
        time=NOW + timedelta(seconds=1),
        exchange="KRX",
        name="삼성전자",
        client_id=entry.client_id,
    )
    assert (entry.status, entry.number, entry.account, entry.symbol, entry.market, entry.side) == (
        "confirmed",
        "0000117057",
        ACCOUNT,
        "005930",
        "KRX",
        "buy",
    )
    assert (entry.qty, entry.price, entry.order_type, entry.kind, entry.original) == (3, "71000", "00", "new", None)
    assert entry.sent_at == NOW.astimezone(UTC)
    assert script.pauses == []


def test_an_accepted_order_carries_its_request_to_the_facts(script: Script) -> None:
    request = OrderRequest(side="sell", qty=2, condition="best", execution="IOC", exchange="krx", precheck=False)
    facts = place(script, request, ACK)
    fields = {**ORDER_FIELDS, "ORD_DVSN": "15", "ORD_QTY": "2", "ORD_UNPR": "0", "SLL_TYPE": "01"}
    assert script.sent == [("TTTC0011U", fields)]  # no price: no daily-limit inquiry
    assert (facts.side, facts.order_type, facts.price, facts.qty) == ("sell", "15", None, 2)
    assert (facts.condition, facts.execution, facts.exchange, facts.daytime) == ("best", "IOC", "KRX", False)
    (entry,) = script.kis.journal.entries()
    assert (entry.side, entry.price, entry.order_type, entry.number) == ("sell", "0", "15", "0000117057")


def test_an_acknowledgement_without_a_branch_or_time_still_confirms(script: Script) -> None:
    facts = place(script, BUY, LIMITS, ok(output={"ODNO": "42"}))
    assert (facts.number, facts.branch, facts.time) == ("42", "", NOW.replace(hour=0))
    assert script.kis.journal.entries()[0].number == "42"
    script.kis.journal = type(script.kis.journal)(None, script.kis.clock.now)
    facts = place(script, BUY, ok())  # the limits are the client's for the day: asked once
    assert (facts.number, trs(script)) == ("", ["FHKST01010100", "TTTC0012U", "TTTC0012U"])


# ------------------------------------------------------------------------------------------------ refused


def test_a_refused_order_raises_a_typed_error_and_is_journaled_rejected(script: Script) -> None:
    with pytest.raises(KisOrderRejectedError) as caught:
        place(script, BUY, LIMITS, refusal("APBK0919", "주문가능금액을 초과 했습니다"))
    error = caught.value
    assert (error.rt_cd, error.msg_cd, error.msg1, error.tr_id, error.status) == (
        "1",
        "APBK0919",
        "주문가능금액을 초과 했습니다",
        "TTTC0012U",
        200,
    )
    assert error.__cause__ is None and error.__suppress_context__
    (entry,) = script.kis.journal.entries()
    assert (entry.status, entry.number) == ("rejected", None)
    assert trs(script) == ["FHKST01010100", "TTTC0012U"]


def test_a_refusal_keeps_the_status_it_came_with(script: Script) -> None:
    with pytest.raises(KisOrderRejectedError) as caught:
        place(script, BUY, LIMITS, refusal("EGW00206", "API 사용 권한이 없습니다.", status=403))
    assert (caught.value.msg_cd, caught.value.status) == ("EGW00206", 403)


@pytest.mark.parametrize(
    ("refused", "kind"),
    [
        (refusal("EGW00201", "초당 거래건수를 초과하였습니다.", status=500), KisRateLimitError),
        (refusal("EGW00102", "AppKey는 필수입니다.", status=500), KisAuthError),
        (answer({"error": "bad request"}, status=400), KisHTTPError),
        (answer({"error": "not found"}, status=404), KisHTTPError),
        (answer({"error": "gone"}, status=499), KisHTTPError),
        (answer({"error": "too many"}, status=429), KisHTTPError),
    ],
)
def test_a_gateway_refusal_is_raised_as_it_is_and_journaled_rejected(
    script: Script, refused: HttpResponse, kind: type[KisError]
) -> None:
    with pytest.raises(kind) as caught:
        place(script, BUY, LIMITS, refused)
    assert type(caught.value) is kind
    assert [(e.status, e.number) for e in script.kis.journal.entries()] == [("rejected", None)]
    assert trs(script) == ["FHKST01010100", "TTTC0012U"]  # never resent


# ------------------------------------------------------------------------------------------------ lost, then found


LOST_FORMS: dict[str, Outcome] = {
    "transport": LOST,
    "gateway timeout": refusal("EGW00301", "요청 처리 시간이 초과되었습니다.", status=500),
    "server error": answer({"error": "internal"}, status=500),
    "gateway server error": refusal("EGW00002", "서버 에러가 발생했습니다.", status=500),
    "bad gateway": answer({"error": "bad gateway"}, status=502),
    "garbled": HttpResponse(200, {"content-type": "application/json"}, b'{"rt_cd": "0", "output": {"OD'),
    "undecodable acknowledgement": ok(output={"ODNO": ["0000117057"]}),
}


@pytest.mark.parametrize("lost", LOST_FORMS.values(), ids=LOST_FORMS.keys())
def test_a_lost_answer_is_settled_from_the_days_orders_and_never_resent(script: Script, lost: Outcome) -> None:
    facts = place(script, BUY, LIMITS, lost, days_orders(row()))
    assert trs(script) == ["FHKST01010100", "TTTC0012U", "TTTC0081R"]
    lookup = script.sent[2][1]
    assert (lookup["INQR_STRT_DT"], lookup["INQR_END_DT"], lookup["SLL_BUY_DVSN_CD"], lookup["PDNO"]) == (
        "20261005",
        "20261005",
        "02",
        "005930",
    )
    (entry,) = script.kis.journal.entries()
    assert (entry.status, entry.number) == ("confirmed", "0000117060")
    assert (facts.number, facts.branch, facts.time, facts.client_id) == (
        "0000117060",
        "06010",
        NOW + timedelta(seconds=2),
        entry.client_id,
    )
    assert (facts.price, facts.qty, facts.order_type, facts.exchange, facts.name) == (
        Decimal(71000),
        3,
        "00",
        "KRX",
        "삼성전자",
    )
    assert script.pauses == []


def _near_misses() -> list[dict[str, str]]:
    """Rows that differ from the lost order in one respect each."""
    return [
        row(odno="1", pdno="000660"),
        row(odno="2", sll_buy_dvsn_cd="01"),
        row(odno="3", cncl_yn="Y"),
        row(odno="4", orgn_odno="0000117001"),
        row(odno="5", ord_qty="4"),
        row(odno="6", ord_unpr="71100"),
        row(odno="7", ord_dvsn_cd="01"),
        row(odno="0000117058"),  # claimed by a confirmed journal entry
        row(odno="9", ord_tmd="095759"),  # stamped 121 s before the send: past the clock skew
        row(odno="10", ord_dt="20261004"),  # yesterday's
    ]


def test_only_the_order_that_asked_the_same_is_taken(script: Script) -> None:
    kis = script.kis
    earlier = kis.journal.begin(
        account=ACCOUNT, symbol="005930", market="KRX", side="buy", qty=3, price="71000", order_type="00"
    )
    kis.journal.settle(earlier, "confirmed", "117058")
    pages = (days_orders(*_near_misses(), tr_cont="M"), days_orders(row(odno="0000117061", ord_tmd="095800")))
    facts = place(script, BUY, LIMITS, LOST, *pages)
    assert (facts.number, facts.time) == ("0000117061", NOW - timedelta(seconds=120))  # exactly at the skew
    assert trs(script) == ["FHKST01010100", "TTTC0012U", "TTTC0081R", "TTTC0081R"]
    assert script.sent[3][1]["CTX_AREA_FK100"] == "F1"


def test_an_order_that_lands_late_is_found_after_growing_pauses(script: Script) -> None:
    refused_inquiry = refusal("OPSQ0002", "없는 서비스 코드 입니다")
    facts = place(script, BUY, LIMITS, LOST, days_orders(), SLEPT, refused_inquiry, SLEPT, days_orders(row()))
    assert facts.number == "0000117060"
    assert script.pauses == [0.2, 0.4]
    assert trs(script) == ["FHKST01010100", "TTTC0012U", "TTTC0081R", "TTTC0081R", "TTTC0081R"]


def test_an_overseas_order_is_found_among_the_overseas_orders(script: Script) -> None:
    request = OrderRequest(side="buy", price="180.50", qty=2, precheck=False)
    base = {
        "ord_dt": "20261004",
        "ord_gno_brno": "01790",
        "odno": "0030000001",
        "orgn_odno": "",
        "sll_buy_dvsn_cd": "02",
        "rvse_cncl_dvsn": "",
        "rvse_cncl_dvsn_cd": "00",
        "pdno": "NVDA",
        "ft_ord_qty": "2",
        "ft_ord_unpr3": "180.50000000",
        "ord_tmd": "210003",
        "ovrs_excg_cd": "NASD",
        "dmst_ord_dt": "20261005",
        "thco_ord_tmd": "100003",
    }
    misses = [
        {**base, "odno": "1", "pdno": "AAPL"},
        {**base, "odno": "2", "sll_buy_dvsn_cd": "01"},
        {**base, "odno": "3", "rvse_cncl_dvsn": "01"},
        {**base, "odno": "4", "rvse_cncl_dvsn": "", "rvse_cncl_dvsn_cd": "02"},
        {**base, "odno": "5", "orgn_odno": "0030000000"},
        {**base, "odno": "6", "ft_ord_qty": "3"},
        {**base, "odno": "7", "ft_ord_unpr3": "180.51"},
    ]
    found = {**base, "rvse_cncl_dvsn_cd": ""}
    facts = place(script, request, LOST, ok(output=[*misses, found]), listing=NVDA)
    assert trs(script) == ["TTTT1002U", "TTTS3035R"]
    inquiry = script.sent[1][1]
    assert (inquiry["ORD_STRT_DT"], inquiry["ORD_END_DT"]) == ("20261004", "20261006")
    assert (facts.number, facts.branch, facts.time) == ("0030000001", "01790", NOW + timedelta(seconds=3))
    assert (facts.market, facts.currency, facts.exchange, facts.price) == ("NASDAQ", "USD", "NASD", Decimal("180.50"))


# ------------------------------------------------------------------------------------------------ lost, not found


def test_a_lost_order_not_found_is_reported_unknown_after_every_pause(script: Script) -> None:
    looks: list[Outcome] = [days_orders()]
    for _ in RESOLVE_DELAYS:
        looks += [SLEPT, days_orders(row(ord_qty="30"))]
    with pytest.raises(KisOrderUnknownError) as caught:
        place(script, BUY, LIMITS, LOST, *looks)
    error = caught.value
    (entry,) = script.kis.journal.entries()
    assert (entry.status, entry.number) == ("unknown", None)
    assert (error.account, error.symbol, error.market, error.side, error.qty, error.price) == (
        ACCOUNT,
        "005930",
        "KRX",
        "buy",
        3,
        Decimal(71000),
    )
    assert (error.sent_at, error.client_id, error.candidates) == (NOW.astimezone(UTC), entry.client_id, ())
    assert (error.kind, error.original_number, error.cause) == ("new", None, LOST)
    assert error.__cause__ is LOST
    assert script.pauses == list(RESOLVE_DELAYS)
    assert trs(script).count("TTTC0012U") == 1


def test_two_orders_that_could_be_it_are_never_guessed_between(script: Script) -> None:
    with pytest.raises(KisOrderUnknownError) as caught:
        place(script, BUY, LIMITS, LOST, days_orders(row(odno="0000117060"), row(odno="0000117062")))
    assert caught.value.candidates == ("0000117060", "0000117062")
    assert script.pauses == []  # ambiguous at once: asking again cannot make it less so
    assert script.kis.journal.entries()[0].status == "unknown"


def test_inquiries_that_keep_failing_end_in_unknown(script: Script) -> None:
    failing = refusal("OPSQ0002", "없는 서비스 코드 입니다")
    looks: list[Outcome] = [failing]
    for _ in RESOLVE_DELAYS:
        looks += [SLEPT, failing]
    with pytest.raises(KisOrderUnknownError) as caught:
        place(script, BUY, LIMITS, LOST, *looks)
    assert caught.value.candidates == () and isinstance(caught.value.cause, KisTransportError)
    assert not isinstance(caught.value.cause, KisAPIError)


def test_a_gateway_timeout_is_not_taken_for_a_refusal(script: Script) -> None:
    timeout = refusal("EGW00302", "요청 처리 시간이 초과되었습니다.", status=500)
    with pytest.raises(KisOrderUnknownError) as caught:
        place(script, BUY, LIMITS, timeout, days_orders(), *[SLEPT, days_orders()] * len(RESOLVE_DELAYS))
    assert isinstance(caught.value.cause, KisGatewayTimeoutError)
    assert script.kis.journal.entries()[0].status == "unknown"


# ------------------------------------------------------------------------------------------------ each kind of order


def test_a_daytime_order_says_so(script: Script) -> None:
    request = OrderRequest(side="buy", price="180.5", qty=1, daytime=True, precheck=False)
    facts = place(script, request, ok(output={"ODNO": "0030000009", "ORD_TMD": "100010"}), listing=NVDA)
    assert trs(script) == ["TTTS6036U"]
    assert (facts.daytime, facts.exchange, facts.time) == (True, "NASD", NOW + timedelta(seconds=10))


def test_a_lost_sell_is_looked_for_among_the_sells(script: Script) -> None:
    sell = OrderRequest(side="sell", price=71000, qty=3, precheck=False)
    rows = days_orders(row(odno="1"), row(odno="0000117063", sll_buy_dvsn_cd="01"))
    facts = place(script, sell, LIMITS, LOST, rows)
    assert script.sent[2][1]["SLL_BUY_DVSN_CD"] == "01"
    assert (facts.side, facts.number) == ("sell", "0000117063")


def test_a_lost_market_order_is_matched_at_price_zero(script: Script) -> None:
    market = OrderRequest(side="buy", qty=3, precheck=False)
    rows = days_orders(row(odno="1", ord_dvsn_cd="01"), row(odno="0000117064", ord_unpr="0", ord_dvsn_cd="01"))
    facts = place(script, market, LOST, rows)
    assert trs(script) == ["TTTC0012U", "TTTC0081R"]  # no price: no limits
    assert (facts.number, facts.price, facts.order_type) == ("0000117064", None, "01")


def test_dates_are_the_services_in_korea_time(dawn: Script) -> None:
    facts = place(dawn, BUY, LIMITS, ok(output={"ODNO": "1", "ORD_TMD": "084001"}))
    assert facts.time == DAWN + timedelta(seconds=1)  # 2026-10-04 in UTC, the 5th in Korea
    facts = place(dawn, BUY, LOST, days_orders(row(odno="0000117065", ord_dt="", ord_tmd="084002")))
    lookup = dawn.sent[-1][1]
    assert (lookup["INQR_STRT_DT"], lookup["INQR_END_DT"]) == ("20261005", "20261005")
    assert (facts.number, facts.time) == ("0000117065", DAWN + timedelta(seconds=2))


def test_an_overseas_row_without_dates_is_dated_today(dawn: Script) -> None:
    request = OrderRequest(side="buy", price="180.50", qty=2, precheck=False)
    undated = {
        "odno": "0030000002",
        "ord_gno_brno": "01790",
        "sll_buy_dvsn_cd": "02",
        "pdno": "NVDA",
        "ft_ord_qty": "2",
        "ft_ord_unpr3": "180.5",
        "ord_tmd": "084003",
    }
    facts = place(dawn, request, LOST, ok(output=[undated]), listing=NVDA)
    inquiry = dawn.sent[-1][1]
    assert (inquiry["ORD_STRT_DT"], inquiry["ORD_END_DT"]) == ("20261004", "20261006")
    assert (facts.number, facts.time) == ("0030000002", DAWN + timedelta(seconds=3))


def test_an_unknown_outcome_says_in_words_what_became_of_the_answer(script: Script) -> None:
    failing = refusal("EGW00002", "서버 에러가 발생했습니다.", status=500)
    with pytest.raises(KisOrderUnknownError) as caught:
        place(script, BUY, LIMITS, failing, days_orders(), *[SLEPT, days_orders()] * len(RESOLVE_DELAYS))
    text = str(caught.value)
    assert "is unknown: the server failed on it (서버 에러가 발생했습니다.)" in text
    assert "KisAPIError" not in text
