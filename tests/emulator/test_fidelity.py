"""Protocol details found by clients written against the real service (issue 13 §2), over raw HTTP.

Each test is written from the source it names: the broker's own code (koreainvestment/open-trading-api), its
API documentation, or PROTOCOL.md. The ledger of these rules is docs/emulator.md.
"""

from __future__ import annotations

import io
import zipfile
from collections import namedtuple
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import httpx

from pykis.emulator import Emulator
from tests.emulator.conftest import PRICE_PATH, PRICE_QUERY, Wire, envelope
from tests.emulator.test_trading import DOM, KST, OVS, account_wire, cano, far_below, get, overseas_body, post

KIS_HEADERS = {"tr_id", "tr_cont", "gt_uid"}


def kis_auth_header(response: httpx.Response) -> Any:  # a namedtuple of names known only at run time
    """``examples_user/kis_auth.py`` ``APIResp._setHeader``: a namedtuple of every all-lowercase header name,
    as the names arrive on the wire (``requests`` keeps their case)."""
    names = [name.decode("latin-1") for name, _ in response.headers.raw]
    fields = {name: response.headers[name] for name in names if name.islower()}
    header = namedtuple("header", fields.keys())  # type: ignore[misc]  # the sample's own dynamic namedtuple
    return header(**fields)


# ------------------------------------------------------------------------------------------------ headers


def test_every_rest_answer_names_its_headers_as_the_gateway_does(real: Wire, emulator: Emulator) -> None:
    url = real.info.rest_url
    bad_key = {"grant_type": "client_credentials", "appkey": "PS" + "x" * 34, "appsecret": "y" * 180}
    answers = {
        "token": real.http.post(f"{url}/oauth2/tokenP", json=bad_key),
        "quote": real.get(PRICE_PATH, "FHKST01010100", PRICE_QUERY),
        "gateway refusal": real.get(PRICE_PATH, "FHKST01010100", PRICE_QUERY, authorization="Bearer nope"),
        "business refusal": real.get(PRICE_PATH, "FHKST01010100", {"FID_COND_MRKT_DIV_CODE": "J"}),
        "hashkey": real.http.post(f"{url}/uapi/hashkey", json={"CANO": "1"}, headers=real.headers("")),
        "unknown path": real.http.get(f"{url}/uapi/nowhere"),
        "master file": real.http.get(f"{url}/common/master/idxcode.mst.zip"),
    }
    for what, response in answers.items():
        names = {name.decode("latin-1") for name, _ in response.headers.raw}
        assert "Content-Type" in names and "content-type" not in names, (what, names)
        kis_auth_header(response)  # raises ValueError on a name that is not an identifier
    for what in ("quote", "gateway refusal", "business refusal"):
        header = kis_auth_header(answers[what])
        assert set(header._fields) >= KIS_HEADERS, what
    assert kis_auth_header(answers["quote"]).tr_cont == "D"


# ------------------------------------------------------------------------------------------------ orders


def test_order_revision_acknowledges_in_upper_case_as_order_cash(emulator: Emulator, http: httpx.Client) -> None:
    # legacy/Sample01/kis_api01.py prints rt_data.KRX_FWDG_ORD_ORGNO + ODNO + ORD_TMD after get_order_rvsecncl;
    # strategy_builder/core/data_fetcher.py cancel_order reads output.get("ODNO").
    for env, cash_tr, revise_trs in (
        ("real", "TTTC0012U", ("TTTC0013U", "TTTC0803U")),
        ("virtual", "VTTC0012U", ("VTTC0013U", "VTTC0803U")),
    ):
        wire = account_wire(emulator, http, env)
        for revise_tr in revise_trs:
            price = far_below(emulator, "005930")
            placed = post(wire, DOM + "order-cash", cash_tr, order(wire, "005930", 2, str(price)))
            assert placed["rt_cd"] == "0", placed
            cancel = {
                **cano(wire), "KRX_FWDG_ORD_ORGNO": "", "ORGN_ODNO": placed["output"]["ODNO"], "ORD_DVSN": "00",
                "RVSE_CNCL_DVSN_CD": "02", "ORD_QTY": "0", "ORD_UNPR": "0", "QTY_ALL_ORD_YN": "Y",
            }  # fmt: skip
            answer = post(wire, DOM + "order-rvsecncl", revise_tr, cancel)
            assert answer["rt_cd"] == "0", (revise_tr, answer)
            assert set(answer["output"]) == {"KRX_FWDG_ORD_ORGNO", "ODNO", "ORD_TMD"}, revise_tr


