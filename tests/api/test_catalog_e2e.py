"""Every REST API and realtime TR of the catalog, called through the generated layer against the emulator,
in both environments where the catalog offers them, blocking and asyncio; typed results asserted.

A smoke test, not proof: the generated client and the emulator's generated answers both come from rest.json,
so agreement here shows the layer is wired end to end, not that either side is right. The hand-written
emulator tests (tests/emulator, raw HTTP and frames) and the client's own tests carry the proof.
"""

from __future__ import annotations

import asyncio
import threading
import time
from decimal import Decimal
from typing import Any

import pytest

from pykis.api import KisApiResult, Op, operations
from pykis.api.realtime import EVENTS
from pykis.auth import KisAuth
from pykis.client import AsyncPyKis, PyKis
from pykis.emulator import Emulator
from pykis.errors import KisValidationError
from pykis.models.realtime import KisRealtimeEvent
from pykis.protocol.env import Environment
from pykis.protocol.websocket import Heartbeat, ReconnectPolicy
from pykis.realtime import RealtimeOptions
from tests.api.catalog_args import REALTIME_KEYS, arguments
from tests.api.conftest import COVERAGE

ENVS = ("real", "virtual")
FIRST = ("domestic_stock.inquire_price", "overseas_stock.price")
ORDERS = ("domestic_stock.order_cash", "overseas_stock.order", "overseas_stock.daytime_order")
LAST = ("domestic_stock.order_rvsecncl", "overseas_stock.order_rvsecncl", "overseas_stock.daytime_order_rvsecncl")
# Account inquiries whose answer may rightly be empty (no fills in the emulated session yet).
MAY_BE_EMPTY = frozenset(
    {"overseas_stock.inquire_ccnl", "overseas_stock.inquire_nccs", "domestic_stock.inquire_daily_ccld"}
)


def col(row: Any, name: str) -> str:
    """A column of a generated row by name in any case (the catalog spells some in upper case)."""
    for field in row.__struct_fields__:
        if field.lower() == name:
            value: str = getattr(row, field)
            return value
    raise AttributeError(name)


def _key(operation: Op[Any, Any]) -> str:
    return f"{operation.spec.category}.{operation.spec.name}"


def _plan(env: str) -> list[Op[Any, Any]]:
    offered = [op for op in operations() if env == "real" or op.spec.demo_supported]
    rank = {name: i for i, name in enumerate((*FIRST, *ORDERS))}
    head = sorted((op for op in offered if _key(op) in rank), key=lambda op: rank[_key(op)])
    tail = [op for op in offered if _key(op) in LAST]
    middle = [op for op in offered if _key(op) not in rank and _key(op) not in LAST]
    return [*head, *middle, *tail]


