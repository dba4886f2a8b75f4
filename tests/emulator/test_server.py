"""The server as a whole: listeners, secret files, the sync and async context managers, clock modes."""

from __future__ import annotations

import json
import os
import socket
import stat
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from pykis.auth import KisAuth
from pykis.emulator import Emulator, EmulatorConfig
from pykis.emulator.clock import FrozenClock, ScaledClock, SystemClock
from tests.emulator.conftest import PRICE_PATH, PRICE_QUERY, Wire, envelope, token_body


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_secret_files_record_the_urls(tmp_path: Path, fresh: Callable[..., Emulator]) -> None:
    emu = fresh(secrets_dir=tmp_path)
    for info, name, virtual in ((emu.real, "secret.json", False), (emu.virtual, "virtual_secret.json", True)):
        assert info.secret_file == (tmp_path / name).resolve()
        loaded = KisAuth.load(info.secret_file)
        assert loaded == info.auth
        assert loaded.virtual is virtual
        assert loaded.rest_url == info.rest_url and loaded.ws_url == info.ws_url
        assert loaded.appkey == info.app.appkey and loaded.account == info.app.account
        if os.name == "posix":
            assert stat.S_IMODE(info.secret_file.stat().st_mode) == 0o600


def test_listeners_are_loopback_and_distinct(emulator: Emulator) -> None:
    urls = [emulator.real.rest_url, emulator.real.ws_url, emulator.virtual.rest_url, emulator.virtual.ws_url]
    parts = [urlsplit(url) for url in urls]
    assert {part.hostname for part in parts} == {"127.0.0.1"}
    assert [part.scheme for part in parts] == ["http", "ws", "http", "ws"]
    assert len({part.port for part in parts}) == 4


def test_ports_are_configurable(fresh: Callable[..., Emulator]) -> None:
    ports = [free_port() for _ in range(4)]
    emu = fresh(real_rest_port=ports[0], real_ws_port=ports[1], virtual_rest_port=ports[2], virtual_ws_port=ports[3])
    assert emu.real.rest_url == f"http://127.0.0.1:{ports[0]}"
    assert emu.real.ws_url == f"ws://127.0.0.1:{ports[1]}"
    assert emu.virtual.rest_url == f"http://127.0.0.1:{ports[2]}"
    assert emu.virtual.ws_url == f"ws://127.0.0.1:{ports[3]}"


def test_a_foreign_secret_file_is_never_overwritten(tmp_path: Path, fresh: Callable[..., Emulator]) -> None:
    precious = tmp_path / "secret.json"
    precious.write_text(json.dumps({"id": "me", "rest_url": "https://openapi.koreainvestment.com:9443"}))
    with pytest.raises(FileExistsError, match="refusing to overwrite"):
        fresh(secrets_dir=tmp_path)
    assert "openapi.koreainvestment.com" in precious.read_text()
    precious.unlink()
    first = fresh(secrets_dir=tmp_path)
    first.stop()
    second = fresh(secrets_dir=tmp_path)  # an emulator's own file is replaced
    assert KisAuth.load(precious).rest_url == second.real.rest_url


def test_a_second_sandbox_in_one_folder_writes_other_secret_files(
    tmp_path: Path, fresh: Callable[..., Emulator]
) -> None:
    first = fresh(secrets_dir=tmp_path)
    assert first.server.secret_note is None
    second = fresh(secrets_dir=tmp_path)
    assert second.real.secret_file == (tmp_path / "secret-2.json").resolve()
    assert second.virtual.secret_file == (tmp_path / "virtual_secret-2.json").resolve()
    note = second.server.secret_note or ""
    assert first.real.rest_url in note and "secret-2.json and virtual_secret-2.json" in note
    # The first sandbox's users keep reaching the first sandbox.
    assert KisAuth.load(tmp_path / "secret.json").rest_url == first.real.rest_url
    assert KisAuth.load(tmp_path / "virtual_secret.json").rest_url == first.virtual.rest_url
    assert KisAuth.load(second.real.secret_file).rest_url == second.real.rest_url
    third = fresh(secrets_dir=tmp_path)
    assert third.real.secret_file.name == "secret-3.json"
    # Files of a sandbox that has stopped are free again: the lowest pair is reused.
    first.stop()
    fourth = fresh(secrets_dir=tmp_path)
    assert fourth.real.secret_file.name == "secret.json" and fourth.server.secret_note is None
    assert KisAuth.load(tmp_path / "secret.json").rest_url == fourth.real.rest_url


