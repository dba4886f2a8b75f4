"""pykis' HTTP/1.1 response reader (pykis.protocol.http1) against h11, the well-kept sans-I/O HTTP/1.1 library,
on answers framed as real servers frame them and on malformed or dangerous ones, each fed in random pieces.

Both are driven as our transports drive ours: a GET or POST was sent (our client sends no other method, and our
reader is never told the method, so HEAD's and CONNECT's bodiless answers, which only h11 models, are never
compared); interim 1xx answers are skipped; bytes are fed only when a reader asks, and the connection's end once
the pieces are used up. An outcome is a refusal, or the final answer's HTTP version, status, header fields, body
and whether the connection may carry the next request. Fields are compared normalised: names lower-cased, a
repeated field's values joined by ``, `` in order (ours joins them so, h11 keeps the list; RFC 9110 §5.3 makes
the two the same), ``Content-Length`` as its one value (h11 collapses equal repeats and lists, RFC 9110 §8.6),
``Transfer-Encoding`` lower-cased (h11 lower-cases it; codings are case-insensitive). h11 calls a connection
reusable when both sides are DONE; "and it has not ended, nor sent unasked bytes after the answer" is added, as
h11 leaves those to its user (httpcore drops an idle connection that has become readable) and ours will not
reuse such a connection.

A valid answer must be read alike by both, and as it was built. A malformed one: whenever h11 refuses it, ours
refuses it too (HttpProtocolError, never another exception); when both read it, they agree. Ours is stricter
than h11 (refuses what h11 reads) on these classes, each safe because a refusal ends the exchange with a typed
error and a closed connection, never a misread answer or a desynchronised connection:

- bare LF line endings in a head or trailer block (h11 takes ``\\n`` for ``\\r\\n``): RFC 9112 §2.2 only permits
  it, no server we talk to sends it, and reading LF where an intermediary does not is a classic desync;
- obsolete line folding (h11 unfolds it): deprecated by RFC 9112 §5.2, never sent by KIS or nginx;
- both Transfer-Encoding and Content-Length, whatever the status (h11 lets chunked win): the request-smuggling
  shape, after which RFC 9112 §6.3 says the connection ought to be closed anyway;
- control characters \\x01-\\x08, \\x0e-\\x1f and \\x7f in a field value or the reason phrase (h11 refuses only
  NUL and the whitespace controls there): RFC 9110 §5.5 and RFC 9112 §4 allow HTAB, SP, VCHAR and obs-text;
- a bare CR inside a chunk extension (h11's ``;.*`` takes any byte but LF): no CR belongs there;
- HTTP versions other than 1.0 and 1.1 (h11 reads any ``HTTP/d.d``);
- a Content-Length of 19 or 20 digits and a chunk size of 17 to 20 hex digits (h11 allows 20 of either): no
  answer is exabytes long, and the transport caps a body far lower;
- a head past MAX_HEAD whose end comes in the read that takes it past the limit (h11 checks its limit, given here
  as MAX_HEAD rather than its default 16 KiB, only while a head is incomplete), and an incomplete chunk-size or
  trailer line past MAX_LINE (4 KiB; h11 buffers up to its head limit).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

import h11
from hypothesis import event, given, settings
from hypothesis import strategies as st

from pykis.protocol.http1 import MAX_HEAD, HttpProtocolError
from tests.properties import examples
from tests.protocol.test_http1 import pieces, read

Reading = tuple[bytes, int, dict[bytes, bytes], bytes, bool]
"""An answer as read: HTTP version, status, normalised fields, body, whether the connection is reusable."""

FRAMING = (b"content-length", b"transfer-encoding", b"connection")


def normalised(fields: Iterable[tuple[bytes, bytes]]) -> dict[bytes, bytes]:
    values: dict[bytes, list[bytes]] = {}
    for name, value in fields:
        values.setdefault(name.lower(), []).append(value)
    joined = {name: b", ".join(each) for name, each in values.items()}
    if length := joined.get(b"content-length"):
        joined[b"content-length"] = b",".join(sorted({part.strip() for part in length.split(b",")}))
    if coding := joined.get(b"transfer-encoding"):
        joined[b"transfer-encoding"] = coding.lower()
    return joined


def ours(wire: bytes, cuts: list[int]) -> Reading | None:
    try:
        head, body, reusable = read(wire, cuts)
    except HttpProtocolError:
        return None
    fields = normalised((name.encode("latin-1"), value.encode("latin-1")) for name, value in head.headers.items())
    return b"1.%d" % head.minor, head.status, fields, body, reusable


def theirs(wire: bytes, cuts: list[int], method: str) -> Reading | None:
    connection = h11.Connection(h11.CLIENT, max_incomplete_event_size=MAX_HEAD)
    connection.send(h11.Request(method=method, target="/", headers=[("Host", "kis"), ("Content-Length", "0")]))
    connection.send(h11.EndOfMessage())
    fed = iter(pieces(wire, cuts))
    final: h11.Response | None = None
    body = bytearray()
    try:
        while not isinstance(happened := connection.next_event(), h11.EndOfMessage):
            if happened is h11.NEED_DATA:
                connection.receive_data(next(fed, b""))
            elif isinstance(happened, h11.Response):
                final = happened
            elif isinstance(happened, h11.Data):
                body += happened.data
            elif isinstance(happened, h11.ConnectionClosed):
                return None
            else:  # an interim answer, skipped as ours skips it; h11 pauses only after an answer's end
                assert isinstance(happened, h11.InformationalResponse), happened
    except h11.RemoteProtocolError:
        return None
    assert final is not None
    states = (connection.our_state, connection.their_state)
    reusable = states == (h11.DONE, h11.DONE) and connection.trailing_data == (b"", False)
    return final.http_version, final.status_code, normalised(final.headers), bytes(body), reusable


# --- valid answers, as nginx, the KIS gateway and Python servers frame them ---

VISIBLE = bytes(code if 0x21 <= code <= 0x7E or code >= 0x80 else 0x41 + code % 26 for code in range(256))
"""Maps any byte to a visible one (VCHAR or obs-text), so a word is drawn as cheap binary."""
WORD = st.binary(min_size=1, max_size=8).map(lambda raw: raw.translate(VISIBLE))
TEXT = st.builds(lambda words, gap: gap.join(words), st.lists(WORD, max_size=3), st.sampled_from([b" ", b"\t", b" \t"]))
OWS = st.sampled_from([b"", b" ", b"\t", b"  ", b" \t"])
TOKEN = b"!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
TOKENS = bytes(TOKEN[code % len(TOKEN)] for code in range(256))
"""Maps any byte to a token character, so a name is drawn as cheap binary."""


def any_case(text: bytes) -> st.SearchStrategy[bytes]:
    """``text`` with each letter in either case (bit i of the mask set: letter i's case flipped)."""
    return st.integers(0, (1 << len(text)) - 1).map(
        lambda mask: bytes(
            code ^ 0x20 if (mask >> i) & 1 and chr(code).isalpha() else code for i, code in enumerate(text)
        )
    )


def line(names: st.SearchStrategy[bytes], values: st.SearchStrategy[bytes]) -> st.SearchStrategy[bytes]:
    """A header field line (no CRLF): the name, a colon, optional whitespace around the value."""
    return st.builds(lambda name, before, value, after: name + b":" + before + value + after, names, OWS, values, OWS)


KNOWN = [b"Content-Type", b"Date", b"Server", b"tr_id", b"tr_cont", b"gt_uid", b"Set-Cookie", b"Vary"]
NAMES = st.one_of(
    st.sampled_from(KNOWN).flatmap(any_case),
    st.binary(min_size=1, max_size=12)
    .map(lambda raw: raw.translate(TOKENS))
    .filter(lambda n: n.lower() not in FRAMING),
)
FIELDS = st.lists(line(NAMES, TEXT), max_size=5)
REASONS = st.one_of(st.none(), st.sampled_from([b"", b"OK", b"Not Found", b" No  Content\t"]), TEXT)


def status_line(minor: int, status: int, reason: bytes | None) -> bytes:
    return b"HTTP/1.%d %d" % (minor, status) + (b"" if reason is None else b" " + reason)


def head(first: bytes, fields: Iterable[bytes]) -> bytes:
    return b"".join(each + b"\r\n" for each in (first, *fields)) + b"\r\n"


@dataclass(frozen=True)
class Answer:
    method: str
    interim: bytes  # 1xx answers sent before the final one
    status_line: bytes
    fields: tuple[bytes, ...]
    framed: bytes  # the body as sent: as is, or chunked
    status: int
    body: bytes  # the body as read

    def wire(self) -> bytes:
        return self.interim + head(self.status_line, self.fields) + self.framed

    def unframed(self) -> tuple[bytes, ...]:
        """The fields but Content-Length, Transfer-Encoding and Connection."""
        return tuple(each for each in self.fields if each.partition(b":")[0].lower() not in FRAMING)


@st.composite
def chunked(draw: st.DrawFn, body: bytes) -> bytes:
    """``body`` in chunks of any sizes, sizes in either case, extensions, a trailer block."""
    sizes = [*draw(st.lists(st.integers(1, 400), max_size=5)), len(body)]
    size_forms = st.sampled_from([b"%x", b"%X", b"%03x"])
    extensions = st.sampled_from([b"", b"", b";a", b";a=b", b';n="q v"', b";x;y=1", b" ", b";a=b\t"])
    out, at = bytearray(), 0
    for size in [*sizes, 0]:
        piece = body[at : at + size]
        if size and not piece:
            continue
        out += draw(size_forms) % len(piece) + draw(extensions) + b"\r\n"
        if piece:
            out += piece + b"\r\n"
        else:  # the last chunk, then the trailer block
            out += head(b"", draw(FIELDS))[2:]
        at += len(piece)
    return bytes(out)


@st.composite
def answers(draw: st.DrawFn) -> Answer:
    minor = draw(st.sampled_from([1, 1, 1, 0]))
    status = draw(st.one_of(st.sampled_from([200, 204, 304, 404, 500]), st.integers(200, 599)))
    interim = st.builds(status_line, st.just(minor), st.sampled_from([100, 102, 103]), REASONS).flatmap(
        lambda first: FIELDS.map(lambda fields: head(first, fields))
    )
    body = draw(st.binary(max_size=1500))
    fields = draw(FIELDS)
    framings = ["length", "chunked", "close"] if minor else ["length", "close"]
    framing = "none" if status in (204, 304) else draw(st.sampled_from(framings))
    framed = body
    if framing == "length":
        n = len(body)
        values = draw(st.sampled_from([[b"%d" % n], [b"%d" % n] * 2, [b"%d, %d" % (n, n)], [b"00%d" % n]]))
        fields += [draw(line(any_case(b"Content-Length"), st.just(value))) for value in values]
    elif framing == "chunked":
        fields.append(draw(line(any_case(b"Transfer-Encoding"), any_case(b"chunked"))))
        framed = draw(chunked(body))
    elif framing == "none":
        body = framed = b""
        if status == 304 and draw(st.booleans()):  # the size of the representation not sent
            fields.append(draw(line(any_case(b"Content-Length"), st.integers(0, 10**6).map(b"%d".__mod__))))
    connection = draw(st.sampled_from([None, b"close", b"keep-alive", b"Close", b"keep-alive, close", b"Keep-Alive"]))
    if connection is not None:
        fields.append(draw(line(any_case(b"Connection"), st.just(connection))))
    return Answer(
        method=draw(st.sampled_from(["GET", "POST"])),
        interim=b"".join(draw(st.lists(interim, max_size=2))),
        status_line=status_line(minor, status, draw(REASONS)),
        fields=tuple(draw(st.permutations(fields))),
        framed=framed,
        status=status,
        body=body,
    )


CUTS = st.lists(st.integers(min_value=0, max_value=4000), max_size=10)


@settings(max_examples=examples(300))
@given(answer=answers(), cuts=CUTS)
def test_a_valid_answer_is_read_as_h11_reads_it(answer: Answer, cuts: list[int]) -> None:
    wire = answer.wire()
    expected = theirs(wire, cuts, answer.method)
    assert expected is not None, "the strategy built an answer h11 refuses"
    assert (expected[1], expected[3]) == (answer.status, answer.body)
    assert ours(wire, cuts) == expected


# --- malformed and dangerous answers ---

Mutation = Callable[[st.DrawFn, Answer], bytes]


def with_fields(answer: Answer, *extra: bytes, framed: bytes | None = None) -> bytes:
    """``answer`` with its framing fields replaced by ``extra`` (and its framed body by ``framed``)."""
    body = answer.framed if framed is None else framed
    return replace(answer, fields=(*answer.unframed(), *extra), framed=body).wire()


def inside(texts: st.SearchStrategy[bytes]) -> Mutation:
    """Put one of ``texts`` inside the status line or a field line, or after the last as a line of its own."""

    def mutate(draw: st.DrawFn, answer: Answer) -> bytes:
        lines = [answer.status_line, *answer.fields, b""]
        at = draw(st.integers(0, len(lines) - 1))
        cut = draw(st.integers(0, len(lines[at])))
        lines[at] = lines[at][:cut] + draw(texts) + lines[at][cut:]
        return answer.interim + head(lines[0], [each for each in lines[1:] if each]) + answer.framed

    return mutate


LENGTHS = [b"3, 5", b"3,", b", 3", b"-1", b"+1", b"1.0", b"1e3", b"", b"9" * 19, b"9" * 21, b"0x10", b"\xb2", b"1 2"]
CODINGS = [b"gzip", b"chunked, gzip", b"gzip, chunked", b"identity", b"chunked,", b", chunked", b"chunked, chunked"]
BAD_FRAMING = st.sampled_from(
    [
        (b"Transfer-Encoding: chunked", b"Content-Length: 5"),
        (b"Content-Length: 3", b"Content-Length: 5"),
        (b"Transfer-Encoding: chunked", b"Transfer-Encoding: chunked"),
        *((b"Content-Length: " + value,) for value in LENGTHS),
        *((b"Transfer-Encoding: " + coding,) for coding in CODINGS),
    ]
)
"""Framing fields (in place of an answer's own) that are malformed, conflict, or name an unknown coding."""


def bad_framing(where: str) -> Mutation:
    """Bad framing fields on the final answer, on a 204 or 304 (where they do not count) or on an interim answer."""

    def mutate(draw: st.DrawFn, answer: Answer) -> bytes:
        bad = draw(BAD_FRAMING)
        if where == "interim":
            return replace(answer, interim=answer.interim + head(b"HTTP/1.1 103 Early Hints", bad)).wire()
        if where == "bodiless":
            answer = replace(answer, status_line=draw(st.sampled_from([b"HTTP/1.1 204 OK", b"HTTP/1.1 304 OK"])))
        return with_fields(answer, *bad, framed=draw(st.sampled_from([answer.framed, b"3\r\nabc\r\n0\r\n\r\n"])))

    return mutate


def bad_chunks(draw: st.DrawFn, answer: Answer) -> bytes:
    size = draw(st.sampled_from([b"", b"-1", b"0x3", b"3 3", b"g", b"1" * 17, b"f" * 21, b" 3", b"+3", b"3\x00",
                                 b"3;a\rb", b"3\n", b"3\r", b"3;\n", b"3 ;a", b"3\t;a=b"]))  # fmt: skip
    data = draw(st.sampled_from([b"3\r\nabc\r\n", size + b"\r\nabc\r\n", b"3\r\nabcd\r\n", b"3\r\nab\r\n",
                                 b"3\r\nabcXY", b"3\r\nabc", b"3\r\nabc\n"]))  # fmt: skip
    end = draw(st.sampled_from([b"0\r\n\r\n", size + b"\r\n\r\n", b"0\r\nX: 1\n\r\n", b"0\r\n X: 1\r\n\r\n"]))
    return with_fields(answer, b"Transfer-Encoding: chunked", framed=data + end)


def bare_lf(draw: st.DrawFn, answer: Answer) -> bytes:
    wire = answer.wire()
    ends = [at for at in range(len(wire) - 1) if wire[at : at + 2] == b"\r\n"]
    for at in sorted(set(draw(st.lists(st.sampled_from(ends), min_size=1, max_size=4))), reverse=True):
        wire = wire[:at] + wire[at + 1 :]
    return wire


def garbage_status(draw: st.DrawFn, answer: Answer) -> bytes:
    lines = [b"HTTP/1.1 20 OK", b"HTTP/1.1 2000 OK", b"HTTP/1.1  200 OK", b"http/1.1 200 OK", b"HTTP/1.1 200OK",
             b"HTTP/1.1 099 X", b"HTTP/2.0 200 OK", b"HTTP/1.2 200 OK", b"HTTP/1.1", b"ICY 200 OK", b" HTTP/1.1 200",
             b"HTTP/1.1 200 O\x00K", b"HTTP/1.1 200 \x0b", b"HTTP/1.1 200 \x01", b"HTTP/1.1 -20 OK", b""]  # fmt: skip
    status = draw(st.one_of(st.sampled_from(lines), st.binary(max_size=20)))
    return replace(answer, status_line=status).wire()


def truncated(draw: st.DrawFn, answer: Answer) -> bytes:
    wire = answer.wire()
    return wire[: draw(st.integers(0, len(wire) - 1))]


def random_byte(draw: st.DrawFn, answer: Answer) -> bytes:
    """One byte of a kind framing hinges on, put in or written over anywhere."""
    wire = answer.wire()
    at = draw(st.integers(0, len(wire)))
    byte = draw(st.sampled_from([b"\r", b"\n", b" ", b"\t", b"\x00", b":", b";", b",", b"0", b"x", b"\x7f", b"\xff"]))
    return wire[:at] + byte + wire[at + draw(st.integers(0, 1)) :]


MUTATIONS: dict[str, Mutation] = {
    "random byte": random_byte,
    "bad framing fields": bad_framing("final"),
    "bad framing fields on a 204 or 304": bad_framing("bodiless"),
    "bad framing fields on an interim answer": bad_framing("interim"),
    "bad chunk framing": bad_chunks,
    "HTTP/1.0 with 1.1 framing": lambda draw, answer: replace(
        answer, status_line=b"HTTP/1.0" + answer.status_line[8:]
    ).wire(),
    "obs-fold": inside(st.sampled_from([b"\r\n folded", b"\r\n\tx", b"\r\n "])),
    "control character": inside(st.sampled_from(bytes([*range(0x20), 0x7F])).map(lambda code: bytes([code]))),
    "bare LF": bare_lf,
    "garbage status line": garbage_status,
    "oversized head": inside(st.integers(-300, 300).map(lambda more: b"\r\nX-Pad: " + b"a" * (MAX_HEAD + more))),
    "truncated": truncated,
    "switching protocols unasked": lambda draw, answer: b"HTTP/1.1 101 Switching Protocols\r\n\r\n" + answer.wire(),
}


@st.composite
def malformed(draw: st.DrawFn) -> tuple[str, bytes, str]:
    answer = draw(answers())
    kind = draw(st.sampled_from(list(MUTATIONS)))  # the first, the plain fuzzer, is drawn most
    return kind, MUTATIONS[kind](draw, answer), answer.method


@settings(max_examples=examples(500))
@given(case=malformed(), cuts=CUTS)
def test_whatever_h11_refuses_ours_refuses_and_what_both_read_they_read_alike(
    case: tuple[str, bytes, str], cuts: list[int]
) -> None:
    kind, wire, method = case
    event(kind)
    expected, got = theirs(wire, cuts, method), ours(wire, cuts)
    if expected is None:
        assert got is None, f"{kind}: h11 refuses {wire[:300]!r}, ours reads it"
    elif got is not None:
        assert got == expected, kind
