"""A gateway process killed (SIGKILL) with an order in flight, then restarted: the order is found, not resent,
and the consumer's registration is restored."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from pykis import PyKis
from pykis.emulator import Emulator
from pykis.gateway import NatsOptions
from tests.gateway.conftest import NatsServer
from tests.gateway.test_orders import orders
from tests.gateway.test_realtime import wait_for
from tests.integration.test_trading import KST_ORDER_PATH, resting_price


class GatewayProcess:
    """``pykis gateway`` as a child process."""

    def __init__(self, url: str, secret: Path, state: Path) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "pykis",
                "gateway",
                "--nats",
                url,
                "--secret",
                str(secret),
                "--state-dir",
                str(state),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()  # "pykis gateway: serving …" once it answers
        assert "serving" in line, line

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)
        if self.process.stdout is not None:
            self.process.stdout.close()


def test_a_killed_gateway_loses_no_order_and_restores_subscriptions(
    emulator: Emulator, nats_server: NatsServer, tmp_path: Path
) -> None:
    secret = emulator.real.secret_file
    gateway = GatewayProcess(nats_server.url, secret, tmp_path)
    events = 0
    outcome: list[Any] = []

    def on_price(_sender: Any, _e: Any) -> None:
        nonlocal events
        events += 1

    try:
        with PyKis(gateway=NatsOptions(servers=nats_server.url, request_timeout=1.5)) as kis:
            ticket = kis.websocket.on("H0STCNT0", "005930", on_price)
            wait_for(lambda: events >= 2)
            price = resting_price(emulator, "005930")
            kis.stock("005930")  # resolved before the fault is armed
            emulator.faults.delay_rest(2.5, env="real", path=KST_ORDER_PATH)  # placed late, answered never

            def buy() -> None:
                try:
                    outcome.append(kis.account().buy("005930", price, 3))
                except Exception as exc:
                    outcome.append(exc)

            buyer = threading.Thread(target=buy)
            buyer.start()
            wait_for(lambda: emulator.faults.status()["rest"] == [])  # the order reached the emulator
            gateway.kill()
            gateway = GatewayProcess(nats_server.url, secret, tmp_path)
            buyer.join(timeout=60)
            seen = events
            wait_for(lambda: events >= seen + 3)  # the new gateway registered the share again
            ticket.unsubscribe()
    finally:
        gateway.kill()
    placed = orders(emulator)
    assert outcome and not isinstance(outcome[0], Exception), outcome
    assert len(placed) == 1  # never sent twice
    assert outcome[0].number.lstrip("0") == placed[0].order_no.lstrip("0")
