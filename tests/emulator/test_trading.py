"""Trading and account endpoints over raw HTTP, written from rest.json and PROTOCOL.md §10–11, §15.

Each test trades a fresh account of its own (a new app registered with the gateway), so the module's one
emulator serves every test without state leaking between them.
"""

from __future__ import annotations

import dataclasses
import itertools
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from pykis.catalog import rest_apis
from pykis.emulator import Emulator
from pykis.emulator.gateway import AppCredential
from tests.emulator.conftest import Wire, all_strings, envelope

KST = ZoneInfo("Asia/Seoul")
DOM = "/uapi/domestic-stock/v1/trading/"
OVS = "/uapi/overseas-stock/v1/trading/"
_numbers = itertools.count(1)


def columns(path: str, category: str) -> set[str]:
    (entry,) = [e for e in rest_apis() if e["path"] == path and e["category"] == category]
    return set(entry["columns"])


def assert_columns(blocks: list[dict[str, Any]], path: str, category: str, extra: frozenset[str] = frozenset()) -> None:
    """rest.json lists one column set per API, not per block: every block draws from it (plus ``extra``, names
    the service adds that the catalog omits) and the blocks together carry all of it, so a missing column fails.
    Block names the catalog lists among the columns (``output3``) are not columns."""
    names = {name for name in columns(path, category) if not name.startswith("output")} | extra
    for block in blocks:
        assert set(block) <= names, sorted(set(block) - names)
    assert set().union(*blocks) == names, sorted(names - set().union(*blocks))


def account_wire(
    emulator: Emulator,
    http: httpx.Client,
    env: str = "real",
    *,
    cash: dict[str, int] | None = None,
    positions: tuple[tuple[str, str, int, str], ...] = (),
) -> Wire:
    """A wire for a new app whose own fresh account holds ``cash`` and ``positions``."""
    n = next(_numbers)
    number = f"{'50' if env == 'virtual' else '66'}{n:06d}-01"
    app = AppCredential(env, f"PS{n:034d}", f"{n:0180d}", f"tester{n}", number)  # type: ignore[arg-type]
    emulator.gateway.register(app)
    emulator.server.engine.open_account(
        number, cash=cash if cash is not None else {"KRW": 100_000_000, "USD": 100_000}, positions=positions
    )
    info = emulator.real if env == "real" else emulator.virtual
    wire = Wire(dataclasses.replace(info, app=app), http)
    response = wire.issue_token()
    assert response.status_code == 200, response.text
    wire.token = response.json()["access_token"]
    return wire


def cano(wire: Wire) -> dict[str, str]:
    number, product = wire.info.app.account.split("-")
    return {"CANO": number, "ACNT_PRDT_CD": product}


def post(wire: Wire, path: str, tr_id: str, body: dict[str, str]) -> dict[str, Any]:
    response = wire.http.post(f"{wire.info.rest_url}{path}", json=body, headers=wire.headers(tr_id))
    assert response.status_code == 200, response.text
    data = envelope(response)
    assert all_strings(data)
    return data


def get(wire: Wire, path: str, tr_id: str, params: dict[str, str], tr_cont: str = "") -> tuple[dict[str, Any], str]:
    response = wire.get(path, tr_id, params, tr_cont=tr_cont)
    assert response.status_code == 200, response.text
    data = envelope(response)
    assert all_strings(data)
    return data, response.headers["tr_cont"]


def order_body(
    wire: Wire, symbol: str, qty: int, price: str, dvsn: str = "00", exchange: str = "KRX"
) -> dict[str, str]:
    return {
        **cano(wire),
        "PDNO": symbol,
        "ORD_DVSN": dvsn,
        "ORD_QTY": str(qty),
        "ORD_UNPR": price,
        "EXCG_ID_DVSN_CD": exchange,
        "SLL_TYPE": "01",
        "CNDT_PRIC": "",
    }


