"""Sandboxes that do not interfere: two emulators with one seed, and a client whose sandbox is gone."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import httpx
import pytest

from pykis import AsyncPyKis, KisAuth, PyKis
from pykis.cli import main as cli_main
from pykis.drivers.transport import connection_failure
from pykis.emulator import Emulator
from pykis.errors import KisTransportError
from pykis.protocol.http import HttpRequest
from pykis.protocol.retry import RetryPolicy
from tests.integration.test_foundation import QUOTE, quote_price

NO_RETRY = RetryPolicy(attempts=1)


def test_two_sandboxes_with_one_seed_keep_their_own_tokens(tmp_path: Path, private_cache: Path) -> None:
    """Same seed, same app keys, one token cache: each sandbox issues once and never sees the other's token."""
    with Emulator(secrets_dir=tmp_path / "a") as first, Emulator(secrets_dir=tmp_path / "b") as second:
        assert first.real.auth.appkey == second.real.auth.appkey
        assert first.real.rest_url != second.real.rest_url
        with PyKis(first.real.auth) as one, PyKis(second.real.auth) as other:
            for _ in range(3):  # alternating: a shared token would be refused and re-issued (EGW00133) each turn
                assert quote_price(one) > 0
                assert quote_price(other) > 0
            assert one.token().value != other.token().value
        from pykis.drivers import tokens as _tokens

        _tokens._REGISTRY.clear()  # as a new process: each reuses the token kept for its own host
        with PyKis(second.real.auth) as other, PyKis(first.real.auth) as one:
            assert quote_price(other) > 0
            assert quote_price(one) > 0
        for emu in (first, second):
            assert emu.gateway.stats.token_issues == 1
            assert emu.gateway.stats.issue_refusals == 0
        assert len(list((private_cache / "tokens").glob("*.json"))) == 2


def stopped_sandbox(tmp_path: Path) -> Path:
    """The secret file of a sandbox that has stopped (nothing listens at its URLs any more)."""
    with Emulator(secrets_dir=tmp_path) as emu:
        secret = emu.real.secret_file
    return secret


def test_a_stopped_sandbox_is_named_in_the_error(tmp_path: Path) -> None:
    secret = stopped_sandbox(tmp_path)
    with PyKis(str(secret), keep_token=False, retry=NO_RETRY) as kis, pytest.raises(KisTransportError) as caught:
        kis.request(QUOTE)
    url = kis.hosts(kis.environments[0]).rest
    message = str(caught.value)
    assert f"{url}/oauth2/tokenP" in message  # the first request to fail is the token issue
    assert "is the sandbox running?" in message and "pykis emulator" in message

    async def asynchronous() -> str:
        async with AsyncPyKis(str(secret), keep_token=False, retry=NO_RETRY) as akis:
            with pytest.raises(KisTransportError) as failed:
                await akis.request(QUOTE)
        return str(failed.value)

    message = asyncio.run(asynchronous())
    assert url in message and "is the sandbox running?" in message


def test_the_cli_prints_the_url_and_the_hint(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    secret = stopped_sandbox(tmp_path)
    url = httpx.URL(KisAuth.load(secret).rest_url or "")
    with socket.socket() as probe:  # the URL in the secret file really is dead
        assert probe.connect_ex(("127.0.0.1", url.port or 0)) != 0
    assert cli_main(["quote", "005930", "--secret", str(secret)]) == 1
    err = capsys.readouterr().err
    assert "KisTransportError" in err and f"{url}/oauth2/tokenP" in err and "is the sandbox running?" in err


@pytest.mark.parametrize(
    ("base", "hinted"),
    [
        ("http://127.0.0.1:9", True),
        ("http://localhost:9", True),
        ("http://[::1]:9", True),
        ("https://openapi.koreainvestment.com:9443", False),
        ("http://10.0.0.5:8080", False),
    ],
)
def test_only_a_loopback_url_suggests_the_sandbox(base: str, hinted: bool) -> None:
    request = HttpRequest("GET", QUOTE.path, {}, tr_id="FHKST01010100")
    error = connection_failure(ConnectionRefusedError(111, "Connection refused"), request, base)
    assert isinstance(error, KisTransportError)
    message = str(error)
    assert f"GET {base}{QUOTE.path}" in message and "Connection refused" in message
    assert ("is the sandbox running?" in message) is hinted
