"""Time is the service's: a sandbox replaying a day and the always-open sandbox, seen from Python and the CLI.

Both scenarios of issue 13 §1, over real sockets. They also run under pinned process clocks
(scripts/pinned_dates.py), which is the point: nothing here may follow this machine's date.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from pykis import PyKis
from pykis.cli import main
from pykis.emulator import Emulator

KST = ZoneInfo("Asia/Seoul")
FROZEN_SATURDAY = datetime(2026, 11, 28, 11, 0, tzinfo=KST)
LAST_FRIDAY = date(2026, 11, 27)


@pytest.fixture(scope="module")
def saturday(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    with Emulator(
        clock="frozen", start=FROZEN_SATURDAY, token_issue_interval=0.0, secrets_dir=tmp_path_factory.mktemp("sat")
    ) as emulator:
        yield emulator


@pytest.fixture(scope="module")
def tmp_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One kept token per module: a frozen clock never lets the gateway's token minute pass."""
    return tmp_path_factory.mktemp("tokens")


@pytest.fixture(scope="module")
def always_open(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    with Emulator(token_issue_interval=0.0, secrets_dir=tmp_path_factory.mktemp("open")) as emulator:
        yield emulator


def test_a_frozen_saturday_gives_the_week_ending_friday(saturday: Emulator, tmp_path: Path) -> None:
    with PyKis(saturday.real.auth, keep_token=tmp_path) as kis:
        chart = kis.stock("005930").chart("5d")
        assert kis.now().date() == FROZEN_SATURDAY.date()
    days = [bar.time.date() for bar in chart.bars]
    assert days == saturday.market.trading_days("KRX", date(2026, 11, 23), LAST_FRIDAY)
    assert days[-1] == LAST_FRIDAY and len(days) == 5
    assert chart.bars[-1].close == saturday.market.daily_bars("005930", LAST_FRIDAY, LAST_FRIDAY)[0].close


def test_the_cli_anchors_its_window_on_the_service_too(
    saturday: Emulator, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYKIS_SECRET", str(saturday.real.secret_file))
    assert main(["chart", "005930", "--range", "5d", "--json"]) == 0
    bars = json.loads(capsys.readouterr().out)["chart"]["bars"]
    assert [bar["time"][:10] for bar in bars][-1] == LAST_FRIDAY.isoformat() and len(bars) == 5


def test_an_empty_window_is_reported_not_printed_as_zero_bars(
    tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    sunday = datetime(2026, 11, 29, 11, 0, tzinfo=KST)  # the last day holds no bar
    with Emulator(clock="frozen", start=sunday, secrets_dir=tmp_path_factory.mktemp("sun")) as emulator:
        monkeypatch.setenv("PYKIS_SECRET", str(emulator.real.secret_file))
        code = main(["chart", "005930", "--range", "1d"])
    captured = capsys.readouterr()
    assert code == 1
    assert "no bars for 005930 over the last 1d" in captured.err and "2026-11-29" in captured.err
    assert "0 bars" not in captured.out


def test_the_always_open_sandbox_has_no_weekend_history(always_open: Emulator, tmp_path: Path) -> None:
    with PyKis(always_open.real.auth, keep_token=tmp_path) as kis:
        today = kis.now().date()
        chart = kis.stock("005930").chart("1y")
    closed = [
        bar.time.date() for bar in chart.bars if not always_open.market.trading_days("KRX", *[bar.time.date()] * 2)
    ]
    assert closed == []
    weekends = [bar.time.date() for bar in chart.bars if bar.time.weekday() >= 5 and bar.time.date() != today]
    assert weekends == []
    # Roughly a year of exchange days (KRX trades ~245 a year), not 366 calendar days.
    assert 230 <= len(chart.bars) <= 252


def test_always_open_trading_hours_agree_with_what_the_sandbox_does(always_open: Emulator, tmp_path: Path) -> None:
    with PyKis(always_open.real.auth, keep_token=tmp_path) as kis:
        assert kis.always_open
        for market in ("KRX", "NASDAQ", "HKEX", "TYO"):
            assert kis.trading_hours(market).session(kis.now()) == "regular"
            assert kis.is_trading_day(market)
        nvda = kis.stock("NVDA")
        assert nvda.trading_hours().is_open(kis.now())
        # Past days keep the exchange's calendar: the Saturday before last did not trade.
        last_week = kis.now().date() - timedelta(days=7)
        saturday = last_week - timedelta(days=(last_week.weekday() - 5) % 7)
        assert not kis.is_trading_day("NASDAQ", saturday)
        assert always_open.market.session("NASDAQ") == "regular"


def test_a_real_clock_sandbox_is_not_always_open(saturday: Emulator, tmp_path: Path) -> None:
    with PyKis(saturday.real.auth, keep_token=tmp_path) as kis:
        assert not kis.always_open
        kis.stock("005930").quote()  # one answer teaches the client the service's time
        assert kis.trading_hours("KRX").session(kis.now()) == "closed"
        assert not kis.is_trading_day("KRX")  # asked of the sandbox (CTCA0903R) for its Saturday
        assert kis.is_trading_day("NASDAQ")  # still Friday 21:00 in New York
        assert abs(kis.now() - FROZEN_SATURDAY) < timedelta(seconds=5)


def test_the_generated_token_api_words_its_expiry_in_the_service_time(saturday: Emulator, tmp_path: Path) -> None:
    # kis.api.auth.auth_token() answers from the client's token as the service would: seconds left, and the
    # expiry stamped in Korea time by the service's clock (a frozen Saturday, whatever this machine's date).
    with PyKis(saturday.real.auth, keep_token=tmp_path) as kis:
        kis.token()
        row = kis.api.auth.auth_token().rows[0]
    assert 86400 - 120 <= int(row.expires_in) <= 86400
    expiry = datetime.strptime(row.access_token_token_expired, "%Y-%m-%d %H:%M:%S").replace(tzinfo=KST)
    assert abs(expiry - (FROZEN_SATURDAY + timedelta(seconds=int(row.expires_in)))) <= timedelta(seconds=2)
