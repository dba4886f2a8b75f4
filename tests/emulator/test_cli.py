"""``pykis emulator`` / ``python -m pykis.emulator``: the --json line, --help, and a clean shutdown."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from pykis.auth import KisAuth
from pykis.emulator import Emulator
from pykis.emulator.cli import build_parser, main

OPTIONS = [
    "--host",
    "--real-rest-port",
    "--real-ws-port",
    "--virtual-rest-port",
    "--virtual-ws-port",
    "--admin",
    "--admin-port",
    "--clock",
    "--start",
    "--speed",
    "--seed",
    "--state",
    "--no-realtime",
    "--realtime-rate",
    "--legacy-widths",
    "--real-rate",
    "--virtual-rate",
    "--token-lifetime",
    "--token-reuse",
    "--token-issue-interval",
    "--approval-lifetime",
    "--heartbeat",
    "--max-subscriptions",
    "--secrets-dir",
    "--json",
    "--duration",
]


def test_help_documents_every_option(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    text = capsys.readouterr().out
    for option in OPTIONS:
        assert option in text, option
    declared = {opt for action in build_parser()._actions for opt in action.option_strings if opt.startswith("--")}
    assert declared - {"--help"} == set(OPTIONS)


def test_bad_options_exit_with_usage(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--clock", "sometimes"])
    assert exited.value.code == 2
    with pytest.raises(SystemExit):
        main(["--start", "2025-01-06T09:00:00"])  # no time zone
    assert "time zone" in capsys.readouterr().err


def test_json_line_in_process(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--json", "--secrets-dir", str(tmp_path), "--duration", "0.2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    data = json.loads(lines[0])
    assert set(data) == {"real", "virtual"}
    assert data["real"]["secret_file"] == str((tmp_path / "secret.json").resolve())
    assert KisAuth.load(data["virtual"]["secret_file"]).virtual is True


def test_python_dash_m_json_then_sigterm(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONWARNINGS": "error::ResourceWarning"}
    process = subprocess.Popen(
        [sys.executable, "-m", "pykis.emulator", "--json", "--secrets-dir", str(tmp_path), "--heartbeat", "5"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        data = json.loads(line)
        for side in ("real", "virtual"):
            info = data[side]
            assert set(info) == {"rest_url", "ws_url", "id", "appkey", "secretkey", "account", "secret_file"}
            assert info["rest_url"].startswith("http://127.0.0.1:") and info["ws_url"].startswith("ws://127.0.0.1:")
            assert len(info["appkey"]) == 36 and len(info["secretkey"]) == 180
            auth = KisAuth.load(info["secret_file"])
            assert (auth.rest_url, auth.ws_url, auth.appkey) == (info["rest_url"], info["ws_url"], info["appkey"])
        body = {
            "grant_type": "client_credentials",
            "appkey": data["real"]["appkey"],
            "appsecret": data["real"]["secretkey"],
        }
        issued = httpx.post(f"{data['real']['rest_url']}/oauth2/tokenP", json=body, timeout=10)
        assert issued.status_code == 200 and "access_token" in issued.json()
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    assert out == ""  # nothing after the JSON line


@pytest.mark.parametrize("as_json", [True, False])
def test_a_second_emulator_in_one_folder_says_where_its_secrets_went(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], as_json: bool
) -> None:
    with Emulator(secrets_dir=tmp_path) as first:
        assert main([*(["--json"] if as_json else []), "--secrets-dir", str(tmp_path), "--duration", "0.2"]) == 0
        captured = capsys.readouterr()
        assert KisAuth.load(tmp_path / "secret.json").rest_url == first.real.rest_url  # not overwritten
    second = KisAuth.load(tmp_path / "secret-2.json")
    assert second.rest_url != first.real.rest_url
    note = f"still running at {first.real.rest_url}; this one's credentials are in secret-2.json and"
    if as_json:
        data = json.loads(captured.out)
        assert data["real"]["secret_file"] == str((tmp_path / "secret-2.json").resolve())
        assert note in captured.err
    else:
        assert note in captured.out
        assert f'PyKis("{(tmp_path / "secret-2.json").resolve()}"' in captured.out
