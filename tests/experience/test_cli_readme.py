"""The README's "Command line" block runs as written, line by line, against the emulator: one shell session of
commands addresses one account (the ``export`` applies to every command after it), and every line exits 0.

``pykis auth init`` gets the emulator's 모의투자 keys as its answers and writes into a scratch folder (the
emulator's folder already holds the files it would write); the other lines run in the emulator's secrets folder,
as after ``pykis emulator``. SK hynix's simulated price is scaled so that the day's price is near 640,000
whatever the date of the run: the README's limit of 550,000 is then inside the day's limits and below the market,
so the order waits to be cancelled.
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
import shlex
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from pykis.cli import main
from pykis.emulator import Emulator
from pykis.emulator.clock import SystemClock
from pykis.emulator.instruments import UNIVERSE
from pykis.emulator.market import Market

ROOT = Path(__file__).resolve().parents[2]
TARGET = Decimal(640_000)


def _market(clock: SystemClock) -> Market:
    """The simulated market with 000660 scaled to trade near :data:`TARGET` today (a price path is its anchor
    times a deviation that does not depend on the anchor)."""
    today = Market(clock, always_open=True).quote("000660", "KRX").price
    universe = tuple(
        dataclasses.replace(item, base_price=(item.base_price * TARGET / today).quantize(Decimal(1)))
        if (item.symbol, item.market) == ("000660", "KOSPI")
        else item
        for item in UNIVERSE
    )
    return Market(clock, universe=universe, always_open=True)


def command_lines(readme: str) -> list[str]:
    """The lines of the ```sh block under "## Command line" (명령줄 도구), comments removed."""
    heading = "## Command line" if "## Command line" in readme else "## 명령줄 도구"
    section = readme[readme.index(heading) :]
    block = section[section.index("```sh\n") + 6 : section.index("\n```", section.index("```sh\n"))]
    return [line.split("  #")[0].strip() for line in block.splitlines() if line.strip()]


def test_the_block_is_found() -> None:
    lines = command_lines((ROOT / "README.md").read_text(encoding="utf-8"))
    assert lines[0] == "pykis auth init" and all(line.startswith(("pykis ", "export ")) for line in lines)


@pytest.mark.parametrize("readme", ["README.md", "README.ko.md"])
def test_the_readme_command_line_runs_line_by_line(
    readme: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = command_lines((ROOT / readme).read_text(encoding="utf-8"))
    for name in ("PYKIS_SECRET", "PYKIS_VIRTUAL_SECRET", "PYKIS_PROGRESS"):
        monkeypatch.delenv(name, raising=False)
    secrets, scratch = tmp_path / "secrets", tmp_path / "scratch"
    secrets.mkdir()
    scratch.mkdir()
    clock = SystemClock()
    with Emulator(secrets_dir=secrets, clock=clock, market=_market(clock)) as emu:
        auth = emu.virtual.auth
        answers = {"pykis auth init": [auth.id, auth.appkey, auth.secretkey, str(auth.account_number), "y"]}
        headers: list[tuple[str, str]] = []
        placed: list[str] = []
        for line in lines:
            words = shlex.split(line)
            if words[0] == "export":
                name, _, value = words[1].partition("=")
                monkeypatch.setenv(name, value)
                continue
            monkeypatch.chdir(scratch if line == "pykis auth init" else secrets)
            stdin = answers.get(line, ["y"])  # the y of the buy's question
            monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(stdin) + "\n"))
            code = main(words[1:])
            out, err = capsys.readouterr()
            assert code == 0, f"{readme}: `{line}` exited {code}\n{out}\n{err}"
            headers += re.findall(r"^account (\S+) · (\S+)", err, re.MULTILINE)
            if words[1] == "buy":
                placed += re.findall(r"\b(\d{10})\b", out)
        assert json.loads((scratch / "virtual_secret.json").read_text())["virtual"] is True
        assert (secrets / "samsung.png").exists() and (secrets / "samsung.csv").exists()
        # one session, one account: every command after the export names the 모의투자 account
        assert headers and set(headers) == {(str(emu.virtual.auth.account_number), "모의투자")}, headers
        assert "0000000001" in placed


def test_every_install_line_names_the_distribution() -> None:
    """The distribution is pykis-client (PyPI's pykis is another project); the import name stays pykis."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["name"] == "pykis-client" and project["scripts"]["pykis"] == "pykis.cli:main"
    documents = [ROOT / name for name in ("README.md", "README.ko.md")] + sorted((ROOT / "docs").glob("*.md"))
    sources = sorted((ROOT / "src" / "pykis").rglob("*.py"))
    lines = [line for path in documents + sources for line in path.read_text(encoding="utf-8").splitlines()]
    installs = [line for line in lines if re.search(r"pip install\b", line) and "pykis" in line]
    assert installs and all("pykis-client" in line for line in installs), installs