def far_below(emulator: Emulator, symbol: str, market: str | None = None) -> Decimal:
    """A limit price on the grid that rests (well below the market, above the lower limit)."""
    instrument = emulator.market.instrument(symbol, market)
    assert instrument is not None
    quote = emulator.market.quote(symbol, market)
    floor = quote.lower_limit or quote.price * Decimal("0.8")
    return emulator.market.round_price(instrument, max(quote.price * Decimal("0.85"), floor), "up")


def overseas_body(
    wire: Wire, code: str, symbol: str, qty: int, price: str, dvsn: str = "00", sell: bool = False
) -> dict[str, str]:
    return {
        **cano(wire),
        "OVRS_EXCG_CD": code,
        "PDNO": symbol,
        "ORD_QTY": str(qty),
        "OVRS_ORD_UNPR": price,
        "CTAC_TLNO": "",
        "MGCO_APTM_ODNO": "",
        "SLL_TYPE": "00" if sell else "",
        "ORD_SVR_DVSN_CD": "0",
        "ORD_DVSN": dvsn,
    }


@pytest.fixture
def real_acct(emulator: Emulator, http: httpx.Client) -> Wire:
    return account_wire(emulator, http, positions=(("000660", "KOSPI", 14, "540000"),))


# ------------------------------------------------------------------------------------------------ domestic


def test_domestic_order_modify_cancel_and_lists(emulator: Emulator, real_acct: Wire) -> None:
    wire = real_acct
    price = far_below(emulator, "005930")
    body = post(wire, DOM + "order-cash", "TTTC0012U", order_body(wire, "005930", 10, str(price)))
    assert (body["rt_cd"], body["msg_cd"]) == ("0", "APBK0013")
    out = body["output"]
    assert set(out) == columns(DOM + "order-cash", "domestic_stock")
    assert len(out["ODNO"]) == 10 and len(out["KRX_FWDG_ORD_ORGNO"]) == 5 and len(out["ORD_TMD"]) == 6

    # Pending (TTTC0084R): the whole quantity is modifiable.
    pending, cont = get(
        wire, DOM + "inquire-psbl-rvsecncl", "TTTC0084R", {**cano(wire), "INQR_DVSN_1": "0", "INQR_DVSN_2": "0"}
    )
    assert cont == "D"
    (row,) = pending["output"]
    assert set(row) == columns(DOM + "inquire-psbl-rvsecncl", "domestic_stock") | {"prdt_name"}
    assert (row["odno"], row["psbl_qty"], row["sll_buy_dvsn_cd"], row["ord_dvsn_cd"]) == (out["ODNO"], "10", "02", "00")

    # Modify 4 shares to a new price: a new order number naming the original.
    samsung = emulator.market.instrument("005930")
    assert samsung is not None
    tick = emulator.market.tick_size(samsung, price)
    revise = {
        **cano(wire),
        "KRX_FWDG_ORD_ORGNO": out["KRX_FWDG_ORD_ORGNO"],
        "ORGN_ODNO": out["ODNO"],
        "ORD_DVSN": "00",
        "RVSE_CNCL_DVSN_CD": "01",
        "ORD_QTY": "4",
        "ORD_UNPR": str(price - tick),
        "QTY_ALL_ORD_YN": "N",
        "EXCG_ID_DVSN_CD": "KRX",
    }
    modified = post(wire, DOM + "order-rvsecncl", "TTTC0013U", revise)
    # Upper case, as order-cash's (legacy/Sample01/kis_api01.py reads rt_data.KRX_FWDG_ORD_ORGNO/ODNO/ORD_TMD).
    assert modified["rt_cd"] == "0" and set(modified["output"]) == {"KRX_FWDG_ORD_ORGNO", "ODNO", "ORD_TMD"}
    # Cancel the rest of the original.
    cancel = dict(revise, RVSE_CNCL_DVSN_CD="02", ORD_QTY="0", QTY_ALL_ORD_YN="Y", ORD_UNPR="0")
    cancelled = post(wire, DOM + "order-rvsecncl", "TTTC0013U", cancel)
    assert cancelled["rt_cd"] == "0"
    # Nothing left on the original: APBK0927 as the live service answers.
    again = post(wire, DOM + "order-rvsecncl", "TTTC0013U", cancel)
    assert (again["rt_cd"], again["msg_cd"]) == ("1", "APBK0927")

    today = emulator.clock.now().astimezone(KST).strftime("%Y%m%d")
    ccld, _ = get(
        wire,
        DOM + "inquire-daily-ccld",
        "TTTC0081R",
        {
            **cano(wire),
            "INQR_STRT_DT": today,
            "INQR_END_DT": today,
            "SLL_BUY_DVSN_CD": "00",
            "PDNO": "",
            "CCLD_DVSN": "00",
            "INQR_DVSN": "01",
            "INQR_DVSN_3": "00",
            "ORD_GNO_BRNO": "",
            "ODNO": "",
            "INQR_DVSN_1": "",
        },
    )
    rows = ccld["output1"]
    assert next(r["odno"] for r in rows) == out["ODNO"] and len(rows) == 3
    assert_columns([rows[0], ccld["output2"]], DOM + "inquire-daily-ccld", "domestic_stock")
    assert rows[1]["orgn_odno"] == out["ODNO"] and rows[1]["rmn_qty"] == "4"
    assert rows[2]["cncl_yn"] == "Y" and rows[2]["cnc_cfrm_qty"] == "6"
    assert set(ccld["output2"]) == {"tot_ord_qty", "tot_ccld_qty", "tot_ccld_amt", "prsm_tlex_smtl", "pchs_avg_pric"}


