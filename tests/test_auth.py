"""KisAuth: validation, the secret file (atomic, 0600), and masking."""

from __future__ import annotations

import json
import logging
import os
import re
import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pykis import KisAccountNumber, KisAuth, KisCredentialError, KisValidationError

APPKEY = "PSabcdefghijklmnopqrstuvwxyz01234567"[:36]
SECRET = ("S3cr3t" * 40)[:180]


def make(**overrides: object) -> KisAuth:
    fields: dict[str, object] = {
        "id": "soju06",
        "appkey": APPKEY,
        "secretkey": SECRET,
        "account": "50113500-01",
        "virtual": False,
    }
    fields.update(overrides)
    return KisAuth(**fields)  # type: ignore[arg-type]


def test_repr_masks_key_and_secret() -> None:
    text = repr(make())
    assert APPKEY not in text
    assert APPKEY[:10] not in text
    assert SECRET[:8] not in text
    assert "soju06" in text
    assert "50113500-01" in text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("appkey", "short", "36"),
        ("appkey", "", "36"),
        ("secretkey", "x" * 179, "180"),
        ("account", "5011350001x", "NNNNNNNN-NN"),
        ("account", "123-45", "NNNNNNNN-NN"),
        ("id", "", "HTS"),
        ("rest_url", "localhost:9443", "URL"),
    ],
)
def test_bad_fields_are_refused_with_a_clear_error(field: str, value: str, message: str) -> None:
    with pytest.raises(KisCredentialError, match=message) as caught:
        make(**{field: value})
    assert isinstance(caught.value, KisValidationError)
    assert SECRET not in str(caught.value)


@given(
    st.text(st.sampled_from("hwtps:/ \t\u3000aZ0.-"), max_size=12)
    | st.builds("".join, st.lists(st.sampled_from(["http", "https", "ws", "wss", "://", "/", " ", "h", ":9"])))
)
def test_a_url_field_is_an_absolute_http_or_ws_url(url: str) -> None:
    """``rest_url``/``ws_url``: ``http(s)``/``ws(s)``, ``://`` and a host (its first character no blank, no ``/``)."""
    absolute = re.match(r"^(https?|wss?)://[^\s/]+", url) is not None
    if absolute:
        assert make(rest_url=url, ws_url=url).rest_url == url
    else:
        with pytest.raises(KisCredentialError, match="absolute"):
            make(rest_url=url)


@given(st.from_regex(r"\A\d{8}-?\d{2}\Z"))
def test_account_numbers_parse_and_normalize(text: str) -> None:
    number = KisAccountNumber.parse(text)
    assert str(number) == text if "-" in text else f"{text[:8]}-{text[8:]}"
    assert len(number.number) == 8
    assert len(number.product) == 2


@given(st.text(max_size=14).filter(lambda s: not __import__("re").fullmatch(r"\s*\d{8}-?\d{2}\s*", s)))
def test_anything_else_is_not_an_account_number(text: str) -> None:
    with pytest.raises(KisCredentialError):
        KisAccountNumber.parse(text)


def test_save_and_load_round_trip_with_private_mode(tmp_path: Path) -> None:
    auth = make(virtual=True, rest_url="http://127.0.0.1:9443", ws_url="ws://127.0.0.1:21000")
    path = tmp_path / "dir" / "secret.json"
    auth.save(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert KisAuth.load(path) == auth
    assert json.loads(path.read_text())["virtual"] is True
    assert [p.name for p in path.parent.iterdir()] == ["secret.json"]


def test_save_replaces_an_existing_file_atomically(tmp_path: Path) -> None:
    path = tmp_path / "secret.json"
    path.write_text("old")
    os.chmod(path, 0o644)
    make().save(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert KisAuth.load(path).id == "soju06"


def test_python_kis_secret_files_load(tmp_path: Path) -> None:
    path = tmp_path / "secret.json"
    path.write_text(
        json.dumps({"id": "a", "appkey": APPKEY, "secretkey": SECRET, "account": "00000000-01", "virtual": False})
    )
    path.chmod(0o600)
    assert KisAuth.load(path).account == "00000000-01"


@pytest.mark.parametrize(
    ("content", "message"),
    [("{", "not valid JSON"), ("[]", "JSON object"), ('{"id": "x"}', "lacks appkey, secretkey, account")],
)
def test_broken_secret_files_are_refused(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "secret.json"
    path.write_text(content)
    with pytest.raises(KisCredentialError, match=message):
        KisAuth.load(path)


def test_missing_secret_file(tmp_path: Path) -> None:
    with pytest.raises(KisCredentialError, match="cannot read"):
        KisAuth.load(tmp_path / "absent.json")


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_world_readable_secret_file_is_warned_about(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "secret.json"
    make().save(path)
    path.chmod(0o644)
    with caplog.at_level(logging.WARNING, logger="pykis"):
        KisAuth.load(path)
    assert "chmod 600" in caplog.text
    assert SECRET not in caplog.text
