"""A closed stdout ends a command quietly, as in every Unix tool: ``pykis … --json | head`` exits 0 with nothing
on stderr, whether the reader goes before the first line or in the middle of a stream."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pykis.emulator import Emulator

HANG = 30  # seconds: a guard against a hang, not a measurement


@pytest.fixture(scope="module")
def emu(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    with Emulator(secrets_dir=tmp_path_factory.mktemp("pipe-secrets")) as emulator:
        yield emulator


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One token cache for the module: every command is a new process, as in a shell, and reuses the token."""
    return tmp_path_factory.mktemp("pipe-cache")


def _start(emu: Emulator, cache: Path, *argv: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYKIS_CACHE_DIR": str(cache), "PYKIS_SECRET": str(emu.real.secret_file)}
    env.pop("PYKIS_VIRTUAL_SECRET", None)
    return subprocess.Popen(
        [sys.executable, "-m", "pykis", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )


def _finish(process: subprocess.Popen[bytes]) -> tuple[int, str]:
    assert process.stderr is not None
    with process.stderr:
        err = process.stderr.read()
    return process.wait(timeout=HANG), err.decode()


def test_watch_json_ends_when_head_has_its_lines(emu: Emulator, cache: Path) -> None:
    process = _start(emu, cache, "watch", "005930", "--json")
    assert process.stdout is not None
    lines = [process.stdout.readline() for _ in range(2)]
    assert all(line.startswith(b"{") for line in lines), lines
    process.stdout.close()  # `head -n 2` exits
    code, err = _finish(process)
    assert (code, err) == (0, "")


@pytest.mark.parametrize(
    "argv",
    [("chart", "005930", "--range", "3y", "--json"), ("orders", "--json"), ("quote", "005930", "--json")],
    ids=["chart", "orders", "quote"],
)
def test_a_reader_gone_before_the_output_is_no_error(emu: Emulator, cache: Path, argv: tuple[str, ...]) -> None:
    process = _start(emu, cache, *argv)
    assert process.stdout is not None
    process.stdout.close()  # the reader is gone before the first byte: the write finds the pipe closed
    code, err = _finish(process)
    assert (code, err) == (0, "")
