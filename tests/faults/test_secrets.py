"""Secrets: a full session — sync and asyncio, REST and realtime, successes and failures — with every logger at
its most verbose level, and not one log line, repr, exception message, traceback or written file shows the app
key, the app secret, the access token or the WebSocket approval key. Token files are 0600. The emulator binds
loopback by default, keeps app keys and accounts apart, and keeps its admin endpoint off unless asked.
"""

from __future__ import annotations

import asyncio
import logging
import os
import stat
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from pykis import AsyncPyKis, KisAuth, PyKis
from pykis.emulator import Emulator, EmulatorConfig
from pykis.errors import KisAPIError, KisError
from pykis.protocol.env import Environment
from pykis.protocol.request import ApiCall
from pykis.protocol.retry import RetryPolicy
from tests.faults.conftest import resting_price
from tests.realtime.conftest import wait_for

QUOTE = ApiCall(
    "GET",
    "/uapi/domestic-stock/v1/quotations/inquire-price",
    "FHKST01010100",
    {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930"},
)


class Everything(logging.Handler):
    """Every record of every logger, formatted with its traceback, as a file handler would write it."""

    def __init__(self) -> None:
        super().__init__(level=1)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def verbose() -> Iterator[Everything]:
    handler = Everything()
    root = logging.getLogger()
    saved = root.level, {name: logging.getLogger(name).level for name in ("pykis", "httpx", "httpcore", "websockets")}
    root.addHandler(handler)
    root.setLevel(1)  # below DEBUG: whatever "trace" level any library defines
    for name in saved[1]:
        logging.getLogger(name).setLevel(1)
    yield handler
    root.removeHandler(handler)
    root.setLevel(saved[0])
    for name, level in saved[1].items():
        logging.getLogger(name).setLevel(level)


def describe(error: BaseException) -> list[str]:
    return [str(error), repr(error), "".join(traceback.format_exception(error))]


def test_a_full_session_leaks_no_secret(  # noqa: PLR0915 — one session, in order
    tmp_path: Path, private_cache: Path, verbose: Everything, monkeypatch: pytest.MonkeyPatch, figures: Any
) -> None:
    monkeypatch.chdir(tmp_path)
    texts: list[str] = []
    with Emulator(secrets_dir=tmp_path / "emu", heartbeat_interval=0.2, token_issue_interval=0.0) as emu:
        auth = emu.real.auth
        with PyKis(auth, retry=RetryPolicy(attempts=2, initial=0.01), timeout=0.5) as kis:
            token = kis.token().value
            approval = kis.approval_key(Environment.REAL)
            texts += [repr(kis), str(kis), repr(auth), str(auth), repr(kis.token()), str(kis.token())]
            stock = kis.stock("005930")
            texts += [repr(stock), repr(stock.quote()), repr(kis.request(QUOTE))]
            events: list[Any] = []
            ticket = kis.websocket.on("H0STCNT0", "005930", lambda s, e: events.append(e))
            wait_for(lambda: len(events) >= 2)
            texts += [repr(kis.websocket), repr(ticket), repr(events[-1])]
            order = stock.buy(price=resting_price(emu, "005930"), qty=1)
            texts += [repr(order), str(order)]
            # Failures, each with its traceback.
            failures: list[BaseException] = []
            faults: list[Callable[[], object]] = [
                lambda: emu.faults.delay_rest(seconds=1.0, count=2),
                lambda: emu.faults.fail_rest(500, count=2),
                lambda: emu.faults.hostile_rest("garbage_json", count=2),
                lambda: emu.faults.hostile_rest("truncated", count=2),
                lambda: emu.faults.force_rate_limit(count=2),
            ]
            for fault in faults:
                fault()
                try:
                    kis.request(QUOTE)
                except KisError as error:
                    failures.append(error)
                emu.faults.clear()
            try:
                kis.request(ApiCall("GET", QUOTE.path, QUOTE.tr_id, {}))
            except KisError as error:
                failures.append(error)
            emu.faults.expire_tokens()
            kis.request(QUOTE)  # re-issued
            token2 = kis.token().value
            emu.faults.drop_websockets()
            emu.faults.send_malformed("bad_json")
            count = len(events)
            wait_for(lambda: len(events) > count + 2)
            ticket.unsubscribe()
            for failure in failures:
                texts += describe(failure)
        forged = KisAuth(
            id=auth.id, appkey=auth.appkey, secretkey="s" * 180, account=auth.account, rest_url=auth.rest_url
        )
        with PyKis(forged, keep_token=False) as bad:
            try:
                bad.request(QUOTE)
            except KisError as error:
                texts += describe(error)

        async def async_session() -> list[str]:
            out: list[str] = []
            async with AsyncPyKis(auth, keep_token=False) as akis:
                out.append(repr(akis))
                out.append(repr(await akis.request(QUOTE)))
                out.append(repr(await akis.token()))
                async for event in akis.websocket.stream("H0STCNT0", "000660"):
                    out.append(repr(event))
                    break
            return out

        texts += asyncio.run(async_session())
        secrets = {
            "appkey": auth.appkey,
            "secretkey": auth.secretkey,
            "token": token,
            "token2": token2,
            "approval": approval,
        }
    texts += verbose.lines
    # Not even a part: any 12 consecutive characters of a secret count as a leak (log formatters truncate).
    pieces = {name: {value[i : i + 12] for i in range(len(value) - 11)} for name, value in secrets.items()}
    leaks = [(name, text[:300]) for text in texts for name, parts in pieces.items() if any(p in text for p in parts)]
    # Everything the client wrote: its cache (tokens, rate state, masters, order journal) and the working
    # directory — not the emulator's own secret files, which hold the demo keys by design.
    emulator_files = tmp_path / "emu"
    files = [
        p
        for root in (private_cache, tmp_path)
        for p in root.rglob("*")
        if p.is_file() and not p.is_relative_to(emulator_files)
    ]
    token_files = [p for p in files if p.read_bytes().find(token2.encode()) >= 0]
    file_leaks = [
        (str(p), name)
        for p in files
        for name, value in secrets.items()
        if value.encode() in p.read_bytes() and not (name.startswith("token") and p in token_files)
    ]
    loose = [str(p) for p in token_files if stat.S_IMODE(p.stat().st_mode) != 0o600]
    figures(
        log_lines=len(verbose.lines),
        texts_checked=len(texts),
        files_checked=len(files),
        token_files=len(token_files),
        secrets_leaked=len(leaks) + len(file_leaks),
        loose_token_files=len(loose),
    )
    assert leaks == []
    assert file_leaks == []
    assert token_files, "keep_token=True should have kept the token"
    assert loose == []
    assert len(verbose.lines) > 50  # the session really was logged verbosely
    assert any(line.startswith("pykis.websockets") and "TEXT" in line for line in verbose.lines)  # frames too


def test_secret_files_are_private(tmp_path: Path) -> None:
    with Emulator(secrets_dir=tmp_path) as emu:
        for info in (emu.real, emu.virtual):
            assert stat.S_IMODE(info.secret_file.stat().st_mode) == 0o600
    path = tmp_path / "mine.json"
    KisAuth(id="me", appkey="a" * 36, secretkey="b" * 180, account="12345678-01").save(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert os.access(path, os.R_OK)


def test_the_emulator_binds_loopback_and_keeps_admin_off(tmp_path: Path) -> None:
    assert EmulatorConfig().host == "127.0.0.1"
    assert EmulatorConfig().admin is False
    with Emulator(secrets_dir=tmp_path) as emu:
        for info in (emu.real, emu.virtual):
            assert httpx.URL(info.rest_url).host == "127.0.0.1"
            assert httpx.URL(info.ws_url).host == "127.0.0.1"
        assert emu.admin_url is None
    with Emulator(secrets_dir=tmp_path, admin=True) as emu:
        assert emu.admin_url is not None
        assert httpx.URL(emu.admin_url).host == "127.0.0.1"


def test_the_emulator_keeps_app_keys_and_accounts_apart(tmp_path: Path) -> None:
    """One app's token does not open another app's account, nor work under another app key."""
    with Emulator(secrets_dir=tmp_path) as emu:
        real, virtual = emu.real.auth, emu.virtual.auth
        with PyKis(real, keep_token=False, retry=RetryPolicy(attempts=1)) as kis:
            token = kis.token().value
            other = virtual.account_number
            balance = ApiCall(
                "GET",
                "/uapi/domestic-stock/v1/trading/inquire-balance",
                "TTTC8434R",
                {
                    "CANO": other.number,
                    "ACNT_PRDT_CD": other.product,
                    "AFHR_FLPR_YN": "N",
                    "OFL_YN": "",
                    "INQR_DVSN": "02",
                    "UNPR_DVSN": "01",
                    "FUND_STTL_ICLD_YN": "N",
                    "FNCG_AMT_AUTO_RDPT_YN": "N",
                    "PRCS_DVSN": "00",
                    "CTX_AREA_FK100": "",
                    "CTX_AREA_NK100": "",
                },
                trading=True,
            )
            assert other.number != real.account_number.number  # the emulator's two demo apps own two accounts
            with pytest.raises(KisAPIError) as caught:
                kis.request(balance)
            assert (caught.value.msg_cd, caught.value.status) == ("APBK0523", 200)  # 계좌번호를 확인하여 주십시오
        # The real app's token presented with the virtual app's key: refused.
        response = httpx.get(
            emu.virtual.rest_url + QUOTE.path,
            params=dict(QUOTE.params),
            headers={
                "authorization": f"Bearer {token}",
                "appkey": virtual.appkey,
                "appsecret": virtual.secretkey,
                "tr_id": "FHKST01010100",
            },
        )
        assert response.status_code == 500
        assert (response.json()["rt_cd"], response.json()["msg_cd"]) == ("1", "EGW00121")  # a foreign token
