"""REST through a gateway over a real nats-server, against the emulator."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import pytest

from pykis import AsyncPyKis, KisGatewayUnreachableError, PyKis
from pykis.emulator import Emulator
from pykis.errors import KisCredentialError, KisValidationError
from tests.gateway.conftest import GatewayThread, NatsServer, free_port


def test_a_gateway_client_quotes_with_no_secret(gateway: GatewayThread, nats_server: NatsServer) -> None:
    with PyKis(gateway=nats_server.url) as kis:
        quote = kis.stock("005930").quote()
        assert quote.symbol == "005930"
        assert quote.price > 0
        assert kis.primary_account == gateway.gateway.keys[0].auth.account_number
        assert kis.trading_auth.appkey != gateway.gateway.keys[0].auth.appkey
        with pytest.raises(KisValidationError, match="stays with the gateway"):
            kis.token()
    assert gateway.call(lambda: gateway.gateway.keys[0].served) >= 1


async def test_the_asyncio_client_goes_through_the_gateway(gateway: GatewayThread, nats_server: NatsServer) -> None:
    async with AsyncPyKis(gateway=nats_server.url) as kis:
        stock = await kis.stock("000660")
        quotes = [await stock.quote() for _ in range(3)]
        assert {quote.symbol for quote in quotes} == {"000660"}


def test_api_errors_arrive_typed(gateway: GatewayThread, nats_server: NatsServer) -> None:
    from pykis.errors import KisAPIError

    with PyKis(gateway=nats_server.url) as kis, pytest.raises(KisAPIError):
        kis.api.domestic_stock.inquire_price(FID_COND_MRKT_DIV_CODE="J", FID_INPUT_ISCD="ZZZZZZ")


def test_an_unreachable_gateway_is_a_typed_error(nats_server: NatsServer) -> None:
    with pytest.raises(KisGatewayUnreachableError):
        PyKis(gateway=f"nats://127.0.0.1:{free_port()}")
    with pytest.raises(KisGatewayUnreachableError, match="no pykis gateway"):
        PyKis(gateway=nats_server.url)  # NATS is up, no gateway answers


def test_a_gateway_client_refuses_secrets(emulator: Emulator) -> None:
    with pytest.raises(KisCredentialError):
        PyKis(emulator.real.auth, gateway="nats://127.0.0.1:1")
    with pytest.raises(KisValidationError):
        PyKis(gateway="http://127.0.0.1:1")


def _quote_worker(url: str, cache: str, count: int, results: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    os.environ["PYKIS_CACHE_DIR"] = cache
    try:
        with PyKis(gateway=url) as kis:
            stock = kis.stock("005930")
            prices = [stock.quote().price for _ in range(count)]
        results.put(("ok", len(prices)))
    except Exception as exc:
        results.put(("error", repr(exc)))


def test_four_processes_share_one_key_within_its_limit(
    gateway: GatewayThread, nats_server: NatsServer, emulator: Emulator, tmp_path: Path
) -> None:
    """4 client processes × 60 quotes through one gateway on one key: 0 EGW00201, every quote answered."""
    context = multiprocessing.get_context("spawn")
    results: multiprocessing.Queue = context.Queue()  # type: ignore[type-arg]
    processes = [
        context.Process(target=_quote_worker, args=(nats_server.url, str(tmp_path / f"c{i}"), 60, results))
        for i in range(4)
    ]
    before = emulator.gateway.stats.requests
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=110) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    assert outcomes == [("ok", 60)] * 4
    stats = emulator.gateway.stats
    assert stats.rate_refusals == 0
    assert stats.token_issues == 1
    assert stats.requests - before >= 240
    assert gateway.call(lambda: gateway.gateway.keys[0].served) >= 240
