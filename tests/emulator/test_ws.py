"""The WebSocket listener over raw frames: control replies, limits, PINGPONG and published data frames."""

from __future__ import annotations

import asyncio
import base64
import json
import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from websockets.asyncio.client import ClientConnection, connect

from pykis.emulator import Emulator, EnvironmentInfo

PATHS = ("", "/tryitout")


def approval_key(info: EnvironmentInfo) -> str:
    body = {"grant_type": "client_credentials", "appkey": info.app.appkey, "secretkey": info.app.appsecret}
    response = httpx.post(f"{info.rest_url}/oauth2/Approval", json=body, timeout=10)
    assert response.status_code == 200, response.text
    key = response.json()["approval_key"]
    assert isinstance(key, str)
    return key


def request(key: str, tr_id: str, tr_key: str, tr_type: str = "1") -> str:
    return json.dumps(
        {
            "header": {"approval_key": key, "custtype": "P", "tr_type": tr_type, "content-type": "utf-8"},
            "body": {"input": {"tr_id": tr_id, "tr_key": tr_key}},
        }
    )


async def control(ws: ClientConnection, message: str) -> dict[str, Any]:
    """Send a request and return the next control reply (skipping PINGPONG frames)."""
    await ws.send(message)
    while True:
        frame = await asyncio.wait_for(ws.recv(), 5)
        assert isinstance(frame, str)
        data = json.loads(frame)
        assert isinstance(data, dict)
        if data["header"]["tr_id"] != "PINGPONG":
            return data


async def next_data(ws: ClientConnection) -> str:
    while True:
        frame = await asyncio.wait_for(ws.recv(), 5)
        assert isinstance(frame, str)
        if not frame.startswith("{"):
            return frame


def decrypt(key: str, iv: str, payload: str) -> str:
    decryptor = Cipher(algorithms.AES(key.encode()), modes.CBC(iv.encode())).decryptor()
    data = decryptor.update(base64.b64decode(payload)) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    return (unpadder.update(data) + unpadder.finalize()).decode()


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("env", ["real", "virtual"])
async def test_subscribe_already_unsubscribe(emulator: Emulator, env: str, path: str) -> None:
    info = emulator.real if env == "real" else emulator.virtual
    key = approval_key(info)
    async with connect(info.ws_url + path, ping_interval=None) as ws:
        ok = await control(ws, request(key, "H0STCNT0", "005930"))
        assert ok["header"] == {"tr_id": "H0STCNT0", "tr_key": "005930", "encrypt": "N"}
        assert ok["body"]["rt_cd"] == "0"
        assert ok["body"]["msg_cd"] == "OPSP0000"
        assert ok["body"]["msg1"] == "SUBSCRIBE SUCCESS"
        assert re.fullmatch(r"[a-z]{32}", ok["body"]["output"]["key"])
        assert re.fullmatch(r"[0-9a-f]{16}", ok["body"]["output"]["iv"])
        again = await control(ws, request(key, "H0STCNT0", "005930"))
        assert again["body"] == {"rt_cd": "1", "msg_cd": "OPSP0002", "msg1": "ALREADY IN SUBSCRIBE"}
        released = await control(ws, request(key, "H0STCNT0", "005930", "2"))
        assert released["body"] == {"rt_cd": "0", "msg_cd": "OPSP0001", "msg1": "UNSUBSCRIBE SUCCESS"}
        missing = await control(ws, request(key, "H0STCNT0", "005930", "2"))
        assert missing["body"]["rt_cd"] == "1"
        assert missing["body"]["msg1"].startswith("UNSUBSCRIBE ERROR")


async def test_max_subscribe_over_past_41_registrations_per_key(fresh: Callable[..., Emulator]) -> None:
    emu = fresh()
    key = approval_key(emu.real)
    async with connect(emu.real.ws_url, ping_interval=None) as one, connect(emu.real.ws_url, ping_interval=None) as two:
        for index in range(41):
            ws = one if index % 2 == 0 else two
            reply = await control(ws, request(key, "H0STCNT0", f"{index:06d}"))
            assert reply["body"]["rt_cd"] == "0", (index, reply)
        over = await control(two, request(key, "H0STASP0", "005930"))
        assert over["body"] == {"rt_cd": "1", "msg_cd": "OPSP0008", "msg1": "MAX SUBSCRIBE OVER"}
        # Releasing one frees a slot.
        await control(one, request(key, "H0STCNT0", "000000", "2"))
        assert (await control(two, request(key, "H0STASP0", "005930")))["body"]["rt_cd"] == "0"


