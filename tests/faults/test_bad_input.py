"""Bad user input at the public entry points is refused with a typed error *before any request*.

The emulator's gateway counts every ``/uapi`` request; each bad call must leave the count where it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from pykis import PyKis
from pykis.emulator import Emulator
from pykis.errors import KisCredentialError, KisValidationError
from pykis.protocol.websocket import orderbook_tr, price_tr
from tests.faults.conftest import resting_price


@pytest.fixture(scope="module")
def emu(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    with Emulator(secrets_dir=tmp_path_factory.mktemp("secrets"), realtime=False) as emu:
        yield emu


@pytest.fixture(scope="module")
def kis(emu: Emulator) -> Iterator[PyKis]:
    with PyKis(emu.real.auth, keep_token=False) as kis:
        kis.token()
        yield kis


def noop(sender: Any, e: Any) -> None:
    pass


def cases(kis: PyKis, emu: Emulator) -> list[tuple[str, Callable[[], object]]]:
    stock = kis.stock("005930")
    price = resting_price(emu, "005930")
    nvda = kis.stock("NVDA")
    return [
        ("stock('')", lambda: kis.stock("")),
        ("stock('   ')", lambda: kis.stock("   ")),
        ("stock(NUL)", lambda: kis.stock("005\x00930")),
        ("stock(huge)", lambda: kis.stock("9" * 10_000)),
        ("stock(None)", lambda: kis.stock(None)),  # type: ignore[arg-type]
        ("stock(market=bogus)", lambda: kis.stock("005930", "NOWHERE")),
        ("account('garbage')", lambda: kis.account("garbage")),
        ("account('1234-5')", lambda: kis.account("1234-5")),
        ("search(limit=-1)", lambda: kis.search("삼성", limit=-1)),
        ("is_trading_day(bogus)", lambda: kis.is_trading_day("NOWHERE")),
        ("daily_orders(end before start)", lambda: kis.account().daily_orders(date(2026, 3, 3), date(2026, 3, 2))),
        ("profits(end before start)", lambda: kis.account().profits(date(2026, 3, 3), date(2026, 3, 2))),
        ("buy qty=0", lambda: stock.buy(price=price, qty=0)),
        ("buy qty=-1", lambda: stock.buy(price=price, qty=-1)),
        ("buy qty=1.5", lambda: stock.buy(price=price, qty=1.5)),
        ("buy qty='abc'", lambda: stock.buy(price=price, qty="abc")),  # type: ignore[arg-type]
        ("buy qty=nan", lambda: stock.buy(price=price, qty=float("nan"))),
        ("buy qty=inf", lambda: stock.buy(price=price, qty=float("inf"))),
        ("buy price='abc'", lambda: stock.buy(price="abc", qty=1)),
        ("buy price=nan", lambda: stock.buy(price=Decimal("NaN"), qty=1)),
        ("buy price=-1", lambda: stock.buy(price=-1, qty=1)),
        ("buy price=0", lambda: stock.buy(price=0, qty=1)),
        ("buy price off tick", lambda: stock.buy(price=price + 1, qty=1)),
        ("buy condition bogus", lambda: stock.buy(price=price, qty=1, condition="bogus")),  # type: ignore[arg-type]
        ("buy execution bogus", lambda: stock.buy(price=price, qty=1, execution="bogus")),  # type: ignore[arg-type]
        ("US buy price 3 decimals", lambda: nvda.buy(price="1.001", qty=1)),
        ("ws on('', key)", lambda: kis.websocket.on("", "005930", noop)),
        ("ws on(tr, '')", lambda: kis.websocket.on("H0STCNT0", "", noop)),
        ("ws on(tr with |)", lambda: kis.websocket.on("H0ST|CNT0", "005930", noop)),
        ("ws on(key with ^)", lambda: kis.websocket.on("H0STCNT0", "0059^30", noop)),
        ("ws on(callback None)", lambda: kis.websocket.on("H0STCNT0", "005930", None)),  # type: ignore[arg-type]
        ("price_tr(bogus market)", lambda: price_tr("NOWHERE", "005930")),
        ("orderbook_tr(empty)", lambda: orderbook_tr("KRX", "")),
    ]


def test_bad_input_is_refused_before_any_request(kis: PyKis, emu: Emulator, figures: Any) -> None:
    accepted: list[str] = []
    untyped: list[str] = []
    sent: list[str] = []
    all_cases = cases(kis, emu)
    for name, call in all_cases:
        before = emu.gateway.stats.requests
        try:
            result = call()
        except KisValidationError:
            pass
        except Exception as exc:
            untyped.append(f"{name}: {type(exc).__name__}: {exc}")
        else:
            accepted.append(f"{name} -> {result!r}"[:120])
            unsubscribe = getattr(result, "unsubscribe", None)
            if callable(unsubscribe):
                unsubscribe()
        if emu.gateway.stats.requests != before:
            sent.append(name)
    figures(
        bad_inputs=len(all_cases),
        refused_typed=len(all_cases) - len(accepted) - len(untyped),
        accepted=len(accepted),
        untyped_errors=len(untyped),
        requests_sent=len(sent),
    )
    assert untyped == []
    assert accepted == []
    assert sent == []


def test_bad_credentials_are_refused_at_construction(tmp_path: Path) -> None:
    cases: tuple[dict[str, Any], ...] = (
        {},
        {"id": "me", "account": "12345678-01", "appkey": "", "secretkey": "x"},
        {"id": "me", "account": "not an account", "appkey": "a" * 36, "secretkey": "b" * 180},
    )
    for kwargs in cases:
        with pytest.raises(KisValidationError):
            PyKis(**kwargs, keep_token=False)
    missing = tmp_path / "missing.json"
    with pytest.raises((KisCredentialError, FileNotFoundError)):
        PyKis(str(missing), keep_token=False)
    garbled = tmp_path / "garbled.json"
    garbled.write_text("{not json")
    with pytest.raises(KisCredentialError):
        PyKis(str(garbled), keep_token=False)
