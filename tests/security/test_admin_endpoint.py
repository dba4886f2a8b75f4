"""The emulator's fault-injection endpoint against a web page, DNS rebinding and a wide --host (issue 18, item 3)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import httpx
import pytest

from pykis.emulator import Emulator


@pytest.fixture
def emu(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    with Emulator(secrets_dir=tmp_path_factory.mktemp("secrets"), admin=True) as running:
        yield running


def arm(emu: Emulator, **headers: str) -> httpx.Response:
    assert emu.admin_url is not None
    return httpx.post(f"{emu.admin_url}/faults/fail_rest", content=b'{"count": 1}', headers=headers, timeout=10)


def test_a_call_without_the_token_arms_nothing(emu: Emulator) -> None:
    assert arm(emu, **{"Content-Type": "application/json"}).status_code == 401
    assert arm(emu, Authorization="Bearer wrong", **{"Content-Type": "application/json"}).status_code == 401
    assert emu.faults.status()["rest"] == []
    assert arm(emu, **emu.admin_headers, **{"Content-Type": "application/json"}).status_code == 200
    assert len(emu.faults.status()["rest"]) == 1


def test_a_cross_site_form_post_is_refused(emu: Emulator) -> None:
    """What a web page can send without a preflight: text/plain, an Origin, no Authorization header."""
    page = {"Content-Type": "text/plain", "Origin": "https://evil.example"}
    assert arm(emu, **page).status_code in (401, 403)
    # Even with the token (it cannot have it), an Origin or a non-JSON body is refused.
    assert arm(emu, **emu.admin_headers, **page).status_code == 403
    assert arm(emu, **emu.admin_headers, **{"Content-Type": "text/plain"}).status_code == 415
    assert emu.faults.status()["rest"] == []


def test_dns_rebinding_is_refused_by_the_host_check(emu: Emulator) -> None:
    rebound = {"Host": "attacker.example", "Content-Type": "application/json"}
    assert arm(emu, **emu.admin_headers, **rebound).status_code == 403
    assert emu.faults.status()["rest"] == []


def test_sizes_are_bounded(emu: Emulator) -> None:
    assert emu.admin_url is not None
    huge = httpx.post(
        f"{emu.admin_url}/faults/hostile_rest",
        json={"kind": "huge", "size": 1 << 30},
        headers=emu.admin_headers,
        timeout=10,
    )
    assert huge.status_code == 400 and "size must be" in huge.json()["error"]
    body = httpx.post(
        f"{emu.admin_url}/faults/clear", content=b" " * (1 << 20), headers={**emu.admin_headers}, timeout=10
    )
    assert body.status_code in (413, 415)
    deep = httpx.post(
        f"{emu.admin_url}/faults/clear",
        content=b'{"a":' * 10_000,
        headers={**emu.admin_headers, "Content-Type": "application/json"},
        timeout=10,
    )
    assert deep.status_code == 400


def test_admin_listens_on_loopback_whatever_the_host(
    tmp_path_factory: pytest.TempPathFactory, caplog: pytest.LogCaptureFixture
) -> None:
    with (
        caplog.at_level(logging.WARNING, "pykis.emulator"),
        Emulator(secrets_dir=tmp_path_factory.mktemp("wide"), admin=True, host="0.0.0.0") as emu,
    ):
        assert emu.admin_url is not None and httpx.URL(emu.admin_url).host == "127.0.0.1"
        warning = " ".join(r.getMessage() for r in caplog.records)
        assert "beyond loopback" in warning and emu.real.app.appkey[:8] in warning
        assert emu.virtual.app.appkey[:8] in warning and emu.real.app.appkey not in warning