def test_info_is_the_json_line(emulator: Emulator) -> None:
    info = emulator.info()
    assert set(info) == {"real", "virtual"}
    for side in info.values():
        assert set(side) == {"rest_url", "ws_url", "id", "appkey", "secretkey", "account", "secret_file"}
    assert info["real"]["appkey"] == emulator.real.app.appkey
    assert info["real"]["appkey"] != info["virtual"]["appkey"]


def test_unknown_paths_on_the_websocket_listener(emulator: Emulator) -> None:
    http_url = emulator.real.ws_url.replace("ws://", "http://")
    assert httpx.get(f"{http_url}/elsewhere").status_code == 404


def test_clock_modes(fresh: Callable[..., Emulator]) -> None:
    assert isinstance(fresh().clock, SystemClock)
    assert fresh().market.always_open is True
    assert fresh(clock="real").market.always_open is False
    start = datetime(2025, 1, 6, 0, 0, tzinfo=UTC)
    frozen = fresh(clock="frozen", start=start)
    assert isinstance(frozen.clock, FrozenClock) and frozen.clock.now() == start
    accelerated = fresh(clock="accelerated", start=start, speed=3600)
    assert isinstance(accelerated.clock, ScaledClock) and accelerated.clock.now() >= start
    injected = FrozenClock(start)
    assert fresh(clock=injected).clock is injected


def test_config_is_validated() -> None:
    with pytest.raises(ValueError, match="clock"):
        EmulatorConfig(clock="sometimes")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="port"):
        EmulatorConfig(real_rest_port=70000)
    with pytest.raises(ValueError, match="rate"):
        EmulatorConfig(virtual_rate=0)


def test_start_twice_and_stop_twice(fresh: Callable[..., Emulator]) -> None:
    emu = fresh()
    with pytest.raises(RuntimeError):
        emu.start()
    emu.stop()
    emu.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.post(f"{emu.real.rest_url}/oauth2/tokenP", json=token_body(emu.real))


async def test_async_context_manager_runs_on_the_current_loop() -> None:
    start = datetime(2025, 1, 6, 0, 0, tzinfo=UTC)
    async with Emulator(clock="frozen", start=start) as emu, httpx.AsyncClient() as http:
        issued = await http.post(f"{emu.real.rest_url}/oauth2/tokenP", json=token_body(emu.real))
        token = issued.json()["access_token"]
        with httpx.Client() as unused:
            headers = Wire(emu.real, unused, token).headers("FHKST01010100")
        answer = await http.get(f"{emu.real.rest_url}{PRICE_PATH}", params=PRICE_QUERY, headers=headers)
        assert envelope(answer)["rt_cd"] == "0"
        assert emu.faults.expire_tokens() == 1  # called from the loop itself
        expired = await http.get(f"{emu.real.rest_url}{PRICE_PATH}", params=PRICE_QUERY, headers=headers)
        assert envelope(expired)["msg_cd"] == "EGW00123"
        secret = emu.real.secret_file
        assert secret.exists()
    assert not secret.exists()  # the temporary secrets directory is removed on exit


def test_sync_context_manager() -> None:
    with Emulator() as emu:
        assert repr(emu).startswith("Emulator(real=http://127.0.0.1:")
        response = httpx.post(f"{emu.real.rest_url}/oauth2/tokenP", json=token_body(emu.real))
        assert response.status_code == 200
    with pytest.raises(httpx.ConnectError):
        httpx.post(f"{emu.real.rest_url}/oauth2/tokenP", json=token_body(emu.real))
