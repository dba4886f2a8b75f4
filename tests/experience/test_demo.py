"""`make demo`'s tour, run as users run it, against the emulator it starts itself."""

from __future__ import annotations

import struct
import subprocess
import sys
from pathlib import Path


def test_the_demo_tour_prints_real_results_and_exits_zero(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pykis.demo", "--realtime-seconds", "1.5"],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    out = result.stdout
    for heading in ("[1] Domestic quote", "[2] US quote", "[3] Daily chart", "[5] Balance", "[6] A limit buy", "[8]"):
        assert heading in out
    assert "KisDomesticQuote(\n    symbol='005930'" in out
    assert "KisForeignQuote(\n    symbol='NVDA',\n    market='NASDAQ'" in out
    assert "KisIntegrationBalance(" in out
    assert "kind='fill'" in out  # the execution notice of the limit buy
    assert "after cancel, pending: False" in out
    assert "KisDomesticRealtimePrice(market='KRX', symbol='005930'" in out
    assert "Traceback" not in result.stderr
    png = tmp_path / "samsung.png"  # beside the user, named in the output
    assert f"moving averages: {png}" in out
    head = png.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", head[16:24]) == (1200, 800)
    steps = out[out.index("Three next steps:") :]
    assert "pykis quote" in steps and "docs/tutorial.md" in steps and "pykis auth init" in steps
    assert "pykis-demo-" not in out  # no path that is gone when the demo ends