def test_domestic_fill_balance_sellable_and_profit(emulator: Emulator, real_acct: Wire) -> None:
    wire = real_acct
    bought = post(wire, DOM + "order-cash", "TTTC0012U", order_body(wire, "000660", 2, "0", "01"))
    assert bought["rt_cd"] == "0"
    sold = post(wire, DOM + "order-cash", "TTTC0011U", order_body(wire, "000660", 3, "0", "01"))
    assert sold["rt_cd"] == "0"
    balance, cont = get(
        wire,
        DOM + "inquire-balance",
        "TTTC8434R",
        {
            **cano(wire),
            "AFHR_FLPR_YN": "N",
            "OFL_YN": "",
            "INQR_DVSN": "02",
            "UNPR_DVSN": "01",
            "FUND_STTL_ICLD_YN": "N",
            "FNCG_AMT_AUTO_RDPT_YN": "N",
            "PRCS_DVSN": "00",
            "CTX_AREA_FK100": "",
            "CTX_AREA_NK100": "",
        },
    )
    assert cont == "D"
    (row,) = balance["output1"]
    assert (row["pdno"], row["hldg_qty"], row["ord_psbl_qty"], row["thdt_buyqty"], row["thdt_sll_qty"]) == (
        "000660",
        "13",
        "13",
        "2",
        "3",
    )
    (summary,) = balance["output2"]
    assert_columns([row, summary], DOM + "inquire-balance", "domestic_stock")
    assert int(summary["dnca_tot_amt"]) < 100_000_000 + 3 * 800_000

    sellable, _ = get(wire, DOM + "inquire-psbl-sell", "TTTC8408R", {**cano(wire), "PDNO": "000660"})
    assert sellable["output"]["ord_psbl_qty"] == "13"
    assert set(sellable["output"]) == columns(DOM + "inquire-psbl-sell", "domestic_stock") | {"prdt_name"}

    orderable, _ = get(
        wire,
        DOM + "inquire-psbl-order",
        "TTTC8908R",
        {
            **cano(wire),
            "PDNO": "000660",
            "ORD_UNPR": "0",
            "ORD_DVSN": "01",
            "CMA_EVLU_AMT_ICLD_YN": "N",
            "OVRS_ICLD_YN": "N",
        },
    )
    out = orderable["output"]
    assert set(out) == columns(DOM + "inquire-psbl-order", "domestic_stock")
    assert int(out["max_buy_qty"]) * int(out["psbl_qty_calc_unpr"]) <= int(out["ord_psbl_cash"])

    today = emulator.clock.now().astimezone(KST).strftime("%Y%m%d")
    profit, _ = get(
        wire,
        DOM + "inquire-period-trade-profit",
        "TTTC8715R",
        {**cano(wire), "SORT_DVSN": "00", "INQR_STRT_DT": today, "INQR_END_DT": today, "CBLC_DVSN": "00", "PDNO": ""},
    )
    (day,) = profit["output1"]
    assert (day["pdno"], day["sll_qty"], day["buy_qty"]) == ("000660", "3", "2")
    assert_columns([day, profit["output2"]], DOM + "inquire-period-trade-profit", "domestic_stock")
    assert set(profit["output2"]) == {
        name for name in columns(DOM + "inquire-period-trade-profit", "domestic_stock") if name not in day
    }
    assert profit["output2"]["tot_rlzt_pfls"] == day["rlzt_pfls"]


