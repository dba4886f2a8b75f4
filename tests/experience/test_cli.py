"""The ``pykis`` command, run in-process through ``main([...])`` (and once as ``python -m pykis``) against the
emulator: its output, its exit codes (0 ok, 1 API error, 2 usage, 3 refused), its refusals and its parser."""

from __future__ import annotations

import io
import json
import os
import re
import stat
import struct
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pykis.cli import main
from pykis.cli.bars import enabled, progress_bars
from pykis.cli.output import Output, Table
from pykis.cli.program import parse
from pykis.emulator import Emulator
from pykis.progress import report


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
    monkeypatch.delenv("PYKIS_PROGRESS", raising=False)
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


def test_plain_output(capsys: pytest.CaptureFixture[str]) -> None:
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
    code, _, err = run(capsys, "quote", "ZZZZZZ")
    assert code == 2 and "KisNotFoundError" in err  # an unknown symbol is bad input: nothing was sent
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
    args = ["auth", "init", "--id", "x", "--appkey", "A" * 36, "--secretkey", "-", "--account", "12345678-01"]
    monkeypatch.setattr(sys, "stdin", io.StringIO(("S" * 180 + "\n") * 3))
    assert run(capsys, *args)[0] == 0
    assert not json.loads((tmp_path / "secret.json").read_text())["virtual"]
    code, _, err = run(capsys, *args)
    assert code == 3 and "--force" in err
    assert run(capsys, *args, "--force")[0] == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO("s\n"))
    code, _, err = run(capsys, "auth", "init", "--id", "x", "--appkey", "short", "--secretkey", "-", "--account", "1")
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


# ------------------------------------------------------------------------------------------------ the parser


def test_help_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == 0
    names = ("auth", "quote", "chart", "orderbook", "balance", "orders", "buy", "sell", "cancel", "watch", "emulator")
    assert all(re.search(rf"^\W*{name}\s", out, re.MULTILINE) for name in names), out
    assert "--secret" in out and "--virtual-secret" in out and "--json" in out
    assert out.startswith("usage: pykis")
    code, out, _ = run(capsys, "buy", "-h")
    assert code == 0 and "QTY" in out and "--price" in out and "--real" in out and "--yes" in out
    code, out, _ = run(capsys, "auth", "--help")
    assert code == 0 and "init" in out
    code, out, _ = run(capsys, "auth", "init", "--help")  # help is literal text, not rich markup
    assert code == 0 and "[virtual_]secret.json" in out and "--appkey" in out
    code, out, _ = run(capsys)  # no command: the help, and a usage exit code
    assert code == 2 and "quote" in out


def test_usage_errors_exit_2_with_a_message(capsys: pytest.CaptureFixture[str]) -> None:
    cases: list[tuple[list[str], str]] = [
        (["quote", "005930", "--frobnicate"], "unrecognized arguments: --frobnicate"),
        (["buy", "000660", "1", "--price", "abc"], "not a price: 'abc'"),
        (["buy", "000660", "0"], "must be positive: '0'"),
        (["buy", "000660"], "required: QTY"),
        (["chart", "005930", "--rows", "many"], "not a whole number: 'many'"),
        (["watch", "005930", "--seconds", "soon"], "not a number of seconds: 'soon'"),
        (["buy", "000660", "1", "--re", "--yes"], "unrecognized arguments: --re"),  # no prefix means --real
        (["auth"], "init"),
        (["frobnicate"], "frobnicate"),
    ]
    for argv, message in cases:
        code, out, err = run(capsys, *argv)
        assert code == 2, (argv, out, err)
        assert message in err + out, (argv, err)
        if argv != ["auth"]:  # a group without its command shows its help on stdout
            assert out == "", argv


def test_plain_text_errors_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "buy", "000660", "1", "--price", "abc")
    assert code == 2 and "not a price: 'abc'" in err and "╭" not in err
    code, out, _ = run(capsys, "--help")
    assert code == 0 and "quote" in out and "╭" not in out


def test_common_options_before_or_after_the_command(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, emu: Emulator
) -> None:
    for argv in (["--json", "quote", "005930"], ["quote", "--json", "005930"], ["quote", "005930", "--json"]):
        code, out, err = run(capsys, *argv)
        assert code == 0, err
        assert json.loads(out)[0]["symbol"] == "005930"
    monkeypatch.delenv("PYKIS_SECRET")
    code, _, err = run(capsys, "--secret", "missing.json", "balance")
    assert code == 2 and "missing.json" in err
    code, _, err = run(capsys, "--secret", "missing.json", "balance", "--secret", str(emu.real.secret_file))
    assert code == 0, err  # the one after the command wins
    code, out, err = run(capsys, f"--secret={emu.real.secret_file}", "orders", "--pending", "--json")
    assert code == 0 and isinstance(json.loads(out), list), err


