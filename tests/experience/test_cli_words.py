"""What the ``pykis`` command says, in words and in numbers people read: exit codes as the README's table, order
types and statuses named, amounts in their currency's places, rates with two decimals — against the emulator's
모의투자 account."""

from __future__ import annotations

import io
import json
import re
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from pykis.cli import main
from pykis.emulator import Emulator


@pytest.fixture(scope="module")
def emu(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    with Emulator(secrets_dir=tmp_path_factory.mktemp("words-secrets")) as emulator:
        yield emulator


@pytest.fixture(scope="module")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("words-cache")


@pytest.fixture(autouse=True)
def _environment(
    emu: Emulator,
    shared_cache: Path,
    private_cache: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("PYKIS_CACHE_DIR", str(shared_cache))
    monkeypatch.setenv("PYKIS_SECRET", str(emu.real.secret_file))
    monkeypatch.setenv("PYKIS_VIRTUAL_SECRET", str(emu.virtual.secret_file))
    monkeypatch.delenv("PYKIS_PROGRESS", raising=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO("y\n" * 10))
    monkeypatch.chdir(tmp_path)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def rows(table: str) -> list[dict[str, str]]:
    """The rows of a plain table (title, header, rule, rows) as dicts; cells are split on two or more spaces."""
    lines = table.splitlines()
    header = lines.index(next(line for line in lines if line.startswith("---"))) - 1
    names = re.split(r"\s{2,}", lines[header].strip())
    return [dict(zip(names, re.split(r"\s{2,}", line.strip()), strict=False)) for line in lines[header + 2 :] if line]


def lower_limit(capsys: pytest.CaptureFixture[str], symbol: str) -> Decimal:
    code, out, _ = run(capsys, "quote", symbol, "--json")
    assert code == 0
    return Decimal(str(json.loads(out)[0]["lower_limit"]))


def test_exit_codes_follow_the_readme(capsys: pytest.CaptureFixture[str]) -> None:
    low = lower_limit(capsys, "000660")
    code, out, err = run(capsys, "buy", "000660", "1", "--price", str(low + 1), "--yes")  # off the tick grid
    assert (code, out) == (3, "") and "refused, nothing was sent" in err and "tick" in err, err
    code, _, err = run(capsys, "buy", "000660", "100000", "--price", str(low), "--yes")  # beyond the cash
    assert code == 3 and "refused, nothing was sent" in err, err
    code, _, err = run(capsys, "buy", "005930", "-1")
    assert code == 2 and "QTY must be positive: '-1'" in err, err
    code, _, err = run(capsys, "chart", "005930", "--range", "10x")
    assert code == 2 and "10x" in err
    code, _, err = run(capsys, "chart", "005930", "--period", "hour")
    assert code == 2 and "hour" in err
    code, _, err = run(capsys, "quote", "ZZZZZZ")
    assert code == 2 and "ZZZZZZ" in err


def test_every_command_names_its_account_and_service(capsys: pytest.CaptureFixture[str], emu: Emulator) -> None:
    account = str(emu.virtual.auth.account_number)
    for argv in (["balance"], ["orders", "--pending"], ["quote", "005930"]):
        code, _, err = run(capsys, *argv)
        assert code == 0 and err.startswith(f"account {account} · 모의투자 (virtual) service"), (argv, err)
    code, out, err = run(capsys, "balance", "--json")
    assert code == 0 and err == "" and json.loads(out)["balance"]["account_number"]["number"] == account[:8]


def test_orders_in_words(capsys: pytest.CaptureFixture[str]) -> None:
    low = lower_limit(capsys, "000660")
    code, out, err = run(capsys, "buy", "000660", "1", "--price", str(low), "--yes", "--json")
    assert code == 0, err
    placed = json.loads(out)
    assert placed["type"] == "limit" and "order_type" not in placed and "branch" not in placed
    code, out, _ = run(capsys, "orders", "--pending")
    [pending] = [row for row in rows(out) if row["number"] == placed["number"]]
    assert pending["type"] == "limit" and pending["status"] == "pending" and pending["avg fill"] == "-"
    code, out, err = run(capsys, "cancel", placed["number"])
    assert code == 0, err
    title = out.splitlines()[0]
    cancel_number = json.loads(run(capsys, "orders", "--json")[1])[-1]["number"]
    assert title == f"Order {placed['number']} cancelled (the cancel request is order {cancel_number})"
    code, out, err = run(capsys, "sell", "005930", "1", "--yes", "--json")  # at the market
    assert code == 0, err
    sell = json.loads(out)
    assert sell["type"] == "market" and sell["price"] is None
    code, out, _ = run(capsys, "orders")
    by_number = {row["number"]: row for row in rows(out)}
    assert by_number[placed["number"]]["status"] == "cancelled"
    assert by_number[cancel_number]["status"] == f"cancel of {placed['number']}"
    sold = by_number[sell["number"]]
    assert sold["type"] == "market" and sold["price"] == "-" and sold["status"] == "filled"
    assert re.fullmatch(r"\d+", sold["avg fill"]), sold  # won: whole numbers
    code, out, _ = run(capsys, "orders", "--pending")
    assert code == 0 and out.splitlines()[0].endswith(": no orders")


def test_numbers_as_people_read_them(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "balance")
    assert code == 0
    tables = out.split("\n\n")
    positions = rows(next(table for table in tables if table.startswith("Positions")))
    assert positions and all(re.fullmatch(r"-?\d+\.\d{2}", row["rate %"]) for row in positions), positions
    usd = [row for row in positions if row["market"] == "NASDAQ"]
    assert usd and all(re.fullmatch(r"-?\d+\.\d{2}", row["amount"]) for row in usd), usd
    [totals] = rows(next(table for table in tables if table.startswith("Totals")))
    assert re.fullmatch(r"-?\d+\.\d{2}", totals["rate %"]) and re.fullmatch(r"\d+", totals["total"]), totals
    code, out, _ = run(capsys, "balance", "--json")
    data = json.loads(out, parse_float=Decimal)
    assert re.fullmatch(r"\d+", str(data["total"])), data["total"]
    rates = [position["profit_rate"] for position in data["positions"]] + [data["profit_rate"]]
    assert all(Decimal(str(rate)) == Decimal(str(rate)).quantize(Decimal("0.01")) for rate in rates), rates


def test_auth_init_checks_each_answer_when_given(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    answers = ["", "myid", "short", "A" * 36, "S" * 180, "1234", "12345678-01", "z", "y"]
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(answers) + "\n"))
    code, _, err = run(capsys, "auth", "init")
    assert code == 0, err
    assert "id (the HTS login ID) must be a non-empty string; try again" in err
    assert "appkey must be 36 ASCII characters, got 5; try again" in err
    assert "account number must look like 'NNNNNNNN-NN'" in err and "answer y or n, not 'z'; try again" in err
    assert err.index("appkey must be") < err.index("App secret")  # checked before the next question
    assert json.loads((tmp_path / "virtual_secret.json").read_text())["virtual"] is True
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(["me", "A" * 36, "S" * 180, "12345678-01"]) + "\n"))
    code, _, err = run(capsys, "auth", "init", "--yes")  # no y/N question: a real key
    assert code == 0, err
    assert json.loads((tmp_path / "secret.json").read_text())["virtual"] is False
    monkeypatch.setattr(sys, "stdin", io.StringIO("x\n" * 5))
    code, _, err = run(capsys, "auth", "init", "--appkey", "A" * 36)
    assert code == 2 and "no valid answer after 3 tries" in err


def test_a_y_n_question_asks_again(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    low = lower_limit(capsys, "000660")
    monkeypatch.setattr(sys, "stdin", io.StringIO("z\nyes\n"))
    code, out, err = run(capsys, "buy", "000660", "1", "--price", str(low))
    assert code == 0 and "answer y or n, not 'z'" in err and "accepted" in out, err


def test_help_shows_our_metavars_only(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["buy", "--help"], ["quote", "--help"], ["--help"], ["emulator", "--help"]):
        code, out, _ = run(capsys, *argv)
        assert code == 0 and "<bool>" not in out and "<list[str]>" not in out and "<str>" not in out, out
        assert "{SYMBOL}" not in out
    code, out, _ = run(capsys, "buy", "--help")
    assert re.search(r"pykis buy \[(OPTIONS|-h)", out) and "SYMBOL" in out and "QTY" in out
