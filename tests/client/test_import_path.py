"""What a cold process loads for its first quote (issue 15), through the blocking and the asyncio client: not the
order rules, of the generated layer only the description of the API it calls, and none of the libraries a quote
from a cached token does not need. Counted in a fresh interpreter against the emulator; the time it takes is
bench/cold_start.py's business, not a test's.

Two standard modules the issue named stay, through msgspec (the models' decoder) on Python 3.11: ``inspect``
(msgspec → typing_extensions) and ``platform`` (msgspec → uuid); ``masters`` stays because resolving the symbol
reads the cached master files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pykis.emulator import Emulator

# The probes take their list before importing json to print it.
BLOCKING = """
import sys
from pykis import PyKis
with PyKis(sys.argv[1], keep_token=sys.argv[2]) as kis:
    kis.stock(sys.argv[3]).quote()
loaded = sorted(sys.modules)
import json
print(json.dumps(loaded))
"""

ASYNCIO = """
import asyncio, sys
from pykis import AsyncPyKis
async def main():
    async with AsyncPyKis(sys.argv[1], keep_token=sys.argv[2]) as kis:
        await (await kis.stock(sys.argv[3])).quote()
asyncio.run(main())
loaded = sorted(sys.modules)
import json
print(json.dumps(loaded))
"""

CLIENTS = {"blocking": BLOCKING, "asyncio": ASYNCIO}

NOT_FOR_A_QUOTE = (
    "pykis.scopes.orders",  # the order rules
    "pykis.scopes.account",
    "filelock",  # a cached token is read without a lock; the shared rate limit locks with flock
    "httpx",  # the REST transports: pykis.protocol.http1 over a socket or asyncio streams
    "httpcore",
    "h11",
    "http.client",
    "email",
    "anyio",
    "http.cookiejar",
    "zipfile",  # only a master download unzips
    "zlib",
    "pykis.gateway",
    "websockets",
    "pykis.scopes.chart",  # what only a chart or an order book needs: their models, paging, progress reports
    "pykis.models.chart",
    "pykis.models.orderbook",
    "pykis.progress",
    "pykis.exchanges.sessions",  # trading hours load with kis.trading_hours(), not with a stock
    "concurrent.futures.thread",  # no worker thread: the cached token and masters are read where they are needed
    "pathlib",  # cache paths are strings handled by os.path (pykis._files.StrPath)
    "json",  # the secret file, token cache and rate state are read by msgspec (pykis.protocol.jsonvalue)
    "urllib",  # plain base URLs and queries are read and built by pykis.protocol.urls
    "ipaddress",  # (urllib.parse imports it; the transports need it only for an error's hint)
    "hashlib",  # the token cache key takes CPython's built-in SHA-256 (pykis.protocol.token)
) + (("platformdirs",) if sys.platform == "linux" else ())  # on Linux the XDG cache rule is applied by hand
NOT_FOR_A_BLOCKING_QUOTE = (
    "logging",  # nothing asks for a log line on the way (asyncio imports it itself)
    "ssl",  # the sandbox is plain http: TLS loads for an https host only (asyncio imports it itself)
)
"""Modules (and their submodules) a first quote must not load."""


@pytest.fixture(scope="module")
def msgspec_loads() -> frozenset[str]:
    """What msgspec (the models' decoder) loads by itself: not ours to keep off the path (at its floor, 0.18.5,
    it imports json)."""
    probe = "import sys, msgspec, msgspec.json, msgspec.structs; print('\\n'.join(sys.modules))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60)
    return frozenset(done.stdout.split())


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    with Emulator(secrets_dir=tmp_path_factory.mktemp("secrets"), token_issue_interval=0.0) as emu:
        yield emu


def loaded_for_a_quote(emulator: Emulator, tmp_path: Path, client: str, symbol: str) -> list[str]:
    """The modules a fresh process holds after its first quote (the token already cached by a first run)."""
    env = {**os.environ, "PYKIS_CACHE_DIR": str(tmp_path / "cache")}
    command = [sys.executable, "-c", CLIENTS[client], str(emulator.real.secret_file), str(tmp_path / "tokens"), symbol]
    for _ in range(2):  # the first run issues the token and fetches the masters; the second is the cold quote
        done = subprocess.run(command, capture_output=True, text=True, env=env, check=True, timeout=60)
    modules: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return modules


@pytest.mark.parametrize("client", CLIENTS)
@pytest.mark.parametrize(
    ("symbol", "api", "also_banned"),
    [
        # Korea's zone is the fixed KST (no daylight saving since 1988): the zone database is for markets abroad.
        ("005930", "domestic_stock.inquire_price", ("zoneinfo",)),
        ("NVDA", "overseas_stock.price_detail", ()),
    ],
)
def test_a_quote_loads_neither_the_order_rules_nor_other_apis(
    emulator: Emulator,
    msgspec_loads: frozenset[str],
    tmp_path: Path,
    client: str,
    symbol: str,
    api: str,
    also_banned: tuple[str, ...],
) -> None:
    modules = loaded_for_a_quote(emulator, tmp_path, client, symbol)
    assert "pykis.scopes.stock" in modules  # the probe did run a quote
    generated = {name.removeprefix("pykis.api._generated.") for name in modules if "._generated." in name}
    # Its own side's API package and the API it calls: a KRX quote loads nothing of the overseas APIs, and back.
    assert generated == {api.partition(".")[0], api}
    banned = NOT_FOR_A_QUOTE + also_banned + (NOT_FOR_A_BLOCKING_QUOTE if client == "blocking" else ())
    unwanted = [
        name
        for name in modules
        if any(name == p or name.startswith(p + ".") for p in banned) and name not in msgspec_loads
    ]
    assert unwanted == []
    # The wire shapes: the quotes' (generated together); not the order books' or charts', nor any other API's.
    assert {name for name in modules if name.startswith("pykis.wire")} == {"pykis.wire", "pykis.wire._market"}


@pytest.mark.parametrize("client", CLIENTS)
def test_each_client_reads_http_with_its_own_transport_only(emulator: Emulator, tmp_path: Path, client: str) -> None:
    modules = set(loaded_for_a_quote(emulator, tmp_path, client, "005930"))
    mine, other = ("blocking", "asyncio") if client == "blocking" else ("asyncio", "blocking")
    assert {"pykis.protocol.http1", f"pykis.drivers.transport_{mine}"} <= modules
    assert f"pykis.drivers.transport_{other}" not in modules
    assert not {"h11", "http.client", "httpx", "httpcore", "anyio", "sniffio", "certifi", "idna"} & modules