def test_balance_pages_50_in_real_and_20_in_virtual(emulator: Emulator, http: httpx.Client) -> None:
    symbols = [i.symbol for i in emulator.market.instruments() if i.domestic and not i.halted][:55]
    held = tuple((s, "KOSPI", 1, "1000") for s in symbols)
    params = {
        "AFHR_FLPR_YN": "N",
        "INQR_DVSN": "02",
        "UNPR_DVSN": "01",
        "FUND_STTL_ICLD_YN": "N",
        "FNCG_AMT_AUTO_RDPT_YN": "N",
        "PRCS_DVSN": "00",
        "CTX_AREA_FK100": "",
        "CTX_AREA_NK100": "",
    }
    for env, tr_id, sizes in (("real", "TTTC8434R", [50, 5]), ("virtual", "VTTC8434R", [20, 20, 15])):
        wire = account_wire(emulator, http, env, positions=held)
        query = {**cano(wire), **params}
        seen: list[int] = []
        conts: list[str] = []
        tr_cont = ""
        while True:
            body, cont = get(wire, DOM + "inquire-balance", tr_id, query, tr_cont=tr_cont)
            seen.append(len(body["output1"]))
            conts.append(cont)
            if cont in ("D", "E"):
                break
            query.update(CTX_AREA_FK100=body["ctx_area_fk100"], CTX_AREA_NK100=body["ctx_area_nk100"])
            tr_cont = "N"
        assert seen == sizes
        assert conts[0] == "F" and conts[-1] == "E"


def test_virtual_refuses_what_demo_does_not_offer(emulator: Emulator, http: httpx.Client) -> None:
    wire = account_wire(emulator, http, "virtual", positions=(("000660", "KOSPI", 5, "500000"),))
    price = str(far_below(emulator, "005930"))
    ioc = post(wire, DOM + "order-cash", "VTTC0012U", order_body(wire, "005930", 1, price, "11"))
    assert (ioc["rt_cd"], ioc["msg_cd"]) == ("1", "APBK0518")
    nxt = post(wire, DOM + "order-cash", "VTTC0012U", order_body(wire, "005930", 1, price, "00", "NXT"))
    assert nxt["rt_cd"] == "1"
    ok = post(wire, DOM + "order-cash", "VTTC0012U", order_body(wire, "005930", 1, price))
    assert ok["rt_cd"] == "0"
    # TTTC0084R / TTTC8408R / TTTC8715R are real-only: the gateway says so (EGW02006, HTTP 500).
    response = wire.get(
        DOM + "inquire-psbl-rvsecncl", "TTTC0084R", {**cano(wire), "INQR_DVSN_1": "0", "INQR_DVSN_2": "0"}
    )
    assert response.status_code == 500 and response.json()["msg_cd"] == "EGW02006"
    # Overseas: demo takes ORD_DVSN 00 only, and VTTT1001U is its US sell.
    body = {
        **cano(wire),
        "OVRS_EXCG_CD": "NASD",
        "PDNO": "NVDA",
        "ORD_QTY": "1",
        "OVRS_ORD_UNPR": "1.00",
        "ORD_SVR_DVSN_CD": "0",
        "ORD_DVSN": "32",
    }
    assert post(wire, OVS + "order", "VTTT1002U", body)["msg_cd"] == "APBK0518"
    placed = post(wire, OVS + "order", "VTTT1002U", dict(body, ORD_DVSN="00"))
    assert placed["rt_cd"] == "0", placed
    held = account_wire(emulator, http, "virtual", positions=(("NVDA", "NASDAQ", 3, "100"),))
    sell = {**body, **cano(held), "ORD_DVSN": "00", "SLL_TYPE": "00", "OVRS_ORD_UNPR": "1000.00"}
    sold = post(held, OVS + "order", "VTTT1001U", sell)
    assert sold["rt_cd"] == "0", sold


