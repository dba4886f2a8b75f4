"""Half-open requests and too many connections against the emulator (issue 18, item 8)."""

from __future__ import annotations

import select
import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from pykis.emulator import Emulator


@pytest.fixture
def emu(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    with Emulator(secrets_dir=tmp_path_factory.mktemp("s"), header_timeout=0.5) as running:
        yield running


@pytest.fixture
def capped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    """A cap of 12 connections, and a header timeout longer than any wait in the test."""
    with Emulator(secrets_dir=tmp_path_factory.mktemp("s"), header_timeout=120, max_connections=12) as running:
        yield running


def half_open(url: str) -> socket.socket:
    """A connection that sends part of a request head and then waits."""
    address = httpx.URL(url)
    sock = socket.create_connection((address.host, address.port or 80), timeout=10)
    sock.sendall(b"GET /uapi/domestic-stock/v1/quotations/inquire-price HTTP/1.1\r\nHost: x\r\n")
    return sock


def closed_by_server(sock: socket.socket) -> bool:
    """Whether the server closes ``sock`` (within the socket's 10 s timeout) without answering."""
    try:
        return sock.recv(1024) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False
    finally:
        sock.close()


def test_a_request_head_that_never_completes_is_closed(emu: Emulator) -> None:
    sockets = [half_open(emu.real.rest_url) for _ in range(4)]
    assert all(closed_by_server(sock) for sock in sockets)


def still_open(sock: socket.socket) -> bool:
    sock.setblocking(False)
    try:
        return sock.recv(1) == b"x"  # nothing to read: raises
    except BlockingIOError:
        return True
    except OSError:
        return False


def test_connections_past_the_cap_are_closed_at_once_over_every_listener(capped: Emulator) -> None:
    urls = (capped.real.rest_url, capped.virtual.rest_url, capped.real.ws_url.replace("ws://", "http://"))
    hogs = [half_open(url) for url in urls for _ in range(4)] + [half_open(capped.virtual.rest_url)]
    # Which of the 13 is refused depends on the order the listeners accept them: exactly one is, long before
    # the header timeout, and the other 12 stay open.
    readable, _, _ = select.select(hogs, [], [], 10)  # a refused connection reads as closed
    assert len(readable) == 1 and not still_open(readable[0])
    assert sum(still_open(sock) for sock in hogs) == 12
    for sock in hogs:
        sock.close()
    # The hogs gone, service resumes once the server has seen them close (a moment, not at once).
    answer: httpx.Response | None = None
    for _ in range(100):
        try:
            answer = httpx.post(f"{capped.real.rest_url}/oauth2/tokenP", json={}, timeout=10)
            break
        except httpx.TransportError:
            time.sleep(0.05)
    assert answer is not None and "error_code" in answer.json()
