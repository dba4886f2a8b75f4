"""account.on("execution"): an order's acknowledgement and fill arrive as typed notices, for this account
only, in real (H0STCNI0) and virtual (H0STCNI9) modes, sync and asyncio."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pykis import AsyncPyKis, KisDomesticRealtimeExecution, PyKis
from pykis.emulator import Emulator


@pytest.fixture(scope="module")
def emu(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    with Emulator(secrets_dir=tmp_path_factory.mktemp("secrets"), real_rate=1000, virtual_rate=1000) as emulator:
        yield emulator


@pytest.fixture(scope="module")
def tokens(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One kept-token folder for the module: KIS refuses a second token issue within a minute."""
    return tmp_path_factory.mktemp("tokens")


def wait_until(condition: Any, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


@pytest.mark.parametrize("virtual", [False, True])
def test_a_marketable_buy_is_acknowledged_then_filled(emu: Emulator, virtual: bool, tokens: Path) -> None:
    secrets = (emu.real.auth, emu.virtual.auth) if virtual else (emu.real.auth,)
    notices: list[KisDomesticRealtimeExecution] = []
    arrived = threading.Event()

    def on_execution(sender: Any, e: Any) -> None:
        notices.append(e.response)
        arrived.set()

    with PyKis(*secrets, keep_token=tokens) as kis:
        account = kis.account()
        ticket = account.on("execution", on_execution)
        assert {tr.id for tr in kis.websocket.subscriptions} == {"H0STCNI9" if virtual else "H0STCNI0"}
        hynix = kis.stock("000660")
        ask = hynix.orderbook().ask
        assert ask is not None
        order = hynix.buy(price=ask.price, qty=1)
        assert wait_until(lambda: any(n.order_number == order.number and n.kind == "fill" for n in notices))
        mine = [n for n in notices if n.order_number == order.number]
        assert [n.kind for n in mine][:1] == ["ack"]
        fill = next(n for n in mine if n.kind == "fill")
        assert fill.symbol == "000660"
        assert fill.side == "buy"
        assert fill.filled_qty == 1
        assert fill.filled_price == ask.price
        assert all(str(n.account).startswith(account.account_number.number) for n in notices)
        ticket.unsubscribe()
        assert wait_until(lambda: not kis.websocket.subscriptions)


def test_the_asyncio_twin_streams_notices(emu: Emulator, tokens: Path) -> None:
    async def scenario() -> list[str]:
        async with AsyncPyKis(emu.real.auth, keep_token=tokens) as kis:
            account = kis.account()
            stock = await kis.stock("005930")
            kinds: list[str] = []
            stream = account.stream("execution")
            book = await stock.orderbook()
            assert book.ask is not None
            order = await stock.buy(price=book.ask.price, qty=1)
            async for e in stream:
                notice = e.response
                if notice.order_number == order.number:
                    kinds.append(notice.kind)
                if "fill" in kinds:
                    break
            return kinds

    kinds = asyncio.run(asyncio.wait_for(scenario(), 20))
    assert kinds[0] == "ack"
    assert kinds[-1] == "fill"