def test_engine_refusals_are_business_errors(emulator: Emulator, real_acct: Wire) -> None:
    wire = real_acct
    quote = emulator.market.quote("005930")
    off_tick = post(wire, DOM + "order-cash", "TTTC0012U", order_body(wire, "005930", 1, str(quote.price + 1)))
    assert (off_tick["rt_cd"], off_tick["msg_cd"]) == ("1", "APBK0515")
    too_many = post(wire, DOM + "order-cash", "TTTC0011U", order_body(wire, "000660", 15, "0", "01"))
    assert (too_many["rt_cd"], too_many["msg_cd"]) == ("1", "APBK0400")
    too_big = post(wire, DOM + "order-cash", "TTTC0012U", order_body(wire, "207940", 1000, "0", "01"))
    assert (too_big["rt_cd"], too_big["msg_cd"]) == ("1", "APBK0952")
    gtp = post(
        wire, DOM + "order-cash", "TTTC0012U", order_body(wire, "005930", 1, str(far_below(emulator, "005930")), "27")
    )
    assert gtp["rt_cd"] == "1"  # GTP is an NXT type
    nxt = post(
        wire,
        DOM + "order-cash",
        "TTTC0012U",
        order_body(wire, "005930", 1, str(far_below(emulator, "005930")), "27", "NXT"),
    )
    assert nxt["rt_cd"] == "0"


def test_accounts_are_isolated(emulator: Emulator, http: httpx.Client) -> None:
    first = account_wire(emulator, http)
    second = account_wire(emulator, http)
    body = order_body(first, "005930", 1, str(far_below(emulator, "005930")))
    placed = post(first, DOM + "order-cash", "TTTC0012U", body)
    # The second app may neither trade nor read the first one's account.
    foreign = post(second, DOM + "order-cash", "TTTC0012U", body)
    assert (foreign["rt_cd"], foreign["msg_cd"]) == ("1", "APBK0523")
    cancel = {
        **cano(second),
        "KRX_FWDG_ORD_ORGNO": placed["output"]["KRX_FWDG_ORD_ORGNO"],
        "ORGN_ODNO": placed["output"]["ODNO"],
        "ORD_DVSN": "00",
        "RVSE_CNCL_DVSN_CD": "02",
        "ORD_QTY": "0",
        "ORD_UNPR": "0",
        "QTY_ALL_ORD_YN": "Y",
        "EXCG_ID_DVSN_CD": "KRX",
    }
    assert post(second, DOM + "order-rvsecncl", "TTTC0013U", cancel)["msg_cd"] == "APBK0521"
    pending, _ = get(
        second, DOM + "inquire-psbl-rvsecncl", "TTTC0084R", {**cano(second), "INQR_DVSN_1": "0", "INQR_DVSN_2": "0"}
    )
    assert pending["output"] == []