def test_overseas_revision_acknowledges_in_upper_case(emulator: Emulator, http: httpx.Client) -> None:
    wire = account_wire(emulator, http)
    low = far_below(emulator, "NVDA", "NASDAQ")
    placed = post(wire, OVS + "order", "TTTT1002U", overseas_body(wire, "NASD", "NVDA", 1, str(low)))
    cancel = {
        **cano(wire), "OVRS_EXCG_CD": "NASD", "PDNO": "NVDA", "ORGN_ODNO": placed["output"]["ODNO"],
        "RVSE_CNCL_DVSN_CD": "02", "ORD_QTY": "1", "OVRS_ORD_UNPR": "0", "ORD_SVR_DVSN_CD": "0",
    }  # fmt: skip
    for tr_id in ("TTTT1004U",):
        answer = post(wire, OVS + "order-rvsecncl", tr_id, cancel)
        assert set(answer["output"]) == {"KRX_FWDG_ORD_ORGNO", "ODNO", "ORD_TMD"}, answer


def test_generic_order_answers_use_upper_case_keys(real: Wire) -> None:
    # order-credit's chk map is lower case like order-rvsecncl's; the readers of every order ack read upper case.
    number, product = real.info.app.account.split("-")
    body = {
        "CANO": number, "ACNT_PRDT_CD": product, "PDNO": "005930", "CRDT_TYPE": "21", "LOAN_DT": "",
        "ORD_DVSN": "00", "ORD_QTY": "1", "ORD_UNPR": "1000", "EXCG_ID_DVSN_CD": "KRX",
    }  # fmt: skip
    response = real.http.post(f"{real.info.rest_url}{DOM}order-credit", json=body, headers=real.headers("TTTC0052U"))
    output = envelope(response)["output"]
    assert set(output) == {"KRX_FWDG_ORD_ORGNO", "ODNO", "ORD_TMD"}


def order(wire: Wire, symbol: str, qty: int, price: str) -> dict[str, str]:
    """The body of the broker's backtester (providers/kis/brokerage.py submit_order): no EXCG_ID_DVSN_CD."""
    return {**cano(wire), "PDNO": symbol, "ORD_DVSN": "00", "ORD_QTY": str(qty), "ORD_UNPR": price}


def test_fields_the_brokers_code_omits_are_optional(emulator: Emulator, http: httpx.Client) -> None:
    wire = account_wire(emulator, http)
    price = str(far_below(emulator, "005930"))
    # strategy_builder/core/order_executor.py sends the legacy buy TR with this body.
    placed = post(wire, DOM + "order-cash", "TTTC0802U", order(wire, "005930", 1, price))
    assert placed["rt_cd"] == "0", placed
    # The postman collections' Shanghai order omits ORD_DVSN (00 limit): the same path for every exchange.
    body = overseas_body(wire, "NASD", "NVDA", 1, str(far_below(emulator, "NVDA", "NASDAQ")))
    del body["ORD_DVSN"]
    assert post(wire, OVS + "order", "TTTT1002U", body)["rt_cd"] == "0"
    # A field every caller sends is still required.
    refused = post(
        wire, DOM + "order-cash", "TTTC0012U", {k: v for k, v in order(wire, "005930", 1, price).items() if k != "PDNO"}
    )
    assert (refused["rt_cd"], refused["msg_cd"], refused["msg1"]) == (
        "2",
        "OPSQ2001",
        "ERROR INPUT FIELD NOT FOUND [PDNO]",
    )


# ------------------------------------------------------------------------------------------------ TR IDs


