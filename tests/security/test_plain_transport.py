"""A warning, once, when secrets would cross the network unprotected (issue 18, item 10)."""

from __future__ import annotations

import logging
import threading

import pytest

from pykis import KisHosts, PyKis, client
from pykis.protocol.env import Environment

APPKEY, SECRET = "P" + "w" * 35, "x" * 180


def make(hosts: KisHosts, *, verify: bool = True) -> None:
    PyKis(id="u", account="12345678-01", appkey=APPKEY, secretkey=SECRET, hosts=hosts, verify=verify).close()


def warnings_of(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The warnings this test's own clients gave: on its thread (an earlier test's realtime client may still be
    retrying in the background and log meanwhile)."""
    here = threading.current_thread().name
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "pykis" and r.levelno == logging.WARNING and r.threadName == here
    ]


@pytest.fixture(autouse=True)
def fresh_warnings() -> None:
    client._WARNED.clear()


def test_plain_http_to_another_host_warns_once(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, "pykis"):
        make(KisHosts("http://203.0.113.7:9443", "ws://203.0.113.7:21000"))
        make(KisHosts("http://203.0.113.7:9443", "ws://203.0.113.7:21000"))
    assert warnings_of(caplog) == [
        "http://203.0.113.7:9443 is plain http: the app secret and tokens travel unencrypted"
    ]


def test_verify_false_warns(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, "pykis"):
        make(KisHosts.default(Environment.REAL), verify=False)
    assert warnings_of(caplog) == ["verify=False: the certificate of openapi.koreainvestment.com is not checked"]


def test_loopback_and_the_brokers_tls_hosts_pass_quietly(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, "pykis"):
        make(KisHosts("http://127.0.0.1:8080", "ws://127.0.0.1:8081"))
        make(KisHosts("http://localhost:8080", "ws://localhost:8081"))
        make(KisHosts.default(Environment.REAL))
    assert warnings_of(caplog) == []
