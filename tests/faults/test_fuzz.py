"""Property tests of every decoder that reads bytes a server (or a file on disk) chose.

The contract each test checks: the decoder returns a value or raises its *typed* error (a ``KisError``,
or ``ValueError`` where the decoder documents it) — never ``TypeError``, ``AttributeError``, ``IndexError``
or any other crash that would kill the reader thread or leak into user code. ``make soak`` runs the same
properties with 30× the examples (the ``soak`` Hypothesis profile).
"""

from __future__ import annotations

import io
import json
import re
import zipfile
import zlib
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pykis.drivers.websocket_handlers import decode_frame
from pykis.errors import KisDecodeError, KisRealtimeDecodeError
from pykis.exchanges.masters import DOMESTIC_FILES, OVERSEAS_FILES, parse_domestic, parse_overseas, rows_of, unzip
from pykis.models.quote import DomesticQuoteBody, ForeignQuoteBody
from pykis.models.realtime import EVENT_TYPES, MIN_WIDTHS, KisRealtimeEvent
from pykis.protocol.envelope import Envelope, decode_envelope
from pykis.protocol.http import HttpResponse
from pykis.protocol.paging import next_page
from pykis.protocol.request import ApiCall
from pykis.protocol.websocket import (
    Cipher,
    ControlReply,
    DataFrame,
    Malformed,
    PingPong,
    decrypt,
    encrypt,
    parse_message,
)
from tests.properties import examples
from tests.protocol.oracles import envelope_outcome, json_object

# The ``ci`` profile (tests/conftest.py) runs a fixed set of examples, the same every run: CI never fails at random;
# ``make soak`` (the ``soak`` profile) explores 30x as many.
FUZZ = settings(max_examples=examples(100), suppress_health_check=[HealthCheck.too_slow])

TR_IDS = sorted({*EVENT_TYPES, "H0XXXXX0", "PINGPONG", ""})
FIELD = st.one_of(
    st.sampled_from(["", "0", "-1", "1.5", "NaN", "inf", "1e999", "99999999999999999999", "20240230", "250000"]),
    st.text(alphabet=st.characters(blacklist_characters="^|"), max_size=12),
)


@st.composite
def records(draw: st.DrawFn) -> tuple[str, str, int]:
    """(tr_id, payload, count): well-shaped frames of every known TR, with hostile field values and widths."""
    tr_id = draw(st.sampled_from(TR_IDS))
    count = draw(st.integers(1, 4))
    base = MIN_WIDTHS.get(tr_id, 5)
    width = draw(st.integers(max(1, base - 3), base + 6))
    fields = draw(st.lists(FIELD, min_size=width * count, max_size=width * count + draw(st.integers(0, 2))))
    return tr_id, "^".join(fields), count


def read_everything(event: KisRealtimeEvent) -> None:
    """Touch every public attribute of an event, as a user's callback might."""
    for name in dir(event):
        if name.startswith("_"):
            continue
        value = getattr(event, name)
        if callable(value) and name == "field":
            value("nonexistent")
    repr(event)


# ---- realtime frames ----------------------------------------------------------------------------------


FRAMEISH = st.builds(
    lambda flag, tr_id, count, payload: f"{flag}|{tr_id}|{count}|{payload}",
    st.sampled_from(["0", "1", "2", ""]),
    st.text(max_size=10),
    st.one_of(st.integers(-2, 10_002).map(str), st.text(max_size=4)),
    st.text(max_size=40),
)


@FUZZ
@given(st.one_of(st.text(max_size=300), FRAMEISH))
def test_parse_message_classifies_any_text(text: str) -> None:
    message = parse_message(text)
    frame = re.fullmatch(r"([01])\|([^|]*)\|([0-9]+)\|(.*)", text, flags=re.DOTALL)
    if frame and 1 <= int(frame[3]) <= 10_000:
        assert message == DataFrame(frame[1] == "1", frame[2], int(frame[3]), frame[4])
    elif text[:2] in ("0|", "1|") or not isinstance(json_object(text.encode()), dict):
        assert isinstance(message, Malformed)