def test_older_inquiry_tr_ids_reach_the_current_inquiries(emulator: Emulator, http: httpx.Client) -> None:
    wire = account_wire(emulator, http)
    placed = post(wire, DOM + "order-cash", "TTTC0012U", order(wire, "005930", 3, str(far_below(emulator, "005930"))))
    assert placed["rt_cd"] == "0"
    today = emulator.clock.now().astimezone(KST).strftime("%Y%m%d")
    # strategy_builder/core/data_fetcher.py get_pending_orders: TTTC8001R / VTTC8001R with these fields.
    daily = {
        **cano(wire), "INQR_STRT_DT": today, "INQR_END_DT": today, "SLL_BUY_DVSN_CD": "00", "INQR_DVSN": "00",
        "PDNO": "", "CCLD_DVSN": "00", "ORD_GNO_BRNO": "", "ODNO": "", "INQR_DVSN_3": "00", "INQR_DVSN_1": "",
        "CTX_AREA_FK100": "", "CTX_AREA_NK100": "",
    }  # fmt: skip
    old, _ = get(wire, DOM + "inquire-daily-ccld", "TTTC8001R", daily)
    new, _ = get(wire, DOM + "inquire-daily-ccld", "TTTC0081R", daily)
    assert (
        old["rt_cd"] == "0"
        and old["output1"] == new["output1"]
        and old["output1"][0]["odno"] == placed["output"]["ODNO"]
    )
    # legacy/Sample01/kis_domstk.py get_inquire_psbl_rvsecncl_lst: TTTC8036R.
    pending = {**cano(wire), "INQR_DVSN_1": "1", "INQR_DVSN_2": "0", "CTX_AREA_FK100": "", "CTX_AREA_NK100": ""}
    old, _ = get(wire, DOM + "inquire-psbl-rvsecncl", "TTTC8036R", pending)
    new, _ = get(wire, DOM + "inquire-psbl-rvsecncl", "TTTC0084R", pending)
    assert old["rt_cd"] == "0" and old["output"] == new["output"] and len(old["output"]) == 1
    # The postman collections' 3-months-before daily orders: CTSC9115R.
    before = dict(daily, INQR_STRT_DT=_ymd(emulator, -200), INQR_END_DT=_ymd(emulator, -120))
    assert get(wire, DOM + "inquire-daily-ccld", "CTSC9115R", before)[0]["rt_cd"] == "0"

    virtual = account_wire(emulator, http, "virtual")
    assert get(virtual, DOM + "inquire-daily-ccld", "VTTC8001R", {**daily, **cano(virtual)})[0]["rt_cd"] == "0"
    # "TTTC8036R : 주식 정정 취소 가능 주문 조회 * 모의투자 사용 불가" (postman v2.6).
    refused = virtual.get(DOM + "inquire-psbl-rvsecncl", "TTTC8036R", {**pending, **cano(virtual)})
    assert refused.status_code == 500 and envelope(refused)["msg_cd"] == "EGW02006"


