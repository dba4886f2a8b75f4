"""The ``pykis`` command, run in-process through ``main([...])`` (and once as ``python -m pykis``) against the
emulator: its output, its exit codes (0 ok, 1 API error, 2 usage, 3 refused) and its refusals."""

from __future__ import annotations

import io
import json
import os
import stat
import struct
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pykis.cli import main
from pykis.emulator import Emulator


@pytest.fixture(scope="module")
def emu(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    with Emulator(secrets_dir=tmp_path_factory.mktemp("cli-secrets")) as emulator:
        yield emulator


@pytest.fixture(scope="module")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One token cache for the module: every command is a new client, as in a shell, and reuses the token."""
    return tmp_path_factory.mktemp("cli-cache")


@pytest.fixture(autouse=True)
def _environment(
    emu: Emulator, shared_cache: Path, private_cache: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PYKIS_CACHE_DIR", str(shared_cache))
    monkeypatch.setenv("PYKIS_SECRET", str(emu.real.secret_file))
    monkeypatch.delenv("PYKIS_VIRTUAL_SECRET", raising=False)
    monkeypatch.delenv("PYKIS_PLAIN", raising=False)
    monkeypatch.chdir(tmp_path)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_quote_prints_a_table_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "quote", "005930", "NVDA")
    assert code == 0
    assert "Quotes" in out and "005930" in out and "삼성전자" in out and "NVDA" in out and "NASDAQ" in out
    code, out, _ = run(capsys, "quote", "005930", "--json")
    assert code == 0
    [quote] = json.loads(out)
    assert quote["symbol"] == "005930" and quote["market"] == "KRX"
    assert isinstance(quote["price"], int | float) and quote["price"] > 0


def test_plain_output_without_rich(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYKIS_PLAIN", "1")
    code, out, _ = run(capsys, "orderbook", "005930")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("005930 (KRX) order book")
    assert lines[1].split() == ["ask", "qty", "price", "bid", "qty"]
    assert "┃" not in out and lines[-1].split()[1] == "total"
    code, out, _ = run(capsys, "balance")
    assert code == 0
    assert "deposits" in out and "Positions" in out and "Totals (KRW)" in out and "KRW" in out


def test_chart_png_csv_and_table(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    png, csv = tmp_path / "hynix.png", tmp_path / "hynix.csv"
    code, out, err = run(
        capsys,
        "chart",
        "000660",
        "--range",
        "6m",
        "--png",
        str(png),
        "--csv",
        str(csv),
        "--width",
        "640",
        "--height",
        "480",
    )
    assert code == 0, err
    assert "000660 (KRX)" in out and f"wrote PNG {png}" in err
    head = png.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR"
    assert struct.unpack(">II", head[16:24]) == (640, 480)
    rows = csv.read_text().splitlines()
    assert rows[0] == "time,open,high,low,close,volume,amount" and len(rows) > 100
    code, out, _ = run(capsys, "chart", "005930", "--period", "5", "--rows", "3", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["chart"]["period"] == "minute" and data["chart"]["interval"] == 5 and data["chart"]["bars"]


def test_orders_on_the_real_service_are_refused_without_real(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "buy", "000660", "1", "--yes")
    assert code == 3 and "REAL" in err and "--real" in err
    code, _, err = run(capsys, "cancel", "0000000001")
    assert code == 3 and "--real" in err


def test_buy_asks_and_a_no_aborts(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, emu: Emulator
) -> None:
    virtual = str(emu.virtual.secret_file)
    monkeypatch.setattr(sys, "stdin", io.StringIO("n\n"))
    code, out, err = run(capsys, "buy", "000660", "1", "--virtual-secret", virtual)
    assert code == 3 and "BUY 1 x 000660" in err and "Place this order?" in err and out == ""
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # no terminal, no --yes: nothing is placed
    code, _, err = run(capsys, "sell", "000660", "1", "--virtual-secret", virtual)
    assert code == 3 and "--yes" in err


def test_buy_list_and_cancel_on_the_virtual_service(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, emu: Emulator
) -> None:
    monkeypatch.setenv("PYKIS_VIRTUAL_SECRET", str(emu.virtual.secret_file))
    code, out, _ = run(capsys, "quote", "000660", "--json")
    low = json.loads(out)[0]["lower_limit"]
    monkeypatch.setattr(sys, "stdin", io.StringIO("y\n"))
    code, out, err = run(capsys, "buy", "000660", "1", "--price", str(low), "--json")
    assert code == 0, err
    order = json.loads(out)
    assert order["side"] == "buy" and order["symbol"] == "000660" and order["qty"] == 1
    code, out, _ = run(capsys, "orders", "--pending", "--json")
    assert code == 0
    assert order["number"] in [row["number"] for row in json.loads(out)]
    code, out, _ = run(capsys, "orders")
    assert code == 0 and order["number"] in out and "SK하이닉스" in out
    code, out, err = run(capsys, "cancel", order["number"])
    assert code == 0, err
    assert f"Order {order['number']} cancelled" in out
    code, out, _ = run(capsys, "orders", "--pending", "--json")
    assert order["number"] not in [row["number"] for row in json.loads(out)]
    code, _, err = run(capsys, "cancel", "9999999999")
    assert code == 1 and "no open order" in err


def test_usage_and_api_errors(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    assert run(capsys, "buy", "000660", "zero")[0] == 2
    assert run(capsys, "quote")[0] == 2
    assert run(capsys, "frobnicate")[0] == 2
    assert run(capsys, "chart", "005930", "--period", "fortnight")[0] == 2
    code, out, _ = run(capsys, "--help")
    assert code == 0 and "auth init" in out and "watch SYMBOL" in out
    code, _, err = run(capsys, "quote", "ZZZZZZ")
    assert code == 1 and "KisNotFoundError" in err
    monkeypatch.delenv("PYKIS_SECRET")
    code, _, err = run(capsys, "balance")
    assert code == 2 and "pykis auth init" in err
    code, _, err = run(capsys, "balance", "--secret", "missing.json")
    assert code == 2 and "missing.json" in err


def test_auth_init_writes_a_private_secret_file(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    answers = ["myid", "A" * 36, "S" * 180, "12345678-01", "y"]
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(answers) + "\n"))
    code, _, err = run(capsys, "auth", "init")
    assert code == 0, err
    path = tmp_path / "virtual_secret.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = json.loads(path.read_text())
    assert data["id"] == "myid" and data["virtual"] is True and data["account"] == "12345678-01"
    assert "S" * 10 not in err  # the secret is never echoed
    args = ["auth", "init", "--id", "x", "--appkey", "A" * 36, "--secretkey", "S" * 180, "--account", "12345678-01"]
    assert run(capsys, *args)[0] == 0
    assert not json.loads((tmp_path / "secret.json").read_text())["virtual"]
    code, _, err = run(capsys, *args)
    assert code == 3 and "--force" in err
    assert run(capsys, *args, "--force")[0] == 0
    code, _, err = run(capsys, "auth", "init", "--id", "x", "--appkey", "short", "--secretkey", "s", "--account", "1")
    assert code == 2 and "appkey" in err


def test_watch_streams_realtime_prices(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "watch", "005930", "000660", "--seconds", "1.2", "--json")
    assert code == 0
    events = [json.loads(line) for line in out.splitlines()]
    assert events and {event["symbol"] for event in events} <= {"005930", "000660"}
    assert all(event["price"] > 0 for event in events)
    code, out, _ = run(capsys, "watch", "005930", "--seconds", "0.6")
    assert code == 0 and "Realtime prices" in out and "005930" in out


def test_python_dash_m_pykis(emu: Emulator, shared_cache: Path) -> None:
    env = {**os.environ, "PYKIS_CACHE_DIR": str(shared_cache), "PYKIS_SECRET": str(emu.real.secret_file)}
    result = subprocess.run(
        [sys.executable, "-m", "pykis", "quote", "005930", "--json"],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[0]["symbol"] == "005930"
    result = subprocess.run(
        [sys.executable, "-m", "pykis", "buy", "005930", "1"], check=False, capture_output=True, text=True, env=env
    )
    assert result.returncode == 3 and "--real" in result.stderr