@FUZZ
@given(records(), st.sampled_from(["0", "1"]))
def test_decode_frame_raises_only_its_typed_error(record: tuple[str, str, int], flag: str) -> None:
    tr_id, payload, count = record
    message = parse_message(f"{flag}|{tr_id}|{count:03d}|{payload}")
    if isinstance(message, Malformed):
        return
    assert isinstance(message, DataFrame)
    try:
        events = decode_frame(message, None, date(2026, 11, 27))
    except KisRealtimeDecodeError:
        return
    assert len(events) == count
    for event in events:
        read_everything(event)


@FUZZ
@given(
    st.dictionaries(
        st.sampled_from(["header", "body", "tr_id", "output"]),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=10),
            lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
            max_leaves=12,
        ),
    )
)
def test_control_json_of_any_shape_is_classified(message: dict[str, Any]) -> None:
    parsed = parse_message(json.dumps(message))
    header, body = message.get("header"), message.get("body")
    if not isinstance(header, dict):
        assert isinstance(parsed, Malformed)
    elif header.get("tr_id") == "PINGPONG":
        assert isinstance(parsed, PingPong)
    elif not isinstance(body, dict):
        assert isinstance(parsed, Malformed)
    else:
        assert isinstance(parsed, ControlReply)
        text = {None: ""}
        assert parsed.tr_id == text.get(header.get("tr_id"), str(header.get("tr_id")))
        assert parsed.rt_cd == text.get(body.get("rt_cd"), str(body.get("rt_cd")))


CIPHER = Cipher("k" * 32, "i" * 16)


@FUZZ
@given(st.text(max_size=400))
def test_encrypted_payloads_round_trip(text: str) -> None:
    assert decrypt(encrypt(text, CIPHER), CIPHER) == text


@FUZZ
@given(
    st.one_of(st.text(max_size=200), st.binary(max_size=200).map(lambda b: __import__("base64").b64encode(b).decode())),
    st.text(max_size=40),
    st.text(max_size=20),
)
def test_decrypt_refuses_with_its_typed_error(payload: str, key: str, iv: str) -> None:
    import base64
    import binascii

    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        data = b""
    for cipher in (CIPHER, Cipher(key, iv)):
        sizes_ok = len(cipher.key.encode()) in (16, 24, 32) and len(cipher.iv.encode()) == 16
        if not data or len(data) % 16 or not sizes_ok:  # not base64, not whole blocks, no AES key or IV
            with pytest.raises(KisRealtimeDecodeError) as caught:
                decrypt(payload, cipher, "H0STCNI0")
            assert caught.value.tr_id == "H0STCNI0"
            continue
        try:
            plain = decrypt(payload, cipher, "H0STCNI0")
        except KisRealtimeDecodeError as exc:  # bad padding or not UTF-8: data-dependent, but typed
            assert exc.tr_id == "H0STCNI0"  # noqa: PT017
            continue
        assert base64.b64decode(encrypt(plain, cipher)) == data  # what it returned is what was encrypted


@FUZZ
@given(st.binary(min_size=16, max_size=160).filter(lambda b: len(b) % 16 == 0))
def test_an_encrypted_frame_with_the_wrong_key_is_skipped_not_fatal(blob: bytes) -> None:
    import base64

    frame = parse_message(f"1|H0STCNI0|001|{base64.b64encode(blob).decode()}")
    assert isinstance(frame, DataFrame)
    try:
        events = decode_frame(frame, CIPHER, date(2026, 11, 27))
    except KisRealtimeDecodeError:
        return
    for event in events:
        read_everything(event)


