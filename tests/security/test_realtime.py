"""Realtime: the notices' AES key in DEBUG logs (item 6) and notices isolated between apps (item 9)."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from pykis import PyKis
from pykis.emulator import Emulator, EnvironmentInfo
from pykis.emulator.gateway import AppCredential


@pytest.fixture(scope="module")
def emu(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    with Emulator(secrets_dir=tmp_path_factory.mktemp("secrets")) as running:
        yield running


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_the_notice_key_and_iv_never_reach_a_debug_log(emu: Emulator) -> None:
    lines = Lines()
    wire = logging.getLogger("pykis.websockets")
    saved = wire.level
    wire.addHandler(lines)
    wire.setLevel(logging.DEBUG)
    subscribed = threading.Event()
    try:
        with PyKis(emu.real.auth, keep_token=False) as kis:
            kis.account().on("execution", lambda sender, e: None)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and not subscribed.is_set():
                connections = list(emu.hub("real").connections)
                if any(c.ciphers for c in connections) and any(
                    line.startswith("< TEXT") and "H0STCNI0" in line for line in lines.lines
                ):
                    subscribed.set()
                time.sleep(0.02)
            ciphers = [pair for c in emu.hub("real").connections for pair in c.ciphers.values()]
    finally:
        wire.removeHandler(lines)
        wire.setLevel(saved)
    assert subscribed.is_set() and ciphers
    log = "\n".join(lines.lines)
    for value in (part for pair in ciphers for part in pair):
        assert not [value[i : i + 6] for i in range(len(value) - 5) if value[i : i + 6] in log], value
    assert "H0STCNI0" in log  # the rest of the frames still shows


def approval_key(info: EnvironmentInfo, app: AppCredential) -> str:
    body = {"grant_type": "client_credentials", "appkey": app.appkey, "secretkey": app.appsecret}
    key = httpx.post(f"{info.rest_url}/oauth2/Approval", json=body, timeout=10).json()["approval_key"]
    assert isinstance(key, str)
    return key


def subscribe(key: str, tr_id: str, tr_key: str) -> str:
    return json.dumps(
        {
            "header": {"approval_key": key, "custtype": "P", "tr_type": "1", "content-type": "utf-8"},
            "body": {"input": {"tr_id": tr_id, "tr_key": tr_key}},
        }
    )


async def reply_or_drop(url: str, message: str) -> dict[str, Any] | None:
    """The control reply to ``message``, or ``None`` when the server drops the connection instead (without a
    close frame, as the broker's README describes)."""
    async with connect(url, ping_interval=None) as ws:
        await ws.send(message)
        try:
            while True:
                frame = json.loads(await asyncio.wait_for(ws.recv(), 5))
                if frame["header"]["tr_id"] != "PINGPONG":
                    return dict(frame)
        except ConnectionClosed:
            pass
        assert ws.protocol.close_rcvd is None
        return None


async def test_another_apps_notices_cannot_be_subscribed(emu: Emulator) -> None:
    info = emu.real
    intruder = AppCredential("real", "PI" + "9" * 34, "9" * 180, "intruder", "67999999-01")
    emu.gateway.register(intruder)
    key = await asyncio.to_thread(approval_key, info, intruder)
    assert await reply_or_drop(info.ws_url, subscribe(key, "H0STCNI0", info.app.hts_id)) is None
    assert not emu.hub("real").subscribers("H0STCNI0", info.app.hts_id)
    # Its own HTS ID and market data stay open to it.
    own = await reply_or_drop(info.ws_url, subscribe(key, "H0STCNI0", "intruder"))
    assert own is not None and own["body"]["msg1"] == "SUBSCRIBE SUCCESS"
    quotes = await reply_or_drop(info.ws_url, subscribe(key, "H0STCNT0", "005930"))
    assert quotes is not None and quotes["body"]["rt_cd"] == "0"
