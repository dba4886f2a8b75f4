"""Cross-process proofs, counted on the emulator's side: real processes (spawned, each with its own interpreter and
empty in-memory registry) sharing one cache directory issue one token between them, and share one rate limit.

The gateway counts what it saw (``GatewayStats``), so a duplicate issue or a refused request cannot hide behind a
client that retried or swallowed it.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any

from pykis import AsyncPyKis, KisAuth, PyKis
from pykis.emulator import Emulator
from pykis.protocol.request import ApiCall
from pykis.protocol.retry import RetryPolicy

QUOTE = ApiCall(
    "GET",
    "/uapi/domestic-stock/v1/quotations/inquire-price",
    "FHKST01010100",
    {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930"},
)
NO_RETRY = RetryPolicy(attempts=1)
SPAWN = multiprocessing.get_context("spawn")


def _token_worker(auth: KisAuth, cache: str, ready: Any, go: Event, tokens: Any) -> None:
    os.environ["PYKIS_CACHE_DIR"] = cache
    with PyKis(auth, retry=NO_RETRY) as kis:
        ready.put(os.getpid())
        go.wait(60)
        try:
            tokens.put(kis.token().value)
        except Exception as exc:  # reported, so the parent fails at once rather than waiting
            tokens.put(repr(exc))


def _quote_worker(auth: KisAuth, cache: str, count: int, ready: Any, go: Event, failures: Any) -> None:
    os.environ["PYKIS_CACHE_DIR"] = cache
    try:
        with PyKis(auth, retry=NO_RETRY) as kis:
            ready.put(os.getpid())
            go.wait(60)
            for _ in range(count):
                kis.request(QUOTE)
    except Exception as exc:
        failures.put(repr(exc))


def test_processes_racing_for_a_token_issue_one(tmp_path: Path, private_cache: Path) -> None:
    """Six processes ask at the same moment; the gateway answers one tokenP and refuses none (EGW00133)."""
    with Emulator(secrets_dir=tmp_path, realtime=False) as emu:
        # A slow issue widens the race: every process is inside its check-then-issue while the first one waits.
        emu.faults.delay_rest(0.5, count=6, path="/oauth2/tokenP")
        ready, go, tokens = SPAWN.Queue(), SPAWN.Event(), SPAWN.Queue()
        processes = [
            SPAWN.Process(target=_token_worker, args=(emu.real.auth, str(private_cache), ready, go, tokens))
            for _ in range(6)
        ]
        for process in processes:
            process.start()
        for _ in processes:  # every interpreter is up and holds a client before any asks
            ready.get(timeout=120)
        go.set()
        seen = [tokens.get(timeout=120) for _ in processes]
        for process in processes:
            process.join(timeout=60)
        assert [process.exitcode for process in processes] == [0] * 6
        stats = emu.gateway.stats
        assert (stats.token_issues, stats.tokens_minted, stats.issue_refusals) == (1, 1, 0)
        assert len(set(seen)) == 1, seen


def test_threads_tasks_and_processes_released_together_share_one_window(tmp_path: Path, private_cache: Path) -> None:
    """20 a second: 3 processes + 3 threads + 3 tasks, 20 inquiries each, released at one moment (an event set
    once every process is up, so the processes overlap each other and the threads, not just follow them).

    Every request reaches the gateway once and none is refused: 180 requests, 0 EGW00201, 1 token.
    """
    per_worker = 20
    with Emulator(secrets_dir=tmp_path, realtime=False) as emu:
        auth = emu.real.auth
        ready, go, failures = SPAWN.Queue(), SPAWN.Event(), SPAWN.Queue()
        processes = [
            SPAWN.Process(target=_quote_worker, args=(auth, str(private_cache), per_worker, ready, go, failures))
            for _ in range(3)
        ]
        for process in processes:
            process.start()
        for _ in processes:
            ready.get(timeout=120)
        errors: list[BaseException] = []

        def thread_worker(kis: PyKis) -> None:
            try:
                for _ in range(per_worker):
                    kis.request(QUOTE)
            except BaseException as exc:
                errors.append(exc)

        async def tasks() -> None:
            async with AsyncPyKis(auth, retry=NO_RETRY) as kis:

                async def work() -> None:
                    for _ in range(per_worker):
                        await kis.request(QUOTE)

                await asyncio.gather(*(work() for _ in range(3)))

        with PyKis(auth, retry=NO_RETRY) as kis:
            threads = [threading.Thread(target=thread_worker, args=(kis,)) for _ in range(3)]
            go.set()
            for thread in threads:
                thread.start()
            asyncio.run(tasks())
            for thread in threads:
                thread.join()
        for process in processes:
            process.join(timeout=180)
        assert errors == []
        assert failures.empty(), failures.get()
        assert [process.exitcode for process in processes] == [0] * 3
        stats = emu.gateway.stats
        assert (stats.requests, stats.rate_refusals, stats.token_issues) == (9 * per_worker, 0, 1)
