"""Progress of long operations (:mod:`pykis.progress`): multi-page charts and master downloads, sync and asyncio,
reported while the requests go to the emulator over real sockets."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from pykis import AsyncPyKis, PyKis
from pykis.emulator import Emulator
from pykis.progress import Progress, listen, report

KRX_MIDDAY = datetime(2026, 11, 25, 11, 0, tzinfo=ZoneInfo("Asia/Seoul"))


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator(clock="frozen", start=KRX_MIDDAY, token_issue_interval=0.0) as emulator:
        yield emulator


@pytest.fixture(scope="module")
def tokens(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("tokens")


def requests(emu: Emulator) -> int:
    return emu.gateway.stats.requests


def test_a_multi_page_chart_reports_each_page_then_the_end(emu: Emulator, tokens: Path) -> None:
    seen: list[Progress] = []
    with PyKis(emu.real.auth, keep_token=tokens) as kis:
        stock = kis.stock("005930")
        before = requests(emu)
        with listen(seen.append):
            chart = stock.chart("3y")
        pages = requests(emu) - before
    assert pages >= 7 and len(chart) >= 600  # 100 bars a page
    assert {p.task for p in seen} == {"chart 005930"} and {p.unit for p in seen} == {"days"}
    steps, last = seen[:-1], seen[-1]
    assert len(steps) == pages  # one report per page received
    assert all(p.total == steps[0].total for p in steps) and steps[0].total is not None
    assert [p.done for p in steps] == sorted(p.done for p in steps)  # history covered only grows
    assert steps[0].fraction is not None and 0 < steps[0].fraction < 0.25
    assert steps[-1].fraction == pytest.approx(1.0, abs=0.02)
    assert last.finished and last.fraction == 1.0 and last.done == last.total == steps[0].total


def test_master_downloads_report_bytes_up_to_the_announced_length(emu: Emulator, tokens: Path) -> None:
    seen: list[Progress] = []
    with PyKis(emu.real.auth, keep_token=tokens) as kis, listen(seen.append):
        kis.stock("005930")
    masters = [p for p in seen if p.task.startswith("master ")]
    assert masters and {p.unit for p in masters} == {"bytes"}
    finals = [p for p in masters if p.finished]
    assert {p.task for p in finals} == {p.task for p in masters}  # every download finishes once
    assert len(finals) == len({p.task for p in finals})
    for final in finals:
        chunks = [p for p in masters if p.task == final.task]
        assert final.total is not None and final.done == final.total > 0
        assert [p.done for p in chunks] == sorted(p.done for p in chunks)


def test_a_cached_master_is_not_downloaded_again(emu: Emulator, tokens: Path) -> None:
    with PyKis(emu.real.auth, keep_token=tokens) as kis:
        kis.stock("005930")
    seen: list[Progress] = []
    with PyKis(emu.real.auth, keep_token=tokens) as kis, listen(seen.append):
        kis.stock("005930")
    assert [p for p in seen if p.task.startswith("master ")] == []


def test_asyncio_tasks_report_to_the_listener_of_their_context(emu: Emulator, tokens: Path) -> None:
    async def main() -> tuple[list[Progress], list[Progress]]:
        inside: list[Progress] = []
        outside: list[Progress] = []
        async with AsyncPyKis(emu.real.auth, keep_token=tokens) as kis:
            stock = await kis.stock("005930")

            async def charted() -> None:
                with listen(inside.append):  # this task's own listener, over the inherited one
                    await stock.chart("1y")

            with listen(outside.append):  # both tasks start with this one (they copy the context)
                await asyncio.gather(charted(), stock.chart("1y"))
        return inside, outside

    inside, outside = asyncio.run(main())
    for seen in (inside, outside):
        assert seen and {p.task for p in seen} == {"chart 005930"}
        # One chart each: the overriding task's reports never reach the outer listener, and vice versa.
        assert len([p for p in seen if p.finished]) == 1 and seen[-1].finished


def test_no_listener_means_no_report_and_a_listener_error_propagates() -> None:
    report("chart X", 1, 2, "days")  # nothing installed: a no-op

    def broken(progress: Progress) -> None:
        raise RuntimeError("listener failed")

    with listen(broken), pytest.raises(RuntimeError, match="listener failed"):
        report("chart X", 1, 2, "days")
    assert Progress("t", 5, None, "bytes").fraction is None
    assert Progress("t", 5, 4, "bytes").fraction == 1.0
    assert Progress("t", 0, 0, "bytes", finished=True).fraction == 1.0
