"""Emulator behaviour the client tests see only through pykis, checked here on raw frames and raw HTTP: the
legacy record widths (websocket.json's layouts), the execution notices of a real order, and a restart on the
``--state`` file. (The 42nd subscription has its raw test in test_ws.py.)"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect

from pykis.emulator import Emulator
from tests.emulator.conftest import ORDER_PATH, Wire
from tests.emulator.test_ws import approval_key, control, decrypt, next_data, request


def widths() -> dict[str, int]:
    """The record width of each TR in the catalog (websocket.json lists the documented layouts)."""
    from pykis.catalog import websocket_trs

    return {entry["tr_id"]: len(entry["columns"]) for entry in websocket_trs()}


def records(frame: str) -> tuple[str, list[list[str]]]:
    """``(tr_id, records)`` of a plain data frame, split by its own count."""
    flag, tr_id, count, payload = frame.split("|", 3)
    assert flag == "0"
    fields = payload.split("^")
    assert len(fields) % int(count) == 0, (tr_id, count, len(fields))
    width = len(fields) // int(count)
    return tr_id, [fields[i : i + width] for i in range(0, len(fields), width)]


BOOKS_AND_TRADES = ("H0STCNT0", "H0STASP0", "H0NXASP0", "H0UNASP0")


@pytest.fixture
def legacy(tmp_path: Path) -> Iterator[Emulator]:
    with Emulator(secrets_dir=tmp_path, clock="always-open", legacy_widths=True, realtime_rate=50.0) as emu:
        yield emu


async def collect(ws: ClientConnection, wanted: set[str]) -> dict[str, list[list[str]]]:
    seen: dict[str, list[list[str]]] = {}
    while not wanted <= {tr for tr, rows in seen.items() if rows}:
        tr_id, rows = records(await next_data(ws))
        seen.setdefault(tr_id, []).extend(rows)
    return seen


async def test_legacy_widths_are_the_catalogued_layouts(legacy: Emulator) -> None:
    key = approval_key(legacy.real)
    async with connect(legacy.real.ws_url, ping_interval=None) as ws:
        for tr_id in BOOKS_AND_TRADES:
            assert (await control(ws, request(key, tr_id, "000660")))["body"]["rt_cd"] == "0"
        seen = await asyncio.wait_for(collect(ws, set(BOOKS_AND_TRADES)), 20)
    catalog = widths()
    assert [catalog[tr_id] for tr_id in BOOKS_AND_TRADES] == [46, 59, 65, 65]
    for tr_id in BOOKS_AND_TRADES:
        for row in seen[tr_id]:
            assert len(row) == catalog[tr_id], tr_id
            assert row[0] == "000660"
    assert all(int(row[2]) > 0 for row in seen["H0STCNT0"])  # STCK_PRPR


async def test_current_widths_without_the_legacy_switch(tmp_path: Path) -> None:
    with Emulator(secrets_dir=tmp_path, clock="always-open", realtime_rate=50.0) as emu:
        key = approval_key(emu.real)
        async with connect(emu.real.ws_url, ping_interval=None) as ws:
            for tr_id in BOOKS_AND_TRADES:
                assert (await control(ws, request(key, tr_id, "000660")))["body"]["rt_cd"] == "0"
            seen = await asyncio.wait_for(collect(ws, set(BOOKS_AND_TRADES)), 20)
    # The 2026-09-14 layouts (PROTOCOL.md §15): a trade gains MARKET_CLS_CODE, the KRX book its mid-price triple
    # and MARKET_CLS_CODE, the integrated book ANTC_EXCH_CLS_CODE; the NXT book is unchanged.
    assert [{len(row) for row in seen[tr_id]} for tr_id in BOOKS_AND_TRADES] == [{47}, {63}, {65}, {66}]
    assert {row[65] for row in seen["H0UNASP0"]} <= {"1", "2"}


async def test_an_order_sends_its_acknowledgement_and_fill_notices(tmp_path: Path) -> None:
    with Emulator(secrets_dir=tmp_path, clock="always-open", realtime_rate=50.0) as emu:
        info = emu.real
        key = approval_key(info)
        async with connect(info.ws_url, ping_interval=None) as ws, httpx.AsyncClient(timeout=10) as http:
            reply = await control(ws, request(key, "H0STCNI0", info.app.hts_id))
            assert reply["header"]["encrypt"] == "Y"
            aes_key, iv = reply["body"]["output"]["key"], reply["body"]["output"]["iv"]
            wire = Wire(info, httpx.Client(timeout=10))
            token = await http.post(
                f"{info.rest_url}/oauth2/tokenP",
                json={"grant_type": "client_credentials", "appkey": info.app.appkey, "appsecret": info.app.appsecret},
            )
            wire.token = token.json()["access_token"]
            number, product = info.app.account.split("-")
            body = {
                "CANO": number,
                "ACNT_PRDT_CD": product,
                "PDNO": "005930",
                "ORD_DVSN": "01",  # market: fills at once
                "ORD_QTY": "10",
                "ORD_UNPR": "0",
                "EXCG_ID_DVSN_CD": "KRX",
                "SLL_TYPE": "",
                "CNDT_PRIC": "",
            }
            placed = await http.post(f"{info.rest_url}{ORDER_PATH}", json=body, headers=wire.headers("TTTC0012U"))
            answer = placed.json()
            assert answer["rt_cd"] == "0", answer
            odno = answer["output"]["ODNO"]
            notices: list[list[str]] = []
            while not any(row[13] == "2" for row in notices):  # CNTG_YN 2: a fill
                frame = await asyncio.wait_for(next_data(ws), 20)
                flag, tr_id, count, payload = frame.split("|", 3)
                assert (flag, tr_id, count) == ("1", "H0STCNI0", "001")
                notices.append(decrypt(aes_key, iv, payload).split("^"))
            wire.http.close()
    from pykis.catalog import websocket_trs

    (columns,) = [entry["columns"] for entry in websocket_trs() if entry["tr_id"] == "H0STCNI0"]
    mine = [row for row in notices if row[columns.index("ODER_NO")] == odno]
    assert mine and all(len(row) == len(columns) for row in mine)
    field = {name: index for index, name in enumerate(columns)}
    ack, fill = mine[0], mine[-1]
    assert (ack[field["CNTG_YN"]], fill[field["CNTG_YN"]]) == ("1", "2")
    for row in (ack, fill):
        assert row[field["CUST_ID"]] == info.app.hts_id
        assert row[field["ACNT_NO"]] == number + product
        assert row[field["STCK_SHRN_ISCD"]] == "005930"
        assert row[field["SELN_BYOV_CLS"]] == "02"  # buy
        assert row[field["ODER_QTY"]] == "10"
    assert int(fill[field["CNTG_QTY"]]) == 10 and int(fill[field["CNTG_UNPR"]]) > 0


def test_a_restart_on_the_state_file_keeps_orders_and_their_numbering(tmp_path: Path) -> None:
    """Raw HTTP: an order placed before ``--state`` restart is pending after it, once, and the next order
    continues the numbering rather than reusing the first one's."""
    from tests.emulator.test_trading import DOM, cano, far_below, get, order_body, post
    from tests.faults.conftest import free_port

    ports = {name: free_port() for name in ("real_rest_port", "real_ws_port", "virtual_rest_port", "virtual_ws_port")}
    options = dict(secrets_dir=tmp_path / "secrets", state_file=tmp_path / "state.sqlite", realtime=False, **ports)
    pending_query = {"INQR_DVSN_1": "0", "INQR_DVSN_2": "0"}
    with httpx.Client(timeout=10) as http:
        with Emulator(**options) as emu:  # type: ignore[arg-type]
            wire = Wire(emu.real, http)
            wire.token = wire.issue_token().json()["access_token"]
            price = far_below(emu, "005930")
            first = post(wire, DOM + "order-cash", "TTTC0012U", order_body(wire, "005930", 3, str(price)))
            assert first["rt_cd"] == "0", first
        with Emulator(**options) as emu:  # type: ignore[arg-type]
            wire = Wire(emu.real, http)
            wire.token = wire.issue_token().json()["access_token"]
            pending, _ = get(wire, DOM + "inquire-psbl-rvsecncl", "TTTC0084R", {**cano(wire), **pending_query})
            assert [(row["odno"], row["psbl_qty"]) for row in pending["output"]] == [(first["output"]["ODNO"], "3")]
            second = post(wire, DOM + "order-cash", "TTTC0012U", order_body(wire, "005930", 2, str(price)))
            assert second["rt_cd"] == "0", second
            assert int(second["output"]["ODNO"]) > int(first["output"]["ODNO"])
            pending, _ = get(wire, DOM + "inquire-psbl-rvsecncl", "TTTC0084R", {**cano(wire), **pending_query})
            assert sorted(row["odno"] for row in pending["output"]) == sorted(
                [first["output"]["ODNO"], second["output"]["ODNO"]]
            )
