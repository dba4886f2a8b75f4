"""The foundation against the emulator: tokens, rate limits, retries, paging, typed errors, secrets."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import threading
import time
from pathlib import Path

import httpx
import pytest

from pykis import AsyncPyKis, KisAuth, KisHosts, PyKis
from pykis.emulator import Emulator
from pykis.errors import (
    KisAPIError,
    KisAuthError,
    KisHTTPError,
    KisRateLimitError,
    KisTimeoutError,
    KisTransportError,
)
from pykis.protocol.env import Environment
from pykis.protocol.request import ApiCall
from pykis.protocol.retry import RetryPolicy

QUOTE = ApiCall(
    "GET",
    "/uapi/domestic-stock/v1/quotations/inquire-price",
    "FHKST01010100",
    {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930"},
)
NO_RETRY = RetryPolicy(attempts=1)


def quote_price(kis: PyKis) -> int:
    return int(kis.request(QUOTE).output()["stck_prpr"])


def test_one_token_serves_many_requests(emulator: Emulator, private_cache: Path) -> None:
    with PyKis(emulator.real.auth) as kis:
        assert quote_price(kis) > 0
        assert quote_price(kis) > 0
        token = kis.token()
    assert emulator.gateway.stats.token_issues == 1
    assert token.valid(time.time())
    # keep_token: a new client (a new process would do the same) reuses the kept token.
    from pykis.drivers import tokens as _tokens

    _tokens._REGISTRY.clear()
    with PyKis(emulator.real.auth) as kis:
        assert quote_price(kis) > 0
    assert emulator.gateway.stats.token_issues == 1
    [kept] = list((private_cache / "tokens").glob("*.json"))
    assert oct(kept.stat().st_mode & 0o777) == "0o600"
    assert emulator.real.auth.secretkey not in kept.read_text()


def test_the_seed_secret_files_connect_unchanged(emulator: Emulator) -> None:
    with PyKis(str(emulator.real.secret_file), str(emulator.virtual.secret_file), keep_token=False) as kis:
        assert kis.virtual
        assert quote_price(kis) > 0
        assert kis.hosts(Environment.VIRTUAL).rest == emulator.virtual.rest_url


def test_expired_token_is_reissued_once_and_the_call_succeeds(tmp_path: Path) -> None:
    with Emulator(secrets_dir=tmp_path, token_issue_interval=0.0) as emu, PyKis(emu.real.auth) as kis:
        assert quote_price(kis) > 0
        emu.faults.expire_tokens()
        assert quote_price(kis) > 0
        assert emu.gateway.stats.token_issues == 2


def test_a_kept_token_survives_a_restarted_sandbox(tmp_path: Path, private_cache: Path) -> None:
    """A kept token the (restarted) server no longer knows is answered EGW00121: re-issued once, transparently."""
    from pykis.drivers import tokens as _tokens

    with Emulator(secrets_dir=tmp_path, seed=7) as first, PyKis(first.real.auth) as kis:
        assert quote_price(kis) > 0
        auth = first.real.auth
    _tokens._REGISTRY.clear()
    port = httpx.URL(auth.rest_url or "").port
    with Emulator(secrets_dir=tmp_path, seed=7, real_rest_port=port or 0) as second:
        # Same demo keys from the same seed, on the same host: the kept token is this host's, and stale.
        assert (second.real.auth.appkey, second.real.rest_url) == (auth.appkey, auth.rest_url)
        with PyKis(second.real.auth) as kis:
            assert quote_price(kis) > 0
        assert second.gateway.stats.token_issues == 1
        assert second.gateway.stats.requests == 2  # the refused kept token, then the call with the new one


def test_wrong_secret_is_a_typed_auth_error(emulator: Emulator) -> None:
    auth = emulator.real.auth
    forged = KisAuth(id=auth.id, appkey=auth.appkey, secretkey="x" * 180, account=auth.account, rest_url=auth.rest_url)
    with PyKis(forged, keep_token=False) as kis, pytest.raises(KisAuthError) as caught:
        kis.request(QUOTE)
    assert caught.value.msg_cd.startswith("EGW")
    assert "x" * 20 not in str(caught.value)


def test_virtual_key_on_the_real_host_is_refused(emulator: Emulator) -> None:
    virtual = emulator.virtual.auth
    hosts = KisHosts(emulator.real.rest_url, emulator.real.ws_url)
    with PyKis(virtual, keep_token=False, virtual_hosts=hosts) as kis, pytest.raises(KisAPIError) as caught:
        kis.request(QUOTE)
    assert caught.value.msg_cd == "EGW02004"


def test_business_error_carries_its_facts(emulator: Emulator) -> None:
    bad = ApiCall("GET", QUOTE.path, QUOTE.tr_id, {"FID_COND_MRKT_DIV_CODE": "J"})
    with PyKis(emulator.real.auth, keep_token=False) as kis, pytest.raises(KisAPIError) as caught:
        kis.request(bad)
    error = caught.value
    assert error.rt_cd != "0"
    assert error.msg_cd
    assert error.msg1
    assert error.tr_id == "FHKST01010100"


def test_unknown_path_is_an_http_error(emulator: Emulator) -> None:
    call = ApiCall("GET", "/uapi/nowhere", "FHKST01010100")
    with PyKis(emulator.real.auth, keep_token=False) as kis, pytest.raises((KisHTTPError, KisAPIError)):
        kis.request(call)


def test_inquiry_is_retried_through_a_rate_limit_storm(emulator: Emulator) -> None:
    with PyKis(emulator.real.auth, keep_token=False, retry=RetryPolicy(attempts=4, initial=0.05)) as kis:
        quote_price(kis)
        emulator.faults.force_rate_limit(count=2)
        assert quote_price(kis) > 0


def test_order_is_never_resent_after_a_rate_limit(emulator: Emulator) -> None:
    order = ApiCall(
        "POST",
        "/uapi/domestic-stock/v1/trading/order-cash",
        "TTTC0012U",
        {"CANO": "00000000", "ACNT_PRDT_CD": "01", "PDNO": "005930", "ORD_DVSN": "00", "ORD_QTY": "1", "ORD_UNPR": "1"},
        trading=True,
    )
    with PyKis(emulator.real.auth, keep_token=False) as kis:
        kis.token()
        emulator.faults.force_rate_limit(count=1)
        before = emulator.gateway.stats.requests
        with pytest.raises(KisRateLimitError):
            kis.request(order)
        assert emulator.gateway.stats.requests - before == 1  # an order is never resent on EGW00201


def test_slow_answer_times_out_and_an_inquiry_is_retried(emulator: Emulator) -> None:
    with PyKis(emulator.real.auth, keep_token=False, timeout=0.3, retry=RetryPolicy(attempts=2, initial=0.01)) as kis:
        kis.token()
        emulator.faults.delay_rest(seconds=1.0, count=1)
        assert quote_price(kis) > 0
        emulator.faults.delay_rest(seconds=1.0, count=2)
        with pytest.raises(KisTimeoutError):
            kis.request(QUOTE)


def test_server_gone_is_a_transport_error(tmp_path: Path) -> None:
    with Emulator(secrets_dir=tmp_path) as emu:
        auth = emu.real.auth
    with PyKis(auth, keep_token=False, retry=NO_RETRY) as kis, pytest.raises(KisTransportError):
        kis.request(QUOTE)


def test_daily_chart_pages_back_by_date(emulator: Emulator) -> None:
    with PyKis(emulator.real.auth, keep_token=False) as kis:
        end = "20261120"
        seen: list[str] = []
        for _ in range(3):
            call = ApiCall(
                "GET",
                "/uapi/domestic-stock/v1/quotations/inquire-daily-itemchartprice",
                "FHKST03010100",
                {
                    "FID_COND_MRKT_DIV_CODE": "J",
                    "FID_INPUT_ISCD": "005930",
                    "FID_INPUT_DATE_1": "20250101",
                    "FID_INPUT_DATE_2": end,
                    "FID_PERIOD_DIV_CODE": "D",
                    "FID_ORG_ADJ_PRC": "0",
                },
            )
            rows = kis.request(call).output("output2")
            dates = [row["stck_bsop_date"] for row in rows if row.get("stck_bsop_date")]
            assert dates == sorted(dates, reverse=True)
            seen += dates
            end = str(int(dates[-1]) - 1)
        assert len(seen) == len(set(seen)) >= 200


def test_revoke_invalidates_the_token(tmp_path: Path, private_cache: Path) -> None:
    with Emulator(secrets_dir=tmp_path, token_issue_interval=0.0) as emu, PyKis(emu.real.auth) as kis:
        old = kis.token().value
        kis.revoke()
        assert emu.gateway.stats.revocations == 1
        # The gateway refuses the revoked token (asked by hand, not through the client that revoked it) ...
        auth = emu.real.auth
        headers = {"authorization": f"Bearer {old}", "appkey": auth.appkey, "appsecret": auth.secretkey}
        answer = httpx.get(
            f"{auth.rest_url}{QUOTE.path}", params=QUOTE.params, headers={**headers, "tr_id": "FHKST01010100"}
        )
        assert answer.json()["msg_cd"] == "EGW00121"
        # ... and neither the client nor its kept file offers it again: the next request brings a new token.
        assert not list((private_cache / "tokens").glob("*.json"))
        assert quote_price(kis) > 0
        assert kis.token().value != old
        assert emu.gateway.stats.token_issues == 2


def test_no_secret_in_logs_or_reprs(emulator: Emulator, caplog: pytest.LogCaptureFixture) -> None:
    auth = emulator.real.auth
    with caplog.at_level(logging.DEBUG), PyKis(auth) as kis:
        texts = [repr(kis), repr(auth), repr(kis.token()), str(kis.request(QUOTE))]
        try:
            kis.request(ApiCall("GET", QUOTE.path, QUOTE.tr_id, {}))
        except KisAPIError as exc:
            texts.append(str(exc))
        token = kis.token().value
    texts.append(caplog.text)
    for text in texts:
        for secret in (auth.appkey, auth.secretkey, token):
            assert secret not in text


# ---- the shared-limit proof: threads, tasks and processes on one app key ---------------------------


def _process_worker(auth: KisAuth, cache: str, count: int, failures: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    os.environ["PYKIS_CACHE_DIR"] = cache
    try:
        with PyKis(auth, retry=NO_RETRY) as kis:
            for _ in range(count):
                kis.request(QUOTE)
    except Exception as exc:
        failures.put(repr(exc))


def test_threads_tasks_and_processes_share_one_limit_and_one_token(tmp_path: Path, private_cache: Path) -> None:
    """8 threads + 8 asyncio tasks + 2 processes, 600 inquiries at 20 req/s: no EGW00201, one token issue."""
    per_worker = 600 // 18 + 1  # 34 each, 612 in all
    with Emulator(secrets_dir=tmp_path) as emu:
        auth = emu.real.auth
        failures: multiprocessing.Queue = multiprocessing.get_context("spawn").Queue()  # type: ignore[type-arg]
        processes = [
            multiprocessing.get_context("spawn").Process(
                target=_process_worker, args=(auth, str(private_cache), per_worker, failures)
            )
            for _ in range(2)
        ]
        errors: list[BaseException] = []

        def thread_worker(kis: PyKis) -> None:
            try:
                for _ in range(per_worker):
                    kis.request(QUOTE)
            except BaseException as exc:
                errors.append(exc)

        async def task_worker(kis: AsyncPyKis) -> None:
            for _ in range(per_worker):
                await kis.request(QUOTE)

        async def tasks() -> None:
            async with AsyncPyKis(auth, retry=NO_RETRY) as kis:
                await asyncio.gather(*(task_worker(kis) for _ in range(8)))

        for process in processes:
            process.start()
        with PyKis(auth, retry=NO_RETRY) as kis:
            threads = [threading.Thread(target=thread_worker, args=(kis,)) for _ in range(8)]
            for thread in threads:
                thread.start()
            asyncio.run(tasks())
            for thread in threads:
                thread.join()
        for process in processes:
            process.join(timeout=120)
        assert errors == []
        assert failures.empty(), failures.get()
        assert all(process.exitcode == 0 for process in processes)
        stats = emu.gateway.stats
        assert stats.rate_refusals == 0
        assert stats.token_issues == 1
        # Every request reached the gateway exactly once (no refusal, so no retry), within its 20-a-second window.
        assert stats.requests == 18 * per_worker