# ---- REST envelopes and paging ------------------------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=5),
    max_leaves=20,
)
HEAD = st.fixed_dictionaries(
    {},
    optional={
        "rt_cd": st.one_of(st.sampled_from(["0", "1", "7"]), JSON),
        "msg_cd": st.one_of(st.sampled_from(["EGW00123", "EGW00201", "EGW00002", "MCA00000"]), JSON),
        "msg1": JSON,
        "output": JSON,
        "output1": JSON,
        "output2": JSON,
        "ctx_area_fk100": JSON,
        "CTX_AREA_NK100": JSON,
    },
)
BODIES = st.one_of(
    st.binary(max_size=300),
    JSON.map(lambda value: json.dumps(value).encode()),
    HEAD.map(lambda value: json.dumps(value).encode()),
    HEAD.map(lambda value: json.dumps(value).encode()[: len(json.dumps(value)) // 2]),
)


@FUZZ
@given(BODIES, st.sampled_from([200, 200, 500, 403, 502]), st.sampled_from(["", "F", "M", "D", "E", " F "]))
def test_envelopes_decode_or_raise_a_kis_error(body: bytes, status: int, tr_cont: str) -> None:
    response = HttpResponse(status, {"tr_cont": tr_cont}, body)
    expected = envelope_outcome(body, status)
    if expected is not None:
        with pytest.raises(expected):
            decode_envelope(response, "FHKST01010100")
        return
    envelope = decode_envelope(response, "FHKST01010100")
    assert envelope.tr_cont == tr_cont.strip()
    # A decoded envelope's body, blocks, typed models and next page must all be reachable without a crash.
    try:
        envelope.body  # noqa: B018
    except ValueError:
        pytest.fail("decode_envelope accepted a body that Envelope.body cannot read")
    envelope.output()
    for kind in (DomesticQuoteBody, ForeignQuoteBody):
        try:
            envelope.decode(kind)
        except KisDecodeError:
            pass
    call = ApiCall("GET", "/uapi/x", "TTTC8434R", {"CTX_AREA_FK100": "", "ctx_area_nk100": ""})
    page = next_page(call, envelope)
    if page is not None:
        assert envelope.has_next
        assert all(isinstance(value, str) for value in page.params.values())


@FUZZ
@given(st.dictionaries(st.text(max_size=16), JSON, max_size=8))
def test_paging_cursors_from_any_body(body: dict[str, Any]) -> None:
    envelope = Envelope(json.dumps({"rt_cd": "0", **body}).encode(), "TTTC8434R", "M")
    call = ApiCall("GET", "/uapi/x", "TTTC8434R", {"CTX_AREA_FK100": ""})
    page = next_page(call, envelope)
    assert page is not None
    assert page.tr_cont == "N"
    assert all(isinstance(value, str) for value in page.params.values())


# ---- master files -------------------------------------------------------------------------------------

DOMESTIC_LINE = st.builds(
    lambda code, isin, name, tail: f"{code:<9}{isin:<12}{name}{tail}",
    st.text(max_size=9),
    st.text(max_size=12),
    st.text(max_size=40),
    st.text(min_size=200, max_size=240),
)


DOMESTIC_FILE = st.lists(DOMESTIC_LINE, max_size=5).map(lambda lines: "\n".join(lines).encode("cp949", "replace"))
OVERSEAS_CELL = st.text(alphabet=st.characters(blacklist_characters="\t\n\r"), max_size=8)
OVERSEAS_FILE = st.lists(st.lists(OVERSEAS_CELL, min_size=14, max_size=26), max_size=5).map(
    lambda rows: "\n".join("\t".join(row) for row in rows).encode("cp949", "replace")
)


@FUZZ
@given(st.one_of(st.binary(max_size=2000), DOMESTIC_FILE))
def test_domestic_master_rows_never_crash(content: bytes) -> None:
    for name, (board, tail) in DOMESTIC_FILES.items():
        for row in parse_domestic(content, board, tail):
            assert row.symbol
        list(rows_of(name, content))


@FUZZ
@given(st.one_of(st.binary(max_size=2000), OVERSEAS_FILE))
def test_overseas_master_rows_never_crash(content: bytes) -> None:
    for name, market in list(OVERSEAS_FILES.items())[:3]:
        for row in parse_overseas(content, market):
            assert row.symbol
            assert row.lot_size >= 1
        list(rows_of(name, content))


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@FUZZ
@given(
    st.one_of(
        st.binary(max_size=500),
        st.dictionaries(st.text("abc.mst", min_size=1, max_size=8), st.binary(max_size=50), max_size=2).map(_zip),
    )
)
def test_master_archives_unzip_or_raise_value_error(blob: bytes) -> None:
    """A corrupt download is a ``ValueError`` (the client falls back to product inquiries), not a crash; a
    whole archive gives its first member."""
    try:
        with zipfile.ZipFile(io.BytesIO(blob)) as archive:
            first: bytes | None = archive.read(archive.infolist()[0]) if archive.infolist() else None
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError, zlib.error):
        first = None
    if first is None:
        with pytest.raises(ValueError):
            unzip(blob)
    else:
        assert unzip(blob) == first
