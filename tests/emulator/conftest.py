"""Fixtures for the emulator's wire tests: a running emulator and raw HTTP helpers written from PROTOCOL.md.

Nothing here uses pykis's client: requests are built by hand (lower-case headers, query strings, JSON
bodies) so that the emulator is checked against the protocol, not against our own client.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from pykis.emulator import Emulator, EnvironmentInfo

PRICE_PATH = "/uapi/domestic-stock/v1/quotations/inquire-price"
CHART_PATH = "/uapi/domestic-stock/v1/quotations/inquire-daily-itemchartprice"
DAILY_PATH = "/uapi/domestic-stock/v1/quotations/inquire-daily-price"
HOLIDAY_PATH = "/uapi/domestic-stock/v1/quotations/chk-holiday"
OVERSEAS_PRICE_PATH = "/uapi/overseas-price/v1/quotations/price"
OVERSEAS_DETAIL_PATH = "/uapi/overseas-price/v1/quotations/price-detail"
BALANCE_PATH = "/uapi/domestic-stock/v1/trading/inquire-balance"
ORDER_PATH = "/uapi/domestic-stock/v1/trading/order-cash"

PRICE_QUERY = {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930"}


def token_body(info: EnvironmentInfo) -> dict[str, str]:
    """The tokenP body of PROTOCOL.md §2."""
    return {"grant_type": "client_credentials", "appkey": info.app.appkey, "appsecret": info.app.appsecret}


@dataclass
class Wire:
    """One environment spoken to over raw HTTP."""

    info: EnvironmentInfo
    http: httpx.Client
    token: str = ""

    def issue_token(self) -> httpx.Response:
        return self.http.post(f"{self.info.rest_url}/oauth2/tokenP", json=token_body(self.info))

    def headers(self, tr_id: str, **extra: str) -> dict[str, str]:
        headers = {
            "content-type": "application/json; charset=utf-8",
            "authorization": f"Bearer {self.token}",
            "appkey": self.info.app.appkey,
            "appsecret": self.info.app.appsecret,
            "tr_id": tr_id,
            "custtype": "P",
            "tr_cont": "",
        }
        headers.update(extra)
        return headers

    def get(
        self,
        path: str,
        tr_id: str,
        params: dict[str, str] | None = None,
        *,
        headers: dict[str, str] | None = None,
        **extra: str,
    ) -> httpx.Response:
        return self.http.get(
            f"{self.info.rest_url}{path}",
            params=params or {},
            headers=headers if headers is not None else self.headers(tr_id, **extra),
        )


def envelope(response: httpx.Response) -> dict[str, Any]:
    """The JSON object of a response (asserting it is one)."""
    data = response.json()
    assert isinstance(data, dict)
    return data


def all_strings(value: Any) -> bool:
    """Whether every leaf of a JSON value is a string (as the real service sends them)."""
    if isinstance(value, dict):
        return all(all_strings(v) for v in value.values())
    if isinstance(value, list):
        return all(all_strings(v) for v in value)
    return isinstance(value, str)


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    """One emulator per test module, with generous rate limits so that tests do not trip them."""
    # No realtime publisher: these tests read the raw control and PINGPONG frames one by one.
    with Emulator(real_rate=1000, virtual_rate=1000, heartbeat_interval=0.2, realtime=False) as emu:
        yield emu


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as client:
        yield client


@pytest.fixture(scope="module")
def real(emulator: Emulator, http: httpx.Client) -> Wire:
    """The real environment with a token issued once for the module."""
    wire = Wire(emulator.real, http)
    response = wire.issue_token()
    assert response.status_code == 200, response.text
    wire.token = response.json()["access_token"]
    return wire


@pytest.fixture(scope="module")
def virtual(emulator: Emulator, http: httpx.Client) -> Wire:
    """The virtual environment with a token issued once for the module."""
    wire = Wire(emulator.virtual, http)
    response = wire.issue_token()
    assert response.status_code == 200, response.text
    wire.token = response.json()["access_token"]
    return wire


@pytest.fixture
def fresh() -> Iterator[Callable[..., Emulator]]:
    """A factory of emulators with their own options, stopped after the test."""
    started: list[Emulator] = []

    def make(**options: Any) -> Emulator:
        emu = Emulator(**options).start()
        started.append(emu)
        return emu

    yield make
    for emu in started:
        emu.stop()