class Calls:
    """Arguments per operation, filled in from earlier answers (prices for orders, order numbers for cancels)."""

    def __init__(self, account: str) -> None:
        self.account = account
        self.results: dict[str, KisApiResult[Any]] = {}

    def kwargs(self, operation: Op[Any, Any]) -> dict[str, str]:
        values = arguments(operation, self.account)
        key = _key(operation)
        if key == "domestic_stock.order_cash":
            quote = self.results["domestic_stock.inquire_price"].output[0]
            values.update(ORD_DVSN="00", ORD_UNPR=col(quote, "stck_llam"))
        elif key in ("overseas_stock.order", "overseas_stock.daytime_order"):
            last = Decimal(col(self.results["overseas_stock.price"].output[0], "last"))
            values.update(OVRS_ORD_UNPR=str((last * Decimal("0.8")).quantize(Decimal("0.01"))))
        elif key in LAST:
            order = self.results[
                key.replace("_rvsecncl", "").replace("domestic_stock.order", "domestic_stock.order_cash")
            ]
            row = order.output[0]
            cancel = {"ORGN_ODNO": col(row, "odno"), "RVSE_CNCL_DVSN_CD": "02", "ORD_QTY": "1", "QTY_ALL_ORD_YN": "Y"}
            cancel |= {"OVRS_ORD_UNPR": "0", "ORD_UNPR": "0"}
            if "KRX_FWDG_ORD_ORGNO" in operation.spec.params:
                cancel["KRX_FWDG_ORD_ORGNO"] = col(row, "krx_fwdg_ord_orgno")
            values.update({name: value for name, value in cancel.items() if name in operation.spec.params})
        return values

    def check(self, operation: Op[Any, Any], result: KisApiResult[Any], env: str) -> None:
        # Circular by construction (both sides generated from rest.json): a smoke check of the wiring only.
        spec = operation.spec
        key = _key(operation)
        self.results[key] = result
        assert isinstance(result, KisApiResult)
        assert set(spec.outputs) <= set(result.blocks), key
        assert all(isinstance(row, spec.row) for row in result.rows), key
        if key not in MAY_BE_EMPTY:
            assert result.rows, f"{key}: no rows"
            assert (
                any(getattr(result.rows[0], c) for c in result.rows[0].__struct_fields__)
                or not spec.row.__struct_fields__
            )
        if spec.oauth:
            return
        sent = result.tr_id
        assert sent is not None
        if env == "real":
            assert not sent.startswith("V"), (key, sent)
        elif isinstance(spec.demo, str):
            assert sent == spec.demo, (key, sent)
        if spec.paginated and result.pages > 1:
            assert result.envelopes[-1].tr_cont in ("D", "E", "")
        for row in result.rows[:1]:
            price = getattr(row, "stck_prpr", None)
            if price:
                assert Decimal(price) >= 0, key


def _client(emulator: Emulator, env: str, kind: type[Any]) -> Any:
    info = getattr(emulator, env)
    if env == "real":
        return kind(info.auth, keep_token=False, rate_limit=10_000)
    return kind(info.auth, keep_token=False, virtual_rate_limit=10_000)


@pytest.mark.parametrize("env", ENVS)
def test_every_rest_api_blocking(emulator: Emulator, env: str) -> None:
    calls = Calls(getattr(emulator, env).app.account)
    with _client(emulator, env, PyKis) as kis:
        for operation in _plan(env):
            category = getattr(kis.api, operation.spec.category)
            result = getattr(category, operation.spec.name)(**calls.kwargs(operation))
            calls.check(operation, result, env)
            COVERAGE[f"REST blocking, {env}"].add(_key(operation))
    expected = len([op for op in operations() if env == "real" or op.spec.demo_supported])
    assert len(COVERAGE[f"REST blocking, {env}"]) == expected


@pytest.mark.parametrize("env", ENVS)
def test_every_rest_api_asyncio(emulator: Emulator, env: str) -> None:
    async def main() -> None:
        calls = Calls(getattr(emulator, env).app.account)
        kis = _client(emulator, env, AsyncPyKis)
        try:
            for operation in _plan(env):
                category = getattr(kis.api, operation.spec.category)
                result = await getattr(category, operation.spec.name)(**calls.kwargs(operation))
                calls.check(operation, result, env)
                COVERAGE[f"REST asyncio, {env}"].add(_key(operation))
        finally:
            await kis.close()

    asyncio.run(main())
    expected = len([op for op in operations() if env == "real" or op.spec.demo_supported])
    assert len(COVERAGE[f"REST asyncio, {env}"]) == expected


def test_virtual_refuses_real_only_apis_before_sending() -> None:
    # A virtual-only client whose hosts accept nothing: a refusal that reached the network would be a
    # transport error, not the validation error asserted here.
    auth = KisAuth(
        id="nobody", appkey="PS" + "x" * 34, secretkey="y" * 180, account="50000000-01", virtual=True,
        rest_url="http://127.0.0.1:9", ws_url="ws://127.0.0.1:9",
    )  # fmt: skip
    refused = 0
    with PyKis(auth, keep_token=False) as kis:
        assert kis.environments == (Environment.VIRTUAL,)
        for operation in operations():
            if operation.spec.demo_supported:
                continue
            category = getattr(kis.api, operation.spec.category)
            with pytest.raises(KisValidationError, match="not offered by the virtual"):
                getattr(category, operation.spec.name)(**arguments(operation, "50000000-01"))
            refused += 1
    assert refused == len([op for op in operations() if not op.spec.demo_supported]) > 200
    COVERAGE["REST refused in virtual before sending"].update(
        _key(op) for op in operations() if not op.spec.demo_supported
    )


