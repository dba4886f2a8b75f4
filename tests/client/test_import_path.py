"""What a cold process loads for its first quote (issue 15): not the order rules, and of the generated layer
only the description of the API it calls. Counted in a fresh interpreter against the emulator; the time it
takes is bench/cold_start.py's business, not a test's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pykis.emulator import Emulator

PROBE = """
import json, sys
from pykis import PyKis
with PyKis(sys.argv[1], keep_token=sys.argv[2]) as kis:
    kis.stock(sys.argv[3]).quote()
print(json.dumps(sorted(name for name in sys.modules if name.startswith("pykis"))))
"""


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    with Emulator(secrets_dir=tmp_path_factory.mktemp("secrets"), token_issue_interval=0.0) as emu:
        yield emu


def loaded_for_a_quote(emulator: Emulator, tmp_path: Path, symbol: str) -> list[str]:
    env = {**os.environ, "PYKIS_CACHE_DIR": str(tmp_path / "cache")}
    command = [sys.executable, "-c", PROBE, str(emulator.real.secret_file), str(tmp_path / "tokens"), symbol]
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=True, timeout=60)
    modules: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return modules


@pytest.mark.parametrize(
    ("symbol", "api"),
    [("005930", "domestic_stock.inquire_price"), ("NVDA", "overseas_stock.price_detail")],
)
def test_a_quote_loads_neither_the_order_rules_nor_other_apis(
    emulator: Emulator, tmp_path: Path, symbol: str, api: str
) -> None:
    modules = loaded_for_a_quote(emulator, tmp_path, symbol)
    assert "pykis.scopes.stock" in modules  # the probe did run a quote
    assert not {"pykis.scopes.orders", "pykis.scopes.trading", "pykis.scopes.account"} & set(modules)
    generated = {name.removeprefix("pykis.api._generated.") for name in modules if "._generated." in name}
    categories = {"domestic_stock", "overseas_stock"}
    assert generated - categories == {api}
    # The wire shapes: the ones the market-data models read, generated together; no other API's.
    assert {name for name in modules if name.startswith("pykis.wire")} == {"pykis.wire", "pykis.wire._market"}
