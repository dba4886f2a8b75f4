"""The asyncio paths of the token manager and the rate limiter never block the event loop.

While they wait (for a lock a blocking client's thread holds, for a file lock another process holds, for the
token endpoint's answer) another task on the same loop keeps taking turns. Counted, not timed: the holder lets go
only after that task has taken ``TURNS`` turns, so a waiter that blocked the loop would never see it happen (a
thread holder then gives up after ``GIVE_UP`` seconds and the test fails on ``released_by_counter``; a file lock
times out).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from filelock import FileLock

from pykis._files import write_private
from pykis.drivers import limiter as _limiter
from pykis.drivers import tokens as _tokens
from pykis.drivers.limiter import RateLimiter
from pykis.drivers.tokens import TokenManager
from pykis.protocol.env import Environment
from pykis.protocol.http import HttpRequest, HttpResponse
from pykis.protocol.ratelimit import RateWindow
from pykis.protocol.token import AccessToken, cache_key, token_host
from tests.client.test_tokens import APPKEY, HOST, SECRET, TokenEndpoint

T = TypeVar("T")
TURNS = 25
GIVE_UP = 20.0  # a thread holder's bound, so a blocked loop fails the test instead of hanging it
NOW = 1_000_000.0  # the token manager's clock: fixed, the test reads no wall clock
WINDOW = RateWindow(5, period=1.0, margin=0.0)
STEM = "real-liveness"


@pytest.fixture(autouse=True)
def fresh_registries() -> None:
    _tokens._REGISTRY.clear()
    _limiter._LOCKS.clear()


class Counter:
    """Another task on the loop: takes turns while ``waiter`` is pending, then lets the holder go."""

    def __init__(self, release: Callable[[], None]) -> None:
        self.turns = 0
        self.release = release
        self.pending_at_release = False

    async def run(self, waiter: asyncio.Task[Any]) -> None:
        while self.turns < TURNS:
            await asyncio.sleep(0)
            self.turns += 1
        self.pending_at_release = not waiter.done()
        self.release()


async def race(wait: Awaitable[T], release: Callable[[], None]) -> tuple[T, Counter]:
    """Start ``wait``; count turns beside it; release the holder once counted; ``wait``'s result."""
    waiter: asyncio.Task[T] = asyncio.ensure_future(wait)
    counter = Counter(release)
    await counter.run(waiter)
    return await waiter, counter


class ThreadHolder:
    """A blocking client in another thread, inside its critical section until told to leave it."""

    def __init__(self) -> None:
        self.inside = threading.Event()
        self.leave = threading.Event()
        self.released_by_counter = False

    def hold(self) -> None:
        """Called inside the critical section: stay until the counter says so (or ``GIVE_UP``)."""
        self.inside.set()
        self.released_by_counter = self.leave.wait(GIVE_UP)

    def run(self, work: Callable[[], object]) -> threading.Thread:
        thread = threading.Thread(target=work)
        thread.start()
        assert self.inside.wait(GIVE_UP)
        return thread


def manager(endpoint: Callable[[HttpRequest], HttpResponse] | None, cache: Path | None) -> TokenManager:
    return TokenManager(Environment.REAL, APPKEY, SECRET, endpoint, host=HOST, cache_dir=cache, clock=lambda: NOW)


def answered_by(endpoint: TokenEndpoint) -> Callable[[HttpRequest], Awaitable[HttpResponse]]:
    async def send(request: HttpRequest) -> HttpResponse:
        return endpoint(request)

    return send


# -- the rate limiter ------------------------------------------------------------------------------------


def test_the_limiter_waits_for_a_blocking_client_s_booking_with_the_loop_running() -> None:
    holder = ThreadHolder()
    inside_booking = [False]

    def slow_clock() -> float:  # read inside the blocking limiter's critical section
        if inside_booking[0]:
            inside_booking[0] = False
            holder.hold()
        return 100.0

    blocking = RateLimiter(STEM, WINDOW, state_dir=None, clock=slow_clock)
    shared = RateLimiter(STEM, WINDOW, state_dir=None, clock=lambda: 100.0)
    inside_booking[0] = True
    thread = holder.run(blocking.book)
    permit, counter = asyncio.run(race(shared.acquire(), holder.leave.set))
    thread.join()
    assert holder.released_by_counter and counter.pending_at_release
    assert permit == 100.0  # the second booking of the shared window
    assert [shared.book() for _ in range(4)] == [100.0, 100.0, 100.0, 101.0]  # both bookings count in the window


