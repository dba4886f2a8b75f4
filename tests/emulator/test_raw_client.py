"""The independent raw-HTTP client of examples/ (httpx only, written from PROTOCOL.md) passes against
the emulator: token, prices, 200 paged bars, and the refusals for a bad token, a burst and a virtual TR."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from pykis.emulator import Emulator

SCRIPT = Path(__file__).parents[2] / "examples" / "raw_http_client.py"


def test_raw_http_client_passes_every_check(tmp_path: Path) -> None:
    with Emulator(secrets_dir=tmp_path) as emu:
        result = subprocess.run(
            [sys.executable, str(SCRIPT), str(emu.real.secret_file)],
            check=False,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 7
    assert all(line.startswith("ok") for line in lines)