def test_the_parser_hands_the_handlers_their_values() -> None:
    argvs = [
        ["quote", "005930", "NVDA"],
        ["chart", "005930"],
        ["--json", "chart", "005930", "--period", "5min", "--ma", "5,60", "--rows", "0", "--range", "2d"],
        ["chart", "005930", "--period", "week", "--png", "a.png", "--csv", "a.csv", "--width", "640", "--ma", "none"],
        ["orderbook", "005930"],
        ["buy", "000660", "3", "--price", "1,000", "-y", "--secret", "s.json"],
        ["--virtual-secret", "v.json", "sell", "000660", "1", "--real", "--yes"],
        ["--secret", "a.json", "cancel", "0000000001", "--secret", "b.json"],
        ["auth", "init", "--id", "x", "-o", "f.json"],
        ["--json", "auth", "--secret", "s.json", "init", "--virtual", "--force"],
        ["orders", "--pending"],
        ["orders"],
        ["balance"],
        ["watch", "005930", "000660", "--seconds", "1.5"],
    ]
    seen = [vars(parse(argv)) for argv in argvs]
    assert all(args["handler"] is not None for args in seen)
    by_command = {args["command"]: args for args in seen}
    assert by_command["auth init"]["virtual"] is True and by_command["auth init"]["json"] is True
    assert by_command["auth init"]["secret"] == "s.json"
    buy = by_command["buy"]
    assert buy["qty"] == 3 and str(buy["price"]) == "1000" and buy["yes"] and buy["secret"] == "s.json"
    assert buy["real"] is False and buy["json"] is False and buy["virtual_secret"] is None
    assert by_command["sell"]["virtual_secret"] == "v.json" and by_command["sell"]["real"] is True
    assert by_command["cancel"]["secret"] == "b.json"
    chart = seen[argvs.index(["chart", "005930"])]
    assert chart["period"] == "day" and chart["ma"] == (5, 20) and chart["width"] == 1200 and chart["span"] is None
    minutes = seen[2]
    assert minutes["json"] and minutes["period"] == 5 and minutes["ma"] == (5, 60) and minutes["rows"] == 0
    assert seen[3]["ma"] == () and seen[3]["period"] == "week"
    assert by_command["watch"]["seconds"] == 1.5 and by_command["watch"]["symbols"] == ["005930", "000660"]


def test_the_command_needs_no_extra(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """A base install (``pip install pykis-client``) has the whole command: neither typer nor rich is needed."""
    for name in ("typer", "rich", "click"):
        monkeypatch.setitem(sys.modules, name, None)  # `import typer` raises ImportError
    code, out, _ = run(capsys, "--help")
    assert code == 0 and out.startswith("usage: pykis")
    code, out, err = run(capsys, "quote", "005930", "--json")
    assert code == 0 and json.loads(out)[0]["symbol"] == "005930", err
    code, _, err = run(capsys, "buy", "000660", "1", "--price", "abc")
    assert code == 2 and "not a price" in err
    code, _, err = run(capsys, "buy", "000660", "1", "--yes")
    assert code == 3 and "--real" in err


def test_importing_the_cli_loads_no_parser() -> None:
    modules = "('typer', 'rich', 'argparse', 'pykis.cli.commands', 'pykis.cli.program')"
    probe = f"import sys, pykis.cli; print([m for m in {modules} if m in sys.modules])"
    result = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True)
    assert result.stdout.strip() == "[]"


def test_emulator_gets_its_arguments_unparsed(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "emulator", "--help")
    assert code == 0 and out.lstrip().lower().startswith("usage: pykis emulator") and "--secrets-dir" in out
    assert "listeners:" in out.lower() and "╭" not in out  # argparse's look, as every other command's help
    assert main(["--json", "emulator", "-h"]) == 0
    assert capsys.readouterr().out.lstrip().lower().startswith("usage: pykis emulator")
    code, _, err = run(capsys, "emulator", "--frobnicate")
    assert code == 2 and "--frobnicate" in err
    code, out, err = run(capsys, "--json", "emulator", "--duration", "0.2", "--secrets-dir", str(tmp_path))
    assert code == 0, err
    ready = json.loads(out.splitlines()[0])
    assert "real" in ready and "virtual" in ready and (tmp_path / "secret.json").exists()


