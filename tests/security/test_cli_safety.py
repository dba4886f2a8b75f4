"""The CLI: a confirmation before cancelling on the real service, no secret on the command line (item 11)."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pykis import PyKis
from pykis.cli import main
from pykis.emulator import Emulator


@pytest.fixture(scope="module")
def emu(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    with Emulator(secrets_dir=tmp_path_factory.mktemp("secrets"), real_rate=1000) as running:
        yield running


def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, stdin: str, *argv: str) -> tuple[int, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(argv))
    return code, capsys.readouterr().err


def test_cancel_on_the_real_service_asks_first(
    emu: Emulator, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with PyKis(emu.real.auth, keep_token=False) as kis:
        stock = kis.stock("000660")
        low = stock.quote().lower_limit
        number = stock.buy(price=low, qty=1).number

        def pending() -> bool:
            return kis.account().pending_orders().order(number) is not None

        secret = ("--secret", str(emu.real.secret_file))
        code, err = run(capsys, monkeypatch, "n\n", "cancel", number, "--real", *secret)
        assert code == 3 and "REAL service?" in err and pending()
        code, err = run(capsys, monkeypatch, "", "cancel", number, "--real", *secret)  # no terminal, no answer
        assert code == 3 and "--yes" in err and pending()
        code, err = run(capsys, monkeypatch, "", "cancel", number, "--real", "--yes", *secret)
        assert code == 0, err
        assert not pending()


def test_auth_init_takes_no_secret_on_the_command_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    secret = "S" * 180
    base = ("auth", "init", "--id", "x", "--appkey", "A" * 36, "--account", "12345678-01", "--virtual")
    code, err = run(capsys, monkeypatch, "", *base, "--secretkey", secret)
    assert code == 2 and "shell history" in err and secret[:20] not in err
    assert not (tmp_path / "virtual_secret.json").exists()
    code, err = run(capsys, monkeypatch, secret + "\n", *base, "--secretkey", "-")
    assert code == 0, err
    assert secret in (tmp_path / "virtual_secret.json").read_text() and secret[:20] not in err


def test_the_emulator_writes_no_secret_file_through_a_dangling_link(tmp_path: Path) -> None:
    secrets, target = tmp_path / "secrets", tmp_path / "elsewhere" / "chosen.json"
    secrets.mkdir()
    target.parent.mkdir()
    (secrets / "secret.json").symlink_to(target)
    with pytest.raises(FileExistsError, match="link to a missing file"), Emulator(secrets_dir=secrets):
        pass
    assert not target.exists()
