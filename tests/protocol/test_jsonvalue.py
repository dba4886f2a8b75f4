"""pykis.protocol.jsonvalue.loads reads exactly what json.loads reads, as the same values, and refuses the rest with
a ValueError: the secret file, the token cache and the rate-limit state are read with it instead of the json package
(issue 15's cold start)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pykis.protocol.jsonvalue import loads

_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=12,
)
_ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-32")


def _read(read: Any, raw: bytes) -> str:
    """What a reader makes of ``raw``: the value's repr (NaN equals itself there), or "refused"."""
    try:
        return repr(read(raw))
    except ValueError:  # json.JSONDecodeError, msgspec.DecodeError and UnicodeDecodeError alike
        return "refused"


@given(_VALUES, st.booleans(), st.sampled_from(_ENCODINGS))
def test_json_texts_are_read_as_json_reads_them(value: Any, ascii_only: bool, encoding: str) -> None:
    raw = json.dumps(value, ensure_ascii=ascii_only).encode(encoding)
    assert _read(loads, raw) == _read(json.loads, raw)


@given(st.binary(max_size=64))
def test_any_bytes_are_read_or_refused_as_json_would(raw: bytes) -> None:
    assert _read(loads, raw) == _read(json.loads, raw)


@pytest.mark.parametrize(
    "raw",
    [b'\xef\xbb\xbf{"id": "a"}', '{"id": "가"}'.encode("utf-16"), b'{"expires_at": NaN}', b'{"a": 1, "a": 2}', b" 1 "],
)
def test_what_a_windows_editor_or_a_lax_writer_leaves_is_still_read(raw: bytes) -> None:
    assert repr(loads(raw)) == repr(json.loads(raw))


@pytest.mark.parametrize("raw", [b"", b"{", b'{"a": 1} x', b"\xff", b"[1,]"])
def test_broken_text_is_a_value_error(raw: bytes) -> None:
    with pytest.raises(ValueError):
        loads(raw)
