"""The sans-I/O HTTP/1.1 reader and request writer (pykis.protocol.http1): any framing of any body, fed in any
pieces, reads back the same; framings that could desynchronise a kept-alive connection, and heads or lines past
their limits, are refused; a request never carries a character that would split it."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pykis.protocol.http1 import (
    END,
    MAX_HEAD,
    MAX_LINE,
    NEED_DATA,
    HttpProtocolError,
    ResponseHead,
    ResponseReader,
    request_bytes,
)


def pieces(wire: bytes, cuts: list[int] | None) -> list[bytes]:
    """``wire`` split at ``cuts`` (each taken modulo its length + 1) into non-empty pieces, in order."""
    points = sorted({cut % (len(wire) + 1) for cut in cuts or []})
    return [wire[a:b] for a, b in zip([0, *points], [*points, len(wire)], strict=True) if b > a]


def read(wire: bytes, cuts: list[int] | None = None, *, eof: bool = True) -> tuple[ResponseHead, bytes, bool]:
    """Feed ``wire`` to a reader in pieces split at ``cuts``, then (if ``eof``) the connection's end, each only
    when the reader asks for more; the head, the body and whether the connection is reusable."""
    reader = ResponseReader()
    fed = iter([*pieces(wire, cuts), b""] if eof else pieces(wire, cuts))
    body = bytearray()
    while (head := reader.head()) is None:
        reader.receive(next(fed))
    while (piece := reader.body()) is not END:
        if piece is NEED_DATA:
            reader.receive(next(fed))
        else:
            assert isinstance(piece, bytes)
            body += piece
    return head, bytes(body), reader.reusable


def chunked(body: bytes, sizes: list[int]) -> bytes:
    out, at = bytearray(), 0
    for size in sizes:
        piece = body[at : at + size]
        if piece:
            out += b"%x;ext=1\r\n%s\r\n" % (len(piece), piece)
        at += len(piece)
    if at < len(body):
        out += b"%X\r\n%s\r\n" % (len(body) - at, body[at:])
    return bytes(out) + b"0\r\nx-trailer: yes\r\n\r\n"


bodies = st.binary(max_size=3000)
cuts = st.lists(st.integers(min_value=0, max_value=10_000), max_size=12)


@given(body=bodies, cuts=cuts)
def test_a_length_framed_answer_reads_back_whole_and_keeps_the_connection(body: bytes, cuts: list[int]) -> None:
    wire = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
    head, got, reusable = read(wire, cuts, eof=False)
    assert (head.status, head.minor, got, reusable) == (200, 1, body, True)
    assert head.headers["content-type"] == "application/json"


@given(body=bodies, sizes=st.lists(st.integers(min_value=1, max_value=700), max_size=8), cuts=cuts)
def test_a_chunked_answer_reads_back_whole(body: bytes, sizes: list[int], cuts: list[int]) -> None:
    wire = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n" + chunked(body, sizes)
    head, got, reusable = read(wire, cuts, eof=False)
    assert (head.status, got, reusable) == (200, body, True)


@given(body=bodies, cuts=cuts)
def test_an_answer_without_length_runs_to_the_end_and_is_not_reused(body: bytes, cuts: list[int]) -> None:
    head, got, reusable = read(b"HTTP/1.1 500 Internal Server Error\r\n\r\n" + body, cuts)
    assert (head.status, got, reusable) == (500, body, False)


def test_interim_answers_are_skipped_and_repeated_fields_joined() -> None:
    wire = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 \r\nX-A: 1\r\nx-a:  2 \r\nContent-Length: 2\r\n\r\nok"
    head, body, _ = read(wire, eof=False)
    assert (head.status, head.headers["x-a"], body) == (201, "1, 2", b"ok")


@pytest.mark.parametrize(
    ("extra", "reusable"),
    [
        (b"", True),
        (b"Connection: close\r\n", False),
        (b"Connection: keep-alive, Close\r\n", False),
        (b"Connection: close,keep-alive\r\n", False),
    ],
)
def test_connection_close_is_honoured(extra: bytes, reusable: bool) -> None:
    assert read(b"HTTP/1.1 200 OK\r\n" + extra + b"Content-Length: 0\r\n\r\n", eof=False)[2] is reusable


def test_http_1_0_and_unasked_bytes_after_the_answer_end_the_connection() -> None:
    assert read(b"HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx", eof=False)[2] is False
    reader = ResponseReader()
    reader.receive(b"HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200 OK\r\n\r\n")  # a second answer nobody asked for
    assert reader.head() is not None and reader.body() is END and reader.reusable is False


@pytest.mark.parametrize(
    ("wire", "why"),
    [
        (b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", "request-smuggling"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", "not a Content-Length"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "not a Content-Length"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 0x10\r\n\r\n", "not a Content-Length"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: " + b"9" * 19 + b"\r\n\r\n", "not a Content-Length"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", "unsupported transfer coding"),
        (b"HTTP/1.1 200 OK\r\nX-A: 1\r\n folded\r\nContent-Length: 0\r\n\r\n", "folded header line"),
        (b"HTTP/1.1 200 OK\r\nX-A: 1\r\n\tfolded\r\nContent-Length: 0\r\n\r\n", "folded header line"),
        (b"HTTP/1.1 200 OK\r\nBad Name: 1\r\n\r\n", "not a header field"),
        (b"HTTP/1.1 200 OK\r\nX-A: a\x00b\r\n\r\n", "control character in header 'X-A'"),
        (b"HTTP/1.1 200 OK\r\nX-A: a\x0b\r\n\r\n", "control character"),
        (b"HTTP/2 200\r\n\r\n", "not an HTTP/1.x status line"),
        (b"ICY 200 OK\r\n\r\n", "not an HTTP/1.x status line"),
        (b"\r\n\r\nHTTP/1.1 200 OK\r\n\r\n", "not an HTTP/1.x status line"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "not a chunk size"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n", "longer than its announced"),
    ],
)
def test_framings_that_could_desynchronise_the_connection_are_refused(wire: bytes, why: str) -> None:
    with pytest.raises(HttpProtocolError, match=re.escape(why)):
        read(wire)


@pytest.mark.parametrize(
    ("wire", "why"),
    [
        (b"HTTP/1.1 200 OK\r\nContent-Length: \xb2\r\n\r\nok", "not a Content-Length"),  # "²".isdigit(): was ValueError
        (b"HTTP/1.1 200 O\x00K\r\nContent-Length: 0\r\n\r\n", "not an HTTP/1.x status line"),
        (b"HTTP/1.1 200 \x0b\r\nContent-Length: 0\r\n\r\n", "not an HTTP/1.x status line"),
        (b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\nHTTP/1.1 200 OK\r\n\r\n", "101 Switching"),
        (b"HTTP/1.1 103 Early Hints\r\nContent-Length: x\r\n\r\nHTTP/1.1 200 OK\r\n\r\n", "not a Content-Length"),
        (b"HTTP/1.1 304 Not Modified\r\nContent-Length: 1, 2\r\n\r\n", "not a Content-Length"),
        (b"HTTP/1.1 204 No Content\r\nTransfer-Encoding: gzip\r\n\r\n", "unsupported transfer coding"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked,\r\n\r\n0\r\n\r\n", "unsupported transfer coding"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3 ;a\r\nabc\r\n0\r\n\r\n", "not a chunk size"),
    ],
)
def test_what_h11_refuses_is_refused(wire: bytes, why: str) -> None:
    """Found by the differential test against h11 (test_http1_vs_h11): each of these ours once read (or, for
    "²", failed with a ValueError) where h11 refuses it."""
    with pytest.raises(HttpProtocolError, match=re.escape(why)):
        read(wire)


def test_framing_fields_that_do_not_count_may_still_be_sent_well_formed() -> None:
    head, body, reusable = read(b"HTTP/1.1 304 Not Modified\r\nContent-Length: 120\r\n\r\n", eof=False)
    assert (head.status, body, reusable) == (304, b"", True)  # the size of the representation not sent
    wire = b"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    assert read(wire + b"3 \r\nabc\r\n3;a \r\ndef\r\n0\r\n\r\n", eof=False)[1] == b"abcdef"


def test_fields_keep_colons_in_their_values_and_equal_lengths_are_one() -> None:
    wire = b"HTTP/1.1 304 Not Modified\r\nDate: Thu, 03 Dec 2026 15:00:00 GMT\r\n\r\n"
    head, body, reusable = read(wire, eof=False)  # a 304 has no body, whatever its fields say
    assert (head.headers["date"], body, reusable) == ("Thu, 03 Dec 2026 15:00:00 GMT", b"", True)
    head, _, _ = read(b"HTTP/1.1 204 No Content\r\nX-A: \t XaX \t\r\n\r\n", eof=False)
    assert head.headers["x-a"] == "XaX"  # optional whitespace around a value is not part of it
    head, body, _ = read(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok", eof=False)
    assert (head.headers["content-length"], body) == ("2, 2", b"ok")
    assert read(b"HTTP/1.1 200 OK\r\nContent-Length: " + b"0" * 17 + b"1\r\n\r\nx", eof=False)[1] == b"x"


def test_a_length_framed_body_stops_at_its_length() -> None:
    reader = ResponseReader()
    reader.receive(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA")
    assert reader.head() is not None
    assert (reader.body(), reader.body(), reader.reusable) == (b"ok", END, False)  # the extra bytes end it


@pytest.mark.parametrize(
    ("wire", "where"),
    [
        (b"", "before the answer's head"),
        (b"HTTP/1.1 200 OK\r\nContent-Len", "before the answer's head"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", "5 bytes short of the announced length"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", "inside a chunk"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n", "inside the chunked framing"),
    ],
)
def test_a_connection_that_ends_inside_the_answer_is_an_error(wire: bytes, where: str) -> None:
    with pytest.raises(HttpProtocolError, match=f"the connection ended {where}"):
        read(wire)


def test_a_head_is_read_up_to_its_limit_and_refused_past_it() -> None:
    status = b"HTTP/1.1 200 OK\r\nX-Pad: "
    for size, refused in ((MAX_HEAD, False), (MAX_HEAD + 1, True)):
        unfinished, whole = ResponseReader(), ResponseReader()
        unfinished.receive(status + b"a" * (size - len(status)))  # no end in sight yet
        whole.receive(status + b"a" * (size - len(status)) + b"\r\n\r\n")
        if refused:
            for reader in (unfinished, whole):
                with pytest.raises(HttpProtocolError, match=f"head is longer than {MAX_HEAD} bytes"):
                    reader.head()
        else:
            assert unfinished.head() is None and whole.head() is not None


def test_a_chunk_size_line_is_read_up_to_its_limit_and_refused_past_it() -> None:
    for size, refused in ((MAX_LINE, False), (MAX_LINE + 1, True)):
        reader = ResponseReader()
        reader.receive(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + b"0" * size)
        assert reader.head() is not None
        if refused:
            with pytest.raises(HttpProtocolError, match=f"line is longer than {MAX_LINE} bytes"):
                reader.body()
        else:
            assert reader.body() is NEED_DATA


def test_the_body_is_asked_for_after_the_head_only() -> None:
    with pytest.raises(RuntimeError, match=re.escape("body() before head()")):
        ResponseReader().body()
    assert (repr(NEED_DATA), repr(END)) == ("NEED_DATA", "END")


def test_a_request_is_written_as_http_1_1() -> None:
    wire = request_bytes("POST", "/a?b=c", {"host": "h", "tr_id": "X"}, b"{}")
    assert wire == b"POST /a?b=c HTTP/1.1\r\nhost: h\r\ntr_id: X\r\n\r\n{}"
    assert request_bytes("GET", "/", {"x": "ü"}, None) == b"GET / HTTP/1.1\r\nx: \xfc\r\n\r\n"


@pytest.mark.parametrize(
    ("method", "target", "why"),
    [("G T", "/", "not a request line"), ("GET", "a", "not a request line"), ("GET", "/a b", "space")],
)
def test_a_request_line_that_would_not_parse_is_refused(method: str, target: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        request_bytes(method, target, {}, None)


@given(
    bad=st.text(alphabet=st.sampled_from("ab\r\n\x00\x7f:"), min_size=1, max_size=6).filter(
        lambda text: any(c in text for c in "\r\n\x00\x7f")
    )
)
def test_a_header_or_target_that_would_split_the_request_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match=r"split|control"):
        request_bytes("GET", "/", {"x-a": bad}, None)
    with pytest.raises(ValueError, match=r"split|control|space"):
        request_bytes("GET", "/" + bad, {}, None)
    with pytest.raises(ValueError, match="split"):
        request_bytes("GET", "/", {"x" + bad: "1"}, None)
