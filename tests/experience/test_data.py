"""DataFrames of balances and order lists, and the candlestick picture of a chart, against the emulator."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path

import pytest

from pykis import PyKis
from pykis.emulator import Emulator
from pykis.models._plot import moving_average


@pytest.fixture(scope="module")
def masters(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Symbol master files, kept for the module (the same for every emulator)."""
    return tmp_path_factory.mktemp("masters")


@pytest.fixture
def kis(tmp_path_factory: pytest.TempPathFactory, private_cache: Path, masters: Path) -> Iterator[PyKis]:
    (private_cache / "masters").symlink_to(masters, target_is_directory=True)
    with (
        Emulator(secrets_dir=tmp_path_factory.mktemp("secrets")) as emu,
        PyKis(emu.real.auth) as client,  # orders to the real side: its rate limit is 10x the virtual one
    ):
        yield client


def test_frames_of_balance_daily_and_pending_orders(kis: PyKis) -> None:
    hynix = kis.stock("000660")
    quote = hynix.quote()
    assert quote.lower_limit is not None
    order = hynix.buy(price=quote.lower_limit, qty=1)
    account = kis.account()
    balance = account.balance()
    frame = balance.to_pandas()
    assert len(frame) == len(balance.stocks) and {"symbol", "qty", "profit_rate"} <= set(frame.columns)
    assert frame["purchase_price"].dtype == float
    assert balance.to_polars().height == len(balance.stocks)
    daily = account.daily_orders()
    assert order.number in list(daily.to_pandas()["number"])
    assert order.number in daily.to_polars()["number"].to_list()
    pending = account.pending_orders()
    assert list(pending.to_pandas()["number"]) == [o.number for o in pending]
    assert pending.to_polars()["pending_qty"].to_list() == [o.pending_qty for o in pending]
    order.cancel()
    empty = account.pending_orders()
    assert len(empty.to_pandas()) == 0 and "number" in empty.to_polars().columns


def test_chart_plot_writes_a_png_of_the_asked_size(kis: PyKis, tmp_path: Path) -> None:
    chart = kis.stock("005930").chart("3m")
    path = chart.plot(tmp_path / "samsung.png", ma=(5, 20, 60), width=900, height=600)
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR"
    assert struct.unpack(">II", head[16:24]) == (900, 600)
    minutes = kis.stock("NVDA").chart("1d", period=5)
    head = minutes.plot(tmp_path / "nvda.png", ma=()).read_bytes()[:24]
    assert struct.unpack(">II", head[16:24]) == (1200, 800)
    with pytest.raises(ValueError, match="100 x 100"):
        chart.plot(tmp_path / "tiny.png", width=10)


def test_moving_average() -> None:
    assert moving_average([1.0, 2.0, 3.0, 4.0], 2) == [None, 1.5, 2.5, 3.5]
    assert moving_average([1.0], 3) == [None]