FAST = RealtimeOptions(
    reconnect=ReconnectPolicy(initial=0.01, factor=2.0, maximum=0.05),
    heartbeat=Heartbeat(2.0),
    open_timeout=2.0,
    close_timeout=0.2,
)


@pytest.mark.parametrize("env", ENVS)
def test_every_realtime_tr(emulator: Emulator, env: str) -> None:
    from pykis.catalog import websocket_trs

    info = getattr(emulator, env)
    kinds: list[Any] = list({id(kind): kind for kind in EVENTS.values()}.values())
    lock = threading.Lock()
    keys = {str(entry["tr_id"]): str(entry["example_tr_keys"][0]) for entry in websocket_trs()}
    keys.update(REALTIME_KEYS)
    if env == "virtual":  # notice TRs without a virtual variant need real credentials
        kinds = [kind for kind in kinds if not (kind.ENCRYPTED and kind.DEMO_TR_ID is None)]

    received: dict[type[Any], list[KisRealtimeEvent]] = {kind: [] for kind in kinds}

    def key_of(kind: type[Any]) -> str:
        key = keys[kind.TR_ID]
        return info.app.hts_id if key.startswith("<") else key

    def record(kind: type[Any]) -> Any:
        def callback(sender: Any, e: Any) -> None:
            with lock:
                received[kind].append(e.response)

        return callback

    with _client(emulator, env, PyKis) as kis:
        kis.websocket.options = FAST
        batch: list[Any] = []
        pending = list(kinds)
        while pending:
            chunk, pending = pending[:30], pending[30:]
            batch = [kis.api.on(kind, key_of(kind), record(kind)) for kind in chunk]
            if any(kind.TR_ID in ("H0STCNI0", "H0GSCNI0") for kind in chunk):
                # Notices are only for orders placed after the server confirmed the registration.
                wanted = {ticket.tr for ticket in batch}
                deadline = time.monotonic() + 5
                while not wanted <= kis.websocket.confirmed and time.monotonic() < deadline:
                    time.sleep(0.01)
                _place_orders(kis, info.app.account)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                with lock:
                    if all(received[kind] for kind in chunk):
                        break
                time.sleep(0.02)
            for ticket in batch:
                ticket.unsubscribe()
    missing = [kind.__name__ for kind, events in received.items() if not events]
    assert not missing, missing
    for kind, events in received.items():
        event = events[0]
        assert isinstance(event, kind), (kind, type(event))
        first = next(name for name in vars(kind) if not name.startswith("_") and name.islower())
        assert isinstance(getattr(event, first), str)
        assert event.width >= 1
        COVERAGE[f"realtime, {env}"].add(kind.TR_ID)


def _place_orders(kis: PyKis, account: str) -> None:
    """Orders whose acknowledgements become the execution notices (H0STCNI*, H0GSCNI*)."""
    cano, product = account[:8], account[-2:]
    quote = kis.api.domestic_stock.inquire_price(FID_COND_MRKT_DIV_CODE="J", FID_INPUT_ISCD="005930").output[0]
    kis.api.domestic_stock.order_cash(
        ord_dv="buy", CANO=cano, ACNT_PRDT_CD=product, PDNO="005930", ORD_DVSN="00", ORD_QTY="1",
        ORD_UNPR=quote.stck_llam, EXCG_ID_DVSN_CD="KRX",
    )  # fmt: skip
    last = Decimal(kis.api.overseas_stock.price(AUTH="", EXCD="NAS", SYMB="AAPL").output[0].last)
    kis.api.overseas_stock.order(
        ord_dv="buy", CANO=cano, ACNT_PRDT_CD=product, OVRS_EXCG_CD="NASD", PDNO="AAPL", ORD_QTY="1",
        OVRS_ORD_UNPR=str((last * Decimal("0.8")).quantize(Decimal("0.01"))), ORD_SVR_DVSN_CD="0", ORD_DVSN="00",
    )  # fmt: skip
