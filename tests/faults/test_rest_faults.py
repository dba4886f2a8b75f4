"""REST under faults: delays beyond the timeout, HTTP 500s, EGW00201 storms, lost, cut-off and garbled answers,
tokens expiring mid-session, and the emulator restarted on its ``--state`` file in the middle of a session.

The figures that matter for money: orders duplicated (0), orders placed but reported failed (0), inquiries
failed (0) and requests over the rate limit (0). Each is counted on the emulator's side, not the client's.
"""

from __future__ import annotations

import asyncio
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from pykis import AsyncPyKis, PyKis
from pykis.emulator import Emulator
from pykis.errors import KisError, KisOrderRejectedError, KisOrderUnknownError, KisRateLimitError
from pykis.protocol.request import ApiCall
from pykis.protocol.retry import RetryPolicy
from pykis.realtime import KisReconnectEvent
from tests.faults.conftest import SCALES, free_port, resting_price
from tests.realtime.conftest import FAST, wait_for

ORDER_PATH = "/uapi/domestic-stock/v1/trading/order-cash"
QUOTE_PATH = "/uapi/domestic-stock/v1/quotations/inquire-price"
QUOTE = ApiCall("GET", QUOTE_PATH, "FHKST01010100", {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930"})
PATIENT = RetryPolicy(attempts=6, initial=0.02, maximum=0.2)
STORM_PATIENT = RetryPolicy(attempts=10, initial=0.02, maximum=0.5)
"""In a storm any one call may meet several faults in a row; ten attempts make a failure need ten."""

# fault → whether the order reaches the trading system
ORDER_FAULTS: dict[str, bool] = {
    "none": True,
    "delay_beyond_timeout": True,
    "drop": True,
    "http_500": False,
    "egw00201": False,
    "truncated": True,
    "wrong_content_type": True,
    "garbage_json": True,
    "huge": True,
    "token_expired": True,
}


@pytest.fixture
def emu(tmp_path: Path) -> Iterator[Emulator]:
    with Emulator(secrets_dir=tmp_path / "secrets", realtime=False, token_issue_interval=0.0) as emu:
        yield emu


def arm(emu: Emulator, fault: str) -> None:
    faults = emu.faults
    if fault == "delay_beyond_timeout":
        faults.delay_rest(seconds=0.8, path=ORDER_PATH)
    elif fault == "drop":
        faults.drop_rest(path=ORDER_PATH)
    elif fault == "http_500":
        faults.fail_rest(500, path=ORDER_PATH)
    elif fault == "egw00201":
        faults.fail_rest(500, code="EGW00201", path=ORDER_PATH)
    elif fault in ("truncated", "wrong_content_type", "garbage_json", "huge"):
        faults.hostile_rest(fault, size=4 << 20, path=ORDER_PATH)
    elif fault == "token_expired":
        faults.expire_tokens("real")


@pytest.mark.parametrize("scale", SCALES)
def test_orders_under_every_rest_fault_are_never_duplicated_or_misreported(
    emu: Emulator, scale: int, figures: Any
) -> None:
    rng = random.Random(3 * scale)
    plan = [fault for fault in ORDER_FAULTS for _ in range(scale)]
    rng.shuffle(plan)
    outcomes: Counter[str] = Counter()
    numbers: list[str] = []
    misreported = 0
    with PyKis(emu.real.auth, keep_token=False, timeout=0.4, retry=PATIENT) as kis:
        stock = kis.stock("005930")
        price = resting_price(emu, "005930")
        account = str(kis.primary_account)
        before = len(emu.server.engine.orders(account))
        for fault in plan:
            arm(emu, fault)
            try:
                order = stock.buy(price=price, qty=1)
            except KisOrderUnknownError as unknown:
                outcomes["unknown"] += 1
                misreported += ORDER_FAULTS[fault] and not unknown.candidates
            except (KisOrderRejectedError, KisRateLimitError):
                outcomes["refused"] += 1
                misreported += ORDER_FAULTS[fault]  # refused, yet the server took it
            except KisError as error:
                outcomes[type(error).__name__] += 1
                misreported += 1  # an untyped outcome for an order is a bug whatever the fault
            else:
                outcomes["placed"] += 1
                numbers.append(order.number)
                misreported += not ORDER_FAULTS[fault]
            emu.faults.clear()
        time.sleep(1.0)  # a held order lands late: count it too
        placed = emu.server.engine.orders(account)[before:]
    expected = sum(ORDER_FAULTS[fault] for fault in plan)
    duplicated = max(0, len(placed) - expected)
    figures(
        orders_sent=len(plan),
        orders_taken_by_server=len(placed),
        orders_duplicated=duplicated,
        orders_lost=max(0, expected - len(placed)),
        misreported=misreported,
        outcomes=dict(outcomes),
    )
    assert duplicated == 0
    assert len(placed) == expected
    assert misreported == 0
    assert len(numbers) == len(set(numbers))
    assert {number.lstrip("0") for number in numbers} <= {order.order_no.lstrip("0") for order in placed}


@pytest.mark.parametrize("scale", SCALES)
def test_inquiries_through_500_and_egw00201_storms_from_threads_and_tasks(  # noqa: PLR0915 — one scenario, in order
    emu: Emulator, scale: int, figures: Any
) -> None:
    """4 threads and 4 asyncio tasks on one app key while 500s, EGW00201s and garbled answers rain down."""
    per_worker = 8 * scale
    stop = threading.Event()
    armed: Counter[str] = Counter()
    failures: list[BaseException] = []

    answered = Counter[str]()  # quotes answered so far; chaos paces its faults by them, not by the clock

    def chaos() -> None:
        rng = random.Random(5)
        last = 0
        while not stop.is_set():
            status = emu.faults.status()
            # A fault per 6 answers, not per 0.3 s: a last worker retrying alone would otherwise meet a fresh
            # fault on every attempt and fail after ten, which says nothing about the client.
            if not status["rest"] and not status["forced_rate_limits"] and answered["quote"] - last >= 6:
                last = answered["quote"]
                choice = rng.choice(["500", "egw00201", "garbage", "delay"])
                if choice == "500":
                    emu.faults.fail_rest(500, count=rng.randint(1, 2), path=QUOTE_PATH)
                elif choice == "egw00201":
                    count = rng.randint(1, 3)
                    emu.faults.force_rate_limit(count)
                    armed["forced"] += count
                elif choice == "garbage":
                    emu.faults.hostile_rest(rng.choice(["garbage_json", "truncated"]), path=QUOTE_PATH)
                else:
                    emu.faults.delay_rest(seconds=0.6, path=QUOTE_PATH)
                armed[choice] += 1
            time.sleep(0.05)

    def thread_worker(kis: PyKis) -> None:
        try:
            for _ in range(per_worker):
                assert int(kis.request(QUOTE).output()["stck_prpr"]) > 0
                answered["quote"] += 1
        except BaseException as exc:
            failures.append(exc)

    async def tasks() -> None:
        async with AsyncPyKis(emu.real.auth, keep_token=False, timeout=0.4, retry=STORM_PATIENT) as akis:

            async def worker() -> None:
                for _ in range(per_worker):
                    envelope = await akis.request(QUOTE)
                    assert int(envelope.output()["stck_prpr"]) > 0
                    answered["quote"] += 1

            results = await asyncio.gather(*(worker() for _ in range(4)), return_exceptions=True)
            failures.extend(result for result in results if isinstance(result, BaseException))

    # 0.5 s: the armed delays (0.6 s) time out, an answer slowed by 8 workers on 2 cores does not.
    with PyKis(emu.real.auth, keep_token=False, timeout=0.5, retry=STORM_PATIENT) as kis:
        kis.token()
        chaos_thread = threading.Thread(target=chaos, daemon=True)
        chaos_thread.start()
        threads = [threading.Thread(target=thread_worker, args=(kis,)) for _ in range(4)]
        for thread in threads:
            thread.start()
        asyncio.run(tasks())
        for thread in threads:
            thread.join()
        stop.set()
        chaos_thread.join()
    stats = emu.gateway.stats
    forced_left = emu.faults.status()["forced_rate_limits"]
    emu.faults.clear()
    over_limit = stats.rate_refusals - (armed["forced"] - forced_left)
    figures(
        inquiries=8 * per_worker,
        inquiries_failed=len(failures),
        faults_armed=sum(v for k, v in armed.items() if k != "forced"),
        requests_over_the_limit=over_limit,
        token_issues=stats.token_issues,
    )
    assert failures == []
    assert sum(armed[kind] for kind in ("500", "egw00201", "garbage", "delay")) >= 3  # the storm did rage
    assert over_limit == 0


@pytest.mark.parametrize("scale", SCALES)
def test_tokens_expiring_mid_session(emu: Emulator, scale: int, figures: Any) -> None:
    """Every live token expires at random moments while threads inquire and order: each expiry costs one
    re-issue, no call fails, no order doubles."""
    expiries = 2 if scale == 1 else 2 * scale
    failures: list[BaseException] = []
    stop = threading.Event()
    with PyKis(emu.real.auth, keep_token=False, retry=PATIENT) as kis:
        kis.token()  # the first issue is not a re-issue
        issued_before = emu.gateway.stats.token_issues
        stock = kis.stock("005930")
        price = resting_price(emu, "005930")
        account = str(kis.primary_account)
        before = len(emu.server.engine.orders(account))
        orders: Counter[str] = Counter()

        def inquire() -> None:
            while not stop.is_set():
                try:
                    kis.request(QUOTE)
                except BaseException as exc:
                    failures.append(exc)
                    return

        def order() -> None:
            while not stop.is_set():
                try:
                    stock.buy(price=price, qty=1)
                    orders["placed"] += 1
                except BaseException as exc:
                    failures.append(exc)
                    return
                time.sleep(0.05)

        workers = [threading.Thread(target=inquire) for _ in range(3)] + [threading.Thread(target=order)]
        for worker in workers:
            worker.start()
        rng = random.Random(11)
        for _ in range(expiries):
            # At random moments, but never twice within one call's lifetime (its rate-limit wait included):
            # a call re-issues and resends once, by design — a real token expires once a day, so a second
            # refusal within one call means something else is wrong and is raised.
            time.sleep(rng.uniform(1.2, 2.0))
            emu.faults.expire_tokens("real")
        # The workers keep calling until the last expiry has been met (bounded; the count is asserted below).
        wait_for(lambda: emu.gateway.stats.token_issues - issued_before >= expiries, timeout=10)
        time.sleep(0.3)
        stop.set()
        for worker in workers:
            worker.join()
        placed = len(emu.server.engine.orders(account)) - before
    reissues = emu.gateway.stats.token_issues - issued_before
    figures(
        expiries=expiries,
        token_reissues=reissues,
        calls_failed=len(failures),
        orders_placed=orders["placed"],
        orders_duplicated=placed - orders["placed"],
    )
    assert failures == []
    assert placed == orders["placed"]
    assert reissues == expiries  # one per expiry, however many threads saw it


def more_than(items: list[Any], count: int) -> Callable[[], bool]:
    return lambda: len(items) > count


@pytest.mark.parametrize("scale", SCALES)
def test_emulator_restarted_on_its_state_mid_session(tmp_path: Path, scale: int, figures: Any) -> None:
    """Stop the emulator and start it again on the same ``--state`` file and ports while a client holds a
    token, a WebSocket with subscriptions and orders: the client re-issues its token, restores its
    subscriptions, and the orders are all there, once."""
    ports = {name: free_port() for name in ("real_rest_port", "real_ws_port", "virtual_rest_port", "virtual_ws_port")}
    options: dict[str, Any] = dict(
        secrets_dir=tmp_path / "secrets",
        state_file=tmp_path / "state.sqlite",
        heartbeat_interval=0.2,
        realtime_rate=20.0,
        **ports,
    )
    emu = Emulator(**options).start()
    placed: list[str] = []
    events: list[Any] = []
    reconnects: list[KisReconnectEvent] = []
    try:
        kis = PyKis(emu.real.auth, keep_token=False, retry=PATIENT)
        kis.websocket.options = FAST
        tickets = [kis.websocket.on("H0STCNT0", key, lambda s, e: events.append(e)) for key in ("005930", "000660")]
        watch = kis.websocket.on_reconnect(lambda sender, event: reconnects.append(event))
        stock = kis.stock("005930")
        price = resting_price(emu, "005930")
        account = str(kis.primary_account)
        for restart in range(scale):
            placed.append(stock.buy(price=price, qty=1).number)
            wait_for(lambda: len(events) > 0, timeout=5)
            emu.stop()
            emu = Emulator(**options).start()
            wait_for(more_than(events, len(events) + 5), timeout=10)  # the stream is back
            assert int(kis.request(QUOTE).output()["stck_prpr"]) > 0  # a token the new process never issued
            placed.append(stock.buy(price=price, qty=1).number)
            assert len(reconnects) >= restart + 1
        server_orders = [order.order_no for order in emu.server.engine.orders(account)]
        for ticket in [*tickets, watch]:
            ticket.unsubscribe()
        kis.close()
    finally:
        emu.stop()
    figures(
        restarts=scale,
        reconnects_survived=len(reconnects),
        subscriptions_restored=sum(len(event.restored) for event in reconnects),
        orders_placed=len(placed),
        orders_on_server=len(server_orders),
        orders_lost=len(set(placed) - set(server_orders)),
        orders_duplicated=len(server_orders) - len(set(server_orders)),
    )
    assert sorted(placed) == sorted(server_orders)
    assert len(set(placed)) == len(placed)


@pytest.mark.parametrize("kind", ["huge", "truncated", "wrong_content_type", "garbage_json"])
def test_hostile_answers_are_typed_errors_and_huge_ones_are_capped(emu: Emulator, kind: str) -> None:
    """Each transport reads at most ``max_response_bytes``; every hostile answer is a typed error, promptly."""
    from pykis.drivers.transport import TransportOptions
    from pykis.drivers.transport_asyncio import AsyncTransport
    from pykis.drivers.transport_blocking import SyncTransport
    from pykis.errors import KisDecodeError, KisTimeoutError, KisTransportError
    from pykis.protocol.envelope import decode_envelope
    from pykis.protocol.http import HttpRequest

    options = TransportOptions(timeout=5.0, max_response_bytes=1 << 20)
    with PyKis(emu.real.auth, keep_token=False) as kis:
        token = kis.token().value
    auth = emu.real.auth
    headers = {"authorization": f"Bearer {token}", "appkey": auth.appkey, "appsecret": auth.secretkey}
    request = HttpRequest("GET", QUOTE_PATH, {**headers, "tr_id": "FHKST01010100"}, dict(QUOTE.params), None, "X")

    def check(answer: Callable[[], Any]) -> None:
        with pytest.raises((KisTransportError, KisDecodeError)) as caught:
            decode_envelope(answer(), "FHKST01010100")
        # Promptly: the answer itself was refused; waiting out the 5 s read timeout would be a KisTimeoutError.
        assert not isinstance(caught.value, KisTimeoutError)
        assert kind != "huge" or "answered more than 1 MiB; refused" in str(caught.value)

    sync = SyncTransport(emu.real.rest_url, options)
    emu.faults.hostile_rest(kind, size=8 << 20, path=QUOTE_PATH)
    check(lambda: sync.send(request))
    sync.close()

    async def via_asyncio() -> Any:
        transport = AsyncTransport(emu.real.rest_url, options)
        try:
            return await transport.send(request)
        finally:
            await transport.close()

    emu.faults.hostile_rest(kind, size=8 << 20, path=QUOTE_PATH)
    check(lambda: asyncio.run(via_asyncio()))