def test_the_limiter_waits_for_another_process_s_state_file_lock_with_the_loop_running(tmp_path: Path) -> None:
    limiter = RateLimiter(STEM, WINDOW, state_dir=tmp_path, clock=lambda: 100.0)
    other_process = FileLock(str(tmp_path / f"{STEM}.rate.lock"))  # its own descriptor, as another process has
    other_process.acquire()
    permit, counter = asyncio.run(race(limiter.acquire(), other_process.release))
    assert counter.pending_at_release
    assert permit == 100.0
    assert (tmp_path / f"{STEM}.rate").exists()


def test_completions_and_refusals_take_the_same_path(tmp_path: Path) -> None:
    limiter = RateLimiter(
        STEM, RateWindow(1, period=1.0, margin=0.0, penalty=3.0), state_dir=tmp_path, clock=lambda: 100.0
    )

    async def send_once() -> float:
        permit = await limiter.acquire()
        await limiter.complete_async(permit)
        await limiter.refused_async()
        return permit

    assert asyncio.run(send_once()) == 100.0
    assert limiter.book() == 103.0  # the refusal's penalty, read back from the state file


# -- the token manager -----------------------------------------------------------------------------------


def test_a_token_issued_by_a_blocking_client_is_awaited_with_the_loop_running() -> None:
    endpoint = TokenEndpoint()
    holder = ThreadHolder()

    def slow_endpoint(request: HttpRequest) -> HttpResponse:
        holder.hold()  # the blocking client is mid-issue, holding the in-process lock
        return endpoint(request)

    thread = holder.run(manager(slow_endpoint, None).get)
    value, counter = asyncio.run(race(manager(None, None).get_async(answered_by(endpoint)), holder.leave.set))
    thread.join()
    assert holder.released_by_counter and counter.pending_at_release
    assert value == "token-1"
    assert (endpoint.asked, endpoint.issues) == (1, 1)  # the asyncio client took the thread's token


def test_a_token_another_process_is_issuing_is_awaited_with_the_loop_running(tmp_path: Path) -> None:
    host = token_host(HOST)
    stem, key_hash = cache_key(Environment.REAL, APPKEY, host)
    other_process = FileLock(str(tmp_path / f"{stem}.json.lock"))
    other_process.acquire()

    def issued_elsewhere() -> None:  # the other process keeps its token, then lets go
        token = AccessToken("token-of-another-process", NOW + 86_400)
        write_private(tmp_path / f"{stem}.json", token.to_json(Environment.REAL, key_hash, host))
        other_process.release()

    endpoint = TokenEndpoint()
    value, counter = asyncio.run(race(manager(None, tmp_path).get_async(answered_by(endpoint)), issued_elsewhere))
    assert counter.pending_at_release
    assert value == "token-of-another-process"
    assert endpoint.asked == 0


@pytest.mark.parametrize("keep", [True, False])
def test_sixteen_tasks_share_one_issue_awaited_on_the_loop(tmp_path: Path, keep: bool) -> None:
    endpoint = TokenEndpoint()
    answer = asyncio.Event()

    async def slow_send(request: HttpRequest) -> HttpResponse:
        await answer.wait()  # the endpoint answers once the counter has taken its turns
        return endpoint(request)

    async def sixteen() -> list[str]:
        managers = [manager(None, tmp_path if keep else None) for _ in range(4)]
        return list(await asyncio.gather(*(managers[i % 4].get_async(slow_send) for i in range(16))))

    values, counter = asyncio.run(race(sixteen(), answer.set))
    assert counter.pending_at_release
    assert values == ["token-1"] * 16
    assert (endpoint.asked, endpoint.issues) == (1, 1)


def test_revoking_on_the_loop_forgets_the_kept_token(tmp_path: Path) -> None:
    endpoint = TokenEndpoint()
    tokens = manager(None, tmp_path)

    async def issue_then_revoke() -> AccessToken:
        token = await tokens.current_async(answered_by(endpoint))
        await tokens.revoke_async(answered_by(endpoint))
        return token

    token = asyncio.run(issue_then_revoke())
    assert endpoint.revoked == [token.value] == ["token-1"]
    assert not list(tmp_path.glob("*.json"))
    assert tokens.peek() is None
