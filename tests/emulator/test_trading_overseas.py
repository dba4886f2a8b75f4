"""Overseas trading and account endpoints over raw HTTP, written from rest.json and PROTOCOL.md §10–11, §15; the
domestic ones and the helpers are in test_trading.py. Each test trades a fresh account of its own."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import httpx

from pykis.emulator import Emulator
from tests.emulator.test_trading import (
    KST,
    OVS,
    account_wire,
    assert_columns,
    cano,
    columns,
    far_below,
    get,
    overseas_body,
    post,
)


def test_overseas_orders_route_by_exchange_and_side(emulator: Emulator, http: httpx.Client) -> None:
    wire = account_wire(
        emulator,
        http,
        cash={"USD": 100_000, "HKD": 1_000_000, "JPY": 10_000_000, "CNY": 1_000_000, "VND": 10**10},
        positions=(("NVDA", "NASDAQ", 10, "100"), ("KO", "NYSE", 10, "50")),
    )
    low = far_below(emulator, "NVDA", "NASDAQ")
    assert post(wire, OVS + "order", "TTTT1002U", overseas_body(wire, "NASD", "NVDA", 1, str(low)))["rt_cd"] == "0"
    # A TR of another exchange is refused; so is an exchange that does not list the symbol.
    assert post(wire, OVS + "order", "TTTS1002U", overseas_body(wire, "NASD", "NVDA", 1, str(low)))["rt_cd"] == "2"
    assert post(wire, OVS + "order", "TTTT1002U", overseas_body(wire, "NYSE", "NVDA", 1, str(low)))["rt_cd"] == "1"
    # MOO is a sell-only type in the US (PROTOCOL §10).
    assert post(wire, OVS + "order", "TTTT1002U", overseas_body(wire, "NASD", "NVDA", 1, "0", "31"))["rt_cd"] == "1"
    moc = post(wire, OVS + "order", "TTTT1006U", overseas_body(wire, "NYSE", "KO", 2, "0", "33", sell=True))
    assert moc["rt_cd"] == "0", moc
    twap = overseas_body(wire, "NASD", "NVDA", 2, "0", "35", sell=True)
    assert post(wire, OVS + "order", "TTTT1006U", twap)["rt_cd"] == "0"
    for tr_id, code, symbol in (
        ("TTTS1002U", "SEHK", "00700"),
        ("TTTS0202U", "SHAA", "600519"),
        ("TTTS0305U", "SZAA", "000001"),
        ("TTTS0308U", "TKSE", "7203"),
        ("TTTS0311U", "HASE", "SHS"),
        ("TTTS0311U", "VNSE", "VNM"),
    ):
        market = {"SEHK": "SEHK", "SHAA": "SSE", "SZAA": "SZSE", "TKSE": "TSE", "HASE": "HNX", "VNSE": "HSX"}[code]
        price = far_below(emulator, symbol, market)
        body = post(wire, OVS + "order", tr_id, overseas_body(wire, code, symbol, 100, str(price)))
        assert body["rt_cd"] == "0", (code, body)
        odd = post(wire, OVS + "order", tr_id, overseas_body(wire, code, symbol, 150, str(price)))
        assert odd["msg_cd"] == "APBK0517", code  # lots of 100
    # Daytime (US overnight session) orders: limit only.
    day = overseas_body(wire, "NASD", "NVDA", 1, str(low))
    assert post(wire, OVS + "daytime-order", "TTTS6036U", day)["rt_cd"] == "0"
    assert post(wire, OVS + "daytime-order", "TTTS6036U", dict(day, ORD_DVSN="32"))["rt_cd"] == "1"

    # Open orders (TTTS3018R): NASD means every US market in real.
    nccs, _ = get(wire, OVS + "inquire-nccs", "TTTS3018R", {**cano(wire), "OVRS_EXCG_CD": "NASD", "SORT_SQN": "DS"})
    assert {r["pdno"] for r in nccs["output"]} == {"NVDA", "KO"}
    assert set(nccs["output"][0]) == columns(OVS + "inquire-nccs", "overseas_stock") | {"prdt_name"}
    (first,) = [r for r in nccs["output"] if r["ovrs_excg_cd"] == "NASD" and r["ft_ord_qty"] == "1"][:1]
    cancel = {
        **cano(wire),
        "OVRS_EXCG_CD": "NASD",
        "PDNO": "NVDA",
        "ORGN_ODNO": first["odno"],
        "RVSE_CNCL_DVSN_CD": "02",
        "ORD_QTY": "1",
        "OVRS_ORD_UNPR": "0",
        "MGCO_APTM_ODNO": "",
        "ORD_SVR_DVSN_CD": "0",
    }
    assert set(post(wire, OVS + "order-rvsecncl", "TTTT1004U", cancel)["output"]) == {
        "KRX_FWDG_ORD_ORGNO",
        "ODNO",
        "ORD_TMD",
    }

    today = emulator.clock.now().astimezone(KST)
    ccnl, _ = get(
        wire,
        OVS + "inquire-ccnl",
        "TTTS3035R",
        {
            **cano(wire),
            "PDNO": "%",
            "ORD_STRT_DT": (today - timedelta(days=2)).strftime("%Y%m%d"),
            "ORD_END_DT": today.strftime("%Y%m%d"),
            "SLL_BUY_DVSN": "00",
            "CCLD_NCCS_DVSN": "00",
            "OVRS_EXCG_CD": "%",
            "SORT_SQN": "DS",
            "ORD_DT": "",
            "ORD_GNO_BRNO": "",
            "ODNO": "",
            "CTX_AREA_NK200": "",
            "CTX_AREA_FK200": "",
        },
    )
    assert len(ccnl["output"]) == 11  # 10 orders and one cancel record
    assert set(ccnl["output"][0]) == columns(OVS + "inquire-ccnl", "overseas_stock")


def test_overseas_balances_and_amounts(emulator: Emulator, http: httpx.Client) -> None:
    wire = account_wire(emulator, http, positions=(("NVDA", "NASDAQ", 10, "100"), ("KO", "NYSE", 4, "50")))
    balance, _ = get(
        wire,
        OVS + "inquire-balance",
        "TTTS3012R",
        {**cano(wire), "OVRS_EXCG_CD": "NASD", "TR_CRCY_CD": "USD", "CTX_AREA_FK200": "", "CTX_AREA_NK200": ""},
    )
    assert {r["ovrs_pdno"] for r in balance["output1"]} == {"NVDA", "KO"}  # NASD = all US in real
    assert_columns(
        [balance["output1"][0], balance["output2"]],
        OVS + "inquire-balance",
        "overseas_stock",
        frozenset({"ovrs_item_name"}),
    )

    present, _ = get(
        wire,
        OVS + "inquire-present-balance",
        "CTRP6504R",
        {**cano(wire), "WCRC_FRCR_DVSN_CD": "02", "NATN_CD": "000", "TR_MKET_CD": "00", "INQR_DVSN_CD": "00"},
    )
    assert {r["pdno"] for r in present["output1"]} == {"NVDA", "KO"}
    usd = next(d for d in present["output2"] if d["crcy_cd"] == "USD")
    assert_columns(
        [present["output1"][0], usd, present["output3"]],
        OVS + "inquire-present-balance",
        "overseas_stock",
        frozenset({"prdt_name", "crcy_cd_name"}),
    )
    assert Decimal(usd["frcr_dncl_amt_2"]) == 100_000

    amount, _ = get(
        wire,
        OVS + "inquire-psamount",
        "TTTS3007R",
        {**cano(wire), "OVRS_EXCG_CD": "NASD", "OVRS_ORD_UNPR": "100", "ITEM_CD": "NVDA"},
    )
    out = amount["output"]
    assert set(out) == columns(OVS + "inquire-psamount", "overseas_stock")
    assert int(out["max_ord_psbl_qty"]) == 997  # 100,000 USD at $100 with 0.25 % commission

    sell = overseas_body(wire, "NASD", "NVDA", 4, "0", "00", sell=True)
    quote = emulator.market.quote("NVDA", "NASDAQ")
    nvda = emulator.market.instrument("NVDA", "NASDAQ")
    assert nvda is not None
    sell["OVRS_ORD_UNPR"] = str(emulator.market.round_price(nvda, quote.price * Decimal("0.9"), "down"))
    assert post(wire, OVS + "order", "TTTT1006U", sell)["rt_cd"] == "0"
    today = emulator.clock.now().astimezone(KST).strftime("%Y%m%d")
    profit, _ = get(
        wire,
        OVS + "inquire-period-profit",
        "TTTS3039R",
        {
            **cano(wire),
            "OVRS_EXCG_CD": "",
            "NATN_CD": "",
            "CRCY_CD": "",
            "PDNO": "",
            "INQR_STRT_DT": today,
            "INQR_END_DT": today,
            "WCRC_FRCR_DVSN_CD": "01",
            "CTX_AREA_FK200": "",
            "CTX_AREA_NK200": "",
        },
    )
    (row,) = profit["output1"]
    assert (row["ovrs_pdno"], row["slcl_qty"]) == ("NVDA", "4")
    assert_columns(
        [row, profit["output2"]], OVS + "inquire-period-profit", "overseas_stock", frozenset({"ovrs_item_name"})
    )
    assert Decimal(row["ovrs_rlzt_pfls_amt"]) > 0


def test_virtual_overseas_history_takes_only_empty_filters(emulator: Emulator, http: httpx.Client) -> None:
    wire = account_wire(emulator, http, "virtual")
    today = emulator.clock.now().astimezone(KST).strftime("%Y%m%d")
    query = {
        **cano(wire),
        "PDNO": "",
        "ORD_STRT_DT": today,
        "ORD_END_DT": today,
        "SLL_BUY_DVSN": "00",
        "CCLD_NCCS_DVSN": "00",
        "OVRS_EXCG_CD": "",
        "SORT_SQN": "DS",
    }
    body, _ = get(wire, OVS + "inquire-ccnl", "VTTS3035R", query)
    assert body["rt_cd"] == "0" and body["output"] == []
    refused, _ = get(wire, OVS + "inquire-ccnl", "VTTS3035R", dict(query, CCLD_NCCS_DVSN="02"))
    assert refused["rt_cd"] == "2"


def test_a_blank_exchange_code_is_every_exchange(emulator: Emulator, http: httpx.Client) -> None:
    """inquire-nccs: blank OVRS_EXCG_CD is accepted, first page only (rest.json's note on the parameter);
    inquire-balance: blank is every exchange too (an inference, see trading_overseas.inquire_balance)."""
    wire = account_wire(
        emulator,
        http,
        "virtual",
        cash={"USD": 100_000, "HKD": 1_000_000},
        positions=(("NVDA", "NASDAQ", 3, "100"), ("00700", "SEHK", 100, "300")),
    )
    number = wire.info.app.account
    engine = emulator.server.engine
    low = far_below(emulator, "NVDA", "NASDAQ")
    for _ in range(21):  # one more than a virtual page
        engine.place(number, "NVDA", "buy", 1, low, market="NASDAQ", exchange="NASD")
    engine.place(number, "00700", "buy", 100, far_below(emulator, "00700", "SEHK"), market="SEHK", exchange="SEHK")
    query = {**cano(wire), "SORT_SQN": "DS", "CTX_AREA_FK200": "", "CTX_AREA_NK200": ""}
    blank, tr_cont = get(wire, OVS + "inquire-nccs", "VTTS3018R", dict(query, OVRS_EXCG_CD=""))
    assert blank["rt_cd"] == "0" and len(blank["output"]) == 20 and tr_cont == "D"
    assert blank["ctx_area_nk200"].strip() == ""  # nothing to continue from
    sehk, _ = get(wire, OVS + "inquire-nccs", "VTTS3018R", dict(query, OVRS_EXCG_CD="SEHK"))
    assert [row["pdno"] for row in sehk["output"]] == ["00700"]
    balance, _ = get(
        wire,
        OVS + "inquire-balance",
        "VTTS3012R",
        {**cano(wire), "OVRS_EXCG_CD": "", "TR_CRCY_CD": "", "CTX_AREA_FK200": "", "CTX_AREA_NK200": ""},
    )
    assert balance["rt_cd"] == "0"
    assert {row["ovrs_pdno"] for row in balance["output1"]} == {"NVDA", "00700"}
    unknown, _ = get(wire, OVS + "inquire-nccs", "VTTS3018R", dict(query, OVRS_EXCG_CD="XXXX"))
    assert (unknown["rt_cd"], unknown["msg_cd"]) == ("2", "OPSQ2001")