@pytest.mark.parametrize("path", PATHS)
async def test_pingpong_is_sent_and_echoes_are_accepted(emulator: Emulator, path: str) -> None:
    key = approval_key(emulator.real)
    async with connect(emulator.real.ws_url + path, ping_interval=None) as ws:
        frame = await asyncio.wait_for(ws.recv(), 5)
        assert isinstance(frame, str)
        ping = json.loads(frame)
        assert ping["header"]["tr_id"] == "PINGPONG"
        assert re.fullmatch(r"\d{14}", ping["header"]["datetime"])
        await ws.send(frame)  # echo as a text frame (JS and multiprocessing samples)
        await ws.pong(frame.encode())  # or as a pong frame (kis_auth)
        reply = await control(ws, request(key, "H0STCNT0", "000660"))
        assert reply["body"]["rt_cd"] == "0"
        second = await asyncio.wait_for(ws.recv(), 5)
        assert isinstance(second, str) and json.loads(second)["header"]["tr_id"] == "PINGPONG"


async def test_bad_requests_get_opsp_codes(emulator: Emulator) -> None:
    key = approval_key(emulator.real)
    virtual_key = approval_key(emulator.virtual)
    async with connect(emulator.real.ws_url + "/tryitout", ping_interval=None) as ws:
        assert (await control(ws, "{not json"))["body"]["msg_cd"] == "OPSP9999"
        unknown = await control(ws, request("00000000-0000-0000-0000-000000000000", "H0STCNT0", "005930"))
        assert unknown["body"] == {"rt_cd": "1", "msg_cd": "OPSP0011", "msg1": "invalid appkey : NOT FOUND"}
        foreign = await control(ws, request(virtual_key, "H0STCNT0", "005930"))
        assert foreign["body"]["msg_cd"] == "OPSP0011"
        assert (await control(ws, request(key, "H0STCNT0", "005930", "3")))["body"]["msg_cd"] == "OPSP8997"
        assert (await control(ws, request(key, "H9XXXXX0", "005930")))["body"]["msg_cd"] == "OPSP8991"
        assert (await control(ws, request(key, "H0STCNI9", "someone")))["body"]["msg_cd"] == "OPSP8991"
        no_key = json.loads(request(key, "H0STCNT0", ""))
        assert (await control(ws, json.dumps(no_key)))["body"]["msg_cd"] == "OPSP9990"


async def test_published_frames_reach_subscribers_only(emulator: Emulator) -> None:
    key = approval_key(emulator.real)
    async with connect(emulator.real.ws_url, ping_interval=None) as ws, connect(emulator.real.ws_url) as other:
        await control(ws, request(key, "H0STCNT0", "035420"))
        await control(other, request(key, "H0STCNT0", "000270"))
        records = [["035420", "093000", "181000"], ["035420", "093001", "181500"]]
        sent = await asyncio.to_thread(emulator.publish, "real", "H0STCNT0", "035420", records)
        assert sent == 1
        frame = await next_data(ws)
        flag, tr_id, count, payload = frame.split("|", 3)
        assert (flag, tr_id, count) == ("0", "H0STCNT0", "002")
        fields = payload.split("^")
        assert [fields[i : i + 3] for i in range(0, len(fields), 3)] == records


@pytest.mark.parametrize(("env", "tr_id"), [("real", "H0STCNI0"), ("virtual", "H0STCNI9")])
async def test_encrypted_notices(emulator: Emulator, env: str, tr_id: str) -> None:
    info = emulator.real if env == "real" else emulator.virtual
    key = approval_key(info)
    async with connect(info.ws_url + "/tryitout", ping_interval=None) as ws:
        reply = await control(ws, request(key, tr_id, info.app.hts_id))
        assert reply["header"]["encrypt"] == "Y"
        assert reply["body"]["msg1"] == "SUBSCRIBE SUCCESS"
        aes_key, iv = reply["body"]["output"]["key"], reply["body"]["output"]["iv"]
        record = [info.app.hts_id, info.app.account.replace("-", ""), "0000012345", "", "02", "0"]
        hub = emulator.hub("real" if env == "real" else "virtual")
        assert hub.subscribers(tr_id, info.app.hts_id)
        sent = await asyncio.to_thread(emulator.publish, info.name, tr_id, info.app.hts_id, [record])
        assert sent == 1
        frame = await next_data(ws)
        flag, got_tr, count, payload = frame.split("|", 3)
        assert (flag, got_tr, count) == ("1", tr_id, "001")
        assert decrypt(aes_key, iv, payload).split("^") == record
