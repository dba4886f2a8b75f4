"""What the gateway publishes (never a secret), its status report and its CLI."""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

import pytest

from pykis import PyKis
from pykis.cli import main as cli_main
from pykis.emulator import Emulator
from tests.gateway.conftest import GatewayThread, NatsServer
from tests.gateway.test_realtime import wait_for


def test_nothing_on_nats_carries_a_secret(gateway: GatewayThread, nats_server: NatsServer, emulator: Emulator) -> None:
    """Every message on every subject, captured while a client quotes, orders nothing and streams prices."""
    import nats

    captured: list[bytes] = []
    ready = threading.Event()
    stop = threading.Event()

    async def spy() -> None:
        nc = await nats.connect(nats_server.url)

        async def keep(msg: Any) -> None:
            captured.append(msg.subject.encode() + b" " + bytes(msg.data))

        await nc.subscribe(">", cb=keep)
        await nc.flush()
        ready.set()
        while not stop.is_set():
            await asyncio.sleep(0.02)
        await nc.close()

    thread = threading.Thread(target=asyncio.run, args=(spy(),))
    thread.start()
    assert ready.wait(10)
    prices = threading.Event()
    with PyKis(gateway=nats_server.url) as kis:
        kis.stock("005930").quote()
        kis.account().balance()
        ticket = kis.websocket.on("H0STCNT0", "005930", lambda _s, _e: prices.set())
        assert prices.wait(20)
        ticket.unsubscribe()
    stop.set()
    thread.join(timeout=10)
    keys = gateway.gateway.keys[0].kis
    token = gateway.call(keys._tokens[gateway.gateway.keys[0].environment].peek)
    approval = gateway.call(lambda: next(iter(keys._approvals.values())))
    auth = emulator.real.auth
    assert captured
    for secret in (auth.appkey, auth.secretkey, token, approval):
        assert secret
        assert not any(secret.encode() in message for message in captured)


def test_status_reports_budgets_subscriptions_and_consumers(
    gateway: GatewayThread, nats_server: NatsServer, capsys: pytest.CaptureFixture[str]
) -> None:
    got = threading.Event()
    with PyKis(gateway=nats_server.url) as kis:
        kis.stock("005930").quote()
        ticket = kis.websocket.on("H0STCNT0", "005930", lambda _s, _e: got.set())
        assert got.wait(20)
        wait_for(lambda: gateway.call(gateway.gateway.status)["consumers"] == {"H0STCNT0.005930": 1})
        assert cli_main(["gateway", "status", "--nats", nats_server.url]) == 0
        text = capsys.readouterr().out
        label = gateway.gateway.keys[0].label
        assert f"key {label}: 20/s" in text
        assert "1 realtime registrations" in text
        assert "realtime H0STCNT0.005930: 1 consumer(s)" in text
        assert cli_main(["--json", "gateway", "status", "--nats", nats_server.url]) == 0
        report = json.loads(capsys.readouterr().out)
        assert report["keys"][0]["served"] >= 1
        assert report["subscriptions"] == {label: 1}
        ticket.unsubscribe()


def test_status_of_an_absent_gateway_is_an_error(nats_server: NatsServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["gateway", "status", "--nats", nats_server.url]) == 1
    assert "no pykis gateway answers" in capsys.readouterr().err


def test_the_gateway_demo_reports_one_key_shared(capsys: pytest.CaptureFixture[str]) -> None:
    from pykis.gateway import demo

    assert demo.main() == 0
    text = capsys.readouterr().out
    assert text.count("20 quotes in") == 3
    assert "0 EGW00201, 1 token issue(s), at most 1 upstream registration(s) for 3 consumers" in text


def test_nats_credentials_pass_through(emulator: Emulator) -> None:
    from pykis import KisGatewayUnreachableError
    from pykis.gateway import NatsOptions
    from pykis.gateway.devserver import GatewayThread, NatsServer

    with NatsServer(args=("--user", "pykis", "--pass", "s3cret")) as server:
        login = NatsOptions(servers=server.url, user="pykis", password="s3cret")
        gateway = GatewayThread([emulator.real.auth], server.url, nats=login)
        try:
            with PyKis(gateway=login) as kis:
                assert kis.stock("005930").quote().symbol == "005930"
            with pytest.raises(KisGatewayUnreachableError):
                PyKis(gateway=NatsOptions(servers=server.url, user="pykis", password="wrong"))
            with pytest.raises(KisGatewayUnreachableError):
                PyKis(gateway=server.url)
        finally:
            gateway.close()