def test_daily_orders_split_three_months_back_by_calendar_month(emulator: Emulator, http: httpx.Client) -> None:
    # legacy/Sample01/kis_domstk.py: "01:3개월 이내 국내주식체결내역 (월단위 ex: 2024.04.25 이면 2024.01월~04월조회)",
    # "02:3개월 이전 국내주식체결내역 (월단위 ex: 2024.04.25 이면 2024.01월이전)": both serve the boundary month.
    wire = account_wire(emulator, http)
    today = emulator.clock.now().astimezone(KST).date()
    months = today.year * 12 + today.month - 1 - 3  # the boundary month, counted from year 0
    boundary = date(months // 12, months % 12 + 1, 1)
    after = date((months + 1) // 12, (months + 1) % 12 + 1, 1)  # the first of the month after it
    daily = {
        **cano(wire), "SLL_BUY_DVSN_CD": "00", "INQR_DVSN": "00", "PDNO": "", "CCLD_DVSN": "00", "ORD_GNO_BRNO": "",
        "ODNO": "", "INQR_DVSN_3": "00", "INQR_DVSN_1": "", "CTX_AREA_FK100": "", "CTX_AREA_NK100": "",
    }  # fmt: skip

    def answer(tr_id: str, start: date, end: date) -> str:
        params = dict(daily, INQR_STRT_DT=f"{start:%Y%m%d}", INQR_END_DT=f"{end:%Y%m%d}")
        found, _ = get(wire, DOM + "inquire-daily-ccld", tr_id, params)
        return f"{found['rt_cd']} {found['msg1']}"

    assert answer("TTTC0081R", boundary, today).startswith("0 ")
    assert answer("TTTC0081R", boundary - timedelta(days=1), today) == "2 ERROR INVALID INQR_STRT_DT"
    assert answer("CTSC9215R", boundary - timedelta(days=60), after - timedelta(days=1)).startswith("0 ")
    assert answer("CTSC9215R", boundary - timedelta(days=60), after) == "2 ERROR INVALID INQR_END_DT"


def test_a_page_carries_the_continuation_key_its_answer_documents(emulator: Emulator, http: httpx.Client) -> None:
    # OTFM3122R's answer documents ctx_area_fk200 alone; the broker's reader takes it from the body
    # (examples_user/overseas_futureoption inquire_daily_ccld: res.getBody().ctx_area_fk200).
    wire = account_wire(emulator, http)
    day = _ymd(emulator, 0)
    query = {
        **cano(wire), "STRT_DT": day, "END_DT": day, "FUOP_DVSN_CD": "00", "FM_PDGR_CD": "", "CRCY_CD": "%%%",
        "FM_ITEM_FTNG_YN": "N", "SLL_BUY_DVSN_CD": "%%", "CTX_AREA_FK200": "", "CTX_AREA_NK200": "",
    }  # fmt: skip
    first, more = get(wire, "/uapi/overseas-futureoption/v1/trading/inquire-daily-ccld", "OTFM3122R", query)
    assert first["rt_cd"] == "0" and more == "F" and first["ctx_area_fk200"].strip() == "OTFM3122R"


def _ymd(emulator: Emulator, days: int) -> str:
    return str((emulator.clock.now().astimezone(KST) + timedelta(days=days)).strftime("%Y%m%d"))


# ------------------------------------------------------------------------------------------------ shapes


def test_product_information_is_one_record_of_the_product(real: Wire, virtual: Wire, emulator: Emulator) -> None:
    path = "/uapi/domestic-stock/v1/quotations/search-info"
    samsung = emulator.market.instrument("005930")
    assert samsung is not None
    response = real.get(path, "CTPF1604R", {"PDNO": "005930", "PRDT_TYPE_CD": "300"})
    body = envelope(response)
    assert response.headers["tr_cont"] == "D" and isinstance(body["output"], dict)
    output = body["output"]
    # What python-kis (pykis/api/stock/info.py) reads, from the emulator's instrument.
    assert (output["shtn_pdno"], output["std_pdno"], output["prdt_type_cd"]) == ("005930", samsung.isin, "300")
    assert output["prdt_abrv_name"] == output["prdt_name120"] == samsung.name
    assert output["prdt_eng_abrv_name"] == output["prdt_eng_name120"] == samsung.english_name
    # The documentation's example: AAPL/512 → 해외주식 (101210 / 1012), msg KIOK0530.
    nvda = envelope(real.get(path, "CTPF1604R", {"PDNO": "NVDA", "PRDT_TYPE_CD": "512"}))
    assert (nvda["msg_cd"], nvda["output"]["pdno"], nvda["output"]["prdt_clsf_cd"]) == ("KIOK0530", "NVDA", "101210")
    assert nvda["output"]["ivst_prdt_type_cd_name"] == "해외주식"
    # Nothing found: rt_cd 7, which python-kis's info() takes as "try the next product type".
    for pdno, kind in (("NVDA", "513"), ("005930", "512"), ("999999", "300")):
        missing = envelope(real.get(path, "CTPF1604R", {"PDNO": pdno, "PRDT_TYPE_CD": kind}))
        assert (missing["rt_cd"], missing["msg_cd"]) == ("7", "KIOK0560"), (pdno, kind)
    refused = virtual.get(path, "CTPF1604R", {"PDNO": "005930", "PRDT_TYPE_CD": "300"})
    assert envelope(refused)["msg_cd"] == "EGW02006"


def test_block_shapes_follow_the_brokers_readers(real: Wire) -> None:
    def first(path: str, tr_id: str, **params: str) -> tuple[dict[str, Any], str]:
        response = real.get(path, tr_id, params)
        return envelope(response), response.headers["tr_cont"]

    # examples_llm/domestic_stock/market_time: pd.DataFrame([output1]) — one object.
    body, _ = first("/uapi/domestic-stock/v1/quotations/market-time", "HHMCM000002C0")
    assert isinstance(body["output1"], dict)
    # examples_llm/domestic_stock/program_trade_by_stock: pd.DataFrame(output) — rows.
    body, _ = first(
        "/uapi/domestic-stock/v1/quotations/program-trade-by-stock", "FHPPG04650101",
        FID_COND_MRKT_DIV_CODE="J", FID_INPUT_ISCD="005930",
    )  # fmt: skip
    assert isinstance(body["output"], list)
    # A sample that follows tr_cont by template but names no continuation field: one page.
    body, tr_cont = first(
        "/uapi/domestic-stock/v1/quotations/inquire-elw-price", "FHKEW15010000",
        FID_COND_MRKT_DIV_CODE="W", FID_INPUT_ISCD="57J001",
    )  # fmt: skip
    assert tr_cont == "D" and isinstance(body["output"], dict)
    # chk maps that list a block's own name among its columns ("Output1") do not make it a field.
    body, _ = first(
        "/uapi/domestic-stock/v1/quotations/inquire-vi-status", "FHPST01390000",
        FID_DIV_CLS_CODE="0", FID_COND_SCR_DIV_CODE="20139", FID_MRKT_CLS_CODE="0", FID_INPUT_ISCD="",
        FID_RANK_SORT_CLS_CODE="0", FID_INPUT_DATE_1="", FID_TRGT_CLS_CODE="", FID_TRGT_EXLS_CLS_CODE="",
    )  # fmt: skip
    assert all("Output1" not in row for row in body["output"])


# ------------------------------------------------------------------------------------------------ masters

# Member name (inside the zip when zipped) → (how the broker's reader cuts a record, what it must find).
MASTERS: dict[str, Callable[[str], tuple[str, str]]] = {
    "konex_code.mst": lambda row: (row.strip()[0:9].strip(), row.strip()[-184:-182]),
    "elw_code.mst": lambda row: (row[0:9].strip(), row[50:].strip()[15:24].strip()),
    "idxcode.mst": lambda row: (row[1:5], row[5:45].strip()),
    "fo_idx_code_mts.mst": lambda row: (row.split("|")[1], str(len(row.split("|")))),
    "fo_com_code.mst": lambda row: (row[2:11].strip(), row[55:].lstrip()[9:12]),
    "ffcode.mst": lambda row: (row[:32].strip(), row[-92:-82].strip()),
    "frgn_code.mst": lambda row: (row[1:11].strip(), row[-15:].strip()[-3:]),
    "bond_code.mst": lambda row: (row.strip()[4:16], row.strip()[-8:]),
    "memcode.mst": lambda row: (row[:5], row[-2:].strip()),
}
FIRST_RECORDS = {
    "konex_code.mst": ("278990", "ST"),
    "elw_code.mst": ("57J001", "005930"),
    "idxcode.mst": ("0001", "종합"),
    "fo_idx_code_mts.mst": ("101W3000", "9"),
    "fo_com_code.mst": ("175W3000", "USD"),
    "ffcode.mst": ("ESH27", "CME"),
    "frgn_code.mst": (".DJI", "840"),
    "bond_code.mst": ("KR103502GE96", "20340610"),
    "memcode.mst": ("00003", "0"),
}


def test_every_master_file_of_the_download_host(real: Wire) -> None:
    # PROTOCOL.md §8: zipped except memcode.mst, cp949 text; layouts per the broker's stocks_info readers.
    for name, cut in MASTERS.items():
        zipped = name != "memcode.mst"
        response = real.http.get(f"{real.info.rest_url}/common/master/{name}{'.zip' if zipped else ''}")
        assert response.status_code == 200, name
        data = response.content
        if zipped:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                assert archive.namelist() == [name]
                data = archive.read(name)
        rows = data.decode("cp949").splitlines(keepends=True)
        assert rows and all(row.endswith("\n") for row in rows), name
        assert cut(rows[0]) == FIRST_RECORDS[name], name