def test_a_live_table_is_redrawn_in_place_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.setenv("COLUMNS", "80")
    frames = iter(range(10))
    waits = iter([True, True, False])
    stdout = Terminal()
    Output(stdout=stdout).live(lambda: Table("Prices", ("n",), [[next(frames)]]), lambda _: next(waits))
    shown = stdout.getvalue()
    # four frames (a first, two refreshes, a last); each after the first climbs the 4 rows above and clears them
    assert shown.count("\x1b[4F\x1b[J") == 3 and shown.startswith("Prices\nn\n-\n0\n") and shown.endswith("-\n3\n")
    piped = io.StringIO()  # not a terminal: the last table once
    Output(stdout=piped).live(lambda: Table("Prices", ("n",), [[7]]), lambda _: False)
    assert piped.getvalue() == "Prices\nn\n-\n7\n"


@pytest.mark.parametrize(
    ("missing", "argv", "extra"),
    [
        ("aiohttp", ["emulator", "--help"], "emulator"),
        ("nats", ["gateway", "status", "--nats", "nats://127.0.0.1:1"], "gateway"),
    ],
)
def test_a_missing_extra_is_named_in_one_line(missing: str, argv: list[str], extra: str) -> None:
    """On a base install the emulator and the gateway say which extra they need, without a traceback."""
    probe = f"import sys; sys.modules[{missing!r}] = None; from pykis.cli import main; raise SystemExit(main({argv!r}))"
    result = subprocess.run([sys.executable, "-c", probe], check=False, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr == f"pykis: pykis {extra} needs the {extra} extra: pip install 'pykis-client[{extra}]'\n"


# ------------------------------------------------------------------------------------------------ progress bars


def test_a_long_chart_download_shows_a_progress_bar(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run(capsys, "chart", "005930", "--range", "3y", "--rows", "1")
    assert code == 0 and "%" not in err, err  # stderr is no terminal here: no bar
    monkeypatch.setenv("PYKIS_PROGRESS", "1")
    code, out, err = run(capsys, "chart", "005930", "--range", "3y", "--rows", "1")
    assert code == 0, err
    assert "005930 (KRX)" in out
    assert "chart 005930" not in out  # the bar is on stderr only
    steps = [int(percent) for percent in re.findall(r"\rchart 005930: +(\d+)% \(\d+/\d+ days\)", err)]
    assert len(steps) >= 8 and steps == sorted(steps) and steps[-1] == 100, err  # a page of 100 bars each
    assert err.endswith("\n") and re.search(r"100% \((\d+)/\1 days\)\n", err)
    code, out, err = run(capsys, "chart", "005930", "--range", "3y", "--json")
    assert code == 0 and json.loads(out)["chart"]["bars"]
    assert "chart 005930" not in err  # never with --json


def test_progress_bars_of_downloads_in_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYKIS_PROGRESS", "1")
    stderr = io.StringIO()
    with progress_bars(Output(stderr=stderr)):
        report("master nasmst.cod", 0, 2_500_000, "bytes")
        report("master nasmst.cod", 1_250_000, 2_500_000, "bytes")
        report("master nasmst.cod", 2_500_000, 2_500_000, "bytes", finished=True)
        report("master nysmst.cod", 512, None, "bytes")  # unknown size, unfinished: settled with the block
    shown = stderr.getvalue()
    assert "master nasmst.cod" in shown and "2.5 MB/2.5 MB" in shown and "100%" in shown
    assert "master nysmst.cod" in shown and "512 B" in shown and shown.endswith("\n")
    assert "\rmaster nasmst.cod:  50% (1.2 MB/2.5 MB)" in shown


def test_progress_bars_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert enabled(Output(stderr=Terminal())) and not enabled(Output(stderr=io.StringIO()))
    assert not enabled(Output(json=True, stderr=Terminal()))
    monkeypatch.setenv("PYKIS_PROGRESS", "0")
    assert not enabled(Output(stderr=Terminal()))
    monkeypatch.setenv("PYKIS_PROGRESS", "1")
    assert enabled(Output(stderr=io.StringIO())) and not enabled(Output(json=True, stderr=io.StringIO()))
