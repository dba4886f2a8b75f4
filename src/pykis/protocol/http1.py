"""HTTP/1.1 as the client side speaks it (RFC 9112), sans I/O: the bytes of a request, and a reader that is
fed the answer's bytes and hands back its head, its body pieces and whether the connection can carry the next
request. Both transports drive it (a socket, asyncio streams); neither parses HTTP itself.

Written here rather than taken from h11 or ``http.client`` on numbers (issue 15): importing h11 cost a cold
asyncio script ~8 ms and ``http.client`` (with the ``email`` package) a blocking one ~6 ms, out of a first
quote of ~60 ms; this module costs well under one. It reads what a client needs — status line, header fields,
``Content-Length``, ``chunked`` and read-to-close bodies, interim 1xx answers — and refuses the rest as a
:class:`HttpProtocolError`: framing that could desynchronise a kept-alive connection (both ``Transfer-Encoding``
and ``Content-Length``, conflicting lengths, an unknown transfer coding, folded or malformed fields, a 101 to a
request that proposed no upgrade) and a head or chunk line past its size limit. Whatever h11 refuses, this
refuses too (tests/protocol/test_http1_vs_h11.py, which lists where this is stricter).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

__all__ = ["END", "NEED_DATA", "HttpProtocolError", "ResponseHead", "ResponseReader", "request_bytes"]

MAX_HEAD = 64 << 10
"""The largest status line plus header block read (KIS heads are a few hundred bytes)."""
MAX_LINE = 4 << 10
"""The largest chunk-size line or trailer block."""

_TOKEN = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# A reason phrase and a field value are HTAB, SP, VCHAR and obs-text (RFC 9112 §4, RFC 9110 §5.5).
_STATUS = re.compile(rb"HTTP/1\.([01]) ([1-9][0-9]{2})(?: [^\x00-\x08\x0a-\x1f\x7f]*)?")
_FIELD_VALUE = re.compile(rb"[^\x00-\x08\x0a-\x1f\x7f]*")
# The size, then an extension right after it or trailing whitespace: whitespace before ";" (BWS) is refused, as
# h11 refuses it; chunk-extension parsing that differs between parsers is a known desynchronisation vector.
_CHUNK_SIZE = re.compile(rb"([0-9A-Fa-f]{1,16})(?:;[^\r\n]*|[ \t]*)")
_LENGTH = re.compile(r"[0-9]{1,18}")  # ASCII digits only: str.isdigit() also takes "²"
_SAFE_TEXT = re.compile(r"[^\x00-\x1f\x7f]*")


class HttpProtocolError(Exception):
    """The answer is not HTTP/1.1 this client can read safely, or the connection ended inside it."""


class _Marker:
    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return self._name


NEED_DATA: Final = _Marker("NEED_DATA")
"""More bytes must be fed before the reader can go on."""
END: Final = _Marker("END")
"""The body is complete."""


def request_bytes(method: str, target: str, headers: Mapping[str, str], body: bytes | None) -> bytes:
    """The request as it goes on the wire; a name or value that could split the message is refused."""
    if not _TOKEN.fullmatch(method.encode("ascii", "replace")) or not target.startswith("/"):
        raise ValueError(f"not a request line: {method!r} {target!r}")
    if not _SAFE_TEXT.fullmatch(target) or " " in target:
        raise ValueError(f"the request target holds a space or a control character: {target!r}")
    lines = [f"{method} {target} HTTP/1.1"]
    for name, value in headers.items():
        if not _TOKEN.fullmatch(name.encode("latin-1", "replace")) or not _SAFE_TEXT.fullmatch(value):
            raise ValueError(f"header {name!r} holds a character that would split the request")
        lines.append(f"{name}: {value}")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    return head + body if body else head


class ResponseHead:
    """The status line and header fields of an answer (names lower-cased; repeated fields joined by ``, ``)."""

    __slots__ = ("headers", "minor", "status")

    def __init__(self, minor: int, status: int, headers: dict[str, str]) -> None:
        self.minor = minor
        self.status = status
        self.headers = headers

    def __repr__(self) -> str:
        return f"ResponseHead(HTTP/1.{self.minor} {self.status}, {len(self.headers)} fields)"


class ResponseReader:
    """One answer, read from the bytes :meth:`receive` is given (``b""`` when the connection has ended)."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._eof = False
        self._head: ResponseHead | None = None
        self._remaining = 0  # body bytes still due: of the Content-Length, or of the current chunk
        self._framing = ""  # "length", "chunked", "close" (to the end of the connection)
        self._chunk_state = "size"  # chunked: "size", "data", "data-end", "trailers", "done"
        self._done = False

    def receive(self, data: bytes) -> None:
        """Feed the next bytes read from the connection; ``b""`` means it ended."""
        if data:
            self._buffer += data
        else:
            self._eof = True

    @property
    def reusable(self) -> bool:
        """Whether the connection can carry the next request: the answer was read whole, framed by its length,
        in HTTP/1.1 without ``Connection: close``, and nothing unasked followed it."""
        head = self._head
        if not self._done or head is None or self._framing == "close" or self._buffer or self._eof:
            return False
        return head.minor == 1 and "close" not in _tokens(head.headers.get("connection", ""))

    def head(self) -> ResponseHead | None:
        """The final answer's head once it has arrived (interim 1xx answers are skipped), else ``None``."""
        while self._head is None:
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(self._buffer) > MAX_HEAD:
                    raise HttpProtocolError(f"the answer's head is longer than {MAX_HEAD} bytes")
                if self._eof:
                    raise HttpProtocolError("the connection ended before the answer's head")
                return None
            if end > MAX_HEAD:
                raise HttpProtocolError(f"the answer's head is longer than {MAX_HEAD} bytes")
            block = bytes(self._buffer[:end])
            del self._buffer[: end + 4]
            head = _parse_head(block)
            framing = _framing(head)  # an interim answer's framing fields are checked too, as h11 checks them
            if head.status == 101:
                raise HttpProtocolError("101 Switching Protocols, though this client proposes no upgrade")
            if head.status < 200:
                continue  # 100 Continue and the like: the final answer follows
            self._head = head
            self._framing, self._remaining = framing
            self._done = self._framing == "length" and self._remaining == 0
        return self._head

    def body(self) -> bytes | _Marker:
        """The next piece of the body, :data:`NEED_DATA`, or :data:`END` once it is complete."""
        if self._head is None:
            raise RuntimeError("body() before head()")
        if self._done:
            return END
        if self._framing == "chunked":
            return self._chunked()
        if self._framing == "close":
            if self._buffer:
                return self._take(len(self._buffer))
            if self._eof:
                self._done = True
                return END
            return NEED_DATA
        if self._buffer:
            piece = self._take(min(self._remaining, len(self._buffer)))
            self._remaining -= len(piece)
            self._done = self._remaining == 0
            return piece
        if self._eof:
            raise HttpProtocolError(f"the connection ended {self._remaining} bytes short of the announced length")
        return NEED_DATA

    def _chunked(self) -> bytes | _Marker:
        while True:
            if self._chunk_state == "data":
                if not self._buffer:
                    return self._short("inside a chunk")
                piece = self._take(min(self._remaining, len(self._buffer)))
                self._remaining -= len(piece)
                if self._remaining == 0:
                    self._chunk_state = "data-end"
                return piece
            line = self._line()
            if line is None:
                return self._short("inside the chunked framing")
            if self._chunk_state == "size":
                match = _CHUNK_SIZE.fullmatch(line)
                if match is None:
                    raise HttpProtocolError(f"not a chunk size: {line[:40]!r}")
                self._remaining = int(match.group(1), 16)
                self._chunk_state = "data" if self._remaining else "trailers"
            elif self._chunk_state == "data-end":
                if line:
                    raise HttpProtocolError("a chunk is longer than its announced size")
                self._chunk_state = "size"
            elif line:  # a trailer field: read past, as no client here needs one
                _parse_field(line)
            else:
                self._done = True
                return END

    def _line(self) -> bytes | None:
        end = self._buffer.find(b"\r\n")
        if end < 0:
            if len(self._buffer) > MAX_LINE:
                raise HttpProtocolError(f"a chunk-size or trailer line is longer than {MAX_LINE} bytes")
            return None
        line = bytes(self._buffer[:end])
        del self._buffer[: end + 2]
        return line

    def _short(self, where: str) -> _Marker:
        if self._eof:
            raise HttpProtocolError(f"the connection ended {where}")
        return NEED_DATA

    def _take(self, size: int) -> bytes:
        piece = bytes(self._buffer[:size])
        del self._buffer[:size]
        return piece


