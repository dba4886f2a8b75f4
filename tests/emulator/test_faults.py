"""Each fault control, seen from a raw client: delays, failures, lost replies, forced limits, dropped sockets."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from pykis.emulator import Emulator
from pykis.emulator.faults import malformed_frame
from pykis.emulator.rest import ApiRequest, ApiResponse, EmulatorContext, ok
from tests.emulator.conftest import ORDER_PATH, PRICE_PATH, PRICE_QUERY, Wire, envelope
from tests.emulator.test_ws import approval_key, control, request


@pytest.fixture
def emu(fresh: Callable[..., Emulator]) -> Emulator:
    return fresh(real_rate=1000, virtual_rate=1000, heartbeat_interval=0.1)


@pytest.fixture
def wire(emu: Emulator) -> Iterator[Wire]:
    client = Wire(emu.real, httpx.Client(timeout=10))
    with client.http:
        client.token = client.issue_token().json()["access_token"]
        yield client


def price(wire: Wire) -> httpx.Response:
    return wire.get(PRICE_PATH, "FHKST01010100", PRICE_QUERY)


def test_delay_rest(emu: Emulator, wire: Wire) -> None:
    """A delay outlasts a read timeout shorter than it, exactly ``count`` times; then answers come as usual.
    (Seen through timeouts, not by timing the answers: how long a call takes belongs to bench/.)"""
    emu.faults.delay_rest(seconds=3.0, count=2)
    for _ in range(2):
        with pytest.raises(httpx.ReadTimeout):
            wire.http.get(
                f"{wire.info.rest_url}{PRICE_PATH}",
                params=PRICE_QUERY,
                headers=wire.headers("FHKST01010100"),
                timeout=httpx.Timeout(10.0, read=1.0),
            )
    assert price(wire).status_code == 200


def test_fail_rest(emu: Emulator, wire: Wire) -> None:
    emu.faults.fail_rest()
    failed = price(wire)
    assert failed.status_code == 500
    assert envelope(failed) == {"rt_cd": "1", "msg_cd": "EGW00002", "msg1": "서버 에러가 발생했습니다."}
    emu.faults.fail_rest(code="EGW00302")
    assert envelope(price(wire))["msg_cd"] == "EGW00302"
    emu.faults.fail_rest(status=503)
    assert price(wire).status_code == 503
    assert price(wire).status_code == 200


def test_faults_filter_by_environment_and_path(emu: Emulator, wire: Wire) -> None:
    emu.faults.fail_rest(env="virtual")
    emu.faults.fail_rest(path="/uapi/overseas-price/")
    assert price(wire).status_code == 200
    overseas = wire.get("/uapi/overseas-price/v1/quotations/price", "HHDFS00000300", {"EXCD": "NAS", "SYMB": "AAPL"})
    assert overseas.status_code == 500
    status = emu.faults.status()
    assert [fault["env"] for fault in status["rest"]] == ["virtual"]
    emu.faults.clear()
    assert emu.faults.status()["rest"] == []


def test_drop_rest_processes_then_loses_the_reply(emu: Emulator, wire: Wire) -> None:
    accepted: list[str] = []

    def order_cash(request: ApiRequest, ctx: EmulatorContext) -> ApiResponse:
        accepted.append(request.body["PDNO"])
        return ok({"output": {"KRX_FWDG_ORD_ORGNO": "06010", "ODNO": "0000000001", "ORD_TMD": "090000"}})

    emu.registry.add(ORDER_PATH, order_cash, required=())
    emu.faults.drop_rest(path=ORDER_PATH)
    body = {"CANO": "12345678", "ACNT_PRDT_CD": "01", "PDNO": "005930", "ORD_DVSN": "00", "ORD_QTY": "1"}
    with pytest.raises(httpx.RemoteProtocolError):
        wire.http.post(f"{wire.info.rest_url}{ORDER_PATH}", json=body, headers=wire.headers("TTTC0012U"))
    assert accepted == ["005930"]  # the order went in; only the answer was lost
    answered = wire.http.post(f"{wire.info.rest_url}{ORDER_PATH}", json=body, headers=wire.headers("TTTC0012U"))
    assert answered.status_code == 200 and accepted == ["005930", "005930"]


def test_force_rate_limit(emu: Emulator, wire: Wire) -> None:
    emu.faults.force_rate_limit(2)
    for _ in range(2):
        limited = price(wire)
        assert limited.status_code == 500
        assert envelope(limited) == {"rt_cd": "1", "msg_cd": "EGW00201", "msg1": "초당 거래건수를 초과하였습니다."}
    assert price(wire).status_code == 200


def test_expire_tokens(emu: Emulator, wire: Wire) -> None:
    assert emu.faults.expire_tokens() == 1
    expired = price(wire)
    assert envelope(expired) == {"rt_cd": "1", "msg_cd": "EGW00123", "msg1": "기간이 만료된 token 입니다."}


async def drain(ws: ClientConnection) -> None:
    """Read frames until the connection ends (PINGPONG frames may still arrive first)."""
    while True:
        await asyncio.wait_for(ws.recv(), 5)


async def test_drop_websockets(emu: Emulator) -> None:
    key = approval_key(emu.real)
    async with connect(emu.real.ws_url, ping_interval=None) as ws:
        assert (await control(ws, request(key, "H0STCNT0", "005930")))["body"]["rt_cd"] == "0"
        await asyncio.to_thread(emu.faults.drop_websockets)
        with pytest.raises(ConnectionClosed) as closed:
            await drain(ws)
    assert closed.value.rcvd is None  # no close frame: the connection just died
    assert not emu.hub("real").subscriptions()


async def test_stop_and_resume_heartbeats(emu: Emulator) -> None:
    async with connect(emu.real.ws_url + "/tryitout", ping_interval=None) as ws:
        first = await asyncio.wait_for(ws.recv(), 5)
        assert isinstance(first, str) and json.loads(first)["header"]["tr_id"] == "PINGPONG"
        await asyncio.to_thread(emu.faults.stop_heartbeats)
        await asyncio.sleep(0.15)  # let a heartbeat already on its way arrive
        while True:
            try:
                await asyncio.wait_for(ws.recv(), 0.05)
            except TimeoutError:
                break
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(ws.recv(), 0.5)  # five intervals without a PINGPONG
        await asyncio.to_thread(emu.faults.resume_heartbeats)
        again = await asyncio.wait_for(ws.recv(), 5)
        assert isinstance(again, str) and json.loads(again)["header"]["tr_id"] == "PINGPONG"


@pytest.mark.parametrize("kind", ["garbage", "truncated", "bad_json", "bad_count"])
async def test_send_malformed(emu: Emulator, kind: str) -> None:
    emu.faults.stop_heartbeats()
    async with connect(emu.virtual.ws_url, ping_interval=None) as ws:
        await asyncio.sleep(0.05)
        await asyncio.to_thread(emu.faults.send_malformed, kind, "virtual")
        frame = await asyncio.wait_for(ws.recv(), 5)
    assert frame == malformed_frame(kind)


def test_bad_arguments_are_refused(emu: Emulator) -> None:
    with pytest.raises(ValueError, match="count"):
        emu.faults.delay_rest(1, count=0)
    with pytest.raises(ValueError, match="kind"):
        emu.faults.send_malformed("nonsense")
    with pytest.raises(ValueError, match="status"):
        emu.faults.fail_rest(status=200)


def test_admin_endpoint_is_off_by_default(emu: Emulator) -> None:
    assert emu.admin_url is None


def test_admin_endpoint(fresh: Callable[..., Emulator]) -> None:
    emu = fresh(admin=True, real_rate=1000)
    assert emu.admin_url is not None and emu.admin_url.startswith("http://127.0.0.1:")
    wire = Wire(emu.real, httpx.Client(timeout=10))
    with wire.http, httpx.Client(timeout=10, headers=emu.admin_headers) as admin:
        wire.token = wire.issue_token().json()["access_token"]
        armed = admin.post(f"{emu.admin_url}/faults/fail_rest", json={"status": 502, "count": 1})
        assert armed.status_code == 200 and armed.json()["ok"] is True
        assert admin.get(f"{emu.admin_url}/faults").json()["rest"][0]["status"] == 502
        assert price(wire).status_code == 502
        assert admin.post(f"{emu.admin_url}/faults/expire_tokens", json={}).json()["result"] == 1
        assert envelope(price(wire))["msg_cd"] == "EGW00123"
        assert admin.post(f"{emu.admin_url}/faults/no_such_thing", json={}).status_code == 404
        assert admin.post(f"{emu.admin_url}/faults/delay_rest", json={"bogus": 1}).status_code == 400
        assert admin.post(f"{emu.admin_url}/faults/stop_heartbeats").status_code == 200
        assert emu.faults.heartbeats is False