def _parse_head(block: bytes) -> ResponseHead:
    status_line, _, fields = block.partition(b"\r\n")
    match = _STATUS.fullmatch(status_line)
    if match is None:
        raise HttpProtocolError(f"not an HTTP/1.x status line: {status_line[:60]!r}")
    headers: dict[str, str] = {}
    for line in fields.split(b"\r\n") if fields else ():
        name, value = _parse_field(line)
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return ResponseHead(int(match.group(1)), int(match.group(2)), headers)


def _parse_field(line: bytes) -> tuple[str, str]:
    if line[:1] in (b" ", b"\t"):
        raise HttpProtocolError("a folded header line (obsolete line folding is refused)")
    name, colon, value = line.partition(b":")
    if not colon or not _TOKEN.fullmatch(name):
        raise HttpProtocolError(f"not a header field: {line[:60]!r}")
    value = value.strip(b" \t")
    if not _FIELD_VALUE.fullmatch(value):
        raise HttpProtocolError(f"a control character in header {name.decode('ascii')!r}")
    return name.decode("ascii").lower(), value.decode("latin-1")


def _framing(head: ResponseHead) -> tuple[str, int]:
    """How the body ends (RFC 9112 §6.3): ``("length", n)``, ``("chunked", 0)`` or ``("close", 0)``. The framing
    fields are checked whatever the status, also where they do not count (1xx, 204, 304)."""
    coding = head.headers.get("transfer-encoding")
    length = head.headers.get("content-length")
    size: int | None = None
    if coding is not None:
        if length is not None:
            raise HttpProtocolError("both Transfer-Encoding and Content-Length (a request-smuggling shape)")
        if coding.lower() != "chunked":  # one field, one coding: no list, no empty element
            raise HttpProtocolError(f"an unsupported transfer coding: {coding!r}")
    elif length is not None:
        values = {part.strip() for part in length.split(",")}
        if len(values) != 1 or not _LENGTH.fullmatch(value := values.pop()):
            raise HttpProtocolError(f"not a Content-Length: {length!r}")
        size = int(value)
    if head.status < 200 or head.status in (204, 304):
        return "length", 0
    if coding is not None:
        return "chunked", 0
    return ("close", 0) if size is None else ("length", size)


def _tokens(value: str) -> list[str]:
    return [part.strip().lower() for part in value.split(",") if part.strip()]
